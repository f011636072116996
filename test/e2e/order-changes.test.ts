import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../../core/store/open-store';
import type { OrderStore } from '../../core/store/order-store';
import { HttpSupplier, neverAnswer, type RecordedRequest } from '../support/http-supplier';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import {
  deliverShopify,
  shopifyCancelled,
  shopifyEdited,
  shopifyPaid,
  SHIPPABLE_LINE_ID,
} from '../support/shopify-change-deliveries';
import type { Order } from '../../core/model/order';
import { SmtpSink } from '../support/smtp-sink';
import { writePipelineFlow } from '../reliability/support/pipeline-flow';

/**
 * Orders that change after they are paid, in a real Node-RED running the production pipeline
 * (test/reliability/support/pipeline-flow.ts): Shopify webhooks (orders/paid, orders/cancelled, orders/edited) into
 * order-in, through the router to dispatch, which tells the REST supplier; the customer's e-mail from notify. With a hold window, a cancellation or an edit costs nothing at the supplier.
 */

const SECRET = 'order-changes-secret';

/** The demo order's line that ships (its other line is a gift card). */
const shippable = (order: Order | undefined) =>
  order?.lines.find((l) => l.lineId === String(SHIPPABLE_LINE_ID));

describe('order changes in a real Node-RED (Shopify webhooks, REST supplier, SQLite)', function () {
  this.timeout(120_000);
  let dir: string;
  let supplier: HttpSupplier;
  let smtp: SmtpSink;
  let nodeRed: RunningNodeRed | undefined;
  let store: OrderStore | undefined;
  let nextId = 8_100_000;

  before(async () => {
    assert.ok(existsSync(path.join(REPO, 'dist', 'nodes', 'order-in', 'order-in.js')), 'run `npm run build`');
  });
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-changes-'));
    supplier = await new HttpSupplier().start();
    smtp = await new SmtpSink().start();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await nodeRed?.stop();
    nodeRed = undefined;
    await supplier.stop();
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (holdMinutes: number): Promise<RunningNodeRed> => {
    const flowFile = writePipelineFlow(dir, {
      store: { engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      supplierUrl: supplier.url,
      supplierCancels: true,
      supplierChanges: true,
      holdMinutes,
      milestones: ['cancelled'],
      smtpPort: smtp.port,
      leaseSeconds: 3,
      sweepSeconds: 0.5,
    });
    nodeRed = await startNodeRed(flowFile, {
      DROPSHIP_SHOPIFY_SECRET: SECRET,
      DROPSHIP_INSTANCE: 'solo',
      DROPSHIP_DEMO_SMTP_PORT: 'off',
    });
    return nodeRed;
  };
  const openOrders = async (): Promise<OrderStore> =>
    (store ??= await openStore({ engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') }));
  const poRequests = (number: string): RecordedRequest[] =>
    supplier.requests.filter((r) => r.headers['idempotency-key'] === number);
  const changeRequests = (number: string): RecordedRequest[] =>
    supplier.requests.filter((r) => r.path.startsWith(`/orders/${number}`));

  /** Posts a paid order and waits until acme accepted its PO; returns the order id and the PO number. */
  async function acceptedOrder(
    running: RunningNodeRed,
    quantity = 1,
  ): Promise<{ id: number; orderId: string; po: string }> {
    const id = nextId++;
    const answer = await deliverShopify(running.url(''), shopifyPaid(id, SECRET, 'IPOD2008GREEN', quantity));
    assert.equal(answer?.status, 200);
    const orders = await openOrders();
    const po = await eventually(
      async () => {
        const order = await orders.findOrder(`shopify:${id}`);
        return order && (await orders.listPurchaseOrders(order.id)).find((p) => p.state === 'accepted');
      },
      20_000,
      'the PO accepted by acme',
    );
    return { id, orderId: po.orderId, po: po.number };
  }

  it('cancels after the supplier accepted: the cancel reaches acme once, the order is cancelled, the customer is told', async () => {
    const running = await start(0);
    const { id, orderId, po } = await acceptedOrder(running);
    const cancellation = shopifyCancelled(id, SECRET);
    const answer = await deliverShopify(running.url(''), cancellation);
    assert.deepEqual([answer?.status, answer?.body.kind], [200, 'cancel']);
    // Shopify's retry of the same cancellation, and the orders/updated it sends beside it, are the same change.
    assert.equal((await deliverShopify(running.url(''), cancellation))?.body.duplicate, true);
    const orders = await openOrders();
    await eventually(
      async () => ((await orders.getOrder(orderId))?.state === 'cancelled' ? true : undefined),
      20_000,
      'the order cancelled',
    );
    assert.deepEqual(
      changeRequests(po).map((r) => [r.method, r.path]),
      [['POST', `/orders/${po}/cancel`]],
    );
    const events = (await orders.listEvents(orderId)).map((e) => e.type);
    assert.ok(events.includes('order.change_received') && events.includes('po.cancel_confirmed'));
    // The payload's financial_status is refunded: the shop paid the customer back, no refund is proposed here.
    assert.deepEqual(await orders.listRefunds({ orderId }), []);
    const mail = await eventually(
      async () => smtp.messages.find((m) => /was cancelled/.test(m.parsed.subject ?? '')),
      20_000,
      'the cancellation e-mail',
    );
    assert.deepEqual(mail.envelope.to, ['bob.norman@mail.example.com']);
  });

  it('cancels part of an accepted PO and raises a quantity: acme gets each change with the new quantities', async () => {
    const running = await start(0);
    const { id, orderId, po } = await acceptedOrder(running, 3);
    assert.equal((await deliverShopify(running.url(''), shopifyEdited(id, SECRET, 501, -1)))?.status, 200);
    const orders = await openOrders();
    await eventually(
      async () => (shippable(await orders.getOrder(orderId))?.quantity === 2 ? true : undefined),
      20_000,
      'the order line at 2',
    );
    assert.equal((await deliverShopify(running.url(''), shopifyEdited(id, SECRET, 502, +2)))?.status, 200);
    await eventually(
      async () => (shippable(await orders.getOrder(orderId))?.quantity === 4 ? true : undefined),
      20_000,
      'the order line at 4',
    );
    const changes = changeRequests(po).map(
      (r) => (r.body as { lines: { quantity: number; previousQuantity: number }[] }).lines[0],
    );
    assert.deepEqual(changes, [
      { sku: 'IPOD2008GREEN', quantity: 2, previousQuantity: 3 },
      { sku: 'IPOD2008GREEN', quantity: 4, previousQuantity: 2 },
    ]);
    assert.equal((await orders.getOrder(orderId))?.state, 'acknowledged');
    assert.equal(poRequests(po).length, 1, 'the PO itself was sent once');
    // The unit the first edit took off is proposed for a refund to the operator, once.
    assert.deepEqual(
      (await orders.listRefunds({ orderId })).map((r) => [
        r.trigger,
        r.state,
        r.amounts.lines.map((l) => l.quantity),
      ]),
      [['customer_cancelled', 'proposed', [1]]],
    );
  });

  it('cancels inside the hold window: the PO never goes out, and an edit before it does changes what goes out', async () => {
    const running = await start(10);
    const orders = await openOrders();
    const cancelled = nextId++;
    assert.equal((await deliverShopify(running.url(''), shopifyPaid(cancelled, SECRET)))?.status, 200);
    const held = await eventually(
      async () => {
        const order = await orders.findOrder(`shopify:${cancelled}`);
        return order && (await orders.listPurchaseOrders(order.id))[0];
      },
      20_000,
      'the routed PO',
    );
    assert.equal(held.state, 'pending');
    assert.ok(Date.parse(held.nextAttemptAt!) > Date.now() + 9 * 60_000, 'held ten minutes');
    assert.match(
      (await orders.listEvents(held.orderId)).find((e) => e.type === 'order.routed')?.reason ?? '',
      /hold window 10 minutes/,
    );
    await deliverShopify(running.url(''), shopifyCancelled(cancelled, SECRET));
    await eventually(
      async () => ((await orders.getOrder(held.orderId))?.state === 'cancelled' ? true : undefined),
      20_000,
      'the held order cancelled',
    );
    assert.equal((await orders.getPurchaseOrder(held.number))?.state, 'cancelled');

    const edited = nextId++;
    await deliverShopify(running.url(''), shopifyPaid(edited, SECRET, 'IPOD2008GREEN', 3));
    const pending = await eventually(
      async () => {
        const order = await orders.findOrder(`shopify:${edited}`);
        return order && (await orders.listPurchaseOrders(order.id))[0];
      },
      20_000,
      'the second routed PO',
    );
    await deliverShopify(running.url(''), shopifyEdited(edited, SECRET, 601, -2));
    await eventually(
      async () =>
        (await orders.getPurchaseOrder(pending.number))?.lines[0]?.quantity === 1 ? true : undefined,
      20_000,
      'the held PO at 1',
    );
    assert.equal((await orders.getPurchaseOrder(pending.number))?.state, 'pending');
    assert.equal(supplier.requests.length, 0, 'nothing reached the supplier');
  });

  it('survives a kill -9 while the supplier is being told of a change: told again with the same key, applied once', async () => {
    let running = await start(0);
    const { id, orderId, po } = await acceptedOrder(running, 3);
    // acme takes the change request and never answers; Node-RED dies meanwhile.
    supplier.reply(neverAnswer);
    await deliverShopify(running.url(''), shopifyEdited(id, SECRET, 701, -1));
    await eventually(
      async () => (changeRequests(po).length === 1 ? true : undefined),
      20_000,
      'the change at acme',
    );
    await running.crash();
    const orders = await openOrders();
    assert.equal(
      (await orders.listOrderChanges(orderId))[0]?.state,
      'pending',
      'killed before it was applied',
    );
    await store!.close();
    store = undefined;

    running = await start(0);
    const reopened = await openOrders();
    await eventually(
      async () => ((await reopened.listOrderChanges(orderId))[0]?.state === 'applied' ? true : undefined),
      30_000,
      'the change applied after the restart',
    );
    const keys = changeRequests(po).map((r) => r.headers['idempotency-key']);
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1], 'the same change, the same key');
    const poLine = (await reopened.getPurchaseOrder(po))?.lines.find(
      (l) => l.orderLineId === String(SHIPPABLE_LINE_ID),
    );
    assert.equal(poLine?.quantity, 2);
    assert.equal(shippable(await reopened.getOrder(orderId))?.quantity, 2);
    const confirmed = (await reopened.listEvents(orderId)).filter((e) => e.type === 'po.change_confirmed');
    assert.equal(confirmed.length, 1);
  });
});
