/**
 * Notify (issue 5): from a shipment event arriving to the customer's e-mail accepted by the SMTP server and the
 * storefront told (Shopify fulfilment with tracking), at a steady 200 events per second for a bounded run,
 * with the SQLite store at its default synchronous FULL (the target) and at NORMAL (for comparison).
 * Each event goes the way the tracking-in and notify nodes take it: recorded in the SQLite store (order and PO
 * moved, the parcel deduplicated), its milestones queued in the outbox per channel, claimed, delivered and
 * marked sent. The baseline, measured in the same run and at the same rate, sends the same e-mail and makes the
 * same two Shopify calls directly, with no store and no outbox: what the network work alone costs here.
 * Latency is measured from each event's scheduled arrival, so a backlog counts against the figure. The SMTP
 * server and the Shopify Admin API fake run in a second process (bench/notify-peers.ts), as real services would;
 * everything listens on 127.0.0.1. Run alone with `npx tsx bench/notify.bench.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { systemClock } from '../core/clock';
import type { PurchaseOrder } from '../core/model/purchase-order';
import { emailChannel, type OutgoingEmail } from '../core/notify/email-outbox';
import { queueAndDeliver, readOrderFacts, type NotificationChannel } from '../core/notify/outbox';
import { storefrontChannel } from '../core/notify/storefront-channel';
import { SqliteOrderStore } from '../core/store/sqlite/sqlite-store';
import { recordShipment } from '../core/tracking/record-shipment';
import { createShopifyFulfilment, type ShopifyContext } from '../connectors/storefronts/shopify-fulfilment';
import { mailerTransportOptions } from '../nodes/mailer/transport-options';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../test/support/orders';
import { formatBenchFigures, type BenchFigure } from './figures';
import type { PeerReply, PeerRequest } from './notify-peers';

const RATE_PER_SECOND = 200;
const EVENTS = 2_000;
const WARMUP = 200;
const quietLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** The peers process and a way to ask it something and wait for its answer. */
interface Peers {
  ready: Extract<PeerReply, { type: 'ready' }>;
  ask<T extends PeerReply['type']>(request: PeerRequest, answer: T): Promise<Extract<PeerReply, { type: T }>>;
  stop(): Promise<void>;
}

async function startPeers(): Promise<Peers> {
  const child: ChildProcess = fork(path.join(__dirname, 'notify-peers.ts'), [], {
    execArgv: ['--require', require.resolve('tsx/cjs')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends PeerReply['type']>(answer: T): Promise<Extract<PeerReply, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: PeerReply): void => {
        if (message.type !== answer) return;
        child.off('message', onMessage);
        resolve(message as Extract<PeerReply, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the peers process exited with ${code}`)));
    });
  const ready = await next('ready');
  return {
    ready,
    ask(request, answer) {
      const reply = next(answer);
      child.send(request);
      return reply;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' } satisfies PeerRequest);
      }),
  };
}

interface Prepared {
  orderId: string;
  po: PurchaseOrder;
  shopifyOrderId: string;
  trackingNumber: string;
}

/** Orders as dispatch leaves them (routed, PO accepted), each with its order in the Shopify fake. */
async function prepareOrders(store: SqliteOrderStore, shopifyOrderIds: string[]): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (const [i, shopifyOrderId] of shopifyOrderIds.entries()) {
    const { order } = await store.receiveOrder(
      sampleOrderDraft({ channel: 'shopify', externalId: shopifyOrderId, orderNumber: `#${10_000 + i}` }),
      { actor: 'bench' },
    );
    const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order)], {
      type: 'order.routed',
      actor: 'bench',
    }))!;
    await store.claimPurchaseOrder(po!.number, { owner: 'bench', now: new Date(), durationMs: 60_000 });
    await store.transitionPurchaseOrder(
      po!.number,
      ['sending'],
      'accepted',
      {},
      { type: 'po.accepted', actor: 'bench' },
    );
    // Distinct numbers; their carrier is declared, as a supplier's webhook does.
    prepared.push({
      orderId: order.id,
      po: po!,
      shopifyOrderId,
      trackingNumber: `1ZBENCH${String(i).padStart(11, '0')}`,
    });
  }
  return prepared;
}

/**
 * Runs `handle` for each item at RATE_PER_SECOND (open loop: arrivals do not wait for earlier items) and returns
 * each item's milliseconds from its scheduled arrival to the end of its handling; an item whose handling failed
 * (its notification left for a retry) counts as never done: Infinity.
 */
async function atSteadyRate<T>(items: T[], handle: (item: T) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  const intervalMs = 1000 / RATE_PER_SECOND;
  const start = performance.now();
  const runs = items.map(async (item, i) => {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const done = await handle(item).then(
      () => true,
      () => false,
    );
    latencies.push(done ? performance.now() - due : Number.POSITIVE_INFINITY);
  });
  await Promise.all(runs);
  return latencies;
}

/** p99 and p50 figures of one measured run beside the baseline, and how many of its events failed. */
function figuresOf(label: string, measured: number[], baseline: number[], target: boolean): BenchFigure[] {
  const p99 = percentile(measured, 99);
  const p50 = percentile(measured, 50);
  const failed = (values: number[]) => values.filter((ms) => ms === Number.POSITIVE_INFINITY).length;
  const what = `shipment event -> e-mail accepted + Shopify fulfilment, ${label}`;
  return [
    {
      name: `${what}: p99 of ${EVENTS} at ${RATE_PER_SECOND}/s (ms)`,
      value: p99,
      unit: 'ms',
      baseline: {
        name: 'the same e-mail and Shopify calls sent directly, p99',
        value: percentile(baseline, 99),
      },
      ratio: p99 / percentile(baseline, 99),
      ...(target ? { target: '< 200 ms', pass: p99 < 200 } : {}),
    },
    {
      name: `${what}: p50 (ms)`,
      value: p50,
      unit: 'ms',
      baseline: { name: 'the same calls sent directly, p50', value: percentile(baseline, 50) },
      ratio: p50 / percentile(baseline, 50),
    },
    {
      name: `${what}: events whose e-mail or storefront call failed at once (left to the outbox retry)`,
      value: failed(measured),
      unit: 'events',
      baseline: { name: 'direct calls that failed', value: failed(baseline) },
      ...(target ? { target: '0', pass: failed(measured) === 0 } : {}),
    },
  ];
}

export async function runNotifyBench(): Promise<BenchFigure[]> {
  // Idle keep-alive sockets are dropped by the client before the server's 5 s keep-alive timeout can close them
  // under it (a request on a socket the server just closed fails with ECONNRESET); restored afterwards.
  const globalAgent = http.globalAgent;
  http.globalAgent = new http.Agent({ keepAlive: true, timeout: 2_000 });
  const dir = mkdtempSync(path.join(tmpdir(), 'dropship-notify-bench-'));
  const peers = await startPeers();
  // The mailer node's transport with its defaults (pooled connections), to a server that offers no STARTTLS.
  const transport = nodemailer.createTransport(
    mailerTransportOptions({ host: '127.0.0.1', port: peers.ready.smtpPort, secure: false }),
  );
  // The store node's default (a file in WAL mode, synchronous FULL: each commit waits for the disk), and the
  // store's NORMAL setting (commits survive a process crash, not a power cut) for comparison.
  const stores = {
    full: new SqliteOrderStore({ filename: path.join(dir, 'full.sqlite') }),
    normal: new SqliteOrderStore({ filename: path.join(dir, 'normal.sqlite'), synchronous: 'NORMAL' }),
  };
  try {
    const shopifyContext: ShopifyContext = {
      settings: {
        shopDomain: 'bench-shop.myshopify.com',
        apiVersion: peers.ready.apiVersion,
        baseUrl: peers.ready.shopifyUrl,
      },
      credentials: { accessToken: peers.ready.accessToken },
      clock: systemClock,
      log: quietLog,
    };
    const send = async (email: OutgoingEmail): Promise<void> => {
      await transport.sendMail({ from: 'Shop <shop@example.test>', ...email });
    };
    const channels: NotificationChannel[] = [
      emailChannel({ sender: { send }, milestones: ['shipped'], storeName: 'Bench Shop' }),
      storefrontChannel({
        platform: 'shopify',
        async fulfil(parcel) {
          await createShopifyFulfilment(parcel, shopifyContext);
        },
      }),
    ];

    const total = WARMUP + EVENTS;
    const { ids } = await peers.ask({ type: 'addOrders', count: total * 3 }, 'orders');
    await stores.full.migrate();
    await stores.normal.migrate();
    const forBaseline = await prepareOrders(stores.full, ids.slice(0, total));
    const forFull = await prepareOrders(stores.full, ids.slice(total, total * 2));
    const forNormal = await prepareOrders(stores.normal, ids.slice(total * 2));

    // Baseline: the same e-mail and the same Shopify calls, sent directly.
    const direct = async (order: Prepared): Promise<void> => {
      await Promise.all([
        send({
          to: 'ada@example.test',
          subject: 'Your order has shipped',
          text: `Tracking number: ${order.trackingNumber}`,
          html: `<p>Tracking number: ${order.trackingNumber}</p>`,
          messageId: `<${order.orderId}.direct@dropship>`,
        }),
        createShopifyFulfilment(
          { orderId: order.shopifyOrderId, trackingNumber: order.trackingNumber, carrier: 'ups' },
          shopifyContext,
        ),
      ]);
    };
    // The package: the event recorded as tracking in does, then what notify does with tracking in's message.
    const pipeline = (store: SqliteOrderStore) => {
      const worker = { store, owner: 'bench', leaseMs: 60_000, now: () => new Date() };
      return async (order: Prepared): Promise<void> => {
        await recordShipment(
          store,
          {
            poNumber: order.po.number,
            carrier: 'ups',
            trackingNumber: order.trackingNumber,
            status: 'in_transit',
            occurredAt: new Date().toISOString(),
            source: 'webhook',
          },
          'bench',
        );
        const facts = (await readOrderFacts(store, order.orderId))!;
        const reports = [...(await queueAndDeliver(channels, worker, facts)).values()];
        const failed = reports.flatMap((r) => r.failed);
        if (failed.length > 0) throw new Error(`not delivered: ${failed.map((f) => f.error).join('; ')}`);
        if (reports.reduce((sent, r) => sent + r.sent.length, 0) !== 2)
          throw new Error('expected two notifications');
      };
    };
    const measure = async (orders: Prepared[], handle: (order: Prepared) => Promise<void>) => {
      await atSteadyRate(orders.slice(0, WARMUP), handle);
      return atSteadyRate(orders.slice(WARMUP), handle);
    };
    const baseline = await measure(forBaseline, direct);
    const full = await measure(forFull, pipeline(stores.full));
    const normal = await measure(forNormal, pipeline(stores.normal));

    const all = [...baseline, ...full, ...normal];
    const { count } = await peers.ask({ type: 'accepted' }, 'accepted');
    if (all.every((ms) => ms !== Number.POSITIVE_INFINITY) && count !== total * 3)
      throw new Error(`the SMTP server accepted ${count} of ${total * 3} e-mails`);
    return [
      ...figuresOf('store synchronous FULL (default)', full, baseline, true),
      ...figuresOf('store synchronous NORMAL', normal, baseline, false),
    ];
  } finally {
    http.globalAgent.destroy();
    http.globalAgent = globalAgent;
    transport.close();
    await stores.full.close();
    await stores.normal.close();
    await peers.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runNotifyBench().then(
    (figures) => console.log(formatBenchFigures(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
