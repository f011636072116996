import type { Order } from '../model/order';
import type { Shipment } from '../model/shipment';
import type { Notification } from '../store/order-store';
import { carrierFromDeclaration, carrierName, trackingUrlFor } from '../tracking/carrier-detection';
import { milestonesReached, splitOf, type MilestoneKind } from './milestones';
import type { OrderFacts, QueuedMilestone } from './outbox';

/** What every customer message may add to the order's own facts. */
export interface MessageExtras {
  /** The customer's tracking page for this order, when the package serves one. */
  trackingPageUrl?: string;
  /** Parcels so far and suppliers shipping the order (split shipment explained). */
  split?: { parcels: number; suppliers: number };
  /** The estimate a "delayed" message announces, instead of the parcel's current one. */
  estimatedDelivery?: string;
}

/** What the customer channels (e-mail, SMS) share: store name and the tracking page link of an order. */
export interface CustomerMessageOptions {
  storeName: string;
  /** The milestones this channel tells about. */
  milestones: readonly MilestoneKind[];
  /** The signed tracking page link of an order, when the tracking page is configured. */
  trackingPageUrl?: (orderId: string) => string | undefined;
}

// Estimates are dates; carriers give them as an instant at noon UTC, so the UTC day is the carrier's day.
const ESTIMATE_FORMAT = new Intl.DateTimeFormat('en-US', {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  timeZone: 'UTC',
});

function formatEstimate(instant: string | undefined): string | undefined {
  if (!instant) return undefined;
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? undefined : ESTIMATE_FORMAT.format(ms);
}

/**
 * What a template sees: the store, the order, the customer's first name, the lines, and for parcel milestones the
 * parcel (carrier by its common name, estimate as a date in words), plus the tracking page link and the split.
 */
export function messageView(
  order: Order,
  shipment: Shipment | undefined,
  storeName: string,
  extras: MessageExtras = {},
): Record<string, unknown> {
  const carrier = shipment?.carrier ? carrierFromDeclaration(shipment.carrier) : undefined;
  return {
    storeName,
    order: { number: order.orderNumber ?? order.externalId, placedAt: order.placedAt },
    customer: { name: order.customer.name, firstName: order.customer.name?.split(' ')[0] ?? 'there' },
    lines: order.lines.map((l) => ({ title: l.title ?? l.sku, quantity: l.quantity, sku: l.sku })),
    shipment: shipment && {
      trackingNumber: shipment.trackingNumber,
      trackingUrl:
        shipment.trackingUrl ?? (carrier ? trackingUrlFor(carrier, shipment.trackingNumber) : undefined),
      carrierName: carrier ? carrierName(carrier) : (shipment.carrier ?? 'the carrier'),
      status: shipment.status,
      estimatedDelivery: formatEstimate(extras.estimatedDelivery ?? shipment.estimatedDelivery),
    },
    trackingPageUrl: extras.trackingPageUrl,
    split: extras.split && { ...extras.split, bySupplier: extras.split.suppliers > 1 },
  };
}

/** The customer milestones a channel handles, from the order's facts. */
export function customerMilestones(facts: OrderFacts, enabled: readonly MilestoneKind[]): QueuedMilestone[] {
  return milestonesReached(facts.order, facts.purchaseOrders, facts.shipments)
    .filter((milestone) => enabled.includes(milestone.kind))
    .map((milestone) => ({ ...milestone }));
}

/** The template view of one queued customer notification: its parcel (by tracking number) and its extras. */
export function notificationView(
  notification: Notification,
  facts: OrderFacts,
  options: CustomerMessageOptions,
): Record<string, unknown> {
  const { trackingNumber, estimatedDelivery } = notification.payload;
  const shipment =
    typeof trackingNumber === 'string'
      ? facts.shipments.find((s) => s.trackingNumber === trackingNumber)
      : undefined;
  return messageView(facts.order, shipment, options.storeName, {
    trackingPageUrl: options.trackingPageUrl?.(facts.order.id),
    split: splitOf(facts.purchaseOrders, facts.shipments),
    estimatedDelivery: typeof estimatedDelivery === 'string' ? estimatedDelivery : undefined,
  });
}

/** The kind of a queued customer notification, as its template is chosen. */
export function milestoneKindOf(notification: Notification): MilestoneKind {
  return notification.payload.kind as MilestoneKind;
}
