import type { SupplierPerformance } from '../routing/route-order';
import type { MetricsStore } from '../store/metrics-store';
import { DAY_MS } from './metric-facts';
import { computeMetrics, type Kpis } from './kpis';

export interface ScorecardOptions {
  /** The window, in days up to now. */
  days: number;
  /** Median tracking upload latency at which the router's tracking figure reaches its worst (1). */
  trackingLatencyLimitHours: number;
  /** Suppliers with fewer purchase orders in the window get no figures: too few to judge. */
  minPurchaseOrders: number;
}

export const DEFAULT_SCORECARD_OPTIONS: ScorecardOptions = {
  days: 30,
  trackingLatencyLimitHours: 24,
  minPurchaseOrders: 5,
};

/** Every supplier's KPIs over the last `days` days, most purchase orders first. */
export async function supplierScorecards(
  store: MetricsStore,
  now: Date,
  options: Pick<ScorecardOptions, 'days'> = DEFAULT_SCORECARD_OPTIONS,
): Promise<Kpis[]> {
  const report = await computeMetrics(store, {
    from: new Date(now.getTime() - options.days * DAY_MS),
    to: now,
    groupBy: ['supplier'],
    now,
  });
  return report.groups;
}

/** A scorecard as the routing engine scores it: four figures 0..1 (see route-order.ts SupplierPerformance). */
export function performanceFromScorecard(card: Kpis, trackingLatencyLimitHours: number): SupplierPerformance {
  const latency = card.trackingUploadLatencyHours.median;
  return {
    acceptance: card.acceptanceRate,
    cancellation: card.cancellationRate,
    onTime: card.onTimeShipRate,
    trackingLatency:
      latency === undefined ? undefined : Math.min(1, Math.max(0, latency / trackingLatencyLimitHours)),
  };
}

/**
 * The router's RoutingContext.performance source: each supplier with enough purchase orders in the window gets
 * its figures; the others are left out, so the router scores them neutrally.
 */
export async function supplierPerformanceFromStore(
  store: MetricsStore,
  now: Date,
  options: ScorecardOptions = DEFAULT_SCORECARD_OPTIONS,
): Promise<Record<string, SupplierPerformance>> {
  const figures: Record<string, SupplierPerformance> = {};
  for (const card of await supplierScorecards(store, now, options)) {
    if (card.purchaseOrders < options.minPurchaseOrders || !card.key.supplier) continue;
    figures[card.key.supplier] = performanceFromScorecard(card, options.trackingLatencyLimitHours);
  }
  return figures;
}
