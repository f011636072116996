import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../../core/store/open-store';
import { SmtpSink } from '../support/smtp-sink';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { writePipelineFlow } from './support/pipeline-flow';
import { deliver, shopifyDelivery, type Delivery } from './support/shopify-delivery';
import { SupplierLedger } from './support/supplier-ledger';

const SECRET = 'crash-recovery-secret';
/** DROPSHIP_RELIABILITY_SCALE=10 runs ten times the orders and the crash cycles. */
const SCALE = Math.max(1, Number(process.env.DROPSHIP_RELIABILITY_SCALE) || 1);
const ORDERS_PER_CYCLE = 6 * SCALE;

type CrashPoint =
  'before the supplier call' | 'after the supplier call, before the commit' | 'mid-SMTP' | 'at random';
const CRASH_POINTS: CrashPoint[] = [
  'before the supplier call',
  'after the supplier call, before the commit',
  'mid-SMTP',
  'at random',
];

interface OrderDetail {
  state: string;
  purchaseOrders: { number: string; state: string; sendAttempts: number; lastError?: string }[];
  notifications: { state: string; attempts: number; lastError?: string }[];
}

describe('reliability: kill -9 of Node-RED at any point of the pipeline, restart on the same SQLite file', function () {
  this.timeout(240_000 * SCALE);
  let dir: string;
  let ledger: SupplierLedger;
  let smtp: SmtpSink;
  let nodeRed: RunningNodeRed | undefined;
  let flowFile: string;
  const sqliteFile = (): string => path.join(dir, 'orders.sqlite');
  const seed = Number(process.env.DROPSHIP_RELIABILITY_SEED) || Date.now() % 100_000;
  let random = seed;
  const next = (): number => {
    random = (random * 1_103_515_245 + 12_345) % 2_147_483_648;
    return random / 2_147_483_648;
  };

  before(async () => {
    assert.ok(existsSync(path.join(REPO, 'dist', 'nodes', 'order-in', 'order-in.js')), 'run `npm run build`');
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-crash-'));
    // A slow supplier widens the window between its answer and our commit.
    ledger = await new SupplierLedger().start();
    ledger.behaviour = () => ({ kind: 'accept', delayMs: 300 });
    smtp = await new SmtpSink().start();
    flowFile = writePipelineFlow(dir, {
      store: { engine: 'sqlite', filename: sqliteFile() },
      supplierUrl: ledger.url,
      smtpPort: smtp.port,
      leaseSeconds: 3,
      sweepSeconds: 0.5,
    });
  });
  after(async () => {
    await nodeRed?.stop();
    await ledger.stop();
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<RunningNodeRed> =>
    startNodeRed(flowFile, {
      DROPSHIP_SHOPIFY_SECRET: SECRET,
      DROPSHIP_INSTANCE: 'solo',
      DROPSHIP_DEMO_SMTP_PORT: 'off',
      // An e-mail killed mid-SMTP is sent again once its claim runs out: 5 s here instead of the 60 s default.
      DROPSHIP_NOTIFY_LEASE_SECONDS: '5',
    });

  it(`loses no order and sends no PO twice across ${CRASH_POINTS.length * SCALE} crashes (seed ${seed})`, async () => {
    const accepted = new Map<string, string>();
    /** Deliveries not yet answered 200: the storefront retries them with the same event id. */
    let unanswered: Delivery[] = [];
    const crashes: { point: CrashPoint; callsBefore: number; mailsBefore: number; callsAtCrash: number }[] =
      [];
    let nextId = 5_000_000;

    const deliverAll = async (base: string, deliveries: Delivery[]): Promise<void> => {
      const answers = await Promise.all(deliveries.map((d) => deliver(base, d)));
      unanswered = [];
      answers.forEach((answer, i) => {
        const delivery = deliveries[i]!;
        if (answer?.status === 200 && answer.body.id) accepted.set(delivery.externalId, answer.body.id);
        else {
          assert.ok(answer === undefined || answer.status >= 500, `refused: ${JSON.stringify(answer)}`);
          unanswered.push(delivery);
        }
      });
    };

    for (let cycle = 0; cycle < CRASH_POINTS.length * SCALE; cycle++) {
      const point = CRASH_POINTS[cycle % CRASH_POINTS.length]!;
      const running = await start();
      nodeRed = running;
      const base = running.url('');
      const crashed = new Promise<void>((resolve) => {
        const crash = (): void => {
          crashes.at(-1)!.callsAtCrash = ledger.calls.length;
          void running.crash().then(resolve);
        };
        crashes.push({
          point,
          callsBefore: ledger.calls.length,
          mailsBefore: smtp.messages.length,
          callsAtCrash: 0,
        });
        if (point === 'after the supplier call, before the commit') {
          // The supplier has the PO; its answer is still 300 ms away when the sender dies.
          ledger.onCall = () => {
            ledger.onCall = undefined;
            crash();
          };
        } else if (point === 'mid-SMTP') {
          smtp.beforeAccept = async () => {
            smtp.beforeAccept = undefined;
            crash();
            await crashed;
          };
        } else if (point === 'at random') {
          setTimeout(crash, Math.floor(next() * 1_500));
        }
      });
      const fresh = Array.from({ length: ORDERS_PER_CYCLE }, () => shopifyDelivery(nextId++, SECRET));
      await deliverAll(base, [...unanswered, ...fresh]);
      if (point === 'before the supplier call') {
        crashes.at(-1)!.callsAtCrash = ledger.calls.length;
        await running.crash();
      } else {
        await Promise.race([crashed, new Promise((resolve) => setTimeout(resolve, 20_000))]);
        assert.equal(running.output().includes('Started flows'), true);
        await running.crash();
      }
      ledger.onCall = undefined;
      smtp.beforeAccept = undefined;
    }

    // The last restart finishes everything the crashes left behind.
    const survivor = await start();
    nodeRed = survivor;
    if (unanswered.length > 0) await deliverAll(survivor.url(''), unanswered);
    assert.equal(unanswered.length, 0);
    const total = CRASH_POINTS.length * SCALE * ORDERS_PER_CYCLE;
    assert.equal(accepted.size, total, 'every delivery was answered 200 in the end');

    for (const externalId of accepted.keys()) {
      let last: OrderDetail | undefined;
      await eventually(
        async () => {
          const res = await fetch(survivor.url(`/dropship/api/orders/shopify:${externalId}`));
          last = (await res.json()) as OrderDetail;
          return last.state === 'acknowledged' && last.notifications.some((n) => n.state === 'sent')
            ? last
            : undefined;
        },
        90_000,
        `order ${externalId} to be acknowledged and its customer told`,
      ).catch((err: Error) => {
        const { state, purchaseOrders, notifications } = last ?? ({} as Partial<OrderDetail>);
        throw new Error(
          `${err.message}; last seen ${JSON.stringify({ state, purchaseOrders, notifications })}`,
        );
      });
    }
    await survivor.stop();
    nodeRed = undefined;

    // Zero lost: every accepted order is in the store once, acknowledged, with one PO the supplier took.
    const store = await openStore({ engine: 'sqlite', filename: sqliteFile() });
    try {
      const orders = await store.listOrders({ limit: total * 2 });
      assert.equal(orders.length, total, 'one stored order per accepted delivery');
      const poNumbers = new Set<string>();
      for (const [externalId, id] of accepted) {
        const order = await store.findOrder(`shopify:${externalId}`);
        assert.equal(order?.id, id, `order ${externalId} changed identity`);
        const pos = await store.listPurchaseOrders(id);
        assert.deepEqual(
          pos.map((p) => p.state),
          ['accepted'],
          `order ${externalId} has POs ${pos.map((p) => p.state).join(', ')}`,
        );
        poNumbers.add(pos[0]!.number);
        const received = (await store.listEvents(id)).filter((e) => e.type === 'order.received');
        assert.equal(received.length, 1);
      }

      // Zero duplicates at the supplier that honours the key: one supplier order per PO number.
      assert.deepEqual([...ledger.ordersCreated()].sort(), [...poNumbers].sort());
      // Where the supplier does not honour the key, a resend is detectable: the same PO number, the same document.
      const resent = [...ledger.callsPerKey()].filter(([, calls]) => calls.length > 1);
      for (const [key, calls] of resent) {
        assert.ok(
          calls.every((c) => c.body === calls[0]!.body),
          `PO ${key} was resent with another document`,
        );
      }
      assert.ok(
        resent.length >= SCALE,
        'the crash between the supplier call and the commit caused no resend',
      );
      // Each crash point was reached where it was meant to be.
      for (const crash of crashes.filter((c) => c.point === 'before the supplier call')) {
        assert.ok(
          crash.callsAtCrash - crash.callsBefore < ORDERS_PER_CYCLE,
          'every PO went out before that crash',
        );
      }
      assert.ok(
        crashes.filter((c) => c.point === 'mid-SMTP').every((c) => smtp.messages.length > c.mailsBefore),
        'no mail was in flight at the mid-SMTP crash',
      );

      // E-mail: one message per order, and a resend after a crash mid-SMTP carries the same Message-ID.
      const messageIds = new Map<string, number>();
      for (const mail of smtp.messages) {
        const id = mail.parsed.messageId ?? '';
        messageIds.set(id, (messageIds.get(id) ?? 0) + 1);
      }
      assert.equal(messageIds.size, total, 'one distinct confirmation per order');
      const notificationStates = await Promise.all(
        [...accepted.values()].map(async (id) => (await store.listNotifications(id)).map((n) => n.state)),
      );
      assert.ok(notificationStates.every((states) => states.join() === 'sent'));
      console.log(
        `      ${total} orders, ${crashes.length} crashes, ${ledger.calls.length} supplier calls ` +
          `(${resent.length} PO numbers sent twice or more), ${smtp.messages.length} e-mails ` +
          `(${smtp.messages.length - messageIds.size} resent with the same Message-ID)`,
      );
    } finally {
      await store.close();
    }
  });
});

describe('reliability: kill -9 after a cancel, before the withdrawal at the supplier is recorded', function () {
  this.timeout(120_000);
  let dir: string;
  let acme: SupplierLedger;
  let globex: SupplierLedger;
  let smtp: SmtpSink;
  let nodeRed: RunningNodeRed | undefined;
  let flowFile: string;
  const sqliteFile = (): string => path.join(dir, 'orders.sqlite');

  before(async () => {
    assert.ok(existsSync(path.join(REPO, 'dist', 'nodes', 'order-in', 'order-in.js')), 'run `npm run build`');
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-crash-cancel-'));
    acme = await new SupplierLedger().start();
    globex = await new SupplierLedger().start();
    smtp = await new SmtpSink().start();
    flowFile = writePipelineFlow(dir, {
      store: { engine: 'sqlite', filename: sqliteFile() },
      supplierUrl: acme.url,
      supplierCancels: true,
      fallbackSupplierUrl: globex.url,
      smtpPort: smtp.port,
      leaseSeconds: 3,
      sweepSeconds: 0.5,
    });
  });
  after(async () => {
    await nodeRed?.stop();
    await Promise.all([acme.stop(), globex.stop(), smtp.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<RunningNodeRed> =>
    startNodeRed(flowFile, {
      DROPSHIP_SHOPIFY_SECRET: SECRET,
      DROPSHIP_INSTANCE: 'solo',
      DROPSHIP_DEMO_SMTP_PORT: 'off',
    });

  it('withdraws the backordered PO once the instance is back: the same cancel, one outcome', async () => {
    const isCancel = (key: string): boolean => key.startsWith('cancel-');
    // acme backorders every PO (its lines fail over to globex); the first cancel never gets an answer.
    acme.behaviour = (call) =>
      !isCancel(call.key)
        ? { kind: 'backorder' }
        : acme.calls.filter((c) => isCancel(c.key)).length === 1
          ? { kind: 'hang' }
          : { kind: 'accept' };
    const running = await start();
    nodeRed = running;
    const crashed = new Promise<void>((resolve) => {
      acme.onCall = (call) => {
        if (!isCancel(call.key)) return;
        acme.onCall = undefined;
        // The store has the PO cancelled; the supplier has the cancel, whose outcome is never recorded.
        void running.crash().then(resolve);
      };
    });
    const delivery = shopifyDelivery(7_000_000, SECRET);
    const answer = await deliver(running.url(''), delivery);
    assert.equal(answer?.status, 200);
    await Promise.race([
      crashed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no cancel reached acme')), 20_000)),
    ]);

    const left = await openStore({ engine: 'sqlite', filename: sqliteFile() });
    const order = (await left.findOrder(`shopify:${delivery.externalId}`))!;
    const [backordered] = await left.listPurchaseOrders(order.id);
    assert.deepEqual(
      [backordered?.supplierId, backordered?.state, backordered?.withdrawal],
      ['acme', 'cancelled', 'pending'],
    );
    const cancelEvents = async () =>
      (await left.listEvents(order.id)).filter((e) => e.type.startsWith('po.cancel_')).map((e) => e.type);
    assert.deepEqual(await cancelEvents(), [], 'killed before the outcome was recorded');
    await left.close();

    const survivor = await start();
    nodeRed = survivor;
    await eventually(
      async () => {
        const res = await fetch(survivor.url(`/dropship/api/orders/shopify:${delivery.externalId}`));
        const detail = (await res.json()) as {
          purchaseOrders: { supplierId: string; state: string; withdrawal?: string }[];
        };
        const replacement = detail.purchaseOrders.find((po) => po.supplierId === 'globex');
        return detail.purchaseOrders[0]?.withdrawal === 'done' && replacement?.state === 'accepted'
          ? true
          : undefined;
      },
      30_000,
      'the withdrawal to be resumed and the replacement accepted',
    );
    await survivor.stop();
    nodeRed = undefined;

    const cancels = acme.calls.filter((c) => isCancel(c.key));
    assert.deepEqual(
      cancels.map((c) => c.key),
      [`cancel-${backordered!.number}`, `cancel-${backordered!.number}`],
      'the cancel sent again after the restart carries the same idempotency key',
    );
    assert.equal(globex.calls.length, 1, 'one replacement PO');
    const store = await openStore({ engine: 'sqlite', filename: sqliteFile() });
    try {
      const events = (await store.listEvents(order.id)).filter((e) => e.type.startsWith('po.cancel_'));
      assert.deepEqual(
        events.map((e) => [e.type, e.poNumber]),
        [['po.cancel_confirmed', backordered!.number]],
      );
    } finally {
      await store.close();
    }
  });
});
