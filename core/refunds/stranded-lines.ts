import type { OrderStore } from '../store/order-store';
import { proposeRefund } from './manage-refunds';
import type { Refund } from './refund';

/** Lines of a PO that no supplier is left to take, as the `order.needs_attention` event of a failover keeps them. */
export interface StrandedLine {
  orderLineId: string;
  quantity: number;
}

/**
 * Proposes the refund of lines no supplier can take (refused or cancelled everywhere). The change is the refused
 * PO, so proposing again (the dispatch path, then the refunds sweep catching up after a crash) finds the same one.
 */
export function proposeStrandedRefund(
  store: OrderStore,
  orderId: string,
  poNumber: string,
  lines: StrandedLine[],
  actor: string,
): Promise<{ refund: Refund; created: boolean } | undefined> {
  return proposeRefund(store, orderId, {
    trigger: 'no_supplier',
    reason: `no supplier can take the lines of ${poNumber}`,
    change: `no_supplier:${poNumber}`,
    lines: lines.map((line) => ({ lineId: line.orderLineId, quantity: line.quantity })),
    actor,
  });
}

/**
 * The refunds sweep's catch-up: every held order whose lines ended with no supplier gets its refund proposal,
 * should the process have stopped between holding the order and proposing (each proposal once, by its key).
 * Returns the proposals made now.
 */
export async function proposeMissingStrandedRefunds(
  store: OrderStore,
  actor: string,
  limit = 100,
): Promise<Refund[]> {
  const made: Refund[] = [];
  for (const order of await store.listOrders({ states: ['needs_attention'], limit })) {
    const events = await store.listEvents(order.id);
    for (const event of events) {
      const stranded = event.data?.stranded;
      if (event.type !== 'order.needs_attention' || !event.poNumber || !Array.isArray(stranded)) continue;
      const proposed = await proposeStrandedRefund(
        store,
        order.id,
        event.poNumber,
        stranded as StrandedLine[],
        actor,
      );
      if (proposed?.created) made.push(proposed.refund);
    }
  }
  return made;
}
