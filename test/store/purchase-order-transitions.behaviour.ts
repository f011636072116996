import assert from 'node:assert/strict';
import { canTransitionPurchaseOrder } from '../../core/model/lifecycle';
import { PURCHASE_ORDER_STATES, type PurchaseOrderState } from '../../core/model/purchase-order';
import type { OrderStore } from '../../core/store/order-store';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';

const actor = 'test';

/** Every pair of different states, split by whether the transition table allows the move. */
const moves = PURCHASE_ORDER_STATES.flatMap((from) =>
  PURCHASE_ORDER_STATES.filter((to) => to !== from).map((to) => ({ from, to })),
);
const allowed = moves.filter(({ from, to }) => canTransitionPurchaseOrder(from, to));
const forbidden = moves.filter(({ from, to }) => !canTransitionPurchaseOrder(from, to));

/** The shortest way from `pending` to `state` through moves the table allows (breadth first). */
function pathTo(state: PurchaseOrderState): PurchaseOrderState[] {
  const previous = new Map<PurchaseOrderState, PurchaseOrderState>();
  const queue: PurchaseOrderState[] = ['pending'];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === state) break;
    for (const { to } of allowed.filter((move) => move.from === at)) {
      if (to === 'pending' || previous.has(to)) continue;
      previous.set(to, at);
      queue.push(to);
    }
  }
  const path: PurchaseOrderState[] = [];
  for (let at: PurchaseOrderState | undefined = state; at !== 'pending'; at = previous.get(at)) {
    assert.ok(at, `the table gives no way from pending to ${state}`);
    path.unshift(at);
  }
  return path;
}

/**
 * The PO transition table (core/model/lifecycle.ts) as each store engine keeps it: every move it forbids is refused
 * and writes nothing, every move it allows is applied. The moves are generated from the table itself, so a change
 * to the table is tested as it is made.
 */
export function describePurchaseOrderTransitionBehaviour(
  engine: string,
  createStore: () => Promise<OrderStore>,
): void {
  describe(`OrderStore purchase order transitions (${engine})`, function () {
    let store: OrderStore;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    /** A new order with one PO, moved from pending to `state` through allowed moves. */
    async function purchaseOrderIn(state: PurchaseOrderState): Promise<string> {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order)], {
        type: 'order.routed',
        actor,
      }))!;
      let at: PurchaseOrderState = 'pending';
      for (const next of pathTo(state)) {
        const moved = await store.transitionPurchaseOrder(
          po!.number,
          [at],
          next,
          {},
          { type: `po.${next}`, actor },
        );
        assert.equal(moved?.state, next, `${po!.number} moved from ${at} to ${next}`);
        at = next;
      }
      return po!.number;
    }

    it(`refuses each of the ${forbidden.length} moves the transition table forbids, writing nothing`, async () => {
      for (const from of PURCHASE_ORDER_STATES) {
        const number = await purchaseOrderIn(from);
        const before = (await store.getPurchaseOrder(number))!;
        const events = await store.listEvents(before.orderId);
        for (const { to } of forbidden.filter((move) => move.from === from)) {
          await assert.rejects(
            store.transitionPurchaseOrder(
              number,
              [from],
              to,
              {},
              { type: `po.${to}`, actor, reason: 'forced' },
            ),
            (err: Error & { code?: string }) => {
              assert.equal(err.code, 'conflict', `${from} -> ${to}: ${err.message}`);
              assert.equal(err.message, `purchase order ${number} cannot move from ${from} to ${to}`);
              return true;
            },
          );
        }
        assert.deepEqual(await store.getPurchaseOrder(number), before, `${from}: the PO is unchanged`);
        assert.deepEqual(await store.listEvents(before.orderId), events, `${from}: no event was written`);
      }
    });

    it(`applies each of the ${allowed.length} moves the transition table allows`, async () => {
      for (const { from, to } of allowed) {
        const number = await purchaseOrderIn(from);
        const moved = await store.transitionPurchaseOrder(
          number,
          [from],
          to,
          {},
          { type: `po.${to}`, actor },
        );
        assert.equal(moved?.state, to, `${from} -> ${to}`);
        const events = await store.listEvents(moved.orderId);
        assert.deepEqual(
          events
            .filter((e) => e.poNumber === number)
            .map((e) => [e.fromState, e.toState])
            .at(-1),
          [from, to],
        );
      }
    });
  });
}
