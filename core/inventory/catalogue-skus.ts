import type { CatalogueEntry } from '../routing/routing-rules';
import type { ParsedStockFeed } from './stock-feed';

/**
 * A feed with each row in the shop's SKU where the routing catalogue maps the supplier's part number to one: a row
 * whose SKU, or any identifier it came with (an X12 line's UPC, vendor part, …), is the `supplierSku` of an entry
 * of the row's supplier with an exact SKU takes that SKU, so the router finds its stock under the order line's SKU.
 */
export function withCatalogueSkus(
  feed: ParsedStockFeed,
  catalogue: readonly CatalogueEntry[],
): ParsedStockFeed {
  const bySupplierPart = new Map<string, string>();
  for (const entry of catalogue) {
    const sku = entry.match.sku;
    if (entry.supplierSku === undefined || sku === undefined || sku.includes('*')) continue;
    bySupplierPart.set(`${entry.supplier}\u0000${entry.supplierSku}`, sku);
  }
  if (bySupplierPart.size === 0) return feed;
  return {
    ...feed,
    rows: feed.rows.map((row) => {
      const ids = [row.sku, ...(row.identifiers ?? []).map((identifier) => identifier.id)];
      for (const id of ids) {
        const sku = bySupplierPart.get(`${row.supplierId}\u0000${id}`);
        if (sku !== undefined) return { ...row, sku };
      }
      return row;
    }),
  };
}
