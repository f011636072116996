import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../../support/node-red-process';

export interface Delivery {
  externalId: string;
  body: string;
  headers: Record<string, string>;
}

const TEMPLATE = readFileSync(path.join(REPO, 'demo', 'payloads', 'shopify-orders-paid.json'), 'utf8');

/**
 * A signed Shopify orders/paid webhook for order `id`, as Shopify sends it: a retry of the same delivery
 * carries the same X-Shopify-Event-Id (pass it to repeat a delivery), a new event a new one.
 */
export function shopifyDelivery(id: number, secret: string, eventId: string = randomUUID()): Delivery {
  const order = JSON.parse(TEMPLATE) as Record<string, unknown>;
  order.id = id;
  order.admin_graphql_api_id = `gid://shopify/Order/${id}`;
  order.name = `#${id}`;
  const body = JSON.stringify(order);
  return {
    externalId: String(id),
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': 'orders/paid',
      'X-Shopify-Event-Id': eventId,
      'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64'),
    },
  };
}

/** Posts a delivery; resolves with the status, or undefined when the connection failed (the instance died). */
export async function deliver(
  baseUrl: string,
  delivery: Delivery,
): Promise<{ status: number; body: { id?: string; duplicate?: boolean } } | undefined> {
  try {
    const res = await fetch(`${baseUrl}/dropship/shopify/orders`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    return { status: res.status, body: (await res.json()) as { id?: string; duplicate?: boolean } };
  } catch {
    return undefined;
  }
}
