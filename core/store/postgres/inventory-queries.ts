import { OPEN_PURCHASE_ORDER_STATES } from '../../inventory/committed-units';
import {
  OpenLinesBySupplierSku,
  stockChangesForFeed,
  stockRecordFromRow,
  type InventoryRow,
  type OpenLineRow,
} from '../inventory-rows';
import { stockFeedFromRow } from '../operations-rows';
import type { StoreRow as Row } from '../row-mapping';
import type {
  StockFeedOutcome,
  StockFeedRecord,
  StockLevelInput,
  StockQuery,
  StockRecord,
  StockStore,
} from '../stock-store';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';
import { firstRow } from './queryable';

/** First key of the per-supplier stock feed lock ("INVF" in ASCII); the second is the supplier's hash. */
const STOCK_FEED_LOCK_CLASS = 0x494e5646;
/** Lines of open POs ($1: the open states), read from the PO documents. */
export const OPEN_LINES_SQL = `SELECT po.supplier_id, line->>'sku' AS sku, line->>'quantity' AS quantity, po.state, po.updated_at
  FROM purchase_orders po CROSS JOIN LATERAL jsonb_array_elements(po.data->'lines') AS line
  WHERE po.state = ANY($1)`;

/** Suppliers' stock in the PostgreSQL store: the inventory and inventory_feeds tables. */
export function withStock<T extends StoreClass<PostgresStoreBase>>(Base: T): T & StoreClass<StockStore> {
  abstract class PostgresStock extends Base implements StockStore {
    async applyStockFeed(
      supplierId: string,
      feedAt: Date,
      levels: StockLevelInput[],
    ): Promise<StockFeedOutcome> {
      const feedAtMs = feedAt.getTime();
      return this.transaction(async (db): Promise<StockFeedOutcome> => {
        // Feeds of one supplier apply one after the other, whichever instances received them.
        await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [STOCK_FEED_LOCK_CLASS, supplierId]);
        const lastRow = await firstRow(
          db,
          'SELECT last_feed_at FROM inventory_feeds WHERE supplier_id = $1',
          [supplierId],
        );
        const last = lastRow ? Number(lastRow.last_feed_at) : undefined;
        if (last !== undefined && last > feedAtMs) {
          return { applied: false, lastFeedAt: new Date(last).toISOString(), changes: [] };
        }
        const skus = [...new Set(levels.map((level) => level.sku))];
        const stored = await db.query<InventoryRow>(
          'SELECT * FROM inventory WHERE supplier_id = $1 AND sku = ANY($2)',
          [supplierId, skus],
        );
        const open = await db.query<OpenLineRow>(`${OPEN_LINES_SQL} AND po.supplier_id = $2`, [
          OPEN_PURCHASE_ORDER_STATES,
          supplierId,
        ]);
        const changes = stockChangesForFeed(
          supplierId,
          feedAtMs,
          levels,
          new Map(stored.rows.map((row) => [row.sku, row])),
          new OpenLinesBySupplierSku(open.rows),
        );
        const now = this.now();
        // One statement for the whole feed: feeds carry up to 100,000 SKUs.
        await db.query(
          `INSERT INTO inventory (supplier_id, sku, quantity, feed_at, updated_at)
         SELECT $1, feed.sku, feed.quantity, $4, $5 FROM unnest($2::text[], $3::bigint[]) AS feed (sku, quantity)
         ON CONFLICT (supplier_id, sku) DO UPDATE SET quantity = excluded.quantity, feed_at = excluded.feed_at,
           updated_at = excluded.updated_at
         WHERE excluded.feed_at >= inventory.feed_at`,
          [
            supplierId,
            changes.map((change) => change.sku),
            changes.map((change) => change.quantity),
            feedAtMs,
            now,
          ],
        );
        await db.query(
          `INSERT INTO inventory_feeds (supplier_id, last_feed_at, applied_at) VALUES ($1, $2, $3)
         ON CONFLICT (supplier_id) DO UPDATE SET
           last_feed_at = GREATEST(inventory_feeds.last_feed_at, excluded.last_feed_at), applied_at = excluded.applied_at`,
          [supplierId, feedAtMs, now],
        );
        return { applied: true, lastFeedAt: new Date(Math.max(last ?? 0, feedAtMs)).toISOString(), changes };
      });
    }

    async listStock(query: StockQuery): Promise<StockRecord[]> {
      if (query.skus.length === 0) return [];
      const skus = [...new Set(query.skus)];
      const stock = await this.pool.query<InventoryRow>(
        `SELECT * FROM inventory WHERE sku = ANY($1) AND ($2::text[] IS NULL OR supplier_id = ANY($2))
         AND ($3::text IS NULL OR supplier_id <> $3)
       ORDER BY sku COLLATE "C", supplier_id COLLATE "C"`,
        [skus, query.supplierIds ?? null, query.exceptSupplierId ?? null],
      );
      // No feed knows these SKUs: nothing to subtract open PO lines from (see the SQLite store).
      if (stock.rows.length === 0) return [];
      const open = await this.pool.query<OpenLineRow>(`${OPEN_LINES_SQL} AND line->>'sku' = ANY($2)`, [
        OPEN_PURCHASE_ORDER_STATES,
        skus,
      ]);
      const lines = new OpenLinesBySupplierSku(open.rows);
      return stock.rows.map((row) => stockRecordFromRow(row, lines));
    }

    async listStockFeeds(): Promise<StockFeedRecord[]> {
      const { rows } = await this.pool.query<Row>(
        'SELECT * FROM inventory_feeds ORDER BY supplier_id COLLATE "C"',
      );
      return rows.map(stockFeedFromRow);
    }
  }
  return PostgresStock;
}
