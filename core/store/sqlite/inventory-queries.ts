import type Database from 'better-sqlite3';
import { OPEN_PURCHASE_ORDER_STATES } from '../../inventory/committed-units';
import type { StockFeedOutcome, StockLevelInput, StockQuery, StockRecord } from '../order-store';
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

/** The inventory tables' SQL for the SQLite store (migration 2); the store delegates to it. */
export class SqliteInventoryQueries {
  private readonly lastFeed: Database.Statement<[string], { last_feed_at: number }>;
  private readonly supplierRows: Database.Statement<[string], InventoryRow>;
  private readonly supplierOpenLines: Database.Statement<[string], OpenLineRow>;
  private readonly upsert: Database.Statement<[string, string, number, number, number]>;
  private readonly recordFeed: Database.Statement<[string, number, number]>;
  private readonly stockBySku: Database.Statement<[string], InventoryRow>;
  private readonly stockBySkuExcept: Database.Statement<[string, string], InventoryRow>;
  private readonly otherSuppliersExist: Database.Statement<{ supplierId: string }, { found: number }>;
  private readonly openLinesBySku: Database.Statement<[string], OpenLineRow>;
  private readonly applyInTransaction: Database.Transaction<
    (supplierId: string, feedAtMs: number, levels: StockLevelInput[]) => StockFeedOutcome
  >;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.lastFeed = db.prepare('SELECT last_feed_at FROM inventory_feeds WHERE supplier_id = ?');
    this.supplierRows = db.prepare('SELECT * FROM inventory WHERE supplier_id = ?');
    this.supplierOpenLines = db.prepare(`${OPEN_LINES_SQL} AND po.supplier_id = ?`);
    this.upsert = db.prepare(
      `INSERT INTO inventory (supplier_id, sku, quantity, feed_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (supplier_id, sku) DO UPDATE SET quantity = excluded.quantity, feed_at = excluded.feed_at,
         updated_at = excluded.updated_at
       WHERE excluded.feed_at >= inventory.feed_at`,
    );
    this.recordFeed = db.prepare(
      `INSERT INTO inventory_feeds (supplier_id, last_feed_at, applied_at) VALUES (?, ?, ?)
       ON CONFLICT (supplier_id) DO UPDATE SET last_feed_at = MAX(last_feed_at, excluded.last_feed_at),
         applied_at = excluded.applied_at`,
    );
    this.stockBySku = db.prepare(
      'SELECT * FROM inventory WHERE sku IN (SELECT value FROM json_each(?)) ORDER BY sku, supplier_id',
    );
    this.stockBySkuExcept = db.prepare(
      `SELECT * FROM inventory WHERE sku IN (SELECT value FROM json_each(?)) AND supplier_id <> ?
       ORDER BY sku, supplier_id`,
    );
    // Two seeks on the primary key, where `supplier_id <> ?` would read every row of the supplier.
    this.otherSuppliersExist = db.prepare(
      `SELECT EXISTS (SELECT 1 FROM inventory WHERE supplier_id < @supplierId)
           OR EXISTS (SELECT 1 FROM inventory WHERE supplier_id > @supplierId) AS found`,
    );
    this.openLinesBySku = db.prepare(
      `${OPEN_LINES_SQL} AND json_extract(line.value, '$.sku') IN (SELECT value FROM json_each(?))`,
    );
    this.applyInTransaction = db.transaction(
      (supplierId: string, feedAtMs: number, levels: StockLevelInput[]) =>
        this.applyFeed(supplierId, feedAtMs, levels),
    );
  }

  applyStockFeed(supplierId: string, feedAt: Date, levels: StockLevelInput[]): StockFeedOutcome {
    return this.applyInTransaction.immediate(supplierId, feedAt.getTime(), levels);
  }

  private applyFeed(supplierId: string, feedAtMs: number, levels: StockLevelInput[]): StockFeedOutcome {
    const last = this.lastFeed.get(supplierId)?.last_feed_at;
    if (last !== undefined && last > feedAtMs) {
      return { applied: false, lastFeedAt: new Date(last).toISOString(), changes: [] };
    }
    // One read of the supplier's rows and open PO lines instead of one query per SKU: feeds have 100,000 rows.
    const existing = new Map<string, InventoryRow>();
    for (const row of this.supplierRows.iterate(supplierId)) existing.set(row.sku, row);
    const open = new OpenLinesBySupplierSku(this.supplierOpenLines.all(supplierId));
    const now = this.now();
    const changes = stockChangesForFeed(supplierId, feedAtMs, levels, existing, open);
    for (const change of changes) this.upsert.run(supplierId, change.sku, change.quantity, feedAtMs, now);
    this.recordFeed.run(supplierId, feedAtMs, now);
    return { applied: true, lastFeedAt: new Date(Math.max(last ?? 0, feedAtMs)).toISOString(), changes };
  }

  listStock(query: StockQuery): StockRecord[] {
    if (query.skus.length === 0) return [];
    const skus = JSON.stringify([...new Set(query.skus)]);
    const suppliers = query.supplierIds ? new Set(query.supplierIds) : undefined;
    const except = query.exceptSupplierId;
    // A feed applied while no other supplier has stock (the first feeds, one-supplier shops) has nothing to add.
    if (except !== undefined && !this.otherSuppliersExist.get({ supplierId: except })!.found) return [];
    const rows = (
      except === undefined ? this.stockBySku.all(skus) : this.stockBySkuExcept.all(skus, except)
    ).filter((row) => !suppliers || suppliers.has(row.supplier_id));
    // No feed knows these SKUs: nothing to subtract open PO lines from (and reading them costs a pass over every
    // open PO, which a supplier outage can make 100,000).
    if (rows.length === 0) return [];
    const open = new OpenLinesBySupplierSku(this.openLinesBySku.all(skus));
    return rows.map((row) => stockRecordFromRow(row, open));
  }
}
