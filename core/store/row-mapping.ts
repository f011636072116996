import type { Order, OrderDraft, OrderState } from '../model/order';
import type { OrderEvent } from '../model/order-event';
import type {
  PurchaseOrder,
  PurchaseOrderDraft,
  PurchaseOrderState,
  WithdrawalState,
} from '../model/purchase-order';
import type { Shipment, TrackingEventRecord } from '../model/shipment';
import type { FunctionalGroupSent, Notification, ParcelPoll, SupplierStatusPoll } from './order-store';
import type { PortalAction, PortalActionKind, PortalCancelRequest } from './portal-store';

/**
 * Rows as both engines return them, mapped to the model. The engines share one column layout: times are epoch
 * milliseconds (SQLite INTEGER, PostgreSQL BIGINT which `pg` returns as a string), documents are JSON (SQLite
 * TEXT, PostgreSQL JSONB which `pg` returns already parsed).
 */
export type StoreRow = Record<string, unknown>;

const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
const isoOrUndefined = (ms: unknown): string | undefined => (ms == null ? undefined : iso(ms));
const str = (v: unknown): string | undefined =>
  v == null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export function orderFromRow(row: StoreRow): Order {
  const draft = json<OrderDraft>(row.data);
  return {
    ...draft,
    id: String(row.id),
    state: row.state as OrderState,
    version: Number(row.version),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function purchaseOrderFromRow(row: StoreRow): PurchaseOrder {
  const data = json<Pick<PurchaseOrder, 'currency' | 'shipTo' | 'shippingMethod' | 'lines' | 'alternatives'>>(
    row.data,
  );
  return {
    ...data,
    number: String(row.number),
    orderId: String(row.order_id),
    supplierId: String(row.supplier_id),
    attempt: Number(row.attempt),
    state: row.state as PurchaseOrderState,
    supplierReference: str(row.supplier_reference),
    sendAttempts: Number(row.send_attempts),
    nextAttemptAt: isoOrUndefined(row.next_attempt_at),
    lastError: str(row.last_error),
    ...(row.withdrawal == null ? {} : { withdrawal: row.withdrawal as WithdrawalState }),
    version: Number(row.version),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function eventFromRow(row: StoreRow): OrderEvent {
  return {
    id: Number(row.id),
    orderId: String(row.order_id),
    poNumber: str(row.po_number),
    type: String(row.type),
    fromState: str(row.from_state),
    toState: str(row.to_state),
    actor: String(row.actor),
    reason: str(row.reason),
    data: row.data == null ? undefined : json<Record<string, unknown>>(row.data),
    at: iso(row.at),
  };
}

export function notificationFromRow(row: StoreRow): Notification {
  return {
    id: Number(row.id),
    orderId: String(row.order_id),
    milestone: String(row.milestone),
    channel: String(row.channel),
    state: row.state as Notification['state'],
    attempts: Number(row.attempts),
    payload: json<Record<string, unknown>>(row.payload),
    lastError: str(row.last_error),
    createdAt: iso(row.created_at),
    sentAt: isoOrUndefined(row.sent_at),
  };
}

/** A parcel from its `shipments` row and its `tracking_events` rows (oldest first). */
export function shipmentFromRows(row: StoreRow, eventRows: StoreRow[]): Shipment {
  return {
    id: Number(row.id),
    orderId: String(row.order_id),
    poNumber: str(row.po_number),
    carrier: str(row.carrier),
    trackingNumber: String(row.tracking_number),
    trackingUrl: str(row.tracking_url),
    status: row.status as Shipment['status'],
    rawStatus: str(row.raw_status),
    lastEventAt: iso(row.last_event_at),
    estimatedDelivery: isoOrUndefined(row.estimated_delivery),
    firstEstimatedDelivery: isoOrUndefined(row.first_estimated_delivery),
    lines: row.lines == null ? undefined : json<Shipment['lines']>(row.lines),
    events: eventRows.map((e): TrackingEventRecord => ({
      status: e.status as TrackingEventRecord['status'],
      rawStatus: str(e.raw_status),
      occurredAt: iso(e.occurred_at),
      location: str(e.location),
      source: String(e.source),
    })),
  };
}

/** A parcel claimed for a carrier poll: its `shipments` row joined with its `shipment_watch` schedule. */
export function parcelPollFromRow(row: StoreRow): ParcelPoll {
  return {
    shipmentId: Number(row.id),
    orderId: String(row.order_id),
    poNumber: str(row.po_number),
    carrier: String(row.carrier),
    trackingNumber: String(row.tracking_number),
    status: row.status as ParcelPoll['status'],
    lastEventAt: iso(row.last_event_at),
    lastPolledAt: isoOrUndefined(row.last_polled_at),
    polls: Number(row.polls ?? 0),
  };
}

/** The PO's document column: what the supplier receives besides the keys and states. */
export function purchaseOrderData(draft: PurchaseOrderDraft | PurchaseOrder): string {
  const { currency, shipTo, shippingMethod, lines, alternatives } = draft;
  return JSON.stringify({ currency, shipTo, shippingMethod, lines, alternatives });
}

/** A PO row joined with its status poll columns (poll_failures, poll_last_answer, poll_last_polled_at). */
export function supplierStatusPollFromRow(row: StoreRow): SupplierStatusPoll {
  return {
    purchaseOrder: purchaseOrderFromRow(row),
    failures: Number(row.poll_failures ?? 0),
    lastAnswer: str(row.poll_last_answer),
    lastPolledAt: isoOrUndefined(row.poll_last_polled_at),
  };
}

export function functionalGroupFromRow(row: StoreRow): FunctionalGroupSent {
  const group: FunctionalGroupSent = {
    supplierId: String(row.supplier_id),
    functionalId: String(row.functional_id),
    groupControlNumber: String(row.group_control_number),
    document: String(row.document),
    poNumber: str(row.po_number),
    sentAt: iso(row.sent_at),
    acknowledgedAt: isoOrUndefined(row.acknowledged_at),
    acknowledgement: str(row.acknowledgement),
    overdueReportedAt: isoOrUndefined(row.overdue_reported_at),
  };
  for (const key of Object.keys(group) as (keyof FunctionalGroupSent)[]) {
    if (group[key] === undefined) delete group[key];
  }
  return group;
}

export function portalActionFromRow(row: StoreRow): PortalAction {
  return {
    id: Number(row.id),
    supplierId: String(row.supplier_id),
    poNumber: str(row.po_number),
    kind: row.kind as PortalActionKind,
    payload: json<Record<string, unknown>>(row.payload),
    actor: String(row.actor),
    createdAt: iso(row.created_at),
    readAt: isoOrUndefined(row.read_at),
  };
}

export function portalCancelRequestFromRow(row: StoreRow): PortalCancelRequest {
  return {
    poNumber: String(row.po_number),
    supplierId: String(row.supplier_id),
    reason: String(row.reason),
    requestedAt: iso(row.requested_at),
    confirmedAt: isoOrUndefined(row.confirmed_at),
    confirmedBy: str(row.confirmed_by),
  };
}
