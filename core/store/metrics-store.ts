import type { MetricSums, MetricsQuery } from '../metrics/metric-facts';

/** The metric fact rows (core/metrics) the KPIs, scorecards and supplier performance figures are computed from. */
export interface MetricsStore {
  /** Brings the per-PO fact rows up to date with the events since the last refresh; returns how many orders were refreshed. */
  refreshMetricFacts(): Promise<number>;
  /** Sums and duration quantiles of the fact rows per group, computed in SQL. */
  queryMetrics(query: MetricsQuery): Promise<MetricSums[]>;
}
