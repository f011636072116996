import assert from 'node:assert/strict';
import { supplierPerformanceFromStore } from '../../core/metrics/scorecards';
import type { Order } from '../../core/model/order';
import { routingContextFromStore } from '../../core/routing/route-stored-order';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';

const NOW = new Date('2026-11-25T00:00:00.000Z');
const actor = 'test';

describe('routingContextFromStore: supplier performance from the metric facts', () => {
  let store: SqliteOrderStore;
  beforeEach(async () => {
    store = new SqliteOrderStore({ filename: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  /** An order routed to `supplierId` whose PO the supplier answered with `answer`. */
  async function answeredOrder(supplierId: string, answer: 'accepted' | 'rejected'): Promise<Order> {
    const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
    const [po] = (await store.assignPurchaseOrders(
      order.id,
      ['received'],
      [purchaseOrderDraftFor(order, supplierId)],
      {
        type: 'order.routed',
        actor,
      },
    ))!;
    await store.claimPurchaseOrder(po!.number, { owner: 'dispatch', now: NOW, durationMs: 60_000 });
    await store.transitionPurchaseOrder(po!.number, ['sending'], answer, {}, { type: `po.${answer}`, actor });
    return order;
  }

  it('gives the router the figures of each supplier with enough purchase orders, and none for the others', async () => {
    for (const answer of ['accepted', 'accepted', 'accepted', 'accepted', 'rejected'] as const)
      await answeredOrder('acme', answer);
    const few = await answeredOrder('zeta', 'accepted');

    const context = await routingContextFromStore(store, few, NOW);

    const acme = context.performance?.('acme');
    assert.ok(acme, 'acme has five answered POs: it gets figures');
    assert.equal(acme.acceptance, 4 / 5);
    assert.deepEqual(acme, (await supplierPerformanceFromStore(store, NOW)).acme);
    assert.equal(
      context.performance?.('zeta'),
      undefined,
      'one PO is too few to judge: zeta is scored neutrally',
    );
  });
});
