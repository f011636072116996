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
  const snapshots = new Map<string, StockSnapshot>();
  for (const entry of entries) {
    snapshots.set(`${entry.supplierId}\u0000${entry.sku}`, {
      quantity: entry.quantity,
      committed: entry.committed ?? 0,
      feedAt: Date.parse(entry.feedAt),
    });
  }
  return (supplierId, sku) => snapshots.get(`${supplierId}\u0000${sku}`);
}
