import type { MetricsStore } from '../store/metrics-store';
import type { DurationQuantiles, MetricDimension, MetricSums, MetricsQuery } from './metric-facts';

/** A median and 90th percentile in hours (absent when nothing was measured in the group). */
export interface HoursQuantiles {
  median?: number;
  p90?: number;
  /** How many purchase orders were measured. */
  count: number;
}

/**
 * The KPIs of one group (definitions in docs/metrics.md). A rate is absent when its denominator is zero:
 * "no data" is not "0 %".
 */
export interface Kpis {
  key: Partial<Record<MetricDimension, string>>;
  purchaseOrders: number;
  orderFillRate?: number;
  lineFillRate?: number;
  orderToAcknowledgementHours: HoursQuantiles;
  orderToShipHours: HoursQuantiles;
  acceptanceRate?: number;
  cancellationRate?: number;
  stockoutRate?: number;
  onTimeShipRate?: number;
  trackingUploadLatencyHours: HoursQuantiles;
  validTrackingRate?: number;
  exceptionRate?: number;
  returnRate?: number;
  errorRate?: number;
  grossMargin: {
    revenue: number;
    /** Revenue of the POs whose cost is known (invoice or PO unit costs), and that cost. */
    costedRevenue: number;
    cost: number;
    amount?: number;
    rate?: number;
  };
}

const HOUR_MS = 3_600_000;
const rate = (numerator: number, denominator: number): number | undefined =>
  denominator > 0 ? numerator / denominator : undefined;
const hours = (q: DurationQuantiles): HoursQuantiles => ({
  median: q.median === undefined ? undefined : q.median / HOUR_MS,
  p90: q.p90 === undefined ? undefined : q.p90 / HOUR_MS,
  count: q.count,
});

export function kpisFromSums(sums: MetricSums): Kpis {
  const margin = sums.costedRevenue - sums.cost;
  return {
    key: sums.key,
    purchaseOrders: sums.purchaseOrders,
    orderFillRate: rate(sums.filled, sums.settled),
    lineFillRate: rate(sums.linesFilled, sums.linesOrdered),
    orderToAcknowledgementHours: hours(sums.orderToAcknowledgement),
    orderToShipHours: hours(sums.orderToShip),
    acceptanceRate: rate(sums.accepted, sums.acknowledged),
    cancellationRate: rate(sums.cancelledAfterAcceptance, sums.accepted),
    stockoutRate: rate(sums.stockouts, sums.acknowledged),
    onTimeShipRate: rate(sums.shippedOnTime, sums.shipDue),
    trackingUploadLatencyHours: hours(sums.trackingUploadLatency),
    validTrackingRate: rate(sums.validParcels, sums.parcels),
    exceptionRate: rate(sums.exceptions, sums.purchaseOrders),
    returnRate: rate(sums.returnedUnits, sums.shippedUnits),
    errorRate: rate(sums.sendFailures, sums.sendAttempts),
    grossMargin: {
      revenue: sums.revenue,
      costedRevenue: sums.costedRevenue,
      cost: sums.cost,
      amount: sums.costedRevenue > 0 ? margin : undefined,
      rate: rate(margin, sums.costedRevenue),
    },
  };
}

export interface MetricsReport {
  from: string;
  to: string;
  groupBy: MetricDimension[];
  generatedAt: string;
  groups: Kpis[];
}

/** Brings the facts up to date and computes the KPIs of the query's groups, largest group first. */
export async function computeMetrics(store: MetricsStore, query: MetricsQuery): Promise<MetricsReport> {
  await store.refreshMetricFacts();
  const sums = await store.queryMetrics(query);
  return {
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    groupBy: query.groupBy,
    generatedAt: query.now.toISOString(),
    groups: sums.map(kpisFromSums).sort((a, b) => b.purchaseOrders - a.purchaseOrders),
  };
}
