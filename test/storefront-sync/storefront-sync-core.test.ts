import assert from 'node:assert/strict';
import {
  mapCatalogue,
  normalisedBarcode,
  parseExplicitMapCsv,
  type SupplierItem,
  type VariantSource,
} from '../../core/storefront-sync/catalogue-mapping';
import { compilePriceRules, type PriceRule } from '../../core/storefront-sync/price-rules';
import {
  diffVariants,
  restaleQuantity,
  type DesiredVariant,
  type KnownVariant,
} from '../../core/storefront-sync/sync-diff';
import { supplierAvailability, variantQuantity } from '../../core/storefront-sync/variant-quantity';
import { resolveStockPolicy } from '../../core/routing/stock-policy';
import type { StorefrontVariant } from '../../core/ports/storefront-catalogue';

const variant = (id: string, extra: Partial<StorefrontVariant> = {}): StorefrontVariant => ({
  variantId: id,
  productId: `p-${id}`,
  title: id,
  ...extra,
});

/** Sources as supplier, SKU and how matched (each also carries the item it matched, checked once below). */
const withoutItems = (sources: VariantSource[] | undefined) =>
  sources?.map(({ supplierId, sku, by }) => ({ supplierId, sku, by }));

describe('storefront sync: catalogue mapping', () => {
  const items: SupplierItem[] = [
    { supplierId: 'acme', sku: 'MUG-1' },
    { supplierId: 'zeta', sku: 'Z-77', identifiers: [{ qualifier: 'UP', id: '012345678905' }] },
    { supplierId: 'acme', sku: 'TEE-9' },
    { supplierId: 'bolt', sku: 'B-1' },
    { supplierId: 'orphan', sku: 'NOBODY' },
  ];

  it('matches by SKU, by barcode in any GTIN spelling, and by the explicit map, several suppliers per variant', () => {
    const mapping = mapCatalogue(
      [
        variant('v1', { sku: 'MUG-1', barcode: '0012345678905' }),
        variant('v2', { sku: 'TEE-9' }),
        variant('v3', { sku: 'HAT-2' }),
        variant('v4', { sku: 'LONE' }),
      ],
      items,
      {
        matchBy: ['sku', 'barcode'],
        explicit: [{ variant: 'HAT-2', supplierId: 'bolt', supplierSku: 'B-1' }],
      },
    );
    assert.deepEqual(withoutItems(mapping.sources.get('v1')), [
      { supplierId: 'acme', sku: 'MUG-1', by: 'sku' },
      { supplierId: 'zeta', sku: 'Z-77', by: 'barcode' },
    ]);
    assert.deepEqual(withoutItems(mapping.sources.get('v2')), [
      { supplierId: 'acme', sku: 'TEE-9', by: 'sku' },
    ]);
    assert.deepEqual(withoutItems(mapping.sources.get('v3')), [
      { supplierId: 'bolt', sku: 'B-1', by: 'map' },
    ]);
    assert.equal(mapping.sources.get('v1')![1]!.item, items[1], 'the barcode match carries the item itself');
    assert.deepEqual(
      mapping.unmatchedVariants.map((v) => v.sku),
      ['LONE'],
      'a variant no supplier carries is reported',
    );
    assert.deepEqual(
      mapping.unmappedItems.map((item) => `${item.supplierId}:${item.sku}`),
      ['orphan:NOBODY'],
      'a supplier item mapped to nothing is reported',
    );
  });

  it('uses only the matches it is told to, and the explicit map wins over a SKU match of the same supplier', () => {
    const mapping = mapCatalogue([variant('v1', { sku: 'MUG-1', barcode: '012345678905' })], items, {
      matchBy: ['sku'],
      explicit: [{ variant: 'v1', supplierId: 'acme', supplierSku: 'TEE-9' }],
    });
    assert.deepEqual(withoutItems(mapping.sources.get('v1')), [
      { supplierId: 'acme', sku: 'TEE-9', by: 'map' },
    ]);
  });

  it('normalises barcodes to GTIN-14 and refuses what is not one', () => {
    assert.equal(normalisedBarcode('012345678905'), '00012345678905');
    assert.equal(normalisedBarcode('4006381-333931'), '04006381333931');
    assert.equal(normalisedBarcode('ABC123'), undefined);
    assert.equal(normalisedBarcode('1234567'), undefined);
  });

  it('reads the explicit map from CSV and names the line and field of a bad row', () => {
    assert.deepEqual(
      parseExplicitMapCsv('Variant,Supplier,Supplier SKU\r\nMUG-1,acme,A-100\n\nTEE-9,zeta,Z-9\n'),
      [
        { variant: 'MUG-1', supplierId: 'acme', supplierSku: 'A-100' },
        { variant: 'TEE-9', supplierId: 'zeta', supplierSku: 'Z-9' },
      ],
    );
    assert.throws(() => parseExplicitMapCsv('variant,supplier\nMUG-1,acme'), /line 1: the header needs/);
    assert.throws(
      () => parseExplicitMapCsv('variant,supplier,supplier_sku\nMUG-1,,A-1'),
      /line 2: supplier is empty/,
    );
  });
});

describe('storefront sync: available quantity', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  const policy = resolveStockPolicy({ buffer: { units: 2 }, disqualifyAfterMinutes: 60 }, undefined);

  it('takes the open POs and the buffer off each supplier, and sums or takes the best per the rule', () => {
    const acme = supplierAvailability(
      { supplierId: 'acme', sku: 'MUG-1', by: 'sku' },
      { quantity: 10, committed: 3, feedAt: now },
      policy,
      now,
    );
    const zeta = supplierAvailability(
      { supplierId: 'zeta', sku: 'MUG-1', by: 'sku' },
      { quantity: 6, feedAt: now },
      policy,
      now,
    );
    assert.equal(acme.sellable, 5);
    assert.equal(zeta.sellable, 4);
    const sum = variantQuantity([acme, zeta], 'sum', {});
    assert.equal(sum.quantity, 9);
    assert.equal(
      sum.explanation,
      '9 = acme 5 (10 less 3 on open POs and buffer 2) + zeta 4 (6 less buffer 2)',
    );
    assert.equal(variantQuantity([acme, zeta], 'best', {}).quantity, 5);
  });

  it('counts a feed older than the router allows, or no feed, as nothing: zero when every feed is stale', () => {
    const old = now - 2 * 3_600_000;
    const stale = supplierAvailability(
      { supplierId: 'acme', sku: 'MUG-1', by: 'sku' },
      { quantity: 50, feedAt: old },
      policy,
      now,
    );
    const none = supplierAvailability(
      { supplierId: 'zeta', sku: 'MUG-1', by: 'sku' },
      undefined,
      policy,
      now,
    );
    const result = variantQuantity([stale, none], 'sum', {});
    assert.equal(result.quantity, 0);
    assert.match(result.explanation, /acme 0 \(feed 2h old, limit 60min\)/);
    assert.match(result.explanation, /zeta no stock feed for MUG-1/);
  });

  it('shows 0 below the floor and caps at the ceiling', () => {
    const few = { supplierId: 'acme', sellable: 2, note: 'acme 2' };
    const many = { supplierId: 'acme', sellable: 500, note: 'acme 500' };
    assert.equal(variantQuantity([few], 'sum', { floor: 3 }).quantity, 0);
    assert.equal(variantQuantity([many], 'sum', { ceiling: 100 }).quantity, 100);
    assert.match(
      variantQuantity([many], 'sum', { ceiling: 100 }).explanation,
      /capped at the ceiling of 100/,
    );
  });
});

describe('storefront sync: price rules', () => {
  const rules: PriceRule[] = [
    {
      name: 'acme mugs',
      match: { supplier: 'acme', category: 'Mugs' },
      markup: 2,
      fixed: 2.5,
      rounding: 'cent99',
    },
    { name: 'margin guard', match: { sku: 'CHEAP-*' }, markup: 1.05, rounding: 'cent99', minMargin: 5 },
    {
      name: 'with compare-at',
      match: { brand: 'Lux' },
      markup: 1.5,
      rounding: 'whole',
      compareAtMarkup: 1.3,
    },
    { name: 'default', match: {}, markup: 1.4 },
  ];
  const prices = compilePriceRules(rules);

  it('prices cost × markup + fixed, rounded to .99, from the cheapest supplier in stock, and explains it', () => {
    const result = prices.priceOf(variant('v', { sku: 'MUG-1', productType: 'Mugs' }), [
      { supplierId: 'zeta', cost: 9.0, sellable: 0 },
      { supplierId: 'acme', cost: 11.2, sellable: 4 },
    ]);
    assert.equal(result?.price, '24.99');
    assert.equal(
      result?.explanation,
      '24.99 = 11.20 × 2.0 + 2.50, rounded to .99; rule "acme mugs"; supplier acme cheapest in stock',
    );
  });

  it('never goes below cost plus the minimum margin, nor below the MAP', () => {
    const margin = prices.priceOf(variant('v', { sku: 'CHEAP-1' }), [
      { supplierId: 'acme', cost: 20, sellable: 1 },
    ]);
    assert.equal(margin?.price, '25.99');
    assert.match(margin.explanation, /raised to keep the minimum margin of 5.00/);
    const map = prices.priceOf(variant('v', { sku: 'X' }), [
      { supplierId: 'acme', cost: 10, mapPrice: 19.95, sellable: 1 },
    ]);
    assert.equal(map?.price, '19.95');
    assert.match(map.explanation, /raised to the MAP of 19.95/);
  });

  it('sets a compare-at price from the price, and leaves unpriced variants alone', () => {
    const lux = prices.priceOf(variant('v', { vendor: 'Lux' }), [
      { supplierId: 'acme', cost: 10, sellable: 1 },
    ]);
    assert.deepEqual([lux?.price, lux?.compareAtPrice], ['15.00', '20.00']);
    assert.equal(
      prices.priceOf(variant('v'), [{ supplierId: 'acme', sellable: 3 }]),
      undefined,
      'no cost known',
    );
    assert.equal(
      compilePriceRules([]).priceOf(variant('v'), [{ supplierId: 'acme', cost: 1, sellable: 1 }]),
      undefined,
    );
  });
});

describe('storefront sync: diff', () => {
  const want = (id: string, quantity: number, price?: string): DesiredVariant => ({
    variantId: id,
    productId: `p-${id}`,
    sku: id.toUpperCase(),
    quantity,
    quantityExplanation: `${quantity} = acme ${quantity}`,
    ...(price ? { price, priceExplanation: 'rule' } : {}),
  });

  it('pushes only what moved from what sync last set, compare-and-set from what the shop holds', () => {
    const known = new Map<string, KnownVariant>([
      ['a', { variantId: 'a', shopQuantity: 5, shopPrice: '9.99' }],
      ['b', { variantId: 'b', shopQuantity: 7, targetQuantity: 8, shopPrice: '9.99' }],
      ['c', { variantId: 'c', shopQuantity: 3, targetQuantity: 4 }],
      [
        'd',
        {
          variantId: 'd',
          shopQuantity: 1,
          pending: { push: { variantId: 'd', productId: 'p-d', idempotencyKey: 'k' }, target: {} },
        },
      ],
    ]);
    const changes = diffVariants([want('a', 5, '12.99'), want('b', 8), want('c', 2), want('d', 9)], known, {
      pushPrices: true,
    });
    assert.deepEqual(
      changes.map((change) => [change.variantId, change.push.quantity, change.push.price?.price]),
      [
        ['a', undefined, '12.99'],
        ['c', { from: 3, to: 2 }, undefined],
      ],
      'b: the shop sold one since sync set 8, which is no reason to push; d waits for its pending push',
    );
    assert.equal(changes[1]!.description, 'C: quantity 3 → 2 (2 = acme 2)');
    assert.deepEqual(diffVariants([want('a', 5, '12.99')], known, { pushPrices: false }), []);
  });

  it('retries a stale push on top of what the shop holds now, keeping the sale', () => {
    assert.deepEqual(restaleQuantity({ from: 10, to: 20 }, 9), { from: 9, to: 19 });
    assert.deepEqual(restaleQuantity({ from: 2, to: 1 }, 0), { from: 0, to: 0 });
    assert.deepEqual(
      restaleQuantity({ from: 5, to: 8 }, 6),
      { from: 6, to: 8 },
      'more in the shop: not a sale',
    );
  });
});
