import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { NodeAPI } from 'node-red';
import type { OrderStore } from '../../core/store/order-store';
import inventoryInNode from '../../nodes/inventory-in/inventory-in';
import routerNode from '../../nodes/router/router';
import storeNode from '../../nodes/store/store';
import storefrontSyncNode from '../../nodes/storefront-sync/storefront-sync';
import supplierNode from '../../nodes/supplier/supplier';
import { FakeStorefrontCatalogue } from '../fakes/storefront-catalogue';
import { storeOfFlow, until } from '../nodes/tracking-in-setup';

helper.init(require.resolve('node-red'));

interface TestNode {
  receive(msg: object): void;
  on(event: string, listener: (value: never) => void): void;
  status: unknown;
}

/**
 * The storefront the sync node is given: a config node offering the port (`catalogue()`), as dropship-storefront
 * does, over the in-memory shop of the test.
 */
let shop: FakeStorefrontCatalogue;
function testStorefrontNode(RED: NodeAPI): void {
  RED.nodes.registerType('test-storefront', function (this: { catalogue(): unknown }, config: object) {
    RED.nodes.createNode(this as never, config as never);
    this.catalogue = () => shop;
  } as never);
}

const SYNC = {
  id: 'sync',
  type: 'dropship-storefront-sync',
  name: 'stock to shop',
  store: 'store',
  storefront: 'shop',
  router: 'router',
  matchBy: 'sku_barcode',
  map: 'variant,supplier,supplier_sku\nHAT-1,zeta,Z-HAT',
  combine: 'sum',
  floor: '',
  ceiling: '50',
  limits: [{ sku: 'TEE-*', floor: '3' }],
  priceRules: [{ name: 'all', markup: '2', fixed: '1', rounding: 'cent99' }],
  pushPrices: true,
  intervalSeconds: 3600,
  importMinutes: 60,
  wires: [['result'], ['exceptions']],
};

describe('dropship-storefront-sync node in Node-RED', function () {
  this.timeout(30_000);
  let dir: string;
  let store: OrderStore;
  const statuses: { text?: string; fill?: string }[] = [];

  async function load(sync: Partial<typeof SYNC> = {}): Promise<void> {
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      { id: 'shop', type: 'test-storefront' },
      ...['acme', 'zeta'].map((supplierId) => ({
        id: `${supplierId}-supplier`,
        type: 'dropship-supplier',
        supplierId,
        connector: 'rest-json',
        settings: { url: `http://127.0.0.1:9/${supplierId}` },
      })),
      {
        id: 'router',
        type: 'dropship-router',
        store: 'store',
        sweepSeconds: 3600,
        rules: {
          suppliers: { acme: { stock: { buffer: { units: 1 } } } },
          catalogue: [{ supplier: 'acme', match: { sku: 'MUG-1' }, unitCost: 4.5 }],
        },
        wires: [[], []],
      },
      {
        id: 'feed',
        type: 'dropship-inventory-in',
        store: 'store',
        supplier: 'acme',
        router: 'router',
        source: 'messages',
        wires: [['sync'], []],
      },
      { ...SYNC, ...sync },
      { id: 'result', type: 'helper' },
      { id: 'exceptions', type: 'helper' },
    ];
    await helper.load(
      [storeNode, supplierNode, routerNode, inventoryInNode, storefrontSyncNode, testStorefrontNode],
      flow,
    );
    store = await storeOfFlow();
    statuses.length = 0;
    (helper.getNode('sync') as unknown as { status: (s: object) => void }).status = function (s) {
      statuses.push(s);
    };
  }
  const next = (id: string) =>
    new Promise<Record<string, unknown>>((resolve) =>
      (helper.getNode(id) as unknown as TestNode).on('input', resolve),
    );

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-storefront-sync-'));
    shop = new FakeStorefrontCatalogue('shopify', 2, 2).add(
      { variantId: 'v1', productId: 'p1', title: 'Mug', sku: 'MUG-1', quantity: 0, price: '1.00' },
      { variantId: 'v2', productId: 'p2', title: 'Tee', sku: 'TEE-1', quantity: 9 },
      { variantId: 'v3', productId: 'p3', title: 'Hat', sku: 'HAT-1', quantity: 4 },
    );
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes the stock a feed brings, after dropship-inventory-in, with counts on its status and output', async () => {
    await load();
    await store.applyStockFeed('zeta', new Date(), [{ sku: 'Z-HAT', quantity: 6 }]);
    const result = next('result');
    helper.getNode('feed').receive({ payload: 'sku,quantity\nMUG-1,8\nTEE-1,3\n' });
    const msg = await result;
    assert.deepEqual(msg.payload, {
      pushed: 3,
      unchanged: 0,
      failed: [],
      resumed: 0,
      unmatchedVariants: 0,
      unmappedItems: 0,
    });
    assert.deepEqual(
      [...shop.variants.values()].map((v) => [v.sku, v.quantity, v.price]),
      [
        ['MUG-1', 7, '10.99'],
        ['TEE-1', 0, undefined],
        ['HAT-1', 6, undefined],
      ],
      'MUG-1: 8 less acme buffer 1, 4.50 × 2 + 1 = 10.00, up to .99; TEE-1: 3 less buffer 1 is under its floor of 3; HAT-1 by the map',
    );
    assert.deepEqual(statuses.at(-1), {
      fill: 'green',
      shape: 'dot',
      text: '3 pushed, 0 unchanged, 0 failed',
    });

    const again = next('result');
    helper.getNode('sync').receive({ topic: 'again' });
    assert.deepEqual((await again).payload, {
      pushed: 0,
      unchanged: 3,
      failed: [],
      resumed: 0,
      unmatchedVariants: 0,
      unmappedItems: 0,
    });
  });

  it('sends each refused variant out of the exceptions output with the storefront error', async () => {
    await load();
    shop.refuse.set('v1', 'Inventory item is not stocked at the location');
    const exceptions = next('exceptions');
    helper.getNode('feed').receive({ payload: 'sku,quantity\nMUG-1,8\n' });
    const msg = (await exceptions) as { payload: unknown; error: { code: string; message: string } };
    assert.deepEqual(msg.payload, { variantId: 'v1', sku: 'MUG-1' });
    assert.equal(msg.error.code, 'storefront_refused');
    assert.equal(msg.error.message, 'MUG-1: Inventory item is not stocked at the location');
    await until(
      () => (statuses.at(-1)?.text === '1 pushed, 0 unchanged, 1 failed' ? true : undefined),
      'the status',
    );
  });

  it('previews the first changes in words without pushing anything, behind the admin permission', async () => {
    await load();
    await store.applyStockFeed('acme', new Date(), [{ sku: 'MUG-1', quantity: 8 }]);
    const response = await helper
      .request()
      .get('/dropship/storefront-sync/preview')
      .query({ node: 'sync' })
      .expect(200);
    const preview = response.body as {
      variants: number;
      changes: number;
      first: string[];
      unmatchedVariants: string[];
    };
    assert.equal(preview.variants, 2, 'the variants a supplier carries');
    assert.equal(preview.changes, 2);
    assert.equal(
      preview.first[0],
      'MUG-1: quantity 0 → 7 (7 = acme 7 (8 less buffer 1)); price 1.00 → 10.99 (10.99 = 4.50 × 2.0 + 1.00, rounded to .99; rule "all"; supplier acme cheapest in stock)',
    );
    assert.equal(preview.first[1], 'HAT-1: quantity 4 → 0 (0 = zeta no stock feed for Z-HAT)');
    assert.deepEqual(preview.unmatchedVariants, ['TEE-1']);
    assert.equal(shop.received.length, 0, 'a preview pushes nothing');
    await helper.request().get('/dropship/storefront-sync/preview').query({ node: 'nope' }).expect(404);
    await helper
      .request()
      .get('/dropship/storefront-sync/preview')
      .set('Origin', 'https://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .query({ node: 'sync' })
      .expect(403);
  });

  it('matches a shop variant by the barcode an X12 846 line gives, kept by dropship-inventory-in', async () => {
    shop.add({
      variantId: 'v9',
      productId: 'p9',
      title: 'Shop mug',
      sku: 'SHOP-MUG',
      barcode: '0012345678905',
      quantity: 0,
    });
    await load();
    const feed = [
      'ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*DROPSHIPCO     *261120*1030*U*00401*000000402*0*P*:~',
      'GS*IB*ACMESUPPLY*DROPSHIPCO*20261120*1030*402*X*004010~',
      'ST*846*0001~',
      'BIA*00*DD*INV-FEED-9*20261121*0600~',
      'LIN*1*VP*SUP-MUG-9*UP*012345678905~',
      'QTY*33*25*EA~',
      'CTT*1~',
      'SE*6*0001~',
      'GE*1*402~',
      'IEA*1*000000402~',
    ].join('\n');
    const result = next('result');
    helper.getNode('feed').receive({ payload: Buffer.from(feed) });
    await result;
    assert.equal(shop.variants.get('v9')!.quantity, 24, '25 less acme buffer 1, matched by UPC');
  });

  it('runs on its schedule without a message', async () => {
    await load({ intervalSeconds: 1 });
    await store.applyStockFeed('acme', new Date(), [{ sku: 'MUG-1', quantity: 5 }]);
    await until(() => (shop.variants.get('v1')!.quantity === 4 ? true : undefined), 'the timed sync', 8_000);
  });

  it('refuses settings it cannot use, naming the field, and pushes nothing', async () => {
    await load({ priceRules: [{ name: 'x', markup: '' }] as unknown as typeof SYNC.priceRules });
    const response = await helper
      .request()
      .get('/dropship/storefront-sync/preview')
      .query({ node: 'sync' })
      .expect(400);
    assert.match(
      (response.body as { error: { message: string } }).error.message,
      /\/priceRules\/0\/markup is empty/,
    );
    assert.equal(shop.received.length, 0);
  });
});
