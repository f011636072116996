import type { Order, OrderLine } from '../model/order';
import type { PurchaseOrder } from '../model/purchase-order';
import type { Shipment, ShipmentLine } from '../model/shipment';
import type { TrackingPageItem, TrackingPageView } from '../tracking-page/tracking-page';
import { createTrackingToken } from '../tracking-page/tracking-token';

/** The order as its customer may see it on the tracking page: parcels, what each holds, what is still to come. */
export function trackingPageView(
  order: Order,
  purchaseOrders: PurchaseOrder[],
  shipments: Shipment[],
): TrackingPageView {
  const shippable = order.lines.filter((line) => line.requiresShipping);
  const titleOf = (sku: string): string =>
    shippable.find((line) => line.sku === sku)?.title ?? order.lines.find((l) => l.sku === sku)?.title ?? sku;
  const items = (lines: ShipmentLine[]): TrackingPageItem[] =>
    lines.map((line) => ({ title: titleOf(line.sku), quantity: line.quantity }));

  // Units of each SKU still to ship: a parcel holds its own lines, else those of its PO; a parcel that says
  // neither (an order with one supplier reporting one parcel) is taken to hold everything.
  const left = new Map<string, number>();
  for (const line of shippable) left.set(line.sku, (left.get(line.sku) ?? 0) + line.quantity);
  const parcels = shipments.map((shipment) => {
    const lines =
      shipment.lines ??
      purchaseOrders
        .find((po) => po.number === shipment.poNumber)
        ?.lines.map((line) => ({ sku: line.sku, quantity: line.quantity }));
    for (const line of lines ?? shippable) left.set(line.sku, (left.get(line.sku) ?? 0) - line.quantity);
    return {
      trackingNumber: shipment.trackingNumber,
      carrier: shipment.carrier,
      trackingUrl: shipment.trackingUrl,
      status: shipment.status,
      updatedAt: shipment.lastEventAt,
      estimatedDelivery: shipment.estimatedDelivery,
      items: lines ? items(lines) : undefined,
      events: shipment.events.map(({ status, occurredAt, location }) => ({ status, occurredAt, location })),
    };
  });
  const awaiting = shippable
    .filter((line: OrderLine, i) => shippable.findIndex((l) => l.sku === line.sku) === i)
    .map((line) => ({ title: titleOf(line.sku), quantity: left.get(line.sku) ?? 0 }))
    .filter((item) => item.quantity > 0);
  return {
    orderNumber: order.orderNumber ?? order.externalId,
    placedAt: order.placedAt,
    cancelled: order.state === 'cancelled',
    parcels,
    awaiting,
  };
}

/** Where the tracking page is served, and how its links are signed. */
export interface TrackingPageLinks {
  /** The public address Node-RED is reached at by customers, e.g. https://shop.example.com. */
  publicUrl: string;
  /** The page's path, e.g. /dropship/track. */
  path: string;
  secret: string;
}

/** The signed link to an order's tracking page: `<publicUrl><path>/<token>`. */
export function trackingPageUrl(links: TrackingPageLinks, orderId: string): string {
  return `${links.publicUrl.replace(/\/+$/, '')}${links.path}/${createTrackingToken(orderId, links.secret)}`;
}

/** How long a tracking link keeps working after its order is delivered (or cancelled), unless configured. */
export const DEFAULT_LINK_DAYS = 180;

const CLOSED_STATES = new Set<Order['state']>(['delivered', 'cancelled', 'returned']);

/**
 * Whether a link to this order's tracking page has expired: `days` after the order was closed, that is after its
 * last parcel was delivered (else, for an order cancelled or returned, after it last changed). An order still on
 * its way keeps its link. Decided from the store, not from the link, so a link sent before delivery (the
 * shipped e-mail) and a link sent before links expired at all (signed tokens) expire alike.
 */
export function linkExpired(order: Order, shipments: Shipment[], days: number, now: Date): boolean {
  if (!CLOSED_STATES.has(order.state)) return false;
  const deliveries = shipments.flatMap((shipment) =>
    shipment.events
      .filter((event) => event.status === 'delivered')
      .map((event) => Date.parse(event.occurredAt)),
  );
  const closedAt =
    order.state === 'delivered' && deliveries.length > 0
      ? Math.max(...deliveries)
      : Date.parse(order.updatedAt);
  return now.getTime() - closedAt > days * 86_400_000;
}
