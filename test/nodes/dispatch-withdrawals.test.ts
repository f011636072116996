import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { OrderStore } from '../../core/store/order-store';
import storeNode from '../../nodes/store/store';
import supplierNode from '../../nodes/supplier/supplier';
import dispatchNode from '../../nodes/dispatch/dispatch';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { HttpSupplier, jsonReply, type RecordedRequest } from '../support/http-supplier';
import { eventually } from '../support/node-red-process';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';
import { cancelledBeforeWithdrawal } from '../support/withdrawals';

helper.init(require.resolve('node-red'));

interface ExceptionMessage {
  topic?: string;
  orderId?: string;
  poNumber?: string;
  withdrawal?: { kind: string; poNumber: string; supplierId: string; reason: string };
  error: { code: string; message: string; details: { path: string; message: string }[] };
}

describe('dropship-dispatch: withdrawals that fail leave the exceptions output as cancel_failed', function () {
  this.timeout(30_000);
  let dir: string;
  let acme: HttpSupplier;
  let zeta: HttpSupplier;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-withdrawals-'));
    acme = await new HttpSupplier().start();
    zeta = await new HttpSupplier().start();
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    await Promise.all([acme.stop(), zeta.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The dispatch node with acme (REST, withdrawals through its cancel URL) and zeta deployed. */
  async function load(): Promise<{ store: OrderStore; exceptions: ExceptionMessage[] }> {
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      {
        id: 'supplier-acme',
        type: 'dropship-supplier',
        supplierId: 'acme',
        connector: 'rest-json',
        settings: { url: acme.url, cancelUrl: `${acme.url}/{poNumber}/cancel` },
      },
      {
        id: 'supplier-zeta',
        type: 'dropship-supplier',
        supplierId: 'zeta',
        connector: 'rest-json',
        settings: { url: zeta.url },
      },
      {
        id: 'dispatch',
        type: 'dropship-dispatch',
        store: 'store',
        sweepSeconds: 0.2,
        wires: [['sent'], ['errors']],
      },
      { id: 'sent', type: 'helper' },
      { id: 'errors', type: 'helper' },
    ];
    await helper.load([storeNode, supplierNode, dispatchNode], flow);
    const exceptions: ExceptionMessage[] = [];
    (helper.getNode('errors') as unknown as { on(e: 'input', f: (m: ExceptionMessage) => void): void }).on(
      'input',
      (msg) => exceptions.push(msg),
    );
    const store = await (helper.getNode('store') as unknown as { store(): Promise<OrderStore> }).store();
    return { store, exceptions };
  }

  it('a backorder failed over whose withdrawal the supplier refuses: cancel_failed, the replacement goes out', async () => {
    acme.reply(
      jsonReply(200, { id: 'SO-1', status: 'backordered', reason: 'restock in May' }),
      jsonReply(409, { error: 'already shipped' }),
    );
    const { store, exceptions } = await load();
    const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 'test' });
    const [po] = (await store.assignPurchaseOrders(
      order.id,
      ['received'],
      [purchaseOrderDraftFor(order, 'acme', { alternatives: ['zeta'] })],
      { type: 'order.routed', actor: 'test' },
    ))!;
    const [exception] = await eventually(
      async () => (exceptions.length > 0 ? exceptions : undefined),
      10_000,
      'the cancel_failed message',
    );
    assert.equal(exception?.error.code, 'cancel_failed');
    assert.deepEqual(
      [exception?.orderId, exception?.poNumber, exception?.withdrawal?.kind],
      [order.id, po!.number, 'failed'],
    );
    assert.match(exception?.error.message ?? '', /supplier refused: .*409.*withdraw .* at acme by hand/);
    assert.deepEqual(exception?.error.details, [
      { path: 'poNumber', message: `${po!.number} is still live at supplier acme` },
    ]);
    await eventually(async () => (zeta.requests.length === 1 ? true : undefined), 10_000, 'the replacement');
    assert.equal((await store.getPurchaseOrder(po!.number))?.withdrawal, 'done');
    assert.equal(acme.requestsFor(`cancel-${po!.number}`).length, 1);
  });

  it('a withdrawal left by a crash is resumed by the sweep; one the supplier refuses goes out as cancel_failed', async () => {
    // What the previous process left in the store when it died: two POs cancelled, their withdrawals pending.
    const previous = new SqliteOrderStore({ filename: path.join(dir, 'orders.sqlite') });
    await previous.migrate();
    const { order, po: refused } = await cancelledBeforeWithdrawal(previous);
    const { po: confirmed } = await cancelledBeforeWithdrawal(previous);
    await previous.close();
    const answer = (request: RecordedRequest) =>
      request.path.includes(refused.number)
        ? jsonReply(409, { error: 'already shipped' })
        : jsonReply(200, {});
    acme.reply(answer, answer);

    const { store, exceptions } = await load();
    await eventually(
      async () => (exceptions.length > 0 ? true : undefined),
      10_000,
      'the cancel_failed message',
    );
    assert.deepEqual(
      exceptions.map((m) => [m.topic, m.orderId, m.poNumber, m.error.code, m.withdrawal?.kind]),
      [['withdrawal', order.id, refused.number, 'cancel_failed', 'failed']],
    );
    await eventually(
      async () =>
        (await store.getPurchaseOrder(confirmed.number))?.withdrawal === 'done' ? true : undefined,
      10_000,
      'the other withdrawal to be resumed',
    );
    assert.equal((await store.getPurchaseOrder(refused.number))?.withdrawal, 'done');
    const events = await store.listEvents(order.id);
    assert.deepEqual(
      events.filter((e) => e.type.startsWith('po.cancel_')).map((e) => [e.type, e.actor]),
      [['po.cancel_failed', 'dropship-dispatch:dispatch']],
    );
    // Later sweeps send nothing more.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(acme.requestsFor(`cancel-${refused.number}`).length, 1);
    assert.equal(acme.requestsFor(`cancel-${confirmed.number}`).length, 1);
    assert.equal(exceptions.length, 1);
  });
});
