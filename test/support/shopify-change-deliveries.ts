import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './node-red-process';

/** A signed webhook delivery as Shopify sends it. */
export interface ShopifyDelivery {
  externalId: string;
  topic: string;
  body: string;
  headers: Record<string, string>;
}

const ORDER = readFileSync(path.join(REPO, 'demo', 'payloads', 'shopify-orders-paid.json'), 'utf8');

/** The id of the demo payload's shippable line: line item ids are kept, orders get their own id. */
export const SHIPPABLE_LINE_ID = 466157049;

function signed(topic: string, externalId: string, payload: unknown, secret: string): ShopifyDelivery {
  const body = JSON.stringify(payload);
  return {
    externalId,
    topic,
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': topic,
      'X-Shopify-Event-Id': randomUUID(),
      'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64'),
    },
  };
}

/** The demo's orders/paid payload as order `id`, its shippable line `sku` × `quantity`. */
function demoOrder(id: number, sku: string, quantity: number): Record<string, unknown> {
  const order = JSON.parse(ORDER) as Record<string, unknown> & { line_items: Record<string, unknown>[] };
  order.id = id;
  order.admin_graphql_api_id = `gid://shopify/Order/${id}`;
  order.name = `#${id}`;
  const line = order.line_items.find((l) => l.id === SHIPPABLE_LINE_ID)!;
  line.sku = sku;
  line.quantity = quantity;
  line.current_quantity = quantity;
  return order;
}

export function shopifyPaid(
  id: number,
  secret: string,
  sku = 'IPOD2008GREEN',
  quantity = 1,
): ShopifyDelivery {
  return signed('orders/paid', String(id), demoOrder(id, sku, quantity), secret);
}

/** orders/cancelled: the order payload with cancelled_at and cancel_reason, as the webhook reference shows it. */
export function shopifyCancelled(
  id: number,
  secret: string,
  sku = 'IPOD2008GREEN',
  quantity = 1,
): ShopifyDelivery {
  const order = demoOrder(id, sku, quantity);
  order.cancelled_at = '2026-12-07T20:02:41-05:00';
  order.cancel_reason = 'customer';
  order.financial_status = 'refunded';
  return signed('orders/cancelled', String(id), order, secret);
}

/** orders/edited: `order_edit` with the shippable line's quantity changed by `delta` (a removal when negative). */
export function shopifyEdited(id: number, secret: string, editId: number, delta: number): ShopifyDelivery {
  const change = [{ id: SHIPPABLE_LINE_ID, delta: Math.abs(delta) }];
  return signed(
    'orders/edited',
    String(id),
    {
      order_edit: {
        id: editId,
        app_id: null,
        created_at: '2026-12-07T20:10:02-05:00',
        committed_at: '2026-12-07T20:10:02-05:00',
        notify_customer: false,
        order_id: id,
        staff_note: '',
        user_id: 799407056,
        line_items: { additions: delta > 0 ? change : [], removals: delta < 0 ? change : [] },
        discounts: { additions: [], removals: [] },
        shipping_lines: { additions: [], removals: [] },
      },
    },
    secret,
  );
}

/** Posts a delivery to the order-in node; undefined when the connection failed (the instance died). */
export async function deliverShopify(
  baseUrl: string,
  delivery: ShopifyDelivery,
): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(`${baseUrl}/dropship/shopify/orders`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}
