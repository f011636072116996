import assert from 'node:assert/strict';
import { INVENTORY_846 } from './feed-fixtures';
import { x12StockReader } from '../../connectors/edi/x12/read-stock-846';
import {
  parseStockCsv,
  parseStockFeed,
  parseStockJson,
  parseStockX12,
} from '../../core/inventory/stock-feed';

describe('stock feed parsing', () => {
  describe('CSV', () => {
    it('reads a BOM, quoted commas, CRLF and header aliases', () => {
      const csv =
        '\uFEFFItem SKU,Qty Available,Supplier ID\r\n"MUG,RED",12,acme\r\nTEE-01,0,zeta\r\n"CAP ""X""",3.0,acme\r\n';
      const feed = parseStockCsv(csv);
      assert.deepEqual(feed, {
        format: 'csv',
        rows: [
          { supplierId: 'acme', sku: 'MUG,RED', quantity: 12, line: 2 },
          { supplierId: 'zeta', sku: 'TEE-01', quantity: 0, line: 3 },
          { supplierId: 'acme', sku: 'CAP "X"', quantity: 3, line: 4 },
        ],
        problems: [],
      });
    });

    it('reports bad rows by line and keeps the good ones', () => {
      const csv = [
        'sku,quantity,as_of',
        'A-1,5,',
        ',7,',
        'A-3,lots,',
        'A-4,-2,2026-11-20T08:00:00Z',
        'A-5,1,yesterday',
        '"A-6\nwith a newline",4,',
        'A-7,2.5,',
        'A-8,9,',
      ].join('\n');
      const feed = parseStockCsv(csv, { supplierId: 'acme' });
      assert.deepEqual(
        feed.rows.map((r) => [r.line, r.sku, r.quantity, r.asOf]),
        [
          [2, 'A-1', 5, undefined],
          [5, 'A-4', 0, '2026-11-20T08:00:00.000Z'],
          [8, 'A-6\nwith a newline', 4, undefined],
          [10, 'A-8', 9, undefined],
        ],
      );
      assert.deepEqual(feed.problems, [
        { line: 3, reason: 'sku is empty' },
        { line: 4, reason: 'quantity for A-3 is "lots", not a whole number' },
        { line: 6, reason: 'time for A-5 is "yesterday", not a date' },
        { line: 9, reason: 'quantity for A-7 is "2.5", not a whole number' },
      ]);
    });

    it('numbers the lines of an unquoted file, counting empty lines', () => {
      const feed = parseStockCsv('sku,qty\r\n\r\nA,1\r\nB,x\r\n', { supplierId: 'acme' });
      assert.deepEqual(feed.rows, [{ supplierId: 'acme', sku: 'A', quantity: 1, line: 3 }]);
      assert.deepEqual(feed.problems, [{ line: 4, reason: 'quantity for B is "x", not a whole number' }]);
    });

    it('says so when a quote is never closed, keeping the rows before it', () => {
      const feed = parseStockCsv('sku,qty\nA,1\n"B,2\nC,3\n', { supplierId: 'acme' });
      assert.deepEqual(
        feed.rows.map((r) => r.sku),
        ['A'],
      );
      assert.deepEqual(feed.problems, [
        { line: 3, reason: 'a quote opened here is never closed; the rest of the file cannot be read' },
      ]);
    });

    it('needs a supplier from the file or the options, and SKU and quantity columns', () => {
      assert.deepEqual(parseStockCsv('sku,qty\nA,1\n').problems, [
        { line: 2, reason: 'no supplier for A: the feed names none and none was configured' },
      ]);
      assert.deepEqual(parseStockCsv('name,count\nA,1\n', { supplierId: 'acme' }).problems, [
        { line: 1, reason: 'the header needs a SKU and a quantity column; found "name", "count"' },
      ]);
      const named = parseStockCsv('name,count\nA,1\n', {
        supplierId: 'acme',
        columns: { sku: 'Name', quantity: 'count' },
      });
      assert.deepEqual(named.rows, [{ supplierId: 'acme', sku: 'A', quantity: 1, line: 2 }]);
      assert.deepEqual(parseStockCsv('').problems, [{ line: 1, reason: 'the file is empty' }]);
    });
  });

  describe('JSON', () => {
    it('reads an array of StockLevel-shaped items and an object with items', () => {
      const levels = parseStockJson([
        { supplierId: 'acme', sku: 'A', quantity: 3, asOf: '2026-11-20T08:00:00Z' },
      ]);
      assert.deepEqual(levels.rows, [
        { supplierId: 'acme', sku: 'A', quantity: 3, asOf: '2026-11-20T08:00:00.000Z', line: 1 },
      ]);
      const wrapped = parseStockJson({
        supplierId: 'zeta',
        asOf: '2026-11-20T09:00:00Z',
        items: [
          { sku: 'B', quantity: '4' },
          { sku: 'C', quantity: 1.5 },
          'D',
          { sku: 'E', quantity: 2, supplier: 'acme' },
        ],
      });
      assert.deepEqual(wrapped.rows, [
        { supplierId: 'zeta', sku: 'B', quantity: 4, asOf: '2026-11-20T09:00:00.000Z', line: 1 },
        { supplierId: 'acme', sku: 'E', quantity: 2, asOf: '2026-11-20T09:00:00.000Z', line: 4 },
      ]);
      assert.deepEqual(wrapped.problems, [
        { line: 2, reason: 'quantity for C is 1.5, not a whole number' },
        { line: 3, reason: 'is not an object with sku and quantity' },
      ]);
      assert.deepEqual(parseStockJson({ stock: [] }).problems, [
        { line: 1, reason: 'a JSON stock feed is an array of items or an object with an items array' },
      ]);
    });
  });

  describe('X12 846', () => {
    it('maps LIN/QTY through the EDI toolkit, preferring quantity available (33), with BIA and DTM times', async () => {
      const feed = await parseStockX12(INVENTORY_846, { supplierId: 'acme', x12Reader: x12StockReader });
      assert.deepEqual(feed.rows, [
        {
          supplierId: 'acme',
          sku: 'MUG-01',
          quantity: 140,
          asOf: '2026-11-21T06:00:00.000Z',
          line: 3,
          identifiers: [
            { qualifier: 'BP', id: 'MUG-01' },
            { qualifier: 'VP', id: 'SUP-MUG' },
          ],
        },
        {
          supplierId: 'acme',
          sku: 'CAP-01',
          quantity: 12,
          asOf: '2026-11-21T07:00:00.000Z',
          line: 3,
          identifiers: [{ qualifier: 'SK', id: 'CAP-01' }],
        },
      ]);
      assert.deepEqual(feed.problems, [
        { line: 15, reason: 'LIN TEE-01 has no QTY with qualifier 33, 17 or 02' },
      ]);
    });

    it('reports a broken file at its segment and needs a supplier', async () => {
      const broken = await parseStockX12(INVENTORY_846.replace('SE*10*0001~', 'SE*99*0001~'), {
        supplierId: 'acme',
        x12Reader: x12StockReader,
      });
      assert.equal(broken.rows.length, 0);
      assert.match(broken.problems[0]!.reason, /SE/);
      assert.equal(broken.problems[0]!.line, 12);
      const anonymous = await parseStockX12(INVENTORY_846, { x12Reader: x12StockReader });
      assert.deepEqual(anonymous.problems[0], {
        line: 3,
        reason: 'no supplier configured for this 846 (interchange sender ACMESUPPLY)',
      });
    });
  });

  it('detects the format from the payload', async () => {
    assert.equal(
      (await parseStockFeed(INVENTORY_846, { supplierId: 'a', x12Reader: x12StockReader })).format,
      'x12-846',
    );
    assert.equal(
      (await parseStockFeed(Buffer.from('[{"sku":"A","quantity":1}]'), { supplierId: 'a' })).rows.length,
      1,
    );
    assert.equal((await parseStockFeed({ items: [] })).format, 'json');
    assert.equal((await parseStockFeed('sku,qty\nA,1', { supplierId: 'a' })).format, 'csv');
    assert.deepEqual((await parseStockFeed('[{"sku":')).problems[0]?.line, 1);
  });
});
