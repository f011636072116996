import { durationText } from '../clock';
import type { ControlLimitAlert } from '../metrics/control-limits';
import type { Order } from '../model/order';
import type { OrderEvent } from '../model/order-event';
import type { PurchaseOrder } from '../model/purchase-order';
import type { Shipment, TrackingStatus } from '../model/shipment';
import type { FunctionalGroupSent } from '../store/functional-group-store';
import type { StockFeedRecord } from '../store/stock-store';
import { labelWithoutCarrierScan } from '../tracking/label-without-scan';
import type { WatchdogCondition } from './timers';
import type { WatchdogPolicy } from './watchdog-policy';

const HOUR_MS = 3_600_000;

/** Everything the order conditions look at, read from the store once per order. */
export interface OrderSnapshot {
  order: Order;
  purchaseOrders: PurchaseOrder[];
  shipments: Shipment[];
  events: OrderEvent[];
}

/** A condition that holds now, and since when (the deadline that was missed): its ladder counts from there. */
export interface DetectedCondition {
  subject: string;
  condition: WatchdogCondition;
  orderId?: string;
  poNumber?: string;
  supplierId?: string;
  since: Date;
  /** One sentence for the operator and the order's events; never customer data. */
  reason: string;
  detail: Record<string, unknown>;
}

/** Parcels on the move: a parcel in one of these states that stops reporting has stalled. */
const MOVING: readonly TrackingStatus[] = [
  'in_transit',
  'out_for_delivery',
  'failed_attempt',
  'available_for_pickup',
  'exception',
];
const REFUSED_ADDRESS_STATUSES: readonly TrackingStatus[] = [
  'exception',
  'failed_attempt',
  'returned_to_sender',
];
const ADDRESS_WORDS = /\baddress/i;
const FINISHED_ORDER_STATES = new Set(['delivered', 'cancelled', 'returned']);

function parcelsOf(snapshot: OrderSnapshot, po: PurchaseOrder): Shipment[] {
  return snapshot.shipments.filter(
    (s) => s.poNumber === po.number || (!s.poNumber && snapshot.purchaseOrders.length === 1),
  );
}

/** When the PO was last sent: its latest move to `sent`, else its last change. */
function sentAt(snapshot: OrderSnapshot, po: PurchaseOrder): number {
  const sent = snapshot.events.filter((e) => e.poNumber === po.number && e.toState === 'sent');
  return Date.parse(sent.at(-1)?.at ?? po.updatedAt);
}

/** The conditions of one order that hold at `now` under the policy. */
export function detectOrderConditions(
  snapshot: OrderSnapshot,
  policy: WatchdogPolicy,
  now: Date,
): DetectedCondition[] {
  const { order } = snapshot;
  const found: DetectedCondition[] = [];
  const on = (condition: WatchdogCondition) => policy.conditions[condition].enabled;
  const nowMs = now.getTime();
  for (const po of snapshot.purchaseOrders) {
    const base = {
      orderId: order.id,
      poNumber: po.number,
      supplierId: po.supplierId,
      subject: `po:${po.number}`,
    };
    if (on('po_unacknowledged') && po.state === 'sent') {
      const sla =
        policy.supplierSlaHours[po.supplierId] ?? policy.conditions.po_unacknowledged.thresholdHours;
      const deadline = sentAt(snapshot, po) + sla * HOUR_MS;
      if (nowMs >= deadline)
        found.push({
          ...base,
          condition: 'po_unacknowledged',
          since: new Date(deadline),
          reason: `${po.supplierId} has not acknowledged ${po.number} within its ${sla} h SLA`,
          detail: { slaHours: sla, sentAt: new Date(deadline - sla * HOUR_MS).toISOString() },
        });
    }
    const promised = order.shipping.promisedShipBy ? Date.parse(order.shipping.promisedShipBy) : NaN;
    if (
      on('not_shipped_by_promise') &&
      (po.state === 'accepted' || po.state === 'backordered') &&
      parcelsOf(snapshot, po).length === 0 &&
      !Number.isNaN(promised)
    ) {
      const deadline = promised + policy.conditions.not_shipped_by_promise.thresholdHours * HOUR_MS;
      if (nowMs >= deadline)
        found.push({
          ...base,
          condition: 'not_shipped_by_promise',
          since: new Date(deadline),
          reason: `${po.supplierId} accepted ${po.number} but has not shipped it by ${order.shipping.promisedShipBy}`,
          detail: { promisedShipBy: order.shipping.promisedShipBy, state: po.state },
        });
    }
  }
  for (const parcel of snapshot.shipments) {
    const po = snapshot.purchaseOrders.find((p) => p.number === parcel.poNumber);
    const base = {
      orderId: order.id,
      poNumber: parcel.poNumber,
      supplierId: po?.supplierId,
      subject: `parcel:${order.id}:${parcel.trackingNumber}`,
      detail: { trackingNumber: parcel.trackingNumber, carrier: parcel.carrier, status: parcel.status },
    };
    const labelHours = policy.conditions.label_without_scan.thresholdHours;
    const label = on('label_without_scan') ? labelWithoutCarrierScan(parcel, now, labelHours) : undefined;
    if (label) {
      found.push({
        ...base,
        condition: 'label_without_scan',
        since: new Date(Date.parse(label.reportedAt) + labelHours * HOUR_MS),
        reason: `parcel ${parcel.trackingNumber} has had no carrier scan for ${durationText(label.hoursWithoutScan * HOUR_MS)} since its label`,
        detail: { ...base.detail, reportedAt: label.reportedAt },
      });
    }
    const stall = policy.conditions.no_tracking_movement.thresholdHours * HOUR_MS;
    const lastMoved = Date.parse(parcel.lastEventAt);
    if (on('no_tracking_movement') && MOVING.includes(parcel.status) && nowMs - lastMoved >= stall) {
      found.push({
        ...base,
        condition: 'no_tracking_movement',
        since: new Date(lastMoved + stall),
        reason: `parcel ${parcel.trackingNumber} has not moved for ${durationText(nowMs - lastMoved)} (${parcel.status})`,
        detail: { ...base.detail, lastEventAt: parcel.lastEventAt },
      });
    }
    const refused = parcel.events.find(
      (e) => REFUSED_ADDRESS_STATUSES.includes(e.status) && ADDRESS_WORDS.test(e.rawStatus ?? ''),
    );
    if (on('address_rejected') && refused && parcel.status !== 'delivered') {
      found.push({
        ...base,
        condition: 'address_rejected',
        since: new Date(Date.parse(refused.occurredAt)),
        reason: `the carrier could not deliver parcel ${parcel.trackingNumber} to the address: "${refused.rawStatus}"`,
        detail: { ...base.detail, carrierStatus: refused.rawStatus },
      });
    }
  }
  const promisedDelivery = order.shipping.promisedDeliveryBy
    ? Date.parse(order.shipping.promisedDeliveryBy)
    : NaN;
  if (on('late_delivery') && !Number.isNaN(promisedDelivery) && !FINISHED_ORDER_STATES.has(order.state)) {
    const deadline = promisedDelivery + policy.conditions.late_delivery.thresholdHours * HOUR_MS;
    if (nowMs >= deadline)
      found.push({
        subject: `order:${order.id}`,
        orderId: order.id,
        condition: 'late_delivery',
        since: new Date(deadline),
        reason: `order ${order.orderNumber ?? order.id} was promised for ${order.shipping.promisedDeliveryBy} and is not delivered`,
        detail: { promisedDeliveryBy: order.shipping.promisedDeliveryBy, state: order.state },
      });
  }
  return found;
}

/** Suppliers whose last stock feed is older than the policy allows (only the watched ones when listed). */
export function detectStaleFeeds(
  feeds: StockFeedRecord[],
  policy: WatchdogPolicy,
  now: Date,
): DetectedCondition[] {
  const { enabled, thresholdHours } = policy.conditions.stock_feed_stale;
  if (!enabled) return [];
  const watched = policy.feedSuppliers.length > 0 ? new Set(policy.feedSuppliers) : undefined;
  return feeds.flatMap((feed): DetectedCondition[] => {
    if (watched && !watched.has(feed.supplierId)) return [];
    const deadline = Date.parse(feed.lastFeedAt) + thresholdHours * HOUR_MS;
    if (now.getTime() < deadline) return [];
    return [
      {
        subject: `supplier:${feed.supplierId}`,
        supplierId: feed.supplierId,
        condition: 'stock_feed_stale',
        since: new Date(deadline),
        reason: `no stock feed from ${feed.supplierId} for ${durationText(now.getTime() - Date.parse(feed.lastFeedAt))}`,
        detail: { lastFeedAt: feed.lastFeedAt },
      },
    ];
  });
}

/**
 * Groups sent to X12 partners that no 997 has answered within the partner's hours (`hoursOf`, else the policy's
 * threshold): the order of the PO inside is at risk, since the partner may never have read it.
 */
export function detectOverdueFunctionalAcks(
  groups: (FunctionalGroupSent & { orderId?: string })[],
  policy: WatchdogPolicy,
  now: Date,
  hoursOf: (supplierId: string) => number | undefined = () => undefined,
): DetectedCondition[] {
  const { enabled, thresholdHours } = policy.conditions.functional_ack_overdue;
  if (!enabled) return [];
  return groups.flatMap((group): DetectedCondition[] => {
    const sentAt = Date.parse(group.sentAt);
    const deadline = sentAt + (hoursOf(group.supplierId) ?? thresholdHours) * HOUR_MS;
    if (now.getTime() < deadline) return [];
    return [
      {
        subject: `x12-group:${group.supplierId}:${group.functionalId}:${group.groupControlNumber}`,
        supplierId: group.supplierId,
        orderId: group.orderId,
        poNumber: group.poNumber,
        condition: 'functional_ack_overdue',
        since: new Date(deadline),
        reason: `${group.supplierId} has not answered ${group.document} with a 997 for ${durationText(now.getTime() - sentAt)}`,
        detail: {
          functionalId: group.functionalId,
          groupControlNumber: group.groupControlNumber,
          sentAt: group.sentAt,
        },
      },
    ];
  });
}

/** A supplier whose send error rate stayed beyond its control limit for the configured days. */
export function detectErrorRateBreaches(
  alerts: ControlLimitAlert[],
  policy: WatchdogPolicy,
): DetectedCondition[] {
  if (!policy.conditions.supplier_error_rate.enabled) return [];
  return alerts.map((alert) => {
    const last = alert.days.at(-1)!;
    return {
      subject: `supplier:${alert.supplierId}`,
      supplierId: alert.supplierId,
      condition: 'supplier_error_rate' as const,
      // The breach began on the first checked day: one condition per run of bad days.
      since: new Date(`${alert.days[0]!.day}T00:00:00.000Z`),
      reason: `${alert.supplierId}: ${(last.value * 100).toFixed(1)} % of sends failed on ${last.day}, above its limit of ${(
        last.limit * 100
      ).toFixed(1)} % for ${alert.days.length} days`,
      detail: { baseline: alert.baseline, days: alert.days },
    };
  });
}
