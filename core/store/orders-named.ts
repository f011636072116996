import type { Order } from '../model/order';
import type { OrderStore } from './order-store';

/**
 * The orders a customer means by the number they typed: "1001" and "#1001" alike, as storefronts print it with
 * or without the "#" (Shopify's order names carry it). Nothing for an empty or overlong entry.
 */
export async function ordersNamed(store: OrderStore, typed: string): Promise<Order[]> {
  const bare = typed.trim().replace(/^#/, '');
  if (!bare || bare.length > 64) return [];
  const found = new Map<string, Order>();
  for (const number of [bare, `#${bare}`])
    for (const order of await store.findOrdersByNumber(number)) found.set(order.id, order);
  return [...found.values()];
}
