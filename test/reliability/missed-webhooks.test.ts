import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';
import request from 'supertest';
import { fixedClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { StorefrontReconciler } from '../../core/intake/reconcile';
import { receiveStorefrontOrder } from '../../core/intake/receive-order';
import type { OrderStore } from '../../core/store/order-store';
import { openStore } from '../../core/store/open-store';
import { shopifyIntake } from '../../connectors/storefronts/shopify';
import { nextPageUrl, shopifyOrderSource } from '../../connectors/storefronts/shopify-orders-api';
import { wooCommerceIntake } from '../../connectors/storefronts/woocommerce';
import { wooCommerceOrderSource } from '../../connectors/storefronts/woocommerce-orders-api';
import storeNode from '../../nodes/store/store';
import storefrontNode from '../../nodes/storefront/storefront';
import orderInNode from '../../nodes/order-in/order-in';
import { startFakeShopifyOrders, type FakeShopifyOrders } from '../fakes/shopify-orders';
import { startFakeWooCommerceOrders, type FakeWooCommerceOrders } from '../fakes/woocommerce-orders';
import { eventually } from '../support/node-red-process';

helper.init(require.resolve('node-red'));

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const NOW = new Date('2026-11-21T12:00:00Z');
const HOUR = 3_600_000;

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

/** The published orders/paid example as another order: its id (beyond 2^53 when asked), name and update time. */
function shopifyOrder(
  id: string,
  updatedAt: Date,
  changes: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...fixture('shopify/orders-paid.json'),
    id: Number(id),
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id.slice(-4)}`,
    updated_at: updatedAt.toISOString(),
    ...changes,
  };
}

function wooOrder(
  id: number,
  modifiedAt: Date,
  changes: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...fixture('woocommerce/order-processing.json'),
    id,
    number: String(id),
    date_modified_gmt: modifiedAt.toISOString().slice(0, 19),
    ...changes,
  };
}

describe('missed webhooks: the reconciliation poll of the storefront order APIs', function () {
  this.timeout(30_000);
  let dir: string;
  let store: OrderStore;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-reconcile-'));
    store = await openStore({ engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('Shopify REST Admin API orders.json', () => {
    let shop: FakeShopifyOrders;
    beforeEach(async () => {
      shop = await startFakeShopifyOrders();
    });
    afterEach(() => shop.close());

    const reconciler = (clock = fixedClock(NOW), accessToken = shop.accessToken) =>
      new StorefrontReconciler({
        store: async () => store,
        intake: shopifyIntake,
        source: shopifyOrderSource(
          { shopDomain: shop.shopDomain, baseUrl: shop.url, pageSize: 2 },
          { accessToken },
          clock,
        ),
        actor: 'test:reconcile',
        lookbackMs: 24 * HOUR,
        overlapMs: 10 * 60_000,
        clock,
      });

    it('stores the paid orders whose webhook never came, once, and collapses the one that did', async () => {
      const recent = new Date(NOW.getTime() - 2 * HOUR);
      // Delivered by its webhook before the poll.
      await receiveStorefrontOrder(store, shopifyIntake, shopifyOrder('1001', recent), {}, 'webhook');
      shop.putOrder(shopifyOrder('1001', recent));
      // Never delivered: one with an id past 2^53 that JSON numbers cannot hold exactly.
      shop.putOrder(shopifyOrder('1002', recent));
      shop.putOrder(shopifyOrder('9007199254740993', recent));
      shop.putOrder(shopifyOrder('1004', new Date(NOW.getTime() - HOUR)));
      // Not paid yet, and changed before the window: neither is asked for.
      shop.putOrder(shopifyOrder('1005', recent, { financial_status: 'pending' }));
      shop.putOrder(shopifyOrder('1006', new Date(NOW.getTime() - 30 * HOUR)));

      const report = await reconciler().poll();

      assert.deepEqual(report.created.map((o) => o.externalId).sort(), ['1002', '1004', '9007199254740993']);
      assert.equal(report.duplicates, 1);
      assert.equal(report.seen, 4);
      assert.deepEqual(report.refused, []);
      assert.equal((await store.findOrder('shopify:9007199254740993'))?.state, 'received');
      assert.equal(await store.findOrder('shopify:1005'), undefined);
      assert.equal(await store.findOrder('shopify:1006'), undefined);

      // Page 1 names the filters; later pages are the Link header's page_info URL, used exactly as given.
      const [first, ...rest] = shop.requests;
      assert.equal(first!.path, '/admin/api/2026-10/orders.json');
      assert.equal(first!.query.get('status'), 'any');
      assert.equal(first!.query.get('financial_status'), 'paid');
      assert.equal(first!.query.get('updated_at_min'), new Date(NOW.getTime() - 24 * HOUR).toISOString());
      assert.equal(first!.query.get('limit'), '2');
      assert.equal(rest.length, 1, 'two pages of two');
      assert.deepEqual([...rest[0]!.query.keys()].sort(), ['limit', 'page_info']);
      for (const r of shop.requests) assert.equal(r.headers['x-shopify-access-token'], shop.accessToken);
    });

    it("polls with a Dev Dashboard app's client credentials, and is granted a new token when one is refused", async () => {
      const app = { clientId: shop.clientId, clientSecret: shop.clientSecret };
      const source = shopifyOrderSource(
        { shopDomain: shop.shopDomain, baseUrl: shop.url },
        app,
        fixedClock(NOW),
      );
      shop.putOrder(shopifyOrder('3001', new Date(NOW.getTime() - HOUR)));
      const read = async () => {
        const found: unknown[] = [];
        for await (const page of source.paidOrdersChangedSince(new Date(NOW.getTime() - 2 * HOUR)))
          found.push(...page);
        return found.length;
      };
      assert.equal(await read(), 1);
      shop.revokeGrantedTokens();
      assert.equal(await read(), 1);
      const grants = shop.requests.filter((r) => r.path === '/admin/oauth/access_token');
      const listings = shop.requests.filter((r) => r.path === '/admin/api/2026-10/orders.json');
      assert.equal(grants.length, 2);
      assert.equal(listings.length, 3, 'the refused listing is asked for again with the new token');
    });

    it('polls again from the previous start minus the overlap, and finds nothing new twice', async () => {
      const clock = fixedClock(NOW);
      const poller = reconciler(clock);
      shop.putOrder(shopifyOrder('2001', new Date(NOW.getTime() - HOUR)));
      assert.equal((await poller.poll()).created.length, 1);
      clock.advance(15 * 60_000);
      const again = await poller.poll();
      assert.equal(again.created.length, 0);
      assert.equal(again.since.toISOString(), new Date(NOW.getTime() - 10 * 60_000).toISOString());
      assert.equal(shop.requests.at(-1)!.query.get('updated_at_min'), again.since.toISOString());
    });

    it('sits out a 429 with Retry-After and reads on', async () => {
      for (let i = 0; i < 5; i++)
        shop.putOrder(shopifyOrder(String(3001 + i), new Date(NOW.getTime() - HOUR)));
      shop.throttleNext(1, '0.2');
      const report = await reconciler().poll();
      assert.equal(report.created.length, 5);
      assert.equal(shop.requests.length, 4, 'three pages and the throttled try');
    });

    it('reports a refused token as a configuration problem and keeps the window for the next poll', async () => {
      const poller = reconciler(fixedClock(NOW), 'shpat_wrong');
      const before = poller.nextSince();
      await assert.rejects(
        poller.poll(),
        (err: DropshipError) => err.code === 'configuration' && /HTTP 401/.test(err.message),
      );
      assert.equal(poller.nextSince().getTime(), before.getTime());
    });

    it('reads rel="next" among several Link entries and refuses to follow one to another origin', async () => {
      assert.equal(
        nextPageUrl(
          '<https://s.myshopify.com/admin/api/2026-10/orders.json?page_info=a&limit=2>; rel="previous", ' +
            '<https://s.myshopify.com/admin/api/2026-10/orders.json?page_info=b&limit=2>; rel="next"',
        ),
        'https://s.myshopify.com/admin/api/2026-10/orders.json?page_info=b&limit=2',
      );
      assert.equal(nextPageUrl('<https://s/x?page_info=a>; rel="previous"'), undefined);
      const source = shopifyOrderSource(
        { shopDomain: 'quiet-harbour.myshopify.com', baseUrl: shop.url },
        { accessToken: shop.accessToken },
      );
      shop.putOrder(shopifyOrder('4001', NOW));
      const pages: unknown[][] = [];
      for await (const page of source.paidOrdersChangedSince(new Date(0))) pages.push(page);
      assert.equal(pages.length, 1);
    });
  });

  describe('WooCommerce REST API v3 orders', () => {
    let shop: FakeWooCommerceOrders;
    beforeEach(async () => {
      shop = await startFakeWooCommerceOrders();
    });
    afterEach(() => shop.close());

    const reconciler = (clock = fixedClock(NOW)) =>
      new StorefrontReconciler({
        store: async () => store,
        intake: wooCommerceIntake,
        source: wooCommerceOrderSource(
          { storeUrl: shop.url, pageSize: 2 },
          { consumerKey: shop.consumerKey, consumerSecret: shop.consumerSecret },
          clock,
        ),
        actor: 'test:reconcile',
        lookbackMs: 24 * HOUR,
        overlapMs: 10 * 60_000,
        clock,
      });

    it('takes processing orders changed in the window, page by page, and names an order it cannot take', async () => {
      const recent = new Date(NOW.getTime() - HOUR);
      for (const id of [501, 502, 503, 504]) shop.putOrder(wooOrder(id, recent));
      shop.putOrder(wooOrder(505, recent, { status: 'completed' }));
      shop.putOrder(wooOrder(506, new Date(NOW.getTime() - 48 * HOUR)));
      const broken = wooOrder(507, recent);
      broken.line_items = (broken.line_items as Record<string, unknown>[]).map((l) => ({ ...l, sku: '' }));
      shop.putOrder(broken);

      const report = await reconciler().poll();

      assert.deepEqual(report.created.map((o) => o.externalId).sort(), ['501', '502', '503', '504']);
      assert.equal(report.refused.length, 1);
      assert.equal(report.refused[0]!.reference, '507');
      assert.ok(report.refused[0]!.error.details.some((d) => d.path === '/line_items/0/sku'));
      assert.equal(await store.findOrder('woocommerce:505'), undefined);
      assert.equal(await store.findOrder('woocommerce:506'), undefined);

      assert.deepEqual(
        shop.requests.map((r) => r.query.get('page')),
        ['1', '2', '3'],
      );
      const first = shop.requests[0]!;
      assert.equal(first.query.get('status'), 'processing');
      assert.equal(
        first.query.get('modified_after'),
        new Date(NOW.getTime() - 24 * HOUR).toISOString().slice(0, 19),
      );
      assert.equal(first.query.get('dates_are_gmt'), 'true');
      assert.equal(first.query.get('per_page'), '2');
      const basic = Buffer.from(`${shop.consumerKey}:${shop.consumerSecret}`).toString('base64');
      for (const r of shop.requests) assert.equal(r.headers.authorization, `Basic ${basic}`);

      const again = await reconciler().poll();
      assert.equal(again.created.length, 0);
      assert.equal(again.duplicates, 4);
    });

    it('reads the listing again when an order leaves it mid-read, so no order slips between pages', async () => {
      const recent = new Date(NOW.getTime() - HOUR);
      for (const id of [601, 602, 603, 604, 605]) shop.putOrder(wooOrder(id, recent));
      let completedOne = false;
      shop.onPage = (page) => {
        // After page 1 is read, the shop completes order 601: every later order moves up one place.
        if (page === 1 && !completedOne) {
          completedOne = true;
          shop.putOrder(wooOrder(601, recent, { status: 'completed' }));
        }
      };
      const report = await reconciler().poll();
      assert.deepEqual(report.created.map((o) => o.externalId).sort(), ['601', '602', '603', '604', '605']);
    });

    it('refuses to send the API keys over plain HTTP to another machine', async () => {
      const source = wooCommerceOrderSource(
        { storeUrl: 'http://shop.example.com' },
        { consumerKey: 'ck_x', consumerSecret: 'cs_x' },
      );
      await assert.rejects(
        async () => {
          for await (const page of source.paidOrdersChangedSince(NOW)) assert.fail(`read ${page.length}`);
        },
        (err: DropshipError) => err.code === 'configuration' && /not HTTPS/.test(err.message),
      );
    });
  });

  describe('the order-in node polling Shopify', () => {
    let shop: FakeShopifyOrders;
    let RED: NodeAPI;
    const SECRET = 'reconcile-secret';

    beforeEach(async () => {
      shop = await startFakeShopifyOrders();
      await new Promise<void>((resolve) => helper.startServer(resolve));
    });
    afterEach(async () => {
      await helper.unload();
      await new Promise<void>((resolve) => helper.stopServer(resolve));
      await shop.close();
    });

    it('sends an order found by the poll down the first output; its late webhook is a duplicate', async () => {
      process.env.DROPSHIP_TEST_RECONCILE_SECRET = SECRET;
      shop.putOrder(shopifyOrder('7001', new Date()));
      const flow = [
        { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'node.sqlite') },
        {
          id: 'shop',
          type: 'dropship-storefront',
          platform: 'shopify',
          shopDomain: shop.shopDomain,
          baseUrl: shop.url,
          secretEnv: 'DROPSHIP_TEST_RECONCILE_SECRET',
        },
        {
          id: 'in',
          type: 'dropship-order-in',
          store: 'store',
          platform: 'shopify',
          storefront: 'shop',
          listen: true,
          path: '/dropship/shopify/orders',
          reconcileMinutes: 0.01,
          wires: [['received'], ['errors']],
        },
        { id: 'received', type: 'helper' },
        { id: 'errors', type: 'helper' },
      ];
      await helper.load([(red: NodeAPI) => void (RED = red), storeNode, storefrontNode, orderInNode], flow, {
        shop: { accessToken: shop.accessToken },
      });
      const received: { orderId: string }[] = [];
      (
        helper.getNode('received') as unknown as { on(e: 'input', f: (m: { orderId: string }) => void): void }
      ).on('input', (msg) => received.push(msg));
      await eventually(async () => (received.length > 0 ? received : undefined), 10_000, 'the polled order');

      const body = JSON.stringify(shopifyOrder('7001', new Date()));
      const late = await request(RED.httpNode)
        .post('/dropship/shopify/orders')
        .set({
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/paid',
          'x-shopify-event-id': randomUUID(),
          'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
        })
        .send(body);
      assert.equal(late.status, 200);
      assert.equal((late.body as { duplicate?: boolean }).duplicate, true);
      assert.equal((late.body as { id: string }).id, received[0]!.orderId);
      // Later polls find the same order again and send nothing more.
      await eventually(async () => (shop.requests.length >= 3 ? true : undefined), 10_000, 'more polls');
      assert.equal(received.length, 1);
    });
  });
});
