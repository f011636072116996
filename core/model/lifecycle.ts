import type { OrderState } from './order';
import type { PurchaseOrder, PurchaseOrderState } from './purchase-order';

/**
 * Which state may follow which. The store refuses any other move, so a stale message, a replay or a second
 * instance can never push an order backwards. The one way back, taken only by an order following its POs, is to
 * `routed` from `dispatched` or `acknowledged`: lines failed over to another supplier (a refusal, a backorder, a
 * reroute) wait to go out again, and no parcel has left yet.
 */
const ORDER_TRANSITIONS: Record<OrderState, readonly OrderState[]> = {
  received: ['routed', 'needs_attention', 'cancelled'],
  routed: ['dispatched', 'acknowledged', 'partially_shipped', 'shipped', 'needs_attention', 'cancelled'],
  dispatched: [
    'routed',
    'acknowledged',
    'partially_shipped',
    'shipped',
    'delivered',
    'needs_attention',
    'cancelled',
  ],
  acknowledged: ['routed', 'partially_shipped', 'shipped', 'delivered', 'needs_attention', 'cancelled'],
  partially_shipped: ['shipped', 'delivered', 'needs_attention', 'cancelled'],
  shipped: ['delivered', 'needs_attention', 'returned'],
  delivered: ['returned'],
  needs_attention: [
    'received',
    'routed',
    'dispatched',
    'acknowledged',
    'partially_shipped',
    'shipped',
    'delivered',
    'cancelled',
  ],
  cancelled: [],
  returned: [],
};

const PURCHASE_ORDER_TRANSITIONS: Record<PurchaseOrderState, readonly PurchaseOrderState[]> = {
  pending: ['sending', 'cancelled', 'failed'],
  sending: ['pending', 'sent', 'accepted', 'backordered', 'rejected', 'failed'],
  sent: ['accepted', 'backordered', 'rejected', 'shipped', 'delivered', 'cancelled'],
  accepted: ['backordered', 'rejected', 'shipped', 'delivered', 'cancelled'],
  backordered: ['accepted', 'rejected', 'shipped', 'delivered', 'cancelled'],
  rejected: [],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
  failed: ['pending'],
};

export function canTransitionOrder(from: OrderState, to: OrderState): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export function canTransitionPurchaseOrder(from: PurchaseOrderState, to: PurchaseOrderState): boolean {
  return PURCHASE_ORDER_TRANSITIONS[from].includes(to);
}

/** PO states in which the supplier has the PO: it was sent, and the supplier has not shipped it. */
const HELD_BY_SUPPLIER: readonly PurchaseOrderState[] = ['sent', 'accepted', 'backordered'];

/**
 * Whether a move cancels a PO its supplier has, which must then be withdrawn there: the store records the
 * withdrawal in the same transaction as the cancel. A PO cancelled while pending never reached the supplier.
 */
export function cancelNeedsWithdrawal(from: PurchaseOrderState, to: PurchaseOrderState): boolean {
  return to === 'cancelled' && HELD_BY_SUPPLIER.includes(from);
}

/** The states a PO can move to `to` from: what a compare-and-set update names as its expected states. */
export function purchaseOrderStatesBefore(to: PurchaseOrderState): PurchaseOrderState[] {
  return (Object.keys(PURCHASE_ORDER_TRANSITIONS) as PurchaseOrderState[]).filter((from) =>
    PURCHASE_ORDER_TRANSITIONS[from].includes(to),
  );
}

export function orderStatesBefore(to: OrderState): OrderState[] {
  return (Object.keys(ORDER_TRANSITIONS) as OrderState[]).filter((from) =>
    ORDER_TRANSITIONS[from].includes(to),
  );
}

/** POs that no longer carry any of the order's lines: their lines went to another supplier or nowhere. */
const INACTIVE_PO_STATES: readonly PurchaseOrderState[] = ['rejected', 'cancelled', 'failed'];
const PO_PROGRESS: Record<PurchaseOrderState, number> = {
  pending: 0,
  sending: 0,
  failed: 0,
  rejected: 0,
  cancelled: 0,
  sent: 1,
  backordered: 2,
  accepted: 2,
  shipped: 3,
  delivered: 4,
};

/**
 * The order's state once it has been routed follows its purchase orders: the slowest active PO decides, except
 * that one shipped PO among unshipped ones makes the order partially shipped. A PO still waiting to go out
 * (pending or sending, a failover's replacement too) keeps the order `routed`. Returns undefined when no PO is
 * active (so the caller leaves the state alone).
 */
export function orderStateFromPurchaseOrders(
  purchaseOrders: (Pick<PurchaseOrder, 'state'> & { partlyShipped?: boolean })[],
): OrderState | undefined {
  const active = purchaseOrders.filter((po) => !INACTIVE_PO_STATES.includes(po.state));
  if (active.length === 0) return undefined;
  const progress = active.map((po) =>
    po.partlyShipped ? Math.max(PO_PROGRESS[po.state], 2.5) : PO_PROGRESS[po.state],
  );
  const slowest = Math.min(...progress);
  const fastest = Math.max(...progress);
  if (slowest >= 4) return 'delivered';
  if (slowest >= 3) return 'shipped';
  if (fastest > 2) return 'partially_shipped';
  if (slowest >= 2) return 'acknowledged';
  if (slowest >= 1) return 'dispatched';
  return 'routed';
}

export type ShipmentProgress = 'none' | 'partial' | 'shipped' | 'delivered';

/**
 * How far a PO's lines have left the supplier, from the parcels recorded against it. A parcel that lists no
 * lines is taken to carry the whole PO (most suppliers send one parcel and no line detail).
 */
export function shipmentProgress(
  po: Pick<PurchaseOrder, 'lines'>,
  parcels: { status: string; lines?: { sku: string; quantity: number }[] }[],
): ShipmentProgress {
  const live = parcels.filter((p) => p.status !== 'returned_to_sender' && p.status !== 'expired');
  if (live.length === 0) return 'none';
  let complete = live.some((p) => !p.lines || p.lines.length === 0);
  if (!complete) {
    const shipped = new Map<string, number>();
    for (const parcel of live) {
      for (const line of parcel.lines ?? [])
        shipped.set(line.sku, (shipped.get(line.sku) ?? 0) + line.quantity);
    }
    const needed = new Map<string, number>();
    for (const line of po.lines) needed.set(line.sku, (needed.get(line.sku) ?? 0) + line.quantity);
    complete = [...needed].every(([sku, quantity]) => (shipped.get(sku) ?? 0) >= quantity);
  }
  if (!complete) return 'partial';
  return live.every((p) => p.status === 'delivered') ? 'delivered' : 'shipped';
}
