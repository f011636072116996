import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './node-red-process';

export interface WebhookDelivery {
  body: string;
  headers: Record<string, string>;
}

/**
 * The demo's Shopify orders/paid payload (published webhook format) as a delivery signed the way Shopify signs:
 * base64 HMAC-SHA256 of the raw body with the app secret.
 */
export function signedShopifyOrdersPaid(
  orderId: number,
  secret: string,
  adjust: (order: Record<string, unknown>) => void = () => undefined,
): WebhookDelivery {
  const order = JSON.parse(
    readFileSync(path.join(REPO, 'demo', 'payloads', 'shopify-orders-paid.json'), 'utf8'),
  ) as Record<string, unknown>;
  order.id = orderId;
  order.admin_graphql_api_id = `gid://shopify/Order/${orderId}`;
  adjust(order);
  const body = JSON.stringify(order);
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': 'orders/paid',
      'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64'),
      'X-Shopify-Event-Id': randomUUID(),
    },
  };
}
