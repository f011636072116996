import type { ItemIdentifier } from './item-identifier';

/** One vocabulary for parcel progress, whatever the carrier or supplier calls it. */
export const TRACKING_STATUSES = [
  'info_received',
  'in_transit',
  'out_for_delivery',
  'failed_attempt',
  'available_for_pickup',
  'delivered',
  'exception',
  'returned_to_sender',
  'expired',
] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

export interface ShipmentLine {
  sku: string;
  quantity: number;
  /** Every identifier the supplier gave the line (UPC, vendor part, …), with its qualifier. */
  identifiers?: ItemIdentifier[];
}

/** A report that a parcel of an order moved, from any source (supplier webhook, EDI 856, e-mail, carrier). */
export interface ShipmentEvent {
  poNumber?: string;
  orderId?: string;
  carrier?: string;
  trackingNumber: string;
  trackingUrl?: string;
  status: TrackingStatus;
  /** The source's own words for the status, kept for the audit trail. */
  rawStatus?: string;
  occurredAt: string;
  location?: string;
  estimatedDelivery?: string;
  lines?: ShipmentLine[];
  source: string;
  /** Set when the number's check digit fails and it was kept anyway: why; such an event has no carrier or link. */
  unverified?: string;
}

/** A parcel as the store knows it: the latest status of one tracking number on one order. */
export interface Shipment {
  id: number;
  orderId: string;
  poNumber?: string;
  carrier?: string;
  trackingNumber: string;
  trackingUrl?: string;
  status: TrackingStatus;
  rawStatus?: string;
  lastEventAt: string;
  estimatedDelivery?: string;
  /** The first delivery estimate the parcel had: a later estimate is compared with it to tell of a delay. */
  firstEstimatedDelivery?: string;
  lines?: ShipmentLine[];
  events: TrackingEventRecord[];
}

export interface TrackingEventRecord {
  status: TrackingStatus;
  rawStatus?: string;
  occurredAt: string;
  location?: string;
  source: string;
}
