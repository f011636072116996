import { invalidInput, type FieldProblem } from '../errors';
import { DAY_MS, METRIC_DIMENSIONS, type MetricDimension, type MetricsQuery } from './metric-facts';

/** Reads a metrics query from URL parameters or a message (from/to ISO times, groupBy list, filters). */
export function metricsQueryFrom(
  input: Record<string, unknown>,
  defaults: { windowDays: number; groupBy: MetricDimension[] },
  now: Date,
): MetricsQuery {
  const problems: FieldProblem[] = [];
  // Query strings give "a,b" or repeated parameters (an array); messages give either.
  const list = (v: unknown): string[] | undefined => {
    const parts =
      typeof v === 'string'
        ? v.split(',')
        : Array.isArray(v)
          ? v.filter((p) => typeof p === 'string')
          : undefined;
    return parts?.map((s) => s.trim()).filter(Boolean);
  };
  const time = (name: string, fallback: Date): Date => {
    const value = input[name];
    if (value === undefined || value === '') return fallback;
    const parsed = typeof value === 'string' ? new Date(value) : new Date(NaN);
    if (Number.isNaN(parsed.getTime())) problems.push({ path: name, message: 'is not an ISO 8601 time' });
    return parsed;
  };
  const to = time('to', now);
  const from = time('from', new Date(to.getTime() - defaults.windowDays * DAY_MS));
  const groupBy = list(input.groupBy) ?? defaults.groupBy;
  for (const d of groupBy)
    if (!(METRIC_DIMENSIONS as readonly string[]).includes(d))
      problems.push({ path: 'groupBy', message: `"${d}" is not one of ${METRIC_DIMENSIONS.join(', ')}` });
  if (problems.length > 0) throw invalidInput('metrics query', problems);
  return {
    from,
    to,
    groupBy: groupBy as MetricDimension[],
    supplierIds: list(input.supplier),
    skus: list(input.sku),
    channels: list(input.channel),
    regions: list(input.region),
    now,
  };
}
