import type { Order } from '../model/order';
import type { OrderEventInput } from '../model/order-event';
import type { StorefrontSyncStore } from '../store/storefront-sync-store';

/** The order event of an order that came in for a variant the shop was to show as 0. */
export const OVERSOLD_EVENT = 'order.oversold';

/**
 * Flags a new order whose lines include a SKU whose available quantity (storefront sync's desired quantity on the
 * order's channel) was 0 when the order came in: one `order.oversold` event naming those SKUs. Returns them.
 */
export async function flagOversoldOrder(
  store: Pick<StorefrontSyncStore, 'desiredQuantities'> & {
    recordEvent(orderId: string, event: OrderEventInput): Promise<void>;
  },
  order: Order,
  actor: string,
): Promise<string[]> {
  const skus = [...new Set(order.lines.map((line) => line.sku))];
  const available = await store.desiredQuantities(order.channel, skus);
  const oversold = skus.filter((sku) => available.get(sku) === 0);
  if (oversold.length > 0) {
    await store.recordEvent(order.id, {
      type: OVERSOLD_EVENT,
      actor,
      reason: `ordered while the shop was to show 0 available: ${oversold.join(', ')}`,
      data: { skus: oversold },
    });
  }
  return oversold;
}
