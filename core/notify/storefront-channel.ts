import type { Shipment } from '../model/shipment';
import { carrierFromDeclaration, trackingUrlFor } from '../tracking/carrier-detection';
import { DeliveryRefused, type NotificationChannel, type OrderFacts, type QueuedMilestone } from './outbox';

/** A parcel as a storefront is told about it. */
export interface StorefrontParcel {
  /** The storefront's own order id (the order's external id). */
  orderId: string;
  trackingNumber: string;
  carrier?: string;
  trackingUrl?: string;
  /** What the parcel holds; the storefront fulfils everything still open when absent. */
  lines?: { sku: string; quantity: number }[];
  /** When the parcel was first reported. */
  shippedAt?: string;
}

/** One storefront's fulfilment API (Shopify, WooCommerce), each call safe to repeat for the same parcel. */
export interface StorefrontFulfiller {
  /** Orders from this channel are the storefront's (order.channel). */
  platform: string;
  /** Reports a parcel; `completeOrder` when every supplier has shipped (the storefront may close the order). */
  fulfil(parcel: StorefrontParcel, options: { completeOrder: boolean }): Promise<void>;
  /** Corrects the carrier and link of a parcel already reported; absent where the API has no such call. */
  updateTracking?(parcel: StorefrontParcel): Promise<void>;
}

export const STOREFRONT_CHANNEL = 'storefront';

const ALL_SHIPPED = new Set(['shipped', 'delivered']);

/** What the parcel holds: its own lines, else those of the PO it ships, else (unknown) everything open. */
function parcelOf(shipment: Shipment, facts: OrderFacts): StorefrontParcel {
  const po = facts.purchaseOrders.find((p) => p.number === shipment.poNumber);
  const lines = shipment.lines ?? po?.lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
  const carrier = carrierFromDeclaration(shipment.carrier);
  return {
    orderId: facts.order.externalId,
    trackingNumber: shipment.trackingNumber,
    carrier: shipment.carrier,
    trackingUrl:
      shipment.trackingUrl ?? (carrier ? trackingUrlFor(carrier, shipment.trackingNumber) : undefined),
    lines,
    shippedAt: shipment.events[0]?.occurredAt ?? shipment.lastEventAt,
  };
}

/**
 * Tells the storefront each parcel of its orders (fulfilment with tracking), and, where the API allows it, a
 * corrected carrier once a parcel was reported with another: the carrier sent is kept in the outbox payload,
 * so a later source naming the carrier differently (an 856 after an e-mail) queues one update per new carrier.
 */
export function storefrontChannel(fulfiller: StorefrontFulfiller): NotificationChannel {
  return {
    name: STOREFRONT_CHANNEL,
    milestones(facts) {
      if (facts.order.channel !== fulfiller.platform) return [];
      const queued: QueuedMilestone[] = [];
      for (const shipment of facts.shipments) {
        const key = `shipped:${shipment.trackingNumber}`;
        queued.push({
          kind: 'shipped',
          key,
          trackingNumber: shipment.trackingNumber,
          carrier: shipment.carrier ?? null,
        });
        const told = facts.notifications.find(
          (n) => n.channel === STOREFRONT_CHANNEL && n.milestone === key && n.state === 'sent',
        );
        if (
          fulfiller.updateTracking &&
          told &&
          shipment.carrier &&
          told.payload.carrier !== shipment.carrier
        ) {
          queued.push({
            kind: 'tracking_updated',
            key: `tracking_updated:${shipment.trackingNumber}:${shipment.carrier}`,
            trackingNumber: shipment.trackingNumber,
            carrier: shipment.carrier,
          });
        }
      }
      return queued;
    },
    async deliver(notification, facts) {
      const shipment = facts.shipments.find((s) => s.trackingNumber === notification.payload.trackingNumber);
      if (!shipment)
        throw new DeliveryRefused(`parcel ${String(notification.payload.trackingNumber)} is not stored`);
      const parcel = parcelOf(shipment, facts);
      if (notification.payload.kind === 'tracking_updated' && fulfiller.updateTracking)
        await fulfiller.updateTracking(parcel);
      else await fulfiller.fulfil(parcel, { completeOrder: ALL_SHIPPED.has(facts.order.state) });
    },
  };
}
