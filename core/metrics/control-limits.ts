import type { MetricsStore } from '../store/metrics-store';
import { DAY_MS, dayKey, type MetricSums } from './metric-facts';

/** Figures a control limit can watch: each a share, with what counts and out of what. */
export const CONTROLLED_FIGURES = {
  errorRate: { worseWhen: 'higher', of: (s: MetricSums) => [s.sendFailures, s.sendAttempts] },
  cancellationRate: { worseWhen: 'higher', of: (s: MetricSums) => [s.cancelledAfterAcceptance, s.accepted] },
  stockoutRate: { worseWhen: 'higher', of: (s: MetricSums) => [s.stockouts, s.acknowledged] },
  exceptionRate: { worseWhen: 'higher', of: (s: MetricSums) => [s.exceptions, s.purchaseOrders] },
  acceptanceRate: { worseWhen: 'lower', of: (s: MetricSums) => [s.accepted, s.acknowledged] },
  onTimeShipRate: { worseWhen: 'lower', of: (s: MetricSums) => [s.shippedOnTime, s.shipDue] },
  validTrackingRate: { worseWhen: 'lower', of: (s: MetricSums) => [s.validParcels, s.parcels] },
} as const satisfies Record<
  string,
  { worseWhen: 'higher' | 'lower'; of: (s: MetricSums) => [number, number] }
>;
export type ControlledFigure = keyof typeof CONTROLLED_FIGURES;

export interface ControlLimitRule {
  figure: ControlledFigure;
  baselineDays: number;
  /** Days in a row beyond the limit before an alert. */
  consecutiveDays: number;
  sigmas: number;
  /** A fixed limit instead of the computed one. */
  limit?: number;
}

export interface DailyFigure {
  day: string;
  value: number;
  count: number;
  limit: number;
  beyond: boolean;
}

export interface ControlLimitAlert {
  supplierId: string;
  figure: ControlledFigure;
  /** The supplier's normal rate over the baseline days (absent with a fixed limit and no baseline data). */
  baseline?: number;
  /** The checked days, oldest first, every one beyond its limit. */
  days: DailyFigure[];
}

/**
 * A p-chart per supplier: the baseline days give the normal share p; a checked day with n cases is beyond its
 * limit when its share passes p ± sigmas·sqrt(p(1-p)/n) (or the fixed limit) in the worse direction. An alert
 * needs every one of the last `consecutiveDays` days (today included) to have cases and be beyond.
 */
export function controlLimitAlerts(
  daily: MetricSums[],
  rule: ControlLimitRule,
  now: Date,
): ControlLimitAlert[] {
  const { worseWhen, of } = CONTROLLED_FIGURES[rule.figure];
  const today = Math.floor(now.getTime() / DAY_MS);
  const checkedDays = new Set(
    Array.from({ length: rule.consecutiveDays }, (_, i) => dayKey(today - rule.consecutiveDays + 1 + i)),
  );
  const bySupplier = new Map<string, MetricSums[]>();
  for (const row of daily) {
    const supplier = row.key.supplier;
    if (!supplier) continue;
    bySupplier.set(supplier, [...(bySupplier.get(supplier) ?? []), row]);
  }
  const alerts: ControlLimitAlert[] = [];
  for (const [supplierId, rows] of bySupplier) {
    let baseCount = 0;
    let baseTotal = 0;
    for (const row of rows) {
      if (checkedDays.has(row.key.day ?? '')) continue;
      const [count, total] = of(row);
      baseCount += count;
      baseTotal += total;
    }
    const baseline = baseTotal > 0 ? baseCount / baseTotal : undefined;
    if (rule.limit === undefined && baseline === undefined) continue;
    const days: DailyFigure[] = [];
    for (const day of [...checkedDays]) {
      const row = rows.find((r) => r.key.day === day);
      const [count, total] = row ? of(row) : [0, 0];
      if (total === 0) break;
      const value = count / total;
      const spread =
        baseline === undefined ? 0 : rule.sigmas * Math.sqrt((baseline * (1 - baseline)) / total);
      const limit = rule.limit ?? (worseWhen === 'higher' ? baseline! + spread : baseline! - spread);
      const beyond = worseWhen === 'higher' ? value > limit : value < limit;
      if (!beyond) break;
      days.push({ day, value, count: total, limit, beyond });
    }
    if (days.length === rule.consecutiveDays)
      alerts.push({ supplierId, figure: rule.figure, baseline, days });
  }
  return alerts.sort((a, b) => a.supplierId.localeCompare(b.supplierId));
}

/** Reads the daily figures per supplier for the baseline and checked days, then applies the rule. */
export async function supplierControlLimitAlerts(
  store: MetricsStore,
  rule: ControlLimitRule,
  now: Date,
): Promise<ControlLimitAlert[]> {
  await store.refreshMetricFacts();
  const today = Math.floor(now.getTime() / DAY_MS);
  const daily = await store.queryMetrics({
    from: new Date((today - rule.baselineDays - rule.consecutiveDays + 1) * DAY_MS),
    to: new Date((today + 1) * DAY_MS),
    groupBy: ['supplier', 'day'],
    now,
  });
  return controlLimitAlerts(daily, rule, now);
}
