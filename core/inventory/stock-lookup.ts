import type { StockSnapshot } from '../routing/route-order';

/** A stock figure from the store (StockRecord) or from a feed file read without a store. */
export interface StockEntry {
  supplierId: string;
  sku: string;
  quantity: number;
  committed?: number;
  /** ISO 8601. */
  feedAt: string;
}

/** The routing context's stock lookup over a list of stock figures (the last entry of a supplier+SKU wins). */
export function stockLookup(
  entries: Iterable<StockEntry>,
): (supplierId: string, sku: string) => StockSnapshot | undefined {
  // Per supplier, then per SKU: the router looks up several pairs per line, and building a key string each time
  // costs more than the second map lookup.
  const bySupplier = new Map<string, Map<string, StockSnapshot>>();
  for (const entry of entries) {
    let bySku = bySupplier.get(entry.supplierId);
    if (!bySku) bySupplier.set(entry.supplierId, (bySku = new Map<string, StockSnapshot>()));
    bySku.set(entry.sku, {
      quantity: entry.quantity,
      committed: entry.committed ?? 0,
      feedAt: Date.parse(entry.feedAt),
    });
  }
  return (supplierId, sku) => bySupplier.get(supplierId)?.get(sku);
}
