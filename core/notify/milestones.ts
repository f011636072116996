import type { Order } from '../model/order';
import type { PurchaseOrder, PurchaseOrderState } from '../model/purchase-order';
import type { Shipment } from '../model/shipment';

export const MILESTONE_KINDS = [
  'confirmed',
  'shipped',
  'out_for_delivery',
  'delivered',
  'backordered',
  'cancelled',
  'delayed',
  'split_shipment',
] as const;
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];

/**
 * Notices about a return (core/returns), queued by the returns code as the return moves rather than derived from
 * the order; each carries the return in its payload (`rma`).
 */
export const RETURN_MILESTONE_KINDS = [
  'return_requested',
  'return_approved',
  'return_rejected',
  'return_label_sent',
  'return_received',
  'return_refunded',
] as const;
export type ReturnMilestoneKind = (typeof RETURN_MILESTONE_KINDS)[number];

/**
 * The notice of a refund the storefront made (core/refunds), queued with the refund's outcome, once per refund;
 * it carries the refund in its payload (`refund`: total, shipping, currency, lines).
 */
export const REFUND_MILESTONE_KINDS = ['refunded'] as const;
export type RefundMilestoneKind = (typeof REFUND_MILESTONE_KINDS)[number];

/** A moment the customer hears about; `key` is unique per order (one per parcel where it concerns a parcel). */
export interface Milestone {
  kind: MilestoneKind;
  key: string;
  trackingNumber?: string;
  poNumber?: string;
  /** Delayed: the new delivery estimate the customer is told about. */
  estimatedDelivery?: string;
}

const CONFIRMED_STATES = new Set(['dispatched', 'acknowledged', 'partially_shipped', 'shipped', 'delivered']);
/** POs that will not ship (or not from this supplier): they do not make an order arrive in several parcels. */
const INACTIVE_PO_STATES: readonly PurchaseOrderState[] = ['rejected', 'failed', 'cancelled'];
/** Parcels whose delivery is settled one way or the other: a later estimate is no delay any more. */
const SETTLED_PARCEL_STATUSES = new Set(['delivered', 'returned_to_sender', 'expired']);

/** The calendar day (UTC) of an instant: estimates are dates, and a later hour on the same day is no delay. */
function dayOf(instant: string | undefined): string | undefined {
  if (!instant) return undefined;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 10);
}

/**
 * A parcel is delayed when the carrier now expects it on a later day than the order promised (or, without a
 * promise, than the parcel's first estimate). Keyed by the new day, so each further slip is told once.
 */
function delayOf(order: Order, parcel: Shipment): Milestone | undefined {
  if (SETTLED_PARCEL_STATUSES.has(parcel.status)) return undefined;
  const expected = dayOf(order.shipping.promisedDeliveryBy) ?? dayOf(parcel.firstEstimatedDelivery);
  const now = dayOf(parcel.estimatedDelivery);
  if (!expected || !now || now <= expected) return undefined;
  return {
    kind: 'delayed',
    key: `delayed:${parcel.trackingNumber}:${now}`,
    trackingNumber: parcel.trackingNumber,
    estimatedDelivery: parcel.estimatedDelivery,
  };
}

/** How an order is split: its parcels so far and the suppliers shipping it. */
export function splitOf(
  purchaseOrders: PurchaseOrder[],
  shipments: Shipment[],
): { parcels: number; suppliers: number } {
  const suppliers = new Set(
    purchaseOrders.filter((po) => !INACTIVE_PO_STATES.includes(po.state)).map((po) => po.supplierId),
  );
  return { parcels: shipments.length, suppliers: suppliers.size };
}

/**
 * The milestones an order has reached, derived from the store's facts rather than from whichever message arrived:
 * a replayed or lost message cannot produce a milestone twice or skip one.
 */
export function milestonesReached(
  order: Order,
  purchaseOrders: PurchaseOrder[],
  shipments: Shipment[],
): Milestone[] {
  const reached: Milestone[] = [];
  const confirmed = CONFIRMED_STATES.has(order.state) || shipments.length > 0;
  if (confirmed) reached.push({ kind: 'confirmed', key: 'confirmed' });
  // Explained while it helps: once the order is delivered or cancelled, a split is no news.
  const split = splitOf(purchaseOrders, shipments);
  if (
    confirmed &&
    order.state !== 'delivered' &&
    order.state !== 'cancelled' &&
    (split.suppliers > 1 || split.parcels > 1)
  ) {
    reached.push({ kind: 'split_shipment', key: 'split_shipment' });
  }
  for (const po of purchaseOrders) {
    if (po.state === 'backordered')
      reached.push({ kind: 'backordered', key: `backordered:${po.number}`, poNumber: po.number });
  }
  for (const parcel of shipments) {
    reached.push({
      kind: 'shipped',
      key: `shipped:${parcel.trackingNumber}`,
      trackingNumber: parcel.trackingNumber,
    });
    if (parcel.events.some((e) => e.status === 'out_for_delivery') && parcel.status !== 'delivered') {
      reached.push({
        kind: 'out_for_delivery',
        key: `out_for_delivery:${parcel.trackingNumber}`,
        trackingNumber: parcel.trackingNumber,
      });
    }
    const delay = order.state === 'cancelled' ? undefined : delayOf(order, parcel);
    if (delay) reached.push(delay);
  }
  if (order.state === 'delivered') reached.push({ kind: 'delivered', key: 'delivered' });
  if (order.state === 'cancelled') reached.push({ kind: 'cancelled', key: 'cancelled' });
  return reached;
}
