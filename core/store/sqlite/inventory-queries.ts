import type Database from 'better-sqlite3';
import { OPEN_PURCHASE_ORDER_STATES } from '../../inventory/committed-units';
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
import type { SqliteStoreBase } from './sqlite-store';
import {
  OpenLinesBySupplierSku,
  stockChangesForFeed,
  stockRecordFromRow,
  type InventoryRow,
  type OpenLineRow,
} from '../inventory-rows';

const OPEN_STATES_SQL = OPEN_PURCHASE_ORDER_STATES.map((state) => `'${state}'`).join(', ');
// PO lines live in the PO's JSON document; open POs are few, so reading them through json_each is cheap.
export const OPEN_LINES_SQL = `SELECT po.supplier_id, json_extract(line.value, '$.sku') AS sku,
    json_extract(line.value, '$.quantity') AS quantity, po.state, po.updated_at
  FROM purchase_orders po, json_each(po.data, '$.lines') AS line
  WHERE po.state IN (${OPEN_STATES_SQL})`;

/** The inventory tables' statements, prepared once the tables exist. */
interface StockStatements {
  lastFeed: Database.Statement<[string], { last_feed_at: number }>;
  supplierRows: Database.Statement<[string], InventoryRow>;
  supplierOpenLines: Database.Statement<[string], OpenLineRow>;
  upsert: Database.Statement<[string, string, number, number, number]>;
  recordFeed: Database.Statement<[string, number, number]>;
  stockBySku: Database.Statement<[string], InventoryRow>;
  stockBySkuExcept: Database.Statement<[string, string], InventoryRow>;
  otherSuppliersExist: Database.Statement<{ supplierId: string }, { found: number }>;
  openLinesBySku: Database.Statement<[string], OpenLineRow>;
}

function prepareStockStatements(db: Database.Database): StockStatements {
  return {
    lastFeed: db.prepare('SELECT last_feed_at FROM inventory_feeds WHERE supplier_id = ?'),
    supplierRows: db.prepare('SELECT * FROM inventory WHERE supplier_id = ?'),
    supplierOpenLines: db.prepare(`${OPEN_LINES_SQL} AND po.supplier_id = ?`),
    upsert: db.prepare(
      `INSERT INTO inventory (supplier_id, sku, quantity, feed_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (supplier_id, sku) DO UPDATE SET quantity = excluded.quantity, feed_at = excluded.feed_at,
         updated_at = excluded.updated_at
       WHERE excluded.feed_at >= inventory.feed_at`,
    ),
    recordFeed: db.prepare(
      `INSERT INTO inventory_feeds (supplier_id, last_feed_at, applied_at) VALUES (?, ?, ?)
       ON CONFLICT (supplier_id) DO UPDATE SET last_feed_at = MAX(last_feed_at, excluded.last_feed_at),
         applied_at = excluded.applied_at`,
    ),
    stockBySku: db.prepare(
      'SELECT * FROM inventory WHERE sku IN (SELECT value FROM json_each(?)) ORDER BY sku, supplier_id',
    ),
    stockBySkuExcept: db.prepare(
      `SELECT * FROM inventory WHERE sku IN (SELECT value FROM json_each(?)) AND supplier_id <> ?
       ORDER BY sku, supplier_id`,
    ),
    // Two seeks on the primary key, where `supplier_id <> ?` would read every row of the supplier.
    otherSuppliersExist: db.prepare(
      `SELECT EXISTS (SELECT 1 FROM inventory WHERE supplier_id < @supplierId)
           OR EXISTS (SELECT 1 FROM inventory WHERE supplier_id > @supplierId) AS found`,
    ),
    openLinesBySku: db.prepare(
      `${OPEN_LINES_SQL} AND json_extract(line.value, '$.sku') IN (SELECT value FROM json_each(?))`,
    ),
  };
}

/** Suppliers' stock in the SQLite store: the inventory and inventory_feeds tables. */
export function withStock<T extends StoreClass<SqliteStoreBase>>(Base: T): T & StoreClass<StockStore> {
  abstract class SqliteStock extends Base implements StockStore {
    /** Prepared at first use: after migrate() has created the inventory tables. */
    private preparedStock?: StockStatements;
    private applyFeedInTransaction?: Database.Transaction<
      (supplierId: string, feedAtMs: number, levels: StockLevelInput[]) => StockFeedOutcome
    >;

    private get stockStatements(): StockStatements {
      return (this.preparedStock ??= prepareStockStatements(this.db));
    }

    async applyStockFeed(
      supplierId: string,
      feedAt: Date,
      levels: StockLevelInput[],
    ): Promise<StockFeedOutcome> {
      this.applyFeedInTransaction ??= this.db.transaction(
        (supplier: string, feedAtMs: number, feedLevels: StockLevelInput[]) =>
          this.applyFeed(supplier, feedAtMs, feedLevels),
      );
      return this.applyFeedInTransaction.immediate(supplierId, feedAt.getTime(), levels);
    }

    private applyFeed(supplierId: string, feedAtMs: number, levels: StockLevelInput[]): StockFeedOutcome {
      const { lastFeed, supplierRows, supplierOpenLines, upsert, recordFeed } = this.stockStatements;
      const last = lastFeed.get(supplierId)?.last_feed_at;
      if (last !== undefined && last > feedAtMs) {
        return { applied: false, lastFeedAt: new Date(last).toISOString(), changes: [] };
      }
      // One read of the supplier's rows and open PO lines instead of one query per SKU: feeds have 100,000 rows.
      const existing = new Map<string, InventoryRow>();
      for (const row of supplierRows.iterate(supplierId)) existing.set(row.sku, row);
      const open = new OpenLinesBySupplierSku(supplierOpenLines.all(supplierId));
      const now = this.now();
      const changes = stockChangesForFeed(supplierId, feedAtMs, levels, existing, open);
      for (const change of changes) upsert.run(supplierId, change.sku, change.quantity, feedAtMs, now);
      recordFeed.run(supplierId, feedAtMs, now);
      return { applied: true, lastFeedAt: new Date(Math.max(last ?? 0, feedAtMs)).toISOString(), changes };
    }

    async listStock(query: StockQuery): Promise<StockRecord[]> {
      if (query.skus.length === 0) return [];
      const { otherSuppliersExist, stockBySku, stockBySkuExcept, openLinesBySku } = this.stockStatements;
      const skus = JSON.stringify([...new Set(query.skus)]);
      const suppliers = query.supplierIds ? new Set(query.supplierIds) : undefined;
      const except = query.exceptSupplierId;
      // A feed applied while no other supplier has stock (the first feeds, one-supplier shops) has nothing to add.
      if (except !== undefined && !otherSuppliersExist.get({ supplierId: except })!.found) return [];
      const rows = (except === undefined ? stockBySku.all(skus) : stockBySkuExcept.all(skus, except)).filter(
        (row) => !suppliers || suppliers.has(row.supplier_id),
      );
      // No feed knows these SKUs: nothing to subtract open PO lines from (and reading them costs a pass over every
      // open PO, which a supplier outage can make 100,000).
      if (rows.length === 0) return [];
      const open = new OpenLinesBySupplierSku(openLinesBySku.all(skus));
      return rows.map((row) => stockRecordFromRow(row, open));
    }

    async listStockFeeds(): Promise<StockFeedRecord[]> {
      return (this.db.prepare('SELECT * FROM inventory_feeds ORDER BY supplier_id').all() as Row[]).map(
        stockFeedFromRow,
      );
    }
  }
  return SqliteStock;
}
