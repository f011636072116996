import { dayKey, type MetricDimension, type MetricSums } from '../metrics/metric-facts';
import type { StoreRow as Row } from './row-mapping';

/** The MetricSums fields that are plain counts or amounts. */
export type CountedFigure = {
  [K in keyof MetricSums]: MetricSums[K] extends number ? K : never;
}[keyof MetricSums];

/**
 * The additive figures of a group: [MetricSums field, result column, SQL over the fact rows (alias f)]. A group's
 * value is the sum of its parts' values, which is what lets day buckets be added up (metric-buckets.ts). The
 * ship-due count is not here: it depends on the query's `now`.
 */
export const COUNTED_FIGURES: readonly (readonly [CountedFigure, string, string])[] = [
  ['purchaseOrders', 'purchase_orders', 'COUNT(*)'],
  ['settled', 'settled', 'SUM(f.settled)'],
  ['filled', 'filled', 'SUM(f.filled)'],
  ['linesOrdered', 'lines_ordered', 'SUM(f.lines_ordered)'],
  ['linesFilled', 'lines_filled', 'SUM(f.lines_filled)'],
  ['acknowledged', 'acknowledged', 'SUM(f.acknowledged)'],
  ['accepted', 'accepted', 'SUM(f.accepted)'],
  ['stockouts', 'stockouts', 'SUM(f.stockout)'],
  ['cancelledAfterAcceptance', 'cancelled_after_acceptance', 'SUM(f.cancelled_after_acceptance)'],
  ['shippedOnTime', 'shipped_on_time', 'SUM(CASE WHEN f.ship_at <= f.promised_ship_by THEN 1 ELSE 0 END)'],
  ['parcels', 'parcels', 'SUM(f.parcels)'],
  ['validParcels', 'valid_parcels', 'SUM(f.valid_parcels)'],
  ['exceptions', 'exceptions', 'SUM(f.exception)'],
  ['shippedUnits', 'shipped_units', 'SUM(f.shipped_units)'],
  ['returnedUnits', 'returned_units', 'SUM(f.returned_units)'],
  ['revenue', 'revenue', 'SUM(f.revenue)'],
  ['costedRevenue', 'costed_revenue', 'SUM(CASE WHEN f.cost IS NOT NULL THEN f.revenue ELSE 0 END)'],
  ['cost', 'cost', 'SUM(COALESCE(f.cost, 0))'],
  ['sendAttempts', 'send_attempts', 'SUM(f.send_attempts)'],
  ['sendFailures', 'send_failures', 'SUM(f.send_failures)'],
];

/** The COUNTED_FIGURES as a select list. */
export const METRIC_COUNTS = COUNTED_FIGURES.map(([, column, sql]) => `${sql} AS ${column}`).join(', ');

/**
 * The sums and quantiles of the fact rows (alias f) in one group, for both engines: `now` is the engine's
 * parameter for the current time, `quantile` its percentile aggregate (SQLite percentile, PostgreSQL
 * percentile_cont; both interpolate between the two nearest values).
 */
export const METRIC_SELECT = (now: string, quantile: (column: string, percent: number) => string): string => `
  ${METRIC_COUNTS},
  SUM(CASE WHEN f.promised_ship_by IS NOT NULL AND (f.ship_at IS NOT NULL OR f.promised_ship_by < ${now}) THEN 1 ELSE 0 END) AS ship_due,
  COUNT(f.to_ack_ms) AS to_ack_count, ${quantile('f.to_ack_ms', 50)} AS to_ack_median, ${quantile('f.to_ack_ms', 90)} AS to_ack_p90,
  COUNT(f.to_ship_ms) AS to_ship_count, ${quantile('f.to_ship_ms', 50)} AS to_ship_median, ${quantile('f.to_ship_ms', 90)} AS to_ship_p90,
  COUNT(f.tracking_ms) AS tracking_count, ${quantile('f.tracking_ms', 50)} AS tracking_median, ${quantile('f.tracking_ms', 90)} AS tracking_p90`;

const optionalNumber = (v: unknown): number | undefined => (v == null ? undefined : Number(v));

/** A group's key from its key_<dimension> columns (`day` holds the day number). */
export function metricKeyFromRow(row: Row, groupBy: MetricDimension[]): MetricSums['key'] {
  const key: MetricSums['key'] = {};
  for (const dimension of groupBy) {
    const value = row[`key_${dimension}`];
    key[dimension] = dimension === 'day' ? dayKey(Number(value)) : String(value);
  }
  return key;
}

/** One result row of METRIC_SELECT as MetricSums (both engines name their columns alike). */
export function metricSumsFromRow(row: Row, groupBy: MetricDimension[]): MetricSums {
  const n = (column: string): number => Number(row[column] ?? 0);
  const counted = Object.fromEntries(COUNTED_FIGURES.map(([field, column]) => [field, n(column)])) as Record<
    CountedFigure,
    number
  >;
  return {
    ...counted,
    key: metricKeyFromRow(row, groupBy),
    shipDue: n('ship_due'),
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
