import assert from 'node:assert/strict';
import type { Clock } from '../../core/clock';
import type { StorefrontVariant } from '../../core/ports/storefront-catalogue';
import {
  shopifyCatalogue,
  type ShopifyCatalogueSettings,
} from '../../connectors/storefronts/shopify-catalogue';
import type { ShopifyAdminCredentials } from '../../connectors/storefronts/shopify-admin';
import type { SandboxShopOptions, SandboxShopState } from '../../demo/sandbox-shopify';
import { startFakeShopifyShop, type FakeShopifyShop } from '../fakes/shopify-shop';

const LOCATION = 'gid://shopify/Location/1';

/** A shop of `count` products of one variant each, SKU-1…SKU-n, quantity 10, price 10.00. */
function shopState(count: number): SandboxShopState {
  return {
    shop: { name: 'Test shop', myshopifyDomain: 'test-shop.myshopify.com', currencyCode: 'USD' },
    products: Array.from({ length: count }, (_, i) => ({
      id: `gid://shopify/Product/${100 + i}`,
      title: `Product ${i + 1}`,
      vendor: i % 2 ? 'Acme' : 'Globex',
      productType: 'Mugs',
      variants: [
        {
          id: `gid://shopify/ProductVariant/${200 + i}`,
          title: 'Default Title',
          sku: `SKU-${i + 1}`,
          barcode: `400000000000${i}`,
          price: '10.00',
          compareAtPrice: null,
          inventoryItemId: `gid://shopify/InventoryItem/${300 + i}`,
          available: 10,
        },
      ],
    })),
    webhooks: [],
    idempotency: {},
    nextId: 1000,
  };
}

describe('Shopify catalogue through the GraphQL Admin API (client credentials, 2026-10)', () => {
  const fakes: FakeShopifyShop[] = [];
  let time = Date.parse('2026-12-08T00:00:00Z');
  const clock: Clock = { now: () => new Date(time) };

  async function shop(options: SandboxShopOptions = {}, count = 3): Promise<FakeShopifyShop> {
    const fake = await startFakeShopifyShop({ initialState: shopState(count), ...options });
    fakes.push(fake);
    return fake;
  }

  function catalogue(
    fake: FakeShopifyShop,
    settings: Partial<ShopifyCatalogueSettings> = {},
    credentials: ShopifyAdminCredentials = { clientId: 'test-client', clientSecret: 'test-secret' },
  ) {
    return shopifyCatalogue(
      { shopDomain: 'test-shop.myshopify.com', baseUrl: fake.url, ...settings },
      credentials,
      { clock },
    );
  }

  async function allVariants(fake: FakeShopifyShop, pageSize: number): Promise<StorefrontVariant[]> {
    const reader = catalogue(fake, { pageSize });
    const variants: StorefrontVariant[] = [];
    let cursor: string | undefined;
    do {
      const page = await reader.listVariants(cursor);
      variants.push(...page.variants);
      cursor = page.nextCursor;
    } while (cursor);
    return variants;
  }

  const tokenGrants = (fake: FakeShopifyShop) =>
    fake.requests.filter((r) => r.path === '/admin/oauth/access_token');
  const graphqlCalls = (fake: FakeShopifyShop) =>
    fake.requests.filter((r) => r.path === '/admin/api/2026-10/graphql.json');

  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((fake) => fake.close()));
  });

  it('reads every variant page by page with its SKU, barcode, inventory item, quantity, price and product', async () => {
    const fake = await shop({}, 5);
    const variants = await allVariants(fake, 2);
    assert.deepEqual(
      variants.map((v) => v.sku),
      ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4', 'SKU-5'],
    );
    assert.deepEqual(variants[1], {
      variantId: 'gid://shopify/ProductVariant/201',
      productId: 'gid://shopify/Product/101',
      title: 'Product 2 - Default Title',
      sku: 'SKU-2',
      barcode: '4000000000001',
      vendor: 'Acme',
      productType: 'Mugs',
      inventoryItemId: 'gid://shopify/InventoryItem/301',
      quantity: 10,
      price: '10.00',
      compareAtPrice: null,
    });
    // Three pages of two, plus the primary location asked for once.
    const bodies = graphqlCalls(fake).map(
      (r) => JSON.parse(r.body) as { variables: Record<string, unknown> },
    );
    assert.equal(bodies.filter((b) => 'first' in b.variables).length, 3);
  });

  it('is granted a token by the client credentials grant, keeps it, and asks again when it nears its end', async () => {
    const fake = await shop();
    const reader = catalogue(fake, { locationId: LOCATION });
    await reader.listVariants(undefined);
    await reader.listVariants(undefined);
    assert.equal(tokenGrants(fake).length, 1);
    const grant = new URLSearchParams(tokenGrants(fake)[0]!.body);
    assert.equal(grant.get('grant_type'), 'client_credentials');
    assert.equal(grant.get('client_id'), 'test-client');
    assert.equal(grant.get('client_secret'), 'test-secret');
    assert.match(tokenGrants(fake)[0]!.headers['content-type'] ?? '', /application\/x-www-form-urlencoded/);
    // 24 hours on, the token is past its expires_in: a new one is asked for before the call, not after a 401.
    time += 24 * 3600_000;
    await reader.listVariants(undefined);
    assert.equal(tokenGrants(fake).length, 2);
    assert.equal(graphqlCalls(fake).length, 3, 'no call was refused with the old token and sent again');
  });

  it('asks for one token when several calls need it at once', async () => {
    const fake = await shop();
    const reader = catalogue(fake, { locationId: LOCATION });
    const pages = await Promise.all([1, 2, 3, 4].map(() => reader.listVariants(undefined)));
    assert.deepEqual(
      pages.map((p) => p.variants.length),
      [3, 3, 3, 3],
    );
    assert.equal(tokenGrants(fake).length, 1);
  });

  it('asks for a new token when the shop refuses the cached one (401) and sends the call again', async () => {
    const fake = await shop();
    const reader = catalogue(fake, { locationId: LOCATION });
    await reader.listVariants(undefined);
    fake.shop.expireTokens();
    const page = await reader.listVariants(undefined);
    assert.equal(page.variants.length, 3);
    assert.equal(tokenGrants(fake).length, 2);
    assert.equal(graphqlCalls(fake).length, 3);
  });

  it('still works with a legacy admin-created token, and says which credential a refusal concerns', async () => {
    const fake = await shop({ legacyToken: 'shpat_legacy' });
    const page = await catalogue(
      fake,
      { locationId: LOCATION },
      { accessToken: 'shpat_legacy' },
    ).listVariants(undefined);
    assert.equal(page.variants.length, 3);
    assert.equal(tokenGrants(fake).length, 0);
    await assert.rejects(
      catalogue(fake, { locationId: LOCATION }, { accessToken: 'shpat_wrong' }).listVariants(undefined),
      /Shopify refused the Admin API call \(HTTP 401\)/,
    );
    await assert.rejects(
      catalogue(
        fake,
        { locationId: LOCATION },
        { clientId: 'test-client', clientSecret: 'nope' },
      ).listVariants(undefined),
      /refused the app's client credentials .*invalid_client/,
    );
  });

  it('waits for the cost bucket to refill when Shopify throttles, then reads on', async () => {
    const fake = await shop();
    const reader = catalogue(fake, { locationId: LOCATION, pageSize: 4 });
    // The bucket is spent just before the query: Shopify answers THROTTLED with the bucket's status.
    fake.shop.drainBucketBeforeNext(1);
    const page = await reader.listVariants(undefined);
    assert.equal(page.variants.length, 3);
    assert.equal(
      graphqlCalls(fake).length,
      2,
      'the throttled query is sent again once the bucket holds enough',
    );
  });

  it('sets quantities compare-and-set: a sale since the read makes the push stale, with the quantity now', async () => {
    const fake = await shop();
    const sync = catalogue(fake, { locationId: LOCATION });
    const [first, second] = (await sync.listVariants(undefined)).variants;
    fake.shop.sell('SKU-1', 2);
    const outcomes = await sync.pushVariants([
      {
        variantId: first!.variantId,
        productId: first!.productId,
        inventoryItemId: first!.inventoryItemId,
        quantity: { from: first!.quantity!, to: 4 },
        idempotencyKey: 'push-1',
      },
      {
        variantId: second!.variantId,
        productId: second!.productId,
        inventoryItemId: second!.inventoryItemId,
        quantity: { from: second!.quantity!, to: 0 },
        idempotencyKey: 'push-2',
      },
    ]);
    assert.deepEqual(outcomes, [
      { variantId: first!.variantId, outcome: 'stale', currentQuantity: 8 },
      { variantId: second!.variantId, outcome: 'applied' },
    ]);
    const now = fake.shop.variants();
    assert.equal(now[0]!.available, 8, 'the sale is not overwritten');
    assert.equal(now[1]!.available, 0);
  });

  it('sends the push idempotency key in @idempotent: the same push again after a crash applies once', async () => {
    const fake = await shop();
    const sync = catalogue(fake, { locationId: LOCATION });
    const push = {
      variantId: 'gid://shopify/ProductVariant/200',
      productId: 'gid://shopify/Product/100',
      inventoryItemId: 'gid://shopify/InventoryItem/300',
      quantity: { from: 10, to: 6 },
      idempotencyKey: 'push-after-crash',
    };
    assert.deepEqual(await sync.pushVariants([push]), [{ variantId: push.variantId, outcome: 'applied' }]);
    fake.shop.sell('SKU-1', 1);
    // The retry carries the same key: Shopify answers the first result and sets nothing again.
    assert.deepEqual(await sync.pushVariants([push]), [{ variantId: push.variantId, outcome: 'applied' }]);
    assert.equal(fake.shop.variants()[0]!.available, 5);
    const body = JSON.parse(graphqlCalls(fake).at(-1)!.body) as { query: string };
    assert.match(
      body.query,
      /inventorySetQuantities\(input: \$quantity0\) @idempotent\(key: "push-after-crash"\)/,
    );
  });

  it('sets prices per product; a price Shopify refuses fails that variant only, with its words', async () => {
    const state = shopState(1);
    state.products[0]!.variants.push({
      ...state.products[0]!.variants[0]!,
      id: 'gid://shopify/ProductVariant/299',
      sku: 'SKU-1-XL',
      inventoryItemId: 'gid://shopify/InventoryItem/399',
    });
    const fake = await shop({ initialState: state });
    const outcomes = await catalogue(fake, { locationId: LOCATION }).pushVariants([
      {
        variantId: 'gid://shopify/ProductVariant/200',
        productId: 'gid://shopify/Product/100',
        price: { price: '24.99', compareAtPrice: '29.99' },
        idempotencyKey: 'price-1',
      },
      {
        variantId: 'gid://shopify/ProductVariant/299',
        productId: 'gid://shopify/Product/100',
        price: { price: '12.345' },
        idempotencyKey: 'price-2',
      },
      {
        variantId: 'gid://shopify/ProductVariant/999',
        productId: 'gid://shopify/Product/100',
        inventoryItemId: 'gid://shopify/InventoryItem/999',
        quantity: { from: 0, to: 3 },
        idempotencyKey: 'quantity-unknown',
      },
    ]);
    assert.deepEqual(outcomes, [
      { variantId: 'gid://shopify/ProductVariant/200', outcome: 'applied' },
      {
        variantId: 'gid://shopify/ProductVariant/299',
        outcome: 'failed',
        error: 'Price must be a decimal amount of at most two places',
      },
      {
        variantId: 'gid://shopify/ProductVariant/999',
        outcome: 'failed',
        error: 'The specified inventory item could not be found.',
      },
    ]);
    const [kept, refused] = fake.shop.variants();
    assert.equal(kept!.price, '24.99');
    assert.equal(kept!.compareAtPrice, '29.99');
    assert.equal(refused!.price, '10.00');
  });

  it('carries a full batch in one call within the 1000-point query cost limit', async () => {
    const fake = await shop({}, 60);
    const sync = catalogue(fake, { locationId: LOCATION });
    const pushes = fake.shop
      .variants()
      .slice(0, sync.batchLimit)
      .map((v, i) => ({
        variantId: v.id,
        productId: v.productId,
        inventoryItemId: v.inventoryItemId,
        quantity: { from: 10, to: i },
        price: { price: '11.00' },
        idempotencyKey: `batch-${i}`,
      }));
    const outcomes = await sync.pushVariants(pushes);
    assert.equal(outcomes.filter((o) => o.outcome === 'applied').length, sync.batchLimit);
    assert.equal(graphqlCalls(fake).length, 1);
    await assert.rejects(
      sync.pushVariants([...pushes, { ...pushes[0]!, idempotencyKey: 'one-too-many' }]),
      /at most 50/,
    );
  });
});
