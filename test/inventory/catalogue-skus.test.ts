import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { x12StockReader } from '../../connectors/edi/x12/read-stock-846';
import { withCatalogueSkus } from '../../core/inventory/catalogue-skus';
import { parseStockX12 } from '../../core/inventory/stock-feed';
import type { CatalogueEntry } from '../../core/routing/routing-rules';

const northwind846 = readFileSync(
  path.join(__dirname, '..', 'fixtures', 'x12', 'partners', 'northwind-846.edi'),
);

describe('stock rows in the shop SKUs of the routing catalogue', () => {
  const catalogue: CatalogueEntry[] = [
    // The shop sells MUG-RED; Northwind calls it NW-MUG-01 and prints the UPC on the box.
    { supplier: 'northwind', match: { sku: 'MUG-RED' }, supplierSku: 'NW-MUG-01' },
    // Mapped by the UPC the partner sent beside its own part number.
    { supplier: 'northwind', match: { sku: 'TEE-BLUE' }, supplierSku: '036000291452' },
    { supplier: 'other', match: { sku: 'CAP-X' }, supplierSku: 'CAP-01' },
  ];

  it("maps each 846 row by any of its identifiers to the shop's SKU, for that supplier only", async () => {
    const feed = await parseStockX12(northwind846, { supplierId: 'northwind', x12Reader: x12StockReader });
    assert.deepEqual(
      withCatalogueSkus(feed, catalogue).rows.map((row) => [row.sku, row.quantity]),
      [
        ['MUG-RED', 25],
        ['TEE-BLUE', 0],
        ['CAP-01', 7],
      ],
    );
    assert.deepEqual(
      feed.rows.map((row) => row.sku),
      ['NW-MUG-01', 'NW-TEE-02', 'CAP-01'],
      'the parsed feed is left as it was',
    );
  });
});
