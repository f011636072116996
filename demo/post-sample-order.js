#!/usr/bin/env node
'use strict';
// Posts a signed Shopify orders/paid webhook to the running demo, exactly as Shopify would send it.
//   node demo/post-sample-order.js [--id 450789469] [--bad-signature]
// Uses PORT (1880) and DROPSHIP_SHOPIFY_SECRET ("dropship-demo-secret") like settings.js.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const idIndex = args.indexOf('--id');
const order = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'payloads', 'shopify-orders-paid.json'), 'utf8'),
);
if (idIndex >= 0) {
  order.id = Number(args[idIndex + 1]);
  order.admin_graphql_api_id = `gid://shopify/Order/${args[idIndex + 1]}`;
  order.name = `#${args[idIndex + 1]}`;
}
// Paid just now, as a live webhook would say: the dashboard's order-to-acknowledgement figures start here.
order.created_at = order.processed_at = new Date().toISOString();
const body = JSON.stringify(order);
const secret = process.env.DROPSHIP_SHOPIFY_SECRET || 'dropship-demo-secret';
const signature = crypto
  .createHmac('sha256', args.includes('--bad-signature') ? 'wrong' : secret)
  .update(body)
  .digest('base64');
const url = `http://127.0.0.1:${process.env.PORT || 1880}/dropship/shopify/orders`;

fetch(url, {
  method: 'POST',
  headers: {
    'Content-Type': 'application/json',
    'X-Shopify-Topic': 'orders/paid',
    'X-Shopify-Hmac-Sha256': signature,
    'X-Shopify-Shop-Domain': 'demo-shop.myshopify.com',
    'X-Shopify-Event-Id': crypto.randomUUID(),
    'X-Shopify-Webhook-Id': crypto.randomUUID(),
  },
  body,
}).then(
  async (res) => {
    console.log(res.status, await res.text());
    console.log(
      `follow it: curl http://127.0.0.1:${process.env.PORT || 1880}/dropship/api/orders/shopify:${order.id}`,
    );
  },
  (err) => {
    console.error(`could not reach ${url}: ${err.message} (is \`npm start\` running?)`);
    process.exitCode = 1;
  },
);
