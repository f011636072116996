import assert from 'node:assert/strict';
import { fixedClock } from '../../core/clock';
import type { StorefrontRefundRequest } from '../../core/ports/storefront-refunds';
import { shopifyRefunds } from '../../connectors/storefronts/shopify-refunds';
import { shopifyRiskSource } from '../../connectors/storefronts/shopify-risk';
import {
  WOOCOMMERCE_REFUND_KEY_META,
  wooCommerceRefunds,
} from '../../connectors/storefronts/woocommerce-refunds';
import type { ShopifyContext } from '../../connectors/storefronts/shopify-fulfilment';
import { startFakeShopify, type FakeShopify } from '../fakes/shopify-admin';
import { startFakeWooCommerce, type FakeWooCommerce } from '../fakes/woocommerce';

const log = { debug: () => undefined, info: () => undefined, warn: () => undefined };

function request(orderId: string, lineId: string, overrides: Partial<StorefrontRefundRequest> = {}) {
  return {
    orderId,
    idempotencyKey: 'RF0123456789ABCDEF',
    currency: 'USD',
    minorDigits: 2,
    lines: [{ lineId, quantity: 2, amount: 2500, tax: 0 }],
    shipping: 278,
    total: 2778,
    note: 'no supplier can take the lines of PO1 (RF0123456789ABCDEF)',
    ...overrides,
  };
}

describe('Shopify refunds through the GraphQL Admin API (2026-10)', () => {
  let shopify: FakeShopify;
  const context = (): ShopifyContext => ({
    settings: {
      shopDomain: 'acme-goods.myshopify.com',
      apiVersion: shopify.apiVersion,
      baseUrl: shopify.url,
    },
    credentials: { accessToken: shopify.accessToken },
    clock: fixedClock('2026-12-08T00:00:00Z'),
    log,
  });
  beforeEach(async () => {
    shopify = await startFakeShopify('2026-10');
  });
  afterEach(() => shopify.close());

  const paidOrder = () => {
    const id = shopify.addOrder({
      name: '#1001',
      locations: [{ name: 'Acme', lines: [{ sku: 'MUG-01', quantity: 2 }] }],
      paid: { amount: 5000 },
    });
    const lineItemId = shopify.order(id)!.fulfillmentOrders[0]!.lines[0]!.lineItemId;
    return { id, lineId: lineItemId.slice('gid://shopify/LineItem/'.length) };
  };

  it("refunds the lines and shipping against the order's sale, under @idempotent with the refund key", async () => {
    const { id, lineId } = paidOrder();
    const result = await shopifyRefunds(context()).refund(request(id, lineId));
    assert.equal(result.alreadyRefunded, false);
    const stored = shopify.order(id)!;
    assert.equal(stored.refunds.length, 1);
    assert.equal(stored.refunds[0]!.id, result.refundId);
    assert.equal(stored.refunds[0]!.amount, 2778);
    assert.equal(stored.refunds[0]!.idempotencyKey, 'RF0123456789ABCDEF');
    assert.deepEqual(stored.refunds[0]!.lines, [
      { lineItemId: `gid://shopify/LineItem/${lineId}`, quantity: 2 },
    ]);
    const refundTransaction = stored.transactions.find((t) => t.kind === 'REFUND');
    assert.equal(refundTransaction?.parentId, stored.transactions[0]!.id);
  });

  it('gives nothing back twice when called again with the same key', async () => {
    const { id, lineId } = paidOrder();
    const first = await shopifyRefunds(context()).refund(request(id, lineId));
    const again = await shopifyRefunds(context()).refund(request(id, lineId));
    assert.equal(again.refundId, first.refundId);
    assert.equal(again.alreadyRefunded, true);
    assert.equal(shopify.order(id)!.refunds.length, 1);
  });

  it('refuses for good a refund beyond what the order paid', async () => {
    const { id, lineId } = paidOrder();
    await assert.rejects(
      shopifyRefunds(context()).refund(request(id, lineId, { total: 6000 })),
      (err: Error & { retryable?: boolean }) =>
        err.retryable === false && /no paid transaction left/.test(err.message),
    );
    assert.equal(shopify.order(id)!.refunds.length, 0);
  });
});

describe('WooCommerce refunds through the REST API (v3)', () => {
  let woo: FakeWooCommerce;
  const context = () => ({
    settings: { storeUrl: woo.url },
    credentials: { consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
    clock: fixedClock('2026-12-08T00:00:00Z'),
    log,
  });
  beforeEach(async () => {
    woo = await startFakeWooCommerce();
  });
  afterEach(() => woo.close());

  it('refunds through the payment gateway and keeps the refund key in the refund meta data', async () => {
    const id = woo.addOrder('processing', 5000);
    const result = await wooCommerceRefunds(context()).refund(request(id, '31'));
    assert.equal(result.alreadyRefunded, false);
    const [refund] = woo.order(id)!.refunds;
    assert.equal(String(refund!.id), result.refundId);
    assert.equal(refund!.amount, '27.78');
    assert.equal(refund!.refunded_payment, true);
    assert.deepEqual(refund!.line_items, [{ id: 31, quantity: 2, refund_total: '25.00' }]);
    assert.equal(
      refund!.meta_data.find((m) => m.key === WOOCOMMERCE_REFUND_KEY_META)?.value,
      'RF0123456789ABCDEF',
    );
  });

  it('finds the refund an earlier call made instead of refunding again', async () => {
    const id = woo.addOrder('processing', 5000);
    const first = await wooCommerceRefunds(context()).refund(request(id, '31'));
    const again = await wooCommerceRefunds(context()).refund(request(id, '31'));
    assert.deepEqual(again, { refundId: first.refundId, alreadyRefunded: true });
    assert.equal(woo.order(id)!.refunds.length, 1);
  });

  it('leaves a refund WooCommerce failed (HTTP 500) to be tried again, and names a bad order id', async () => {
    const id = woo.addOrder('processing', 1000);
    // WooCommerce answers a refund beyond the order's total with woocommerce_rest_cannot_create_order_refund, 500.
    await assert.rejects(
      wooCommerceRefunds(context()).refund(request(id, '31')),
      (err: Error & { retryable?: boolean }) => err.retryable === true && /HTTP 500/.test(err.message),
    );
    assert.equal(woo.order(id)!.refunds.length, 0);
    await assert.rejects(
      wooCommerceRefunds(context()).refund(request('not-a-number', '31')),
      /is not a number/,
    );
  });
});

describe("Shopify's own order risk assessment", () => {
  let shopify: FakeShopify;
  beforeEach(async () => {
    shopify = await startFakeShopify('2026-10');
  });
  afterEach(() => shopify.close());

  it('reads the highest assessment and the recommendation from Order.risk', async () => {
    const ctx: ShopifyContext = {
      settings: {
        shopDomain: 'acme-goods.myshopify.com',
        apiVersion: shopify.apiVersion,
        baseUrl: shopify.url,
      },
      credentials: { accessToken: shopify.accessToken },
      clock: fixedClock('2026-12-08T00:00:00Z'),
      log,
    };
    const risky = shopify.addOrder({
      name: '#1002',
      locations: [],
      risk: { levels: ['LOW', 'HIGH', 'MEDIUM'], recommendation: 'CANCEL' },
    });
    const calm = shopify.addOrder({ name: '#1003', locations: [] });
    assert.deepEqual(await shopifyRiskSource(ctx).assess(risky), { level: 'high', recommendation: 'CANCEL' });
    assert.deepEqual(await shopifyRiskSource(ctx).assess(calm), { level: 'none', recommendation: 'NONE' });
  });
});
