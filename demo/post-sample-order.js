#!/usr/bin/env node
'use strict';
// Posts a signed storefront webhook to the running demo, exactly as the storefront would send it:
//   node demo/post-sample-order.js [--id 450789469] [--bad-signature] [--risky]       Shopify orders/paid
//     (--risky: a PO box address billed in another country, which the demo's risk screening holds)
//   node demo/post-sample-order.js --woocommerce [--id 4821] [--topic order.updated] [--bad-signature]
//                                                                                     WooCommerce order.created
//   node demo/post-sample-order.js --cancel 450789469                                  Shopify orders/cancelled
//   node demo/post-sample-order.js --edit 450789469 [--delta 1]                        Shopify orders/edited
//                                         (--delta: units added to the order's shipping line; negative removes)
//   node demo/post-sample-order.js --portal [--id PORTAL-1002]                        an order for the portal supplier
// Uses PORT (1880), DROPSHIP_SHOPIFY_SECRET and DROPSHIP_WOOCOMMERCE_SECRET ("dropship-demo-secret") like settings.js.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const id = option('--id') || option('--cancel') || option('--edit');
const base = `http://127.0.0.1:${process.env.PORT || 1880}`;
const payload = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, 'payloads', name), 'utf8'));
const sign = (body, secret) =>
  crypto
    .createHmac('sha256', args.includes('--bad-signature') ? 'wrong' : secret)
    .update(body)
    .digest('base64');

/** A Shopify orders/paid delivery: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the body. */
function shopify() {
  const order = payload('shopify-orders-paid.json');
  if (id) {
    order.id = Number(id);
    order.admin_graphql_api_id = `gid://shopify/Order/${id}`;
    order.name = `#${id}`;
  }
  if (args.includes('--risky')) {
    order.shipping_address.address1 = 'PO Box 1234';
    order.shipping_address.address2 = null;
    order.billing_address.country = 'United Kingdom';
    order.billing_address.country_code = 'GB';
  }
  // Paid just now, as a live webhook would say: the dashboard's order-to-acknowledgement figures start here.
  order.created_at = order.processed_at = new Date().toISOString();
  const body = JSON.stringify(order);
  return {
    url: `${base}/dropship/shopify/orders`,
    follow: `shopify:${order.id}`,
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': 'orders/paid',
      'X-Shopify-Hmac-Sha256': sign(body, process.env.DROPSHIP_SHOPIFY_SECRET || 'dropship-demo-secret'),
      'X-Shopify-Shop-Domain': 'demo-shop.myshopify.com',
      'X-Shopify-Event-Id': crypto.randomUUID(),
      'X-Shopify-Webhook-Id': crypto.randomUUID(),
    },
  };
}

/** A signed Shopify delivery of `topic` with `payload` for the order `orderId`. */
function shopifyDelivery(topic, payload, orderId) {
  const body = JSON.stringify(payload);
  return {
    url: `${base}/dropship/shopify/orders`,
    follow: `shopify:${orderId}`,
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': sign(body, process.env.DROPSHIP_SHOPIFY_SECRET || 'dropship-demo-secret'),
      'X-Shopify-Shop-Domain': 'demo-shop.myshopify.com',
      'X-Shopify-Event-Id': crypto.randomUUID(),
      'X-Shopify-Webhook-Id': crypto.randomUUID(),
    },
  };
}

/** Shopify orders/cancelled: the order payload with cancelled_at and cancel_reason set, as the shop sends it. */
function shopifyCancellation() {
  const order = payload('shopify-orders-paid.json');
  order.id = Number(id);
  order.admin_graphql_api_id = `gid://shopify/Order/${id}`;
  order.name = `#${id}`;
  order.cancelled_at = new Date().toISOString();
  order.cancel_reason = 'customer';
  order.financial_status = 'refunded';
  return shopifyDelivery('orders/cancelled', order, id);
}

/**
 * Shopify orders/edited: an order edit adding (or, negative, removing) units of the sample order's shipping line,
 * in the webhook's `order_edit` format with `line_items.additions` / `removals`.
 */
function shopifyEdit() {
  const delta = Number(option('--delta') || 1);
  const line = payload('shopify-orders-paid.json').line_items.find((l) => l.requires_shipping !== false);
  const change = [{ id: line.id, delta: Math.abs(delta) }];
  const at = new Date().toISOString();
  return shopifyDelivery(
    'orders/edited',
    {
      order_edit: {
        id: Date.now(),
        app_id: null,
        created_at: at,
        committed_at: at,
        notify_customer: false,
        order_id: Number(id),
        staff_note: '',
        user_id: null,
        line_items: { additions: delta > 0 ? change : [], removals: delta < 0 ? change : [] },
        discounts: { additions: [], removals: [] },
        shipping_lines: { additions: [], removals: [] },
      },
    },
    id,
  );
}

/**
 * A WooCommerce webhook delivery (REST API v3 order JSON, an order in "processing"): X-WC-Webhook-Signature is the
 * base64 HMAC-SHA256 of the body with the webhook's secret, beside the topic, resource, event, source and ids.
 */
function wooCommerce() {
  const order = payload('woocommerce-order-created.json');
  if (id) {
    order.id = Number(id);
    order.number = id;
  }
  // Paid just now; WooCommerce's *_gmt dates are UTC without a zone designator.
  const now = new Date().toISOString().slice(0, 19);
  order.date_created_gmt = order.date_paid_gmt = order.date_modified_gmt = now;
  const topic = option('--topic') || 'order.created';
  const body = JSON.stringify(order);
  return {
    url: `${base}/dropship/woocommerce/orders`,
    follow: `woocommerce:${order.id}`,
    body,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)',
      'X-WC-Webhook-Source': 'https://shop.example.net/',
      'X-WC-Webhook-Topic': topic,
      'X-WC-Webhook-Resource': topic.split('.')[0],
      'X-WC-Webhook-Event': topic.split('.')[1],
      'X-WC-Webhook-Signature': sign(body, process.env.DROPSHIP_WOOCOMMERCE_SECRET || 'dropship-demo-secret'),
      'X-WC-Webhook-ID': '12',
      'X-WC-Webhook-Delivery-ID': crypto.randomBytes(16).toString('hex'),
    },
  };
}

/**
 * An order in the package's own JSON for the generic intake (/dropship/orders, answered only on this machine in
 * the demo), of the portal supplier's catalogue; shipping promised in three days, the PO's ship-by date.
 */
function portal() {
  const order = payload('portal-order.json');
  order.externalId = id || `PORTAL-${Date.now()}`;
  order.placedAt = new Date().toISOString();
  order.shipping.promisedShipBy = new Date(Date.now() + 3 * 86_400_000).toISOString();
  return {
    url: `${base}/dropship/orders`,
    follow: `generic:${order.externalId}`,
    body: JSON.stringify(order),
    headers: { 'Content-Type': 'application/json' },
  };
}

const delivery = args.includes('--portal')
  ? portal()
  : args.includes('--woocommerce')
    ? wooCommerce()
    : option('--cancel')
      ? shopifyCancellation()
      : option('--edit')
        ? shopifyEdit()
        : shopify();
fetch(delivery.url, { method: 'POST', headers: delivery.headers, body: delivery.body }).then(
  async (res) => {
    console.log(res.status, await res.text());
    console.log(`follow it: curl ${base}/dropship/api/orders/${delivery.follow}`);
    if (!res.ok) process.exitCode = 1;
  },
  (err) => {
    console.error(`could not reach ${delivery.url}: ${err.message} (is \`npm start\` running?)`);
    process.exitCode = 1;
  },
);
