import type { OrderState } from '../model/order';
import type { PurchaseOrder, PurchaseOrderState } from '../model/purchase-order';
import type { Shipment } from '../model/shipment';
import {
  canTransitionOrder,
  canTransitionPurchaseOrder,
  orderStateFromPurchaseOrders,
  shipmentProgress,
} from '../model/lifecycle';
import { DropshipError } from '../errors';

/**
 * The decisions every store engine takes inside its transactions, kept in one place so the engines cannot
 * drift apart: they differ in how they lock and write, not in what they decide.
 */

/** Throws when the order life forbids the move; staying in the same state is always allowed. */
export function assertOrderMoveAllowed(orderId: string, from: OrderState, to: OrderState): void {
  if (from !== to && !canTransitionOrder(from, to)) {
    throw new DropshipError('conflict', `order ${orderId} cannot move from ${from} to ${to}`);
  }
}

/** Throws when the PO transition table forbids the move; staying in the same state (an update) is always allowed. */
export function assertPurchaseOrderMoveAllowed(
  number: string,
  from: PurchaseOrderState,
  to: PurchaseOrderState,
): void {
  if (from !== to && !canTransitionPurchaseOrder(from, to)) {
    throw new DropshipError('conflict', `purchase order ${number} cannot move from ${from} to ${to}`);
  }
}

/**
 * The state the order should move to now that its POs or parcels changed, or undefined to leave it alone: an
 * order not yet routed, cancelled or returned does not follow its POs, and a held order is not released by POs
 * waiting for a supplier again (a retry, a failover): that solves nothing the operator was asked to look at.
 */
export function orderStateFollowingPurchaseOrders(
  current: OrderState,
  purchaseOrders: Pick<PurchaseOrder, 'number' | 'state'>[],
  parcelPoNumbers: (string | undefined)[],
): OrderState | undefined {
  if (current === 'received' || current === 'cancelled' || current === 'returned') return undefined;
  const target = orderStateFromPurchaseOrders(
    purchaseOrders.map((po) => ({ state: po.state, partlyShipped: parcelPoNumbers.includes(po.number) })),
  );
  if (current === 'needs_attention' && target === 'routed') return undefined;
  return target && target !== current && canTransitionOrder(current, target) ? target : undefined;
}

const SHIPPABLE_PO_STATES: readonly PurchaseOrderState[] = ['sent', 'accepted', 'backordered', 'shipped'];

/**
 * Which POs the recorded parcels move to shipped or delivered. A parcel without a PO number belongs to the
 * order's only PO when it has just one.
 */
export function purchaseOrderMovesFromParcels(
  purchaseOrders: PurchaseOrder[],
  parcels: Shipment[],
): { number: string; from: PurchaseOrderState; to: PurchaseOrderState }[] {
  const moves: { number: string; from: PurchaseOrderState; to: PurchaseOrderState }[] = [];
  for (const po of purchaseOrders) {
    const progress = shipmentProgress(
      po,
      parcels.filter((p) => p.poNumber === po.number || (!p.poNumber && purchaseOrders.length === 1)),
    );
    const to: PurchaseOrderState | undefined =
      progress === 'delivered' ? 'delivered' : progress === 'shipped' ? 'shipped' : undefined;
    if (!to || po.state === to || po.state === 'delivered') continue;
    if (!SHIPPABLE_PO_STATES.includes(po.state)) continue;
    moves.push({ number: po.number, from: po.state, to });
  }
  return moves;
}
