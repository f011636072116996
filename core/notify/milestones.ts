import type { Order } from '../model/order';
import type { PurchaseOrder } from '../model/purchase-order';
import type { Shipment } from '../model/shipment';

export const MILESTONE_KINDS = [
  'confirmed',
  'shipped',
  'out_for_delivery',
  'delivered',
  'backordered',
  'cancelled',
] as const;
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];

/** A moment the customer hears about; `key` is unique per order (one per parcel where it concerns a parcel). */
export interface Milestone {
  kind: MilestoneKind;
  key: string;
  trackingNumber?: string;
  poNumber?: string;
}

const CONFIRMED_STATES = new Set(['dispatched', 'acknowledged', 'partially_shipped', 'shipped', 'delivered']);

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
  if (CONFIRMED_STATES.has(order.state) || shipments.length > 0)
    reached.push({ kind: 'confirmed', key: 'confirmed' });
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
  }
  if (order.state === 'delivered') reached.push({ kind: 'delivered', key: 'delivered' });
  if (order.state === 'cancelled') reached.push({ kind: 'cancelled', key: 'cancelled' });
  return reached;
}
