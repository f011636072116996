import type { StockRecord, StockStore } from '../store/stock-store';
import type { ParsedStockFeed, StockFeedProblem, StockFeedRow } from './stock-feed';

/** What a supplier can still sell of a SKU, given its reported quantity and the units on open POs. */
export type SellableFunction = (
  supplierId: string,
  sku: string,
  quantity: number,
  committed: number,
) => number;

/** Without routing rules there is no buffer: sellable is what the feed reports less the open POs. */
export const sellableWithoutBuffer: SellableFunction = (_supplierId, _sku, quantity, committed) =>
  quantity - committed;

export interface IngestOptions {
  /** The time of rows that carry none of their own (usually when the feed was fetched or received). */
  feedAt: Date;
  /** Extra levels to watch besides zero, e.g. [5] to hear when a SKU drops to 5 or fewer sellable units. */
  thresholds?: number[];
  /** How buffers turn quantities into sellable units; `sellableUnderRules(rules)` applies the routing rules. */
  sellable?: SellableFunction;
}

/** A SKU whose sellable units across every supplier crossed zero or a threshold. */
export interface SellableCrossing {
  sku: string;
  /** The supplier whose feed caused the change. */
  supplierId: string;
  /** Sellable units of the SKU across all suppliers before and after this feed. */
  previous: number;
  sellable: number;
  /** The levels crossed: 0 means in stock <-> out of stock. */
  crossed: number[];
  direction: 'up' | 'down';
}

export interface IgnoredFeed {
  supplierId: string;
  feedAt: string;
  /** The newer feed already applied. */
  lastFeedAt: string;
  rows: number;
}

export interface IngestResult {
  format: ParsedStockFeed['format'];
  /** Rows written to the store. */
  applied: number;
  /** Parts of the feed older than the supplier's last applied feed: nothing of them was written. */
  ignored: IgnoredFeed[];
  crossings: SellableCrossing[];
  problems: StockFeedProblem[];
}

type InventoryStore = Pick<StockStore, 'applyStockFeed' | 'listStock'>;

/** listStock takes SKUs in batches this large, so a 100,000-row feed does not build one huge query. */
const LIST_BATCH = 5_000;

/** Rows per supplier and feed time, oldest first, so a newer part never gets refused for an older one. */
function batchesOf(
  rows: StockFeedRow[],
  feedAt: string,
): { supplierId: string; feedAt: string; rows: StockFeedRow[] }[] {
  const batches = new Map<string, { supplierId: string; feedAt: string; rows: StockFeedRow[] }>();
  for (const row of rows) {
    const time = row.asOf ?? feedAt;
    const key = `${row.supplierId}\u0000${time}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = { supplierId: row.supplierId, feedAt: time, rows: [] }));
    batch.rows.push(row);
  }
  return [...batches.values()].sort((a, b) => Date.parse(a.feedAt) - Date.parse(b.feedAt));
}

/**
 * Writes a parsed feed to the store and reports the SKUs whose sellable units (summed over all suppliers, each
 * supplier's counted from 0 up) crossed zero or a threshold. Bad rows were already set aside by the parser and
 * are passed through; a part older than the supplier's last feed is ignored and listed.
 */
export async function ingestStockFeed(
  store: InventoryStore,
  feed: ParsedStockFeed,
  options: IngestOptions,
): Promise<IngestResult> {
  const sellable = options.sellable ?? sellableWithoutBuffer;
  const levels = [0, ...(options.thresholds ?? []).filter((t) => t > 0)].sort((a, b) => a - b);
  const result: IngestResult = {
    format: feed.format,
    applied: 0,
    ignored: [],
    crossings: [],
    problems: feed.problems,
  };
  for (const batch of batchesOf(feed.rows, options.feedAt.toISOString())) {
    const outcome = await store.applyStockFeed(
      batch.supplierId,
      new Date(batch.feedAt),
      batch.rows.map(({ sku, quantity }) => ({ sku, quantity })),
    );
    if (!outcome.applied) {
      result.ignored.push({
        supplierId: batch.supplierId,
        feedAt: batch.feedAt,
        lastFeedAt: outcome.lastFeedAt,
        rows: batch.rows.length,
      });
      continue;
    }
    result.applied += outcome.changes.length;
    // Only a SKU whose sellable units changed at this supplier can have crossed anything in total.
    const deltas = new Map<string, number>();
    const sellableHere = new Map<string, number>();
    for (const change of outcome.changes) {
      const before = change.previous
        ? Math.max(
            0,
            sellable(batch.supplierId, change.sku, change.previous.quantity, change.previous.committed),
          )
        : 0;
      const after = Math.max(0, sellable(batch.supplierId, change.sku, change.quantity, change.committed));
      if (after === before) continue;
      deltas.set(change.sku, after - before);
      sellableHere.set(change.sku, after);
    }
    const skus = [...deltas.keys()];
    for (let start = 0; start < skus.length; start += LIST_BATCH) {
      const batchSkus = skus.slice(start, start + LIST_BATCH);
      // This supplier's units are known from the changes: only the others' are read (reading a 100,000-row
      // feed's own rows back took two fifths of the ingest).
      const others = sellableTotals(
        await store.listStock({ skus: batchSkus, exceptSupplierId: batch.supplierId }),
        sellable,
      );
      for (const sku of batchSkus) {
        const total = (others.get(sku) ?? 0) + sellableHere.get(sku)!;
        const previous = total - deltas.get(sku)!;
        const crossed = levels.filter((level) => previous > level !== total > level);
        if (crossed.length > 0) {
          result.crossings.push({
            sku,
            supplierId: batch.supplierId,
            previous,
            sellable: total,
            crossed,
            direction: total > previous ? 'up' : 'down',
          });
        }
      }
    }
  }
  return result;
}

function sellableTotals(records: StockRecord[], sellable: SellableFunction): Map<string, number> {
  const totals = new Map<string, number>();
  for (const record of records) {
    const units = Math.max(0, sellable(record.supplierId, record.sku, record.quantity, record.committed));
    totals.set(record.sku, (totals.get(record.sku) ?? 0) + units);
  }
  return totals;
}
