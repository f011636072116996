import { dayKey, type MetricDimension, type MetricSums } from '../metrics/metric-facts';
import type { StoreRow as Row } from './row-mapping';

/**
 * The sums and quantiles of the fact rows (alias f) in one group, for both engines: `now` is the engine's
 * parameter for the current time, `quantile` its percentile aggregate (SQLite percentile, PostgreSQL
 * percentile_cont; both interpolate between the two nearest values).
 */
export const METRIC_SELECT = (now: string, quantile: (column: string, percent: number) => string): string => `
  COUNT(*) AS purchase_orders, SUM(f.settled) AS settled, SUM(f.filled) AS filled,
  SUM(f.lines_ordered) AS lines_ordered, SUM(f.lines_filled) AS lines_filled, SUM(f.acknowledged) AS acknowledged,
  SUM(f.accepted) AS accepted, SUM(f.stockout) AS stockouts, SUM(f.cancelled_after_acceptance) AS cancelled_after_acceptance,
  SUM(CASE WHEN f.promised_ship_by IS NOT NULL AND (f.ship_at IS NOT NULL OR f.promised_ship_by < ${now}) THEN 1 ELSE 0 END) AS ship_due,
  SUM(CASE WHEN f.ship_at <= f.promised_ship_by THEN 1 ELSE 0 END) AS shipped_on_time,
  SUM(f.parcels) AS parcels, SUM(f.valid_parcels) AS valid_parcels, SUM(f.exception) AS exceptions,
  SUM(f.shipped_units) AS shipped_units, SUM(f.returned_units) AS returned_units, SUM(f.revenue) AS revenue,
  SUM(CASE WHEN f.cost IS NOT NULL THEN f.revenue ELSE 0 END) AS costed_revenue, SUM(COALESCE(f.cost, 0)) AS cost,
  SUM(f.send_attempts) AS send_attempts, SUM(f.send_failures) AS send_failures,
  COUNT(f.to_ack_ms) AS to_ack_count, ${quantile('f.to_ack_ms', 50)} AS to_ack_median, ${quantile('f.to_ack_ms', 90)} AS to_ack_p90,
  COUNT(f.to_ship_ms) AS to_ship_count, ${quantile('f.to_ship_ms', 50)} AS to_ship_median, ${quantile('f.to_ship_ms', 90)} AS to_ship_p90,
  COUNT(f.tracking_ms) AS tracking_count, ${quantile('f.tracking_ms', 50)} AS tracking_median, ${quantile('f.tracking_ms', 90)} AS tracking_p90`;

const optionalNumber = (v: unknown): number | undefined => (v == null ? undefined : Number(v));

/** One result row of METRIC_SELECT as MetricSums (both engines name their columns alike). */
export function metricSumsFromRow(row: Row, groupBy: MetricDimension[]): MetricSums {
  const key: MetricSums['key'] = {};
  for (const dimension of groupBy) {
    const value = row[`key_${dimension}`];
    key[dimension] = dimension === 'day' ? dayKey(Number(value)) : String(value);
  }
  const n = (column: string): number => Number(row[column] ?? 0);
  return {
    key,
    purchaseOrders: n('purchase_orders'),
    settled: n('settled'),
    filled: n('filled'),
    linesOrdered: n('lines_ordered'),
    linesFilled: n('lines_filled'),
    acknowledged: n('acknowledged'),
    accepted: n('accepted'),
    stockouts: n('stockouts'),
    cancelledAfterAcceptance: n('cancelled_after_acceptance'),
    shipDue: n('ship_due'),
    shippedOnTime: n('shipped_on_time'),
    parcels: n('parcels'),
    validParcels: n('valid_parcels'),
    exceptions: n('exceptions'),
    shippedUnits: n('shipped_units'),
    returnedUnits: n('returned_units'),
    revenue: n('revenue'),
    costedRevenue: n('costed_revenue'),
    cost: n('cost'),
    sendAttempts: n('send_attempts'),
    sendFailures: n('send_failures'),
    orderToAcknowledgement: {
      count: n('to_ack_count'),
      median: optionalNumber(row.to_ack_median),
      p90: optionalNumber(row.to_ack_p90),
    },
    orderToShip: {
      count: n('to_ship_count'),
      median: optionalNumber(row.to_ship_median),
      p90: optionalNumber(row.to_ship_p90),
    },
    trackingUploadLatency: {
      count: n('tracking_count'),
      median: optionalNumber(row.tracking_median),
      p90: optionalNumber(row.tracking_p90),
    },
  };
}
