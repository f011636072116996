import assert from 'node:assert/strict';
import { fixedClock } from '../../core/clock';
import type { OrderStore } from '../../core/store/order-store';
import type { DesiredVariant } from '../../core/storefront-sync/sync-diff';
import {
  runSync,
  importCatalogue,
  type StorefrontSyncSettings,
} from '../../core/storefront-sync/sync-storefront';
import { FakeStorefrontCatalogue } from '../fakes/storefront-catalogue';
import { flagOversoldOrder } from '../../core/storefront-sync/oversell';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';

const SETTINGS: StorefrontSyncSettings = {
  matchBy: ['sku', 'barcode'],
  explicitMap: [],
  combine: 'sum',
  limits: {},
  variantLimits: [],
  priceRules: [{ name: 'all', match: {}, markup: 2, rounding: 'cent99' }],
  pushPrices: true,
};

/**
 * Storefront sync's durable state (core/store/storefront-sync-store.ts) and a sync run over it against an in-memory
 * shop: imports, desired and pushed state, pushes stored with their key before they are sent and resumed with it,
 * compare-and-set retried without undoing a sale. Each engine's test file calls this with a fresh, migrated store.
 */
export function describeStorefrontSyncBehaviour(
  engine: string,
  createStore: () => Promise<OrderStore>,
): void {
  describe(`OrderStore storefront sync (${engine})`, function () {
    let store: OrderStore;
    let shop: FakeStorefrontCatalogue;
    const clock = fixedClock('2026-12-07T12:00:00Z');
    let keys: number;
    const deps = () => ({
      catalogue: shop,
      store,
      settings: SETTINGS,
      clock,
      newKey: () => `key-${++keys}`,
    });

    beforeEach(async () => {
      store = await createStore();
      keys = 0;
      clock.advance(60_000);
      shop = new FakeStorefrontCatalogue('shopify', 2, 2).add(
        { variantId: 'v1', productId: 'p1', title: 'Mug', sku: 'MUG-1', quantity: 0, price: '1.00' },
        {
          variantId: 'v2',
          productId: 'p2',
          title: 'Tee',
          sku: 'TEE-1',
          barcode: '012345678905',
          quantity: 3,
        },
        { variantId: 'v3', productId: 'p3', title: 'Hat', sku: 'HAT-1', quantity: 4 },
      );
      await store.applyStockFeed('acme', clock.now(), [
        { sku: 'MUG-1', quantity: 7 },
        { sku: 'A-TEE', quantity: 5 },
        { sku: 'LOOSE', quantity: 1 },
      ]);
      await store.applyStockFeed('zeta', clock.now(), [{ sku: 'MUG-1', quantity: 2 }]);
      await store.recordSupplierItems(
        [
          {
            supplierId: 'acme',
            sku: 'A-TEE',
            identifiers: [{ qualifier: 'UP', id: '012345678905' }],
            cost: 4.5,
          },
        ],
        clock.now(),
      );
    });
    afterEach(async () => {
      await store.close();
    });

    it('imports every page of variants and drops variants gone from the shop', async () => {
      assert.equal(await importCatalogue(deps()), 3);
      assert.deepEqual(
        (await store.listStorefrontVariants('shopify')).map((v) => v.sku),
        ['MUG-1', 'TEE-1', 'HAT-1'],
      );
      shop.variants.delete('v3');
      clock.advance(1000);
      await importCatalogue(deps());
      assert.deepEqual(
        (await store.listStorefrontVariants('shopify')).map((v) => v.variantId),
        ['v1', 'v2'],
      );
      assert.deepEqual(await store.listStorefrontVariants('woocommerce'), []);
    });

    it('lists every stocked item with the details a feed gave it and its stock, open POs included', async () => {
      const { order } = await store.receiveOrder(
        sampleOrderDraft({
          lines: [{ lineId: '1', sku: 'MUG-1', quantity: 2, unitPrice: 10, requiresShipping: true }],
        }),
        { actor: 't' },
      );
      await store.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order, 'acme')], {
        type: 'order.routed',
        actor: 't',
      });
      const feedAt = clock.now().getTime();
      const items = await store.listSupplierStock();
      assert.deepEqual(items, [
        {
          supplierId: 'acme',
          sku: 'A-TEE',
          identifiers: [{ qualifier: 'UP', id: '012345678905' }],
          cost: 4.5,
          stock: { quantity: 5, committed: 0, feedAt },
        },
        { supplierId: 'acme', sku: 'LOOSE', stock: { quantity: 1, committed: 0, feedAt } },
        { supplierId: 'acme', sku: 'MUG-1', stock: { quantity: 7, committed: 2, feedAt } },
        { supplierId: 'zeta', sku: 'MUG-1', stock: { quantity: 2, committed: 0, feedAt } },
      ]);
    });

    it('pushes what differs once, stores desired and pushed state, and then pushes nothing', async () => {
      await importCatalogue(deps());
      const first = await runSync(deps());
      assert.deepEqual(
        {
          pushed: first.pushed,
          unchanged: first.unchanged,
          failed: first.failed,
          unmatched: first.unmatchedVariants,
          unmapped: first.unmappedItems,
        },
        { pushed: 2, unchanged: 0, failed: [], unmatched: 1, unmapped: 1 },
      );
      assert.equal(shop.variants.get('v1')!.quantity, 9, 'acme 7 + zeta 2');
      assert.equal(shop.variants.get('v2')!.quantity, 5, 'by barcode');
      assert.equal(shop.variants.get('v2')!.price, '9.99', '4.50 × 2, rounded to .99');
      assert.equal(shop.variants.get('v3')!.quantity, 4, 'no supplier carries it: reported, left alone');
      const desired = [...(await store.storedDesiredVariants('shopify')).values()].map(
        (text) => JSON.parse(text) as DesiredVariant,
      );
      assert.equal(desired.find((d) => d.variantId === 'v1')?.quantityExplanation, '9 = acme 7 + zeta 2');
      assert.deepEqual(
        await store.desiredQuantities('shopify', ['MUG-1', 'TEE-1', 'HAT-1']),
        new Map([
          ['MUG-1', 9],
          ['TEE-1', 5],
        ]),
      );
      const pushesBefore = shop.received.length;
      const second = await runSync(deps());
      assert.deepEqual([second.pushed, second.unchanged], [0, 2]);
      assert.equal(shop.received.length, pushesBefore, 'nothing sent when nothing changed');

      clock.advance(60_000);
      await store.applyStockFeed('zeta', clock.now(), [{ sku: 'MUG-1', quantity: 0 }]);
      const third = await runSync(deps());
      assert.deepEqual([third.pushed, third.unchanged], [1, 1]);
      assert.deepEqual(shop.received.at(-1)!.quantity, { from: 9, to: 7 });
    });

    it('resends a push a crash left pending with the same key, and the shop applies it once', async () => {
      await importCatalogue(deps());
      const sync = store;
      // What a run that died after storing and sending, before recording, leaves behind.
      const push = {
        variantId: 'v1',
        productId: 'p1',
        quantity: { from: 0, to: 9 },
        idempotencyKey: 'crash-key',
      };
      await sync.beginVariantPushes('shopify', [{ push, target: { quantity: 9 } }], clock.now());
      await shop.pushVariants([push]);
      assert.equal(
        (await sync.listKnownVariants('shopify')).find((k) => k.variantId === 'v1')?.pending?.push
          .idempotencyKey,
        'crash-key',
      );

      const report = await runSync(deps());
      assert.equal(report.resumed, 1);
      assert.equal(shop.applications.get('crash-key'), 1, 'applied once although sent twice');
      assert.equal(shop.received.filter((p) => p.idempotencyKey === 'crash-key').length, 2);
      assert.equal(shop.variants.get('v1')!.quantity, 9);
      const known = (await sync.listKnownVariants('shopify')).find((k) => k.variantId === 'v1');
      assert.deepEqual([known?.pending, known?.shopQuantity, known?.targetQuantity], [undefined, 9, 9]);
      assert.equal(
        shop.received.filter((p) => p.variantId === 'v1' && p.quantity).length,
        2,
        'the resumed push settled v1: no third push for it',
      );
    });

    it('retries a stale compare-and-set on top of the quantity the shop holds, never undoing a sale', async () => {
      await importCatalogue(deps());
      await runSync(deps());
      clock.advance(60_000);
      await store.applyStockFeed('acme', clock.now(), [{ sku: 'MUG-1', quantity: 17 }]);
      // Two mugs sell in the shop after sync read it and before its push arrives.
      let sold = false;
      shop.beforePush = (push) => {
        if (push.variantId === 'v1' && !sold) {
          sold = true;
          shop.variants.get('v1')!.quantity = 7;
        }
      };
      const report = await runSync(deps());
      assert.deepEqual([report.pushed, report.failed], [1, []]);
      const mugPushes = shop.received.filter((p) => p.variantId === 'v1').slice(-2);
      assert.deepEqual(
        mugPushes.map((p) => p.quantity),
        [
          { from: 9, to: 19 },
          { from: 7, to: 17 },
        ],
      );
      assert.notEqual(mugPushes[0]!.idempotencyKey, mugPushes[1]!.idempotencyKey);
      assert.equal(shop.variants.get('v1')!.quantity, 17, 'the two sold stay sold');
    });

    it('reports a refused push with the storefront error, clears it and pushes it again next run', async () => {
      await importCatalogue(deps());
      shop.refuse.set('v2', 'Quantity cannot be set: inventory is not tracked');
      const report = await runSync(deps());
      assert.deepEqual(report.failed, [
        { variantId: 'v2', sku: 'TEE-1', error: 'Quantity cannot be set: inventory is not tracked' },
      ]);
      shop.refuse.clear();
      const again = await runSync(deps());
      assert.deepEqual([again.pushed, again.failed], [1, []]);
      assert.equal(shop.variants.get('v2')!.quantity, 5);
    });

    it('counts order lines per channel and SKU, and those of orders flagged oversold', async () => {
      await store.saveDesiredVariants(
        'generic',
        [{ variantId: 'g1', productId: 'p', sku: 'MUG-1', quantity: 0, quantityExplanation: '0 = acme 0' }],
        clock.now(),
      );
      const { order } = await store.receiveOrder(
        sampleOrderDraft({
          lines: [
            { lineId: '1', sku: 'MUG-1', quantity: 1, unitPrice: 10, requiresShipping: true },
            { lineId: '2', sku: 'TEE-1', quantity: 1, unitPrice: 10, requiresShipping: true },
          ],
        }),
        { actor: 't' },
      );
      assert.deepEqual(await flagOversoldOrder(store, order, 't'), ['MUG-1']);
      const placed = Date.parse(order.placedAt);
      assert.deepEqual(await store.oversellCounts(new Date(placed), new Date(placed + 1)), [
        { channel: 'generic', sku: 'MUG-1', lines: 1, oversold: 1 },
        { channel: 'generic', sku: 'TEE-1', lines: 1, oversold: 0 },
      ]);
      assert.deepEqual(await store.oversellCounts(new Date(placed + 1), new Date(placed + 2)), []);
    });

    it('records an outcome only under the key still pending', async () => {
      await importCatalogue(deps());
      const sync = store;
      const push = { variantId: 'v3', productId: 'p3', quantity: { from: 4, to: 0 }, idempotencyKey: 'mine' };
      await sync.beginVariantPushes('shopify', [{ push, target: { quantity: 0 } }], clock.now());
      await sync.recordVariantPushOutcomes(
        'shopify',
        [{ variantId: 'v3', idempotencyKey: 'other', shop: { quantity: 0 } }],
        clock.now(),
      );
      const known = (await sync.listKnownVariants('shopify')).find((k) => k.variantId === 'v3');
      assert.equal(known?.pending?.push.idempotencyKey, 'mine');
      assert.equal(known?.shopQuantity, 4);
    });
  });
}
