import { committedUnits, type OpenPurchaseOrderLine } from '../inventory/committed-units';
import type { PurchaseOrderState } from '../model/purchase-order';
import type { StockChange, StockLevelInput, StockRecord } from './order-store';

/**
 * The inventory arithmetic both store engines run on the rows they read, so a feed means the same on SQLite and
 * PostgreSQL. Numbers may arrive as strings: `pg` returns BIGINT and NUMERIC that way.
 */

/** A row of the `inventory` table. */
export interface InventoryRow {
  supplier_id: string;
  sku: string;
  quantity: number | string;
  feed_at: number | string;
  updated_at: number | string;
}

/** One line of an open PO, with the PO's supplier, state and last change. */
export interface OpenLineRow {
  supplier_id: string;
  sku: string;
  quantity: number | string;
  state: PurchaseOrderState;
  updated_at: number | string;
}

const stockKey = (supplierId: string, sku: string): string => `${supplierId}\u0000${sku}`;

/** Open PO lines grouped by supplier and SKU, ready for `committedUnits`. */
export class OpenLinesBySupplierSku {
  private readonly lines = new Map<string, OpenPurchaseOrderLine[]>();

  constructor(rows: Iterable<OpenLineRow>) {
    for (const row of rows) {
      const key = stockKey(row.supplier_id, row.sku);
      const lines = this.lines.get(key) ?? [];
      lines.push({
        supplierId: row.supplier_id,
        sku: row.sku,
        quantity: Number(row.quantity),
        state: row.state,
        updatedAt: Number(row.updated_at),
      });
      this.lines.set(key, lines);
    }
  }

  committed(supplierId: string, sku: string, feedAtMs: number): number {
    // Most SKUs have no open PO: no key to build for them when there is none at all.
    if (this.lines.size === 0) return 0;
    return committedUnits(this.lines.get(stockKey(supplierId, sku)) ?? [], feedAtMs);
  }
}

/**
 * What a feed of `supplierId` taken at `feedAtMs` writes: one change per distinct SKU in first-seen order, the
 * last row of a repeated SKU winning, skipping SKUs already stored from a newer feed. `stored` holds the
 * supplier's current rows by SKU.
 */
export function stockChangesForFeed(
  supplierId: string,
  feedAtMs: number,
  levels: StockLevelInput[],
  stored: Map<string, Pick<InventoryRow, 'quantity' | 'feed_at'>>,
  open: OpenLinesBySupplierSku,
): StockChange[] {
  const latest = new Map<string, number>();
  for (const level of levels) latest.set(level.sku, level.quantity);
  const changes: StockChange[] = [];
  for (const [sku, quantity] of latest) {
    const before = stored.get(sku);
    if (before && Number(before.feed_at) > feedAtMs) continue;
    const change: StockChange = { sku, quantity, committed: open.committed(supplierId, sku, feedAtMs) };
    if (before) {
      change.previous = {
        quantity: Number(before.quantity),
        committed: open.committed(supplierId, sku, Number(before.feed_at)),
      };
    }
    changes.push(change);
  }
  return changes;
}

export function stockRecordFromRow(row: InventoryRow, open: OpenLinesBySupplierSku): StockRecord {
  const feedAt = Number(row.feed_at);
  return {
    supplierId: row.supplier_id,
    sku: row.sku,
    quantity: Number(row.quantity),
    committed: open.committed(row.supplier_id, row.sku, feedAt),
    feedAt: new Date(feedAt).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}
