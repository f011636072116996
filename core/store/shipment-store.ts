import type { Order } from '../model/order';
import type { OrderEventInput } from '../model/order-event';
import type { Shipment, ShipmentEvent, TrackingStatus } from '../model/shipment';
import type { Lease } from './lease';

export interface ShipmentResult {
  shipment: Shipment;
  /** False when the same carrier, number, status and time was already recorded. */
  created: boolean;
  order: Order;
}

/** A parcel claimed for a carrier status poll: what the poller needs to ask the carrier and schedule the next. */
export interface ParcelPoll {
  shipmentId: number;
  orderId: string;
  poNumber?: string;
  carrier: string;
  trackingNumber: string;
  status: TrackingStatus;
  /** When the parcel last moved: the time of its latest event. */
  lastEventAt: string;
  /** When the carrier was last asked; undefined before the first poll. */
  lastPolledAt?: string;
  polls: number;
}

export interface ParcelPollOutcome {
  polledAt: Date;
  /** When to ask the carrier again; undefined stops polling the parcel (delivered, or still for too long). */
  nextPollAt?: Date;
  /** The carrier's latest delivery estimate, kept on the parcel. */
  estimatedDelivery?: string;
  /** Why the carrier could not answer, for the operator. */
  error?: string;
}

/** Parcels and their tracking events; the events move the POs and the order. */
export interface ShipmentStore {
  /** Records a parcel event (deduplicated), advances the PO and the order. */
  recordShipmentEvent(event: ShipmentEvent & { orderId: string }, actor: string): Promise<ShipmentResult>;
  listShipments(orderId: string): Promise<Shipment[]>;
}

/** The watch kept on parcels: the carrier poll schedule and labels never scanned. */
export interface ParcelWatchStore {
  /**
   * Claims up to `limit` parcels due for a carrier poll: not final, carried by one of `carriers`, never polled or
   * due (`nextPollAt` reached), and not stopped. A claim moves the parcel's next poll to the end of the lease, so
   * pollers in other instances skip it; a poller that dies lets it fall due again.
   */
  claimParcelPolls(carriers: string[], lease: Lease, limit: number): Promise<ParcelPoll[]>;
  /** Records a poll: when it ran, when the next is due (or that polling stops), the carrier's latest estimate. */
  recordParcelPoll(shipmentId: number, outcome: ParcelPollOutcome): Promise<void>;
  /**
   * Parcels that are still only a label (every event "info received"), first reported at or before
   * `reportedBefore`, and not flagged yet; oldest first.
   */
  listLabelsWithoutScan(reportedBefore: Date, limit: number): Promise<Shipment[]>;
  /** Flags a parcel as a label without carrier scan and records `event` on its order; false when flagged before. */
  flagLabelWithoutScan(shipmentId: number, event: OrderEventInput): Promise<boolean>;
}
