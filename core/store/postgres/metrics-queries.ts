import {
  CUSTOMER_CHANNELS,
  DAY_MS,
  EXCEPTION_EVENT_TYPES,
  type MetricDimension,
  type MetricSums,
  type MetricsQuery,
} from '../../metrics/metric-facts';
import { METRIC_SELECT, metricSumsFromRow } from '../metric-rows';
import type { MetricsStore } from '../metrics-store';
import type { StoreRow as Row } from '../row-mapping';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';

const list = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
/** First key of the refresh's advisory lock ("METR"): instances refresh one after the other. */
const REFRESH_LOCK_CLASS = 0x4d455452;
/** More than the events that can be in flight (inserted, not yet committed) at once across instances. */
const REREAD_EVENTS = 1000;

/** The PostgreSQL twin of the SQLite REBUILD_FACTS: the fact rows of the orders in `metric_touched`. */
const REBUILD_FACTS = `
WITH po AS (
  SELECT p.* FROM purchase_orders p WHERE p.order_id IN (SELECT order_id FROM metric_touched)
), ev AS (
  SELECT e.po_number,
    MIN(e.at) FILTER (WHERE e.to_state IN ('accepted', 'backordered', 'rejected') AND e.type <> 'po.state') AS acknowledged_at,
    MAX(CASE WHEN e.to_state IN ('accepted', 'backordered', 'rejected') AND e.type <> 'po.state' THEN 1 ELSE 0 END) AS acknowledged,
    MAX(CASE WHEN e.to_state = 'accepted' THEN 1 ELSE 0 END) AS accepted,
    MAX(CASE WHEN e.to_state = 'backordered' OR e.type = 'po.partial' THEN 1 ELSE 0 END) AS stockout,
    MAX(CASE WHEN e.to_state = 'cancelled' AND e.from_state IN ('accepted', 'backordered') THEN 1 ELSE 0 END) AS cancelled_after_acceptance,
    SUM(CASE WHEN e.type IN ('po.retry', 'po.failed') THEN 1 ELSE 0 END) AS send_failures,
    MIN(e.at) FILTER (WHERE e.to_state = 'shipped') AS shipped_at,
    MAX((e.data->>'lines')::int) FILTER (WHERE e.type = 'po.created') AS lines_ordered
  FROM order_events e
  WHERE e.order_id IN (SELECT order_id FROM metric_touched) AND e.po_number IS NOT NULL
  GROUP BY e.po_number
), flagged AS (
  SELECT order_id, MAX(CASE WHEN type IN (${list(EXCEPTION_EVENT_TYPES)}) OR type LIKE 'watchdog.%' THEN 1 ELSE 0 END) AS exception
  FROM order_events WHERE order_id IN (SELECT order_id FROM metric_touched) GROUP BY order_id
), parcel AS (
  SELECT COALESCE(s.po_number, (SELECT MIN(p2.number) FROM po p2 WHERE p2.order_id = s.order_id)) AS po_number,
    MIN(t.occurred_at) FILTER (WHERE t.status = 'info_received') AS label_at,
    MIN(t.occurred_at) FILTER (WHERE t.status <> 'info_received') AS first_scan_at,
    COUNT(DISTINCT s.id) AS parcels,
    COUNT(DISTINCT s.id) FILTER (WHERE s.carrier IS NOT NULL) AS valid_parcels
  FROM shipments s JOIN tracking_events t ON t.shipment_id = s.id
  WHERE s.order_id IN (SELECT order_id FROM metric_touched)
  GROUP BY 1
), storefront AS (
  SELECT order_id, MIN(sent_at) AS updated_at FROM notifications
  WHERE order_id IN (SELECT order_id FROM metric_touched) AND state = 'sent' AND milestone LIKE 'shipped:%'
    AND channel NOT IN (${list(CUSTOMER_CHANNELS)})
  GROUP BY order_id
), line AS (
  SELECT po.number AS po_number, COUNT(*) AS lines, SUM((l->>'quantity')::numeric) AS units,
    SUM(COALESCE(ol.unit_price, 0) * (l->>'quantity')::numeric) AS revenue,
    CASE WHEN COUNT(l->'unitCost') = COUNT(*)
      THEN SUM((l->>'unitCost')::numeric * (l->>'quantity')::numeric) END AS cost
  FROM po CROSS JOIN LATERAL jsonb_array_elements(po.data->'lines') AS l
  LEFT JOIN order_lines ol ON ol.order_id = po.order_id AND ol.line_id = l->>'orderLineId'
  GROUP BY po.number
), invoice AS (
  SELECT po_number, SUM(total) AS total FROM supplier_invoices WHERE po_number IN (SELECT number FROM po) GROUP BY po_number
), returned AS (
  SELECT r.po_number, SUM((l->>'quantity')::numeric) AS units
  FROM return_authorisations r CROSS JOIN LATERAL jsonb_array_elements(r.data->'lines') AS l
  WHERE r.order_id IN (SELECT order_id FROM metric_touched) AND r.state <> 'rejected'
  GROUP BY r.po_number
), fact AS (
  SELECT po.number, po.order_id, po.supplier_id, po.state, po.send_attempts, o.channel, o.ship_country, o.placed_at,
    (extract(epoch FROM (o.data->'shipping'->>'promisedShipBy')::timestamptz) * 1000)::bigint AS promised_ship_by,
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
  LEFT JOIN parcel ON parcel.po_number = po.number
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
  (state IN ('shipped', 'delivered', 'rejected', 'failed', 'cancelled'))::int,
  (state IN ('shipped', 'delivered') AND lines_kept >= lines_ordered)::int,
  CASE WHEN state IN ('shipped', 'delivered', 'rejected', 'failed', 'cancelled') THEN lines_ordered ELSE 0 END,
  CASE WHEN state IN ('shipped', 'delivered') THEN lines_kept ELSE 0 END,
  acknowledged, accepted, stockout, cancelled_after_acceptance, promised_ship_by, ship_at, parcels, valid_parcels,
  exception, CASE WHEN state IN ('shipped', 'delivered') THEN units ELSE 0 END, returned_units, revenue, cost,
  send_attempts, send_failures, acknowledged_at - placed_at, ship_at - placed_at,
  CASE WHEN storefront_updated_at >= tracked_at THEN storefront_updated_at - tracked_at END
FROM fact`;

const DIMENSION_SQL: Record<MetricDimension, string> = {
  supplier: 'f.supplier_id',
  sku: 'lf.sku',
  channel: 'f.channel',
  region: 'f.region',
  day: `f.placed_at / ${DAY_MS}`,
};

/** The metric facts of the PostgreSQL store. */
export function withMetrics<T extends StoreClass<PostgresStoreBase>>(Base: T): T & StoreClass<MetricsStore> {
  abstract class PostgresMetrics extends Base implements MetricsStore {
    async refreshMetricFacts(): Promise<number> {
      return this.transaction(async (db) => {
        await db.query('SELECT pg_advisory_xact_lock($1, 0)', [REFRESH_LOCK_CLASS]);
        const marks = new Map(
          (await db.query<Row>('SELECT name, value FROM metric_watermarks')).rows.map((row) => [
            String(row.name),
            Number(row.value),
          ]),
        );
        const lastEvent = marks.get('event_id') ?? 0;
        const lastSent = marks.get('notification_sent_at') ?? 0;
        const latest = (
          await db.query<Row>(
            `SELECT (SELECT MAX(id) FROM order_events) AS event_id,
             (SELECT MAX(sent_at) FROM notifications WHERE state = 'sent') AS sent_at`,
          )
        ).rows[0]!;
        const maxEvent = Number(latest.event_id ?? 0);
        const maxSent = Number(latest.sent_at ?? 0);
        if (maxEvent === lastEvent && maxSent === lastSent) return 0;
        await db.query('CREATE TEMP TABLE metric_touched (order_id TEXT PRIMARY KEY) ON COMMIT DROP');
        // Ids are handed out at insert, not at commit: an event just below the mark may commit after it was read.
        // Re-reading the last REREAD_EVENTS ids catches those for the price of a few rebuilt rows.
        await db.query(
          `INSERT INTO metric_touched SELECT order_id FROM order_events WHERE id > $1 AND id <= $2
         UNION SELECT order_id FROM notifications WHERE state = 'sent' AND sent_at >= $3`,
          [Math.max(0, lastEvent - REREAD_EVENTS), maxEvent, lastSent],
        );
        await db.query(`DELETE FROM metric_line_facts WHERE po_number IN
        (SELECT po_number FROM metric_po_facts WHERE order_id IN (SELECT order_id FROM metric_touched))`);
        await db.query('DELETE FROM metric_po_facts WHERE order_id IN (SELECT order_id FROM metric_touched)');
        await db.query(REBUILD_FACTS);
        await db.query(`INSERT INTO metric_line_facts (po_number, sku)
        SELECT DISTINCT p.number, l->>'sku' FROM purchase_orders p CROSS JOIN LATERAL jsonb_array_elements(p.data->'lines') AS l
        WHERE p.order_id IN (SELECT order_id FROM metric_touched) ON CONFLICT DO NOTHING`);
        await db.query(
          `INSERT INTO metric_watermarks (name, value) VALUES ('event_id', $1), ('notification_sent_at', $2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
          [maxEvent, maxSent],
        );
        return Number((await db.query<Row>('SELECT COUNT(*) AS n FROM metric_touched')).rows[0]!.n);
      });
    }

    async queryMetrics(query: MetricsQuery): Promise<MetricSums[]> {
      const needsSku = query.groupBy.includes('sku') || query.skus !== undefined;
      const params: unknown[] = [query.from.getTime(), query.to.getTime(), query.now.getTime()];
      const filter = (column: string, values?: string[]): string => {
        if (!values) return '';
        params.push(values);
        return ` AND ${column} = ANY($${params.length})`;
      };
      const where = `f.placed_at >= $1 AND f.placed_at < $2${filter('f.supplier_id', query.supplierIds)}${filter(
        'f.channel',
        query.channels,
      )}${filter('f.region', query.regions)}${filter('lf.sku', query.skus)}`;
      const keys = query.groupBy.map((d) => `${DIMENSION_SQL[d]} AS key_${d}`);
      const select = METRIC_SELECT(
        '$3',
        (column, percent) => `percentile_cont(${percent / 100}) WITHIN GROUP (ORDER BY ${column})`,
      );
      const { rows } = await this.pool.query<Row>(
        `SELECT ${[...keys, select].join(', ')}
       FROM metric_po_facts f ${needsSku ? 'JOIN metric_line_facts lf ON lf.po_number = f.po_number' : ''}
       WHERE ${where}
       ${query.groupBy.length > 0 ? `GROUP BY ${query.groupBy.map((d) => `key_${d}`).join(', ')}` : ''}`,
        params,
      );
      return rows
        .filter((row) => Number(row.purchase_orders) > 0)
        .map((row) => metricSumsFromRow(row, query.groupBy));
    }
  }
  return PostgresMetrics;
}
