import assert from 'node:assert/strict';
import { fixedClock } from '../../core/clock';
import { storefrontWebhooks } from '../../connectors/storefronts/webhook-subscriptions';
import { startFakeShopifyShop, type FakeShopifyShop } from '../fakes/shopify-shop';
import { startFakeWooCommerceCatalogue, type FakeWooCommerceCatalogue } from '../fakes/woocommerce-catalogue';

const clock = fixedClock('2026-12-08T00:00:00Z');
const ADDRESS = 'https://dropship.example.com/dropship/shopify/orders';

describe('webhook subscriptions made by the product', () => {
  describe('Shopify (webhookSubscriptions, webhookSubscriptionCreate)', () => {
    let shop: FakeShopifyShop;
    const settings = () => ({
      platform: 'shopify' as const,
      shopDomain: 'test-shop.myshopify.com',
      baseUrl: shop.url,
    });
    const app = { clientId: 'test-client', clientSecret: 'test-secret' };

    beforeEach(async () => {
      shop = await startFakeShopifyShop();
    });
    afterEach(() => shop.close());

    it('subscribes the order topics once: a second press lists them as already there and creates nothing', async () => {
      assert.equal(
        await storefrontWebhooks('list', settings(), app, clock),
        'The shop sends no webhooks to this app yet.',
      );
      const first = await storefrontWebhooks('subscribe', { ...settings(), webhookUrl: ADDRESS }, app, clock);
      assert.equal(
        first,
        `ORDERS_CREATE → ${ADDRESS} (subscribed now); ORDERS_PAID → ${ADDRESS} (subscribed now)`,
      );
      const again = await storefrontWebhooks('subscribe', { ...settings(), webhookUrl: ADDRESS }, app, clock);
      assert.equal(
        again,
        `ORDERS_CREATE → ${ADDRESS} (already subscribed); ORDERS_PAID → ${ADDRESS} (already subscribed)`,
      );
      assert.deepEqual(
        shop.shop.webhooks().map((w) => [w.topic, w.uri, w.format]),
        [
          ['ORDERS_CREATE', ADDRESS, 'JSON'],
          ['ORDERS_PAID', ADDRESS, 'JSON'],
        ],
      );
      assert.match(
        await storefrontWebhooks('list', settings(), app, clock),
        /ORDERS_PAID → https:\/\/dropship/,
      );
    });

    it('refuses an address a shop would not deliver to, naming the field', async () => {
      await assert.rejects(
        storefrontWebhooks(
          'subscribe',
          { ...settings(), webhookUrl: 'http://dropship.example.com/x' },
          app,
          clock,
        ),
        /the webhook address http:\/\/dropship\.example\.com is not HTTPS/,
      );
      await assert.rejects(
        storefrontWebhooks('subscribe', settings(), app, clock),
        /enter the webhook address/,
      );
      assert.equal(shop.shop.webhooks().length, 0);
    });
  });

  describe('WooCommerce (webhooks REST endpoint)', () => {
    let store: FakeWooCommerceCatalogue;
    const settings = () => ({
      platform: 'woocommerce' as const,
      baseUrl: store.url,
      webhookUrl: 'https://dropship.example.com/dropship/woocommerce/orders',
      webhookSecret: 'w00-secret',
    });

    beforeEach(async () => {
      store = await startFakeWooCommerceCatalogue([]);
    });
    afterEach(() => store.close());

    it('creates order.created and order.updated signed with the webhook secret, once', async () => {
      const keys = { consumerKey: store.consumerKey, consumerSecret: store.consumerSecret };
      await storefrontWebhooks('subscribe', settings(), keys, clock);
      const again = await storefrontWebhooks('subscribe', settings(), keys, clock);
      assert.match(
        again,
        /order\.created → .* \(already subscribed\); order\.updated → .* \(already subscribed\)/,
      );
      assert.deepEqual(
        store.webhooks.map((w) => [w.topic, w.delivery_url, w.secret, w.status]),
        [
          ['order.created', settings().webhookUrl, 'w00-secret', 'active'],
          ['order.updated', settings().webhookUrl, 'w00-secret', 'active'],
        ],
      );
    });

    it('says where to add them by hand when the key may only read', async () => {
      await assert.rejects(
        storefrontWebhooks(
          'subscribe',
          settings(),
          { consumerKey: store.readOnlyKey, consumerSecret: store.consumerSecret },
          clock,
        ),
        /needs Read\/Write access to manage webhooks, or add the webhooks in WooCommerce > Settings > Advanced > Webhooks/,
      );
      assert.equal(store.webhooks.length, 0);
    });
  });
});
