import type { Order } from '../../core/model/order';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import type { OrderStore } from '../../core/store/order-store';
import { purchaseOrderDraftFor, sampleOrderDraft } from './orders';

const actor = 'test';

/** An order routed to `supplierId` whose PO was sent: the supplier has it. */
export async function sentPurchaseOrder(
  store: OrderStore,
  supplierId = 'acme',
  alternatives: string[] = [],
): Promise<{ order: Order; po: PurchaseOrder }> {
  const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
  const [pending] = (await store.assignPurchaseOrders(
    order.id,
    ['received'],
    [purchaseOrderDraftFor(order, supplierId, { alternatives })],
    { type: 'order.routed', actor },
  ))!;
  const claimed = await store.claimPurchaseOrder(pending!.number, {
    owner: 'sender',
    now: new Date(),
    durationMs: 60_000,
  });
  const sent = await store.transitionPurchaseOrder(
    claimed!.number,
    ['sending'],
    'sent',
    {},
    { type: 'po.sent', actor },
    { leaseOwner: 'sender' },
  );
  return { order, po: sent! };
}

/**
 * What a crash between the cancel and the withdrawal's outcome leaves behind: a PO the supplier has, cancelled
 * here (the store recorded its withdrawal, pending), and nothing after.
 */
export async function cancelledBeforeWithdrawal(
  store: OrderStore,
  supplierId = 'acme',
): Promise<{ order: Order; po: PurchaseOrder }> {
  const { order, po } = await sentPurchaseOrder(store, supplierId);
  const cancelled = await store.transitionPurchaseOrder(
    po.number,
    ['sent'],
    'cancelled',
    {},
    { type: 'po.cancelled', actor, reason: `withdraw ${po.number} at ${supplierId}` },
  );
  return { order, po: cancelled! };
}
