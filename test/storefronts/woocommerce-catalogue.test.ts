import assert from 'node:assert/strict';
import { fixedClock } from '../../core/clock';
import type { StorefrontVariant } from '../../core/ports/storefront-catalogue';
import { storefrontCatalogue } from '../../connectors/registry';
import { wooCommerceCatalogue } from '../../connectors/storefronts/woocommerce-catalogue';
import {
  startFakeWooCommerceCatalogue,
  type FakeWooCommerceCatalogue,
  type FakeWooProduct,
} from '../fakes/woocommerce-catalogue';

function simple(id: number, stock: number | null = 10): FakeWooProduct {
  return {
    id,
    name: `Mug ${id}`,
    type: 'simple',
    sku: `MUG-${id}`,
    global_unique_id: `0400000${id}`,
    regular_price: '12.00',
    sale_price: '',
    manage_stock: stock !== null,
    stock_quantity: stock,
    categories: [{ id: 9, name: 'Kitchen', slug: 'kitchen' }],
    variations: [],
  };
}

const tee: FakeWooProduct = {
  id: 500,
  name: 'Tee',
  type: 'variable',
  sku: 'TEE',
  global_unique_id: '',
  regular_price: '',
  sale_price: '',
  manage_stock: false,
  stock_quantity: null,
  categories: [{ id: 3, name: 'Apparel', slug: 'apparel' }],
  variations: [
    {
      id: 501,
      sku: 'TEE-S',
      global_unique_id: '',
      regular_price: '20.00',
      sale_price: '15.00',
      manage_stock: true,
      stock_quantity: 4,
      attributes: [{ id: 1, name: 'Size', option: 'S' }],
    },
    {
      id: 502,
      sku: 'TEE-L',
      global_unique_id: '',
      regular_price: '20.00',
      sale_price: '',
      manage_stock: true,
      stock_quantity: 2,
      attributes: [{ id: 1, name: 'Size', option: 'L' }],
    },
  ],
};

describe('WooCommerce catalogue through the REST API v3', () => {
  let store: FakeWooCommerceCatalogue;
  const clock = fixedClock('2026-12-08T00:00:00Z');
  const catalogue = (consumerKey = store.consumerKey) =>
    wooCommerceCatalogue(
      { storeUrl: store.url },
      { consumerKey, consumerSecret: store.consumerSecret },
      { clock },
    );

  beforeEach(async () => {
    const products = Array.from({ length: 101 }, (_, i) => simple(i + 1));
    products[2] = simple(3, null);
    store = await startFakeWooCommerceCatalogue([...products, structuredClone(tee)]);
  });
  afterEach(() => store.close());

  it('reads products page by page (X-WP-TotalPages) and the variations of each variable product', async () => {
    const reader = catalogue();
    const variants: StorefrontVariant[] = [];
    let cursor: string | undefined;
    const cursors: (string | undefined)[] = [];
    do {
      const page = await reader.listVariants(cursor);
      variants.push(...page.variants);
      cursor = page.nextCursor;
      cursors.push(cursor);
    } while (cursor);
    assert.deepEqual(cursors, ['2', undefined]);
    assert.equal(variants.length, 103);
    assert.deepEqual(variants[0], {
      variantId: '1',
      productId: '1',
      title: 'Mug 1',
      sku: 'MUG-1',
      barcode: '04000001',
      productType: 'Kitchen',
      quantity: 10,
      price: '12.00',
      compareAtPrice: null,
    });
    assert.equal(variants[2]!.quantity, undefined, 'a product whose stock is not managed has no quantity');
    assert.deepEqual(
      variants.slice(-2).map((v) => [v.variantId, v.title, v.sku, v.quantity, v.price, v.compareAtPrice]),
      [
        ['500:501', 'Tee - S', 'TEE-S', 4, '15.00', '20.00'],
        ['500:502', 'Tee - L', 'TEE-L', 2, '20.00', null],
      ],
    );
  });

  it('writes stock and prices in products/batch and variations/batch; a refused item fails alone', async () => {
    const outcomes = await catalogue().pushVariants([
      {
        variantId: '1',
        productId: '1',
        quantity: { from: 10, to: 0 },
        price: { price: '13.99' },
        idempotencyKey: 'a',
      },
      { variantId: '3', productId: '3', quantity: { from: null, to: 7 }, idempotencyKey: 'b' },
      {
        variantId: '500:501',
        productId: '500',
        quantity: { from: 4, to: 9 },
        price: { price: '16.00', compareAtPrice: '22.00' },
        idempotencyKey: 'c',
      },
      { variantId: '500:599', productId: '500', price: { price: '1.00' }, idempotencyKey: 'd' },
    ]);
    assert.deepEqual(outcomes, [
      { variantId: '1', outcome: 'applied' },
      { variantId: '3', outcome: 'applied' },
      { variantId: '500:501', outcome: 'applied' },
      { variantId: '500:599', outcome: 'failed', error: 'Invalid ID.' },
    ]);
    const [first, , third] = store.products;
    assert.deepEqual([first!.stock_quantity, first!.regular_price, first!.sale_price], [0, '13.99', '']);
    assert.deepEqual([third!.manage_stock, third!.stock_quantity], [true, 7]);
    const small = store.products.at(-1)!.variations[0]!;
    assert.deepEqual([small.stock_quantity, small.regular_price, small.sale_price], [9, '22.00', '16.00']);
    const writes = store.requests.filter((r) => r.method === 'POST').map((r) => r.path);
    assert.deepEqual(writes, [
      '/wp-json/wc/v3/products/batch',
      '/wp-json/wc/v3/products/500/variations/batch',
    ]);
  });

  it('answers stale, and writes nothing, for an item whose stock changed since it was read', async () => {
    store.products.at(-1)!.variations[1]!.stock_quantity = 1;
    const outcomes = await catalogue().pushVariants([
      { variantId: '500:502', productId: '500', quantity: { from: 2, to: 5 }, idempotencyKey: 'e' },
      { variantId: '2', productId: '2', quantity: { from: 10, to: 5 }, idempotencyKey: 'f' },
    ]);
    assert.deepEqual(outcomes, [
      { variantId: '500:502', outcome: 'stale', currentQuantity: 1 },
      { variantId: '2', outcome: 'applied' },
    ]);
    assert.equal(store.products.at(-1)!.variations[1]!.stock_quantity, 1);
    assert.equal(store.products[1]!.stock_quantity, 5);
  });

  it('says a read-only key cannot write, and takes at most 100 pushes a call', async () => {
    await assert.rejects(
      catalogue(store.readOnlyKey).pushVariants([
        { variantId: '2', productId: '2', price: { price: '9.00' }, idempotencyKey: 'g' },
      ]),
      /WooCommerce refused POST products\/batch \(HTTP 401: Sorry, you are not allowed to edit this resource\.\): the REST API key needs Read\/Write access to sync stock and prices/,
    );
    const many = Array.from({ length: 101 }, (_, i) => ({
      variantId: String(i + 1),
      productId: String(i + 1),
      price: { price: '9.00' },
      idempotencyKey: `k${i}`,
    }));
    await assert.rejects(catalogue().pushVariants(many), /at most 100/);
  });
});

describe('storefrontCatalogue (connectors/registry.ts)', () => {
  const clock = fixedClock('2026-12-08T00:00:00Z');

  it("gives the catalogue of a storefront config node's platform, or says which storefront it needs", () => {
    const shopify = storefrontCatalogue(
      { platform: 'shopify', shopDomain: 'a-shop.myshopify.com' },
      { clientId: 'id', clientSecret: 'secret' },
      { clock },
    );
    assert.deepEqual([shopify.channel, shopify.batchLimit], ['shopify', 50]);
    const woo = storefrontCatalogue(
      { platform: 'woocommerce', baseUrl: 'https://shop.example.com' },
      { consumerKey: 'ck', consumerSecret: 'cs' },
      { clock },
    );
    assert.deepEqual([woo.channel, woo.batchLimit], ['woocommerce', 100]);
    assert.throws(
      () => storefrontCatalogue({ platform: 'generic' }, {}, { clock }),
      /needs a Shopify storefront with its shop domain, or a WooCommerce storefront with its address/,
    );
    assert.throws(
      () => storefrontCatalogue({ platform: 'shopify', shopDomain: 'a-shop.myshopify.com' }, {}, { clock }),
      /no Admin API credentials: give the app's client id and client secret/,
    );
  });
});
