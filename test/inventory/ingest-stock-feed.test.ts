import assert from 'node:assert/strict';
import { ingestStockFeed } from '../../core/inventory/ingest-stock-feed';
import { parseStockCsv, parseStockJson } from '../../core/inventory/stock-feed';
import { sellableUnderRules } from '../../core/routing/compiled-rules';
import { parseRoutingRules } from '../../core/routing/routing-rules';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';

describe('ingestStockFeed (SQLite store)', () => {
  let store: SqliteOrderStore;
  const nine = new Date('2026-11-20T09:00:00Z');
  const ten = new Date('2026-11-20T10:00:00Z');
  beforeEach(async () => {
    store = new SqliteOrderStore({ filename: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  it('stores the good rows, passes the bad rows on and reports SKUs coming into stock', async () => {
    const feed = parseStockCsv('sku,qty\nMUG,12\nTEE,0\nCAP,x\n', { supplierId: 'acme' });
    const result = await ingestStockFeed(store, feed, { feedAt: nine });
    assert.equal(result.applied, 2);
    assert.deepEqual(result.problems, [{ line: 4, reason: 'quantity for CAP is "x", not a whole number' }]);
    assert.deepEqual(result.crossings, [
      { sku: 'MUG', supplierId: 'acme', previous: 0, sellable: 12, crossed: [0], direction: 'up' },
    ]);
    assert.deepEqual(
      (await store.listStock({ skus: ['MUG', 'TEE', 'CAP'] })).map((r) => [r.sku, r.quantity, r.feedAt]),
      [
        ['MUG', 12, nine.toISOString()],
        ['TEE', 0, nine.toISOString()],
      ],
    );
  });

  it('counts every supplier: a SKU sells out only when the last supplier runs out', async () => {
    await ingestStockFeed(store, parseStockCsv('supplier,sku,qty\nacme,MUG,5\nzeta,MUG,3\n'), {
      feedAt: nine,
    });
    const acmeOut = await ingestStockFeed(store, parseStockCsv('sku,qty\nMUG,0\n', { supplierId: 'acme' }), {
      feedAt: ten,
    });
    assert.deepEqual(acmeOut.crossings, []);
    const zetaOut = await ingestStockFeed(store, parseStockCsv('sku,qty\nMUG,0\n', { supplierId: 'zeta' }), {
      feedAt: ten,
    });
    assert.deepEqual(zetaOut.crossings, [
      { sku: 'MUG', supplierId: 'zeta', previous: 3, sellable: 0, crossed: [0], direction: 'down' },
    ]);
  });

  it('applies the routing rules buffers and reports thresholds', async () => {
    const rules = parseRoutingRules({ suppliers: { acme: { stock: { buffer: { units: 2 } } } } });
    const options = { thresholds: [5], sellable: sellableUnderRules(rules) };
    await ingestStockFeed(store, parseStockCsv('sku,qty\nMUG,12\nTEE,3\n', { supplierId: 'acme' }), {
      ...options,
      feedAt: nine,
    });
    const result = await ingestStockFeed(
      store,
      parseStockCsv('sku,qty\nMUG,6\nTEE,2\n', { supplierId: 'acme' }),
      {
        ...options,
        feedAt: ten,
      },
    );
    // MUG: 10 -> 4 sellable crosses 5; TEE: 1 -> 0 sells out.
    assert.deepEqual(result.crossings, [
      { sku: 'MUG', supplierId: 'acme', previous: 10, sellable: 4, crossed: [5], direction: 'down' },
      { sku: 'TEE', supplierId: 'acme', previous: 1, sellable: 0, crossed: [0], direction: 'down' },
    ]);
  });

  it('ignores a feed older than the last one applied and says so', async () => {
    await ingestStockFeed(store, parseStockCsv('sku,qty\nMUG,5\n', { supplierId: 'acme' }), { feedAt: ten });
    const late = await ingestStockFeed(store, parseStockCsv('sku,qty\nMUG,50\n', { supplierId: 'acme' }), {
      feedAt: nine,
    });
    assert.equal(late.applied, 0);
    assert.deepEqual(late.ignored, [
      { supplierId: 'acme', feedAt: nine.toISOString(), lastFeedAt: ten.toISOString(), rows: 1 },
    ]);
    assert.equal((await store.listStock({ skus: ['MUG'] }))[0]?.quantity, 5);
  });

  it('applies rows with their own times oldest first', async () => {
    const feed = parseStockJson({
      supplierId: 'acme',
      items: [
        { sku: 'MUG', quantity: 7, asOf: ten.toISOString() },
        { sku: 'TEE', quantity: 1, asOf: nine.toISOString() },
      ],
    });
    const result = await ingestStockFeed(store, feed, { feedAt: new Date('2026-11-20T11:00:00Z') });
    assert.equal(result.applied, 2);
    assert.deepEqual(result.ignored, []);
    assert.deepEqual(
      (await store.listStock({ skus: ['MUG', 'TEE'] })).map((r) => [r.sku, r.feedAt]),
      [
        ['MUG', ten.toISOString()],
        ['TEE', nine.toISOString()],
      ],
    );
  });
});
