import {
  CUSTOMER_CHANNELS,
  DAY_MS,
  EXCEPTION_EVENT_TYPES,
  type MetricDimension,
  type MetricSums,
  type MetricsQuery,
} from '../../metrics/metric-facts';
import type { MetricsStore } from '../metrics-store';
import type { StoreRow as Row } from '../row-mapping';
import type { StoreClass } from '../store-class';
import type { SqliteStoreBase } from './sqlite-store';
import { COUNTED_FIGURES, METRIC_COUNTS, METRIC_SELECT, metricSumsFromRow } from '../metric-rows';
import { sumsFromBuckets } from '../metric-buckets';

const list = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
const isoToMs = (expr: string): string =>
  `CAST(ROUND((julianday(${expr}) - 2440587.5) * ${DAY_MS}) AS INTEGER)`;

/**
 * Rebuilds the fact rows of the orders in `metric_touched` from their POs, events, parcels, notices, invoices and
 * returns: one INSERT ... SELECT, so the work stays in SQLite however many orders changed.
 */
const REBUILD_FACTS = `
WITH po AS (
  SELECT p.* FROM purchase_orders p WHERE p.order_id IN (SELECT order_id FROM metric_touched)
), ev AS (
  SELECT e.po_number,
    MIN(CASE WHEN e.to_state IN ('accepted', 'backordered', 'rejected') AND e.type <> 'po.state' THEN e.at END) AS acknowledged_at,
    MAX(CASE WHEN e.to_state IN ('accepted', 'backordered', 'rejected') AND e.type <> 'po.state' THEN 1 ELSE 0 END) AS acknowledged,
    MAX(CASE WHEN e.to_state = 'accepted' THEN 1 ELSE 0 END) AS accepted,
    MAX(CASE WHEN e.to_state = 'backordered' OR e.type = 'po.partial' THEN 1 ELSE 0 END) AS stockout,
    MAX(CASE WHEN e.to_state = 'cancelled' AND e.from_state IN ('accepted', 'backordered') THEN 1 ELSE 0 END) AS cancelled_after_acceptance,
    SUM(CASE WHEN e.type IN ('po.retry', 'po.failed') THEN 1 ELSE 0 END) AS send_failures,
    MIN(CASE WHEN e.to_state = 'shipped' THEN e.at END) AS shipped_at,
    MAX(CASE WHEN e.type = 'po.created' THEN json_extract(e.data, '$.lines') END) AS lines_ordered
  FROM order_events e
  WHERE e.order_id IN (SELECT order_id FROM metric_touched) AND e.po_number IS NOT NULL
  GROUP BY e.po_number
), flagged AS (
  SELECT order_id, MAX(CASE WHEN type IN (${list(EXCEPTION_EVENT_TYPES)}) OR type LIKE 'watchdog.%' THEN 1 ELSE 0 END) AS exception
  FROM order_events WHERE order_id IN (SELECT order_id FROM metric_touched) GROUP BY order_id
), storefront AS (
  SELECT order_id, MIN(sent_at) AS updated_at FROM notifications
  WHERE order_id IN (SELECT order_id FROM metric_touched) AND state = 'sent' AND milestone LIKE 'shipped:%'
    AND channel NOT IN (${list(CUSTOMER_CHANNELS)})
  GROUP BY order_id
), line AS (
  SELECT po.number AS po_number, COUNT(*) AS lines, SUM(json_extract(l.value, '$.quantity')) AS units,
    SUM(COALESCE(ol.unit_price, 0) * json_extract(l.value, '$.quantity')) AS revenue,
    CASE WHEN COUNT(json_extract(l.value, '$.unitCost')) = COUNT(*)
      THEN SUM(json_extract(l.value, '$.unitCost') * json_extract(l.value, '$.quantity')) END AS cost
  FROM po, json_each(po.data, '$.lines') l
  LEFT JOIN order_lines ol ON ol.order_id = po.order_id AND ol.line_id = json_extract(l.value, '$.orderLineId')
  GROUP BY po.number
), invoice AS (
  SELECT po_number, SUM(total) AS total FROM supplier_invoices WHERE po_number IN (SELECT number FROM po) GROUP BY po_number
), returned AS (
  SELECT r.po_number, SUM(json_extract(l.value, '$.quantity')) AS units
  FROM return_authorisations r, json_each(r.data, '$.lines') l
  WHERE r.order_id IN (SELECT order_id FROM metric_touched) AND r.state <> 'rejected'
  GROUP BY r.po_number
), fact AS (
  SELECT po.number, po.order_id, po.supplier_id, po.state, po.send_attempts, o.channel, o.ship_country, o.placed_at,
    ${isoToMs(`json_extract(o.data, '$.shipping.promisedShipBy')`)} AS promised_ship_by,
    COALESCE(ev.lines_ordered, line.lines, 0) AS lines_ordered, COALESCE(line.lines, 0) AS lines_kept,
    COALESCE(line.units, 0) AS units, COALESCE(line.revenue, 0) AS revenue, COALESCE(invoice.total, line.cost) AS cost,
    ev.acknowledged_at, COALESCE(ev.acknowledged, 0) AS acknowledged, COALESCE(ev.accepted, 0) AS accepted,
    COALESCE(ev.stockout, 0) AS stockout, COALESCE(ev.cancelled_after_acceptance, 0) AS cancelled_after_acceptance,
    COALESCE(ev.send_failures, 0) AS send_failures,
    COALESCE(parcel.first_scan_at, ev.shipped_at) AS ship_at, COALESCE(parcel.first_scan_at, parcel.label_at) AS tracked_at,
    COALESCE(parcel.parcels, 0) AS parcels, COALESCE(parcel.valid_parcels, 0) AS valid_parcels,
    COALESCE(flagged.exception, 0) AS exception, storefront.updated_at AS storefront_updated_at,
    COALESCE(returned.units, 0) AS returned_units
  FROM po JOIN orders o ON o.id = po.order_id
  LEFT JOIN ev ON ev.po_number = po.number
  LEFT JOIN flagged ON flagged.order_id = po.order_id
  LEFT JOIN metric_touched_parcels parcel ON parcel.po_number = po.number
  LEFT JOIN storefront ON storefront.order_id = po.order_id
  LEFT JOIN line ON line.po_number = po.number
  LEFT JOIN invoice ON invoice.po_number = po.number
  LEFT JOIN returned ON returned.po_number = po.number
)
INSERT INTO metric_po_facts (supplier_id, placed_at, po_number, order_id, channel, region, settled, filled, lines_ordered,
  lines_filled, acknowledged, accepted, stockout, cancelled_after_acceptance, promised_ship_by, ship_at, parcels,
  valid_parcels, exception, shipped_units, returned_units, revenue, cost, send_attempts, send_failures, to_ack_ms,
  to_ship_ms, tracking_ms)
SELECT supplier_id, placed_at, number, order_id, channel, ship_country,
  state IN ('shipped', 'delivered', 'rejected', 'failed', 'cancelled'),
  state IN ('shipped', 'delivered') AND lines_kept >= lines_ordered,
  CASE WHEN state IN ('shipped', 'delivered', 'rejected', 'failed', 'cancelled') THEN lines_ordered ELSE 0 END,
  CASE WHEN state IN ('shipped', 'delivered') THEN lines_kept ELSE 0 END,
  acknowledged, accepted, stockout, cancelled_after_acceptance, promised_ship_by, ship_at, parcels, valid_parcels,
  exception, CASE WHEN state IN ('shipped', 'delivered') THEN units ELSE 0 END, returned_units, revenue, cost,
  send_attempts, send_failures, acknowledged_at - placed_at, ship_at - placed_at,
  CASE WHEN storefront_updated_at >= tracked_at THEN storefront_updated_at - tracked_at END
FROM fact ORDER BY supplier_id, placed_at`;

/**
 * The parcels of the orders in `metric_touched`, per PO (a parcel without a PO counts for the order's first PO).
 * A keyed temp table rather than a CTE: SQLite scanned the grouped CTE once per PO (no automatic index on its
 * computed key), which made a refresh of 100,000 orders take minutes.
 */
const REBUILD_PARCELS = `
DELETE FROM metric_touched_parcels;
INSERT INTO metric_touched_parcels (po_number, label_at, first_scan_at, parcels, valid_parcels)
SELECT * FROM (
  SELECT COALESCE(s.po_number, (SELECT MIN(p2.number) FROM purchase_orders p2 WHERE p2.order_id = s.order_id)) AS po_number,
    MIN(CASE WHEN t.status = 'info_received' THEN t.occurred_at END),
    MIN(CASE WHEN t.status <> 'info_received' THEN t.occurred_at END),
    COUNT(DISTINCT s.id),
    COUNT(DISTINCT CASE WHEN s.carrier IS NOT NULL THEN s.id END)
  FROM shipments s JOIN tracking_events t ON t.shipment_id = s.id
  WHERE s.order_id IN (SELECT order_id FROM metric_touched)
  GROUP BY 1
) WHERE po_number IS NOT NULL`;

const DIMENSION_SQL: Record<MetricDimension, string> = {
  supplier: 'f.supplier_id',
  sku: 'f.sku',
  channel: 'f.channel',
  region: 'f.region',
  day: `f.placed_at / ${DAY_MS}`,
};

/** Marks the (day, supplier) slices of the touched orders' fact rows for summing again (before and after). */
const MARK_STALE_SLICES = `INSERT OR IGNORE INTO metric_stale_slices (day, supplier_id)
  SELECT placed_at / ${DAY_MS}, supplier_id FROM metric_po_facts WHERE order_id IN (SELECT order_id FROM metric_touched)`;

/**
 * The fact rows of the touched orders once per SKU their POs carry. Inserted in the table's order, as the PO facts
 * are: each chunk then walks the b-tree once instead of jumping about it.
 */
const REBUILD_SKU_FACTS = `INSERT OR IGNORE INTO metric_sku_facts
  SELECT json_extract(l.value, '$.sku'), f.*
  FROM metric_po_facts f JOIN purchase_orders p ON p.number = f.po_number, json_each(p.data, '$.lines') l
  WHERE f.order_id IN (SELECT order_id FROM metric_touched) ORDER BY 1, f.placed_at`;

/** A day bucket's figures from its fact rows (f): see metric-buckets.ts for the columns. */
const BUCKET_SUMS = `${METRIC_COUNTS},
  SUM(CASE WHEN f.promised_ship_by IS NOT NULL AND f.ship_at IS NOT NULL THEN 1 ELSE 0 END) AS shipped_with_promise,
  json_group_array(f.to_ack_ms) FILTER (WHERE f.to_ack_ms IS NOT NULL) AS to_ack_ms,
  json_group_array(f.to_ship_ms) FILTER (WHERE f.to_ship_ms IS NOT NULL) AS to_ship_ms,
  json_group_array(f.tracking_ms) FILTER (WHERE f.tracking_ms IS NOT NULL) AS tracking_ms,
  json_group_array(f.promised_ship_by) FILTER (WHERE f.promised_ship_by IS NOT NULL AND f.ship_at IS NULL) AS unshipped_promises`;

const BUCKET_COLUMNS = [
  ...COUNTED_FIGURES.map(([, column]) => column),
  'shipped_with_promise',
  'to_ack_ms',
  'to_ship_ms',
  'tracking_ms',
  'unshipped_promises',
].join(', ');

/** Sums the buckets of the stale slices in metric_slice_batch again. */
const SUM_SLICE_BATCH = `
DELETE FROM metric_day_buckets WHERE (day, supplier_id) IN (SELECT day, supplier_id FROM metric_slice_batch);
INSERT INTO metric_day_buckets (day, supplier_id, channel, region, ${BUCKET_COLUMNS})
  SELECT s.day, f.supplier_id, f.channel, f.region, ${BUCKET_SUMS}
  FROM metric_slice_batch s JOIN metric_po_facts f
    ON f.supplier_id = s.supplier_id AND f.placed_at >= s.day * ${DAY_MS} AND f.placed_at < (s.day + 1) * ${DAY_MS}
  GROUP BY s.day, f.supplier_id, f.channel, f.region;
DELETE FROM metric_stale_slices WHERE (day, supplier_id) IN (SELECT day, supplier_id FROM metric_slice_batch);`;

const BUCKET_KEYS =
  'day AS key_day, supplier_id AS key_supplier, channel AS key_channel, region AS key_region';

interface RefreshMarks {
  lastEvent: number;
  maxEvent: number;
  lastSent: number;
  maxSent: number;
}

export interface MetricsRefreshChunks {
  /** Order event ids read at a time for the orders to fold: the event loop gets a turn between two. */
  events: number;
  /** Orders folded per transaction. */
  orders: number;
  /** (day, supplier) slices whose buckets are summed again per transaction. */
  slices: number;
}

/**
 * Chunks of some 20 ms of work each, so no webhook waits behind the fold for more than that (1,000,000 orders fold
 * in 2,000 transactions); chunks ten times the size held the event loop 250 to 400 ms each.
 */
const DEFAULT_CHUNKS: MetricsRefreshChunks = { events: 20_000, orders: 500, slices: 10 };

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The SQLite metrics, with the single-statement reference their fast path is checked against (test/metrics). */
export interface SqliteMetricsStore extends MetricsStore {
  /**
   * The figures of a query straight from the fact rows, in one SQL statement with SQLite's percentile() (the
   * PostgreSQL engine's way): the SKU fact rows when the query groups or filters by SKU (a PO counts once for each
   * SKU it carries), else the PO fact rows.
   */
  queryMetricsFromFacts(query: MetricsQuery): MetricSums[];
}

/**
 * The metric facts of the SQLite store. One fact row per PO (metric_po_facts), the same per SKU it carries
 * (metric_sku_facts), and their sums per day, supplier, channel and region (metric_day_buckets), which answer every
 * query without SKUs (docs/metrics.md). One refresh runs at a time per connection.
 */
export function withMetrics<T extends StoreClass<SqliteStoreBase>>(
  Base: T,
): T & StoreClass<SqliteMetricsStore> {
  abstract class SqliteMetrics extends Base implements SqliteMetricsStore {
    /** The refresh under way: a second caller waits for it, then refreshes again for what came since. */
    private metricsRefresh?: Promise<number>;
    private readonly metricsChunks = this.metricsRefreshChunks ?? DEFAULT_CHUNKS;

    /**
     * Brings the fact rows up to date with everything that happened since the last call: the orders with new
     * events or newly sent notices get their rows rebuilt, then the buckets they changed are summed again. Runs in
     * chunks, one transaction each, yielding to the event loop between them: the first refresh after an upgrade
     * folds every order (about a minute for 1,000,000) without stalling the runtime. Returns how many orders were
     * refreshed.
     */
    async refreshMetricFacts(): Promise<number> {
      while (this.metricsRefresh) await this.metricsRefresh.catch(() => 0);
      this.metricsRefresh = this.refreshInChunks();
      try {
        return await this.metricsRefresh;
      } finally {
        this.metricsRefresh = undefined;
      }
    }

    private async refreshInChunks(): Promise<number> {
      const marks = this.newMetricMarks();
      let refreshed = 0;
      if (marks) {
        await this.collectTouchedOrders(marks);
        for (;;) {
          const folded = this.db.transaction(() => this.foldTouchedChunk()).immediate();
          if (folded === 0) break;
          refreshed += folded;
          await nextTurn();
        }
        // Only once every chunk is in: an interrupted refresh leaves the marks behind and starts over next time.
        const upsert = this.db.prepare(
          'INSERT INTO metric_watermarks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
        );
        this.db.transaction(() => {
          upsert.run('event_id', marks.maxEvent);
          upsert.run('notification_sent_at', marks.maxSent);
        })();
      }
      while (this.db.transaction(() => this.sumStaleSlices()).immediate() > 0) await nextTurn();
      return refreshed;
    }

    /** The watermarks and how far the events and sent notices go now; undefined when nothing is new. */
    private newMetricMarks(): RefreshMarks | undefined {
      const lastEvent = this.metricWatermark('event_id');
      const lastSent = this.metricWatermark('notification_sent_at');
      const maxEvent = Number(
        (this.db.prepare('SELECT MAX(id) AS id FROM order_events').get() as Row).id ?? 0,
      );
      const maxSent = Number(
        (this.db.prepare("SELECT MAX(sent_at) AS at FROM notifications WHERE state = 'sent'").get() as Row)
          .at ?? 0,
      );
      if (maxEvent === lastEvent && maxSent === lastSent) return undefined;
      return { lastEvent, maxEvent, lastSent, maxSent };
    }

    /**
     * Puts the orders with events or sent notices past the watermarks in metric_pending, reading the events in
     * ranges of ids with a turn of the event loop between two (events are only ever appended: a range read later
     * holds what it held at the start).
     */
    private async collectTouchedOrders(marks: RefreshMarks): Promise<void> {
      this.db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS metric_pending (order_id TEXT PRIMARY KEY) WITHOUT ROWID;
      CREATE TEMP TABLE IF NOT EXISTS metric_touched (order_id TEXT PRIMARY KEY) WITHOUT ROWID;
      CREATE TEMP TABLE IF NOT EXISTS metric_touched_parcels (po_number TEXT PRIMARY KEY, label_at INTEGER,
        first_scan_at INTEGER, parcels INTEGER, valid_parcels INTEGER) WITHOUT ROWID;
      DELETE FROM metric_pending;`);
      // A notice sent in the same millisecond as the last refresh may not have been seen then: >= re-reads it.
      this.db
        .prepare(
          "INSERT OR IGNORE INTO metric_pending SELECT order_id FROM notifications WHERE state = 'sent' AND sent_at >= ?",
        )
        .run(marks.lastSent);
      const fromEvents = this.db.prepare(
        'INSERT OR IGNORE INTO metric_pending SELECT order_id FROM order_events WHERE id > ? AND id <= ?',
      );
      for (let after = marks.lastEvent; after < marks.maxEvent; after += this.metricsChunks.events) {
        fromEvents.run(after, Math.min(after + this.metricsChunks.events, marks.maxEvent));
        await nextTurn();
      }
    }

    /** Rebuilds the fact rows of the next chunk of pending orders; returns how many orders it took. */
    private foldTouchedChunk(): number {
      this.db.exec('DELETE FROM metric_touched');
      this.db
        .prepare('INSERT INTO metric_touched SELECT order_id FROM metric_pending ORDER BY order_id LIMIT ?')
        .run(this.metricsChunks.orders);
      const taken = this.db
        .prepare('DELETE FROM metric_pending WHERE order_id IN (SELECT order_id FROM metric_touched)')
        .run().changes;
      if (taken === 0) return 0;
      this.db.exec(MARK_STALE_SLICES);
      this.db.exec('DELETE FROM metric_sku_facts WHERE order_id IN (SELECT order_id FROM metric_touched)');
      this.db.exec('DELETE FROM metric_po_facts WHERE order_id IN (SELECT order_id FROM metric_touched)');
      this.db.exec(REBUILD_PARCELS);
      this.db.exec(REBUILD_FACTS);
      this.db.exec(REBUILD_SKU_FACTS);
      this.db.exec(MARK_STALE_SLICES);
      return taken;
    }

    /** Sums the buckets of the next stale slices again; returns how many slices it took. */
    private sumStaleSlices(): number {
      this.db
        .exec(`CREATE TEMP TABLE IF NOT EXISTS metric_slice_batch (day INTEGER NOT NULL, supplier_id TEXT NOT NULL,
      PRIMARY KEY (day, supplier_id)) WITHOUT ROWID; DELETE FROM metric_slice_batch;`);
      const taken = this.db
        .prepare('INSERT INTO metric_slice_batch SELECT day, supplier_id FROM metric_stale_slices LIMIT ?')
        .run(this.metricsChunks.slices).changes;
      if (taken > 0) this.db.exec(SUM_SLICE_BATCH);
      return taken;
    }

    private metricWatermark(name: string): number {
      return Number(
        (this.db.prepare('SELECT value FROM metric_watermarks WHERE name = ?').get(name) as Row | undefined)
          ?.value ?? 0,
      );
    }

    /**
     * The figures of a query, as queryMetricsFromFacts computes them but faster. Without SKUs they are added up from the day
     * buckets of the whole days in the window and from the fact rows of the part days at its ends, summed the same
     * way; with SKUs the SKU fact rows are summed per group in SQL (in table order: no sort). Either way the
     * durations come back as arrays and the quantiles are selected in JavaScript (metric-buckets.ts), which is what
     * lets SQLite skip six percentile() aggregates per row.
     */
    async queryMetrics(query: MetricsQuery): Promise<MetricSums[]> {
      const from = query.from.getTime();
      const to = query.to.getTime();
      if (from >= to) return [];
      if (query.groupBy.includes('sku') || query.skus !== undefined) {
        const { where, params } = this.metricFilters(query, 'f.');
        const keys = query.groupBy.map((d) => `${DIMENSION_SQL[d]} AS key_${d}`);
        const groups = this.db
          .prepare(
            `SELECT ${[...keys, BUCKET_SUMS].join(', ')} FROM metric_sku_facts f
           WHERE f.placed_at >= ${from} AND f.placed_at < ${to}${where}
           ${keys.length > 0 ? `GROUP BY ${query.groupBy.map((d) => `key_${d}`).join(', ')}` : ''}`,
          )
          .all(params) as Row[];
        // Without GROUP BY an empty window still yields one row of zero sums: no groups then.
        const found = groups.filter((row) => Number(row.purchase_orders) > 0);
        return sumsFromBuckets(found, query.groupBy, query.now.getTime());
      }
      const firstDay = Math.ceil(from / DAY_MS);
      const endDay = Math.floor(to / DAY_MS);
      const { where, params } = this.metricFilters(query, '');
      const fromFacts = (start: number, end: number): string =>
        `SELECT ${BUCKET_KEYS}, * FROM (SELECT f.placed_at / ${DAY_MS} AS day, f.supplier_id, f.channel, f.region, ${BUCKET_SUMS}
       FROM metric_po_facts f WHERE f.placed_at >= ${start} AND f.placed_at < ${end}${where}
       GROUP BY 1, 2, 3, 4)`;
      const parts =
        firstDay < endDay
          ? [
              `SELECT ${BUCKET_KEYS}, * FROM metric_day_buckets WHERE day >= ${firstDay} AND day < ${endDay}${where}`,
              ...(from < firstDay * DAY_MS ? [fromFacts(from, firstDay * DAY_MS)] : []),
              ...(endDay * DAY_MS < to ? [fromFacts(endDay * DAY_MS, to)] : []),
            ]
          : [fromFacts(from, to)];
      const buckets = parts.flatMap((sql) => this.db.prepare(sql).all(params) as Row[]);
      return sumsFromBuckets(buckets, query.groupBy, query.now.getTime());
    }

    queryMetricsFromFacts(query: MetricsQuery): MetricSums[] {
      const needsSku = query.groupBy.includes('sku') || query.skus !== undefined;
      const keys = query.groupBy.map((d) => `${DIMENSION_SQL[d]} AS key_${d}`);
      const { where, params } = this.metricFilters(query, 'f.');
      const sql = `SELECT ${[...keys, METRIC_SELECT('@now', (column, percent) => `percentile(${column}, ${percent})`)].join(', ')}
      FROM ${needsSku ? 'metric_sku_facts' : 'metric_po_facts'} f
      WHERE f.placed_at >= @from AND f.placed_at < @to${where}
      ${query.groupBy.length > 0 ? `GROUP BY ${query.groupBy.map((d) => `key_${d}`).join(', ')}` : ''}`;
      const rows = this.db.prepare(sql).all({
        ...params,
        from: query.from.getTime(),
        to: query.to.getTime(),
        now: query.now.getTime(),
      }) as Row[];
      // Without GROUP BY an empty window still yields one row of NULL sums: no groups then.
      return rows
        .filter((row) => Number(row.purchase_orders) > 0)
        .map((row) => metricSumsFromRow(row, query.groupBy));
    }

    /** The query's filters as AND clauses on columns with the given prefix, and their named parameters. */
    private metricFilters(
      query: MetricsQuery,
      prefix: string,
    ): { where: string; params: Record<string, string> } {
      const lists: [string, string, string[] | undefined][] = [
        ['supplier_id', 'suppliers', query.supplierIds],
        ['channel', 'channels', query.channels],
        ['region', 'regions', query.regions],
        ['sku', 'skus', query.skus],
      ];
      let where = '';
      const params: Record<string, string> = {};
      for (const [column, name, values] of lists) {
        if (!values) continue;
        where += ` AND ${prefix}${column} IN (SELECT value FROM json_each(@${name}))`;
        params[name] = JSON.stringify(values);
      }
      return { where, params };
    }
  }
  return SqliteMetrics;
}
