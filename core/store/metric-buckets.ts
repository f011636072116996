import type { DurationQuantiles, MetricDimension, MetricSums } from '../metrics/metric-facts';
import { COUNTED_FIGURES, metricKeyFromRow } from './metric-rows';
import type { StoreRow as Row } from './row-mapping';

/**
 * Adding up buckets: rows that each sum some PO facts (a day bucket: one day, supplier, channel and region), with
 * the COUNTED_FIGURES columns, `shipped_with_promise`, JSON arrays of the durations (`to_ack_ms`, `to_ship_ms`,
 * `tracking_ms`) and of the promises not yet shipped (`unshipped_promises`), and key_<dimension> columns for the
 * query's grouping. The result is what METRIC_SELECT gives for the same POs: counts and amounts are summed, the
 * ship-due count is completed with the promises past `now`, and the quantiles are taken over all the durations of
 * the group, so they are exact.
 */

const DURATIONS = [
  ['orderToAcknowledgement', 'to_ack_ms'],
  ['orderToShip', 'to_ship_ms'],
  ['trackingUploadLatency', 'tracking_ms'],
] as const;

type Values = number[] | Float64Array;

interface Group {
  row: Row;
  counted: number[];
  shipDue: number;
  /** Per duration, the parsed arrays of the group's buckets. */
  durations: number[][][];
}

export function sumsFromBuckets(buckets: Row[], groupBy: MetricDimension[], now: number): MetricSums[] {
  const groups = new Map<string, Group>();
  const keyColumns = groupBy.map((d) => `key_${d}`);
  const countedColumns = COUNTED_FIGURES.map(([, column]) => column);
  for (const bucket of buckets) {
    const id =
      keyColumns.length === 1
        ? String(bucket[keyColumns[0]!])
        : JSON.stringify(keyColumns.map((c) => bucket[c]));
    let group = groups.get(id);
    if (!group) {
      group = {
        row: bucket,
        counted: countedColumns.map(() => 0),
        shipDue: 0,
        durations: DURATIONS.map(() => []),
      };
      groups.set(id, group);
    }
    for (let i = 0; i < countedColumns.length; i++)
      group.counted[i]! += Number(bucket[countedColumns[i]!] ?? 0);
    group.shipDue += Number(bucket.shipped_with_promise ?? 0);
    const unshipped = String(bucket.unshipped_promises);
    if (unshipped !== '[]')
      for (const promise of JSON.parse(unshipped) as number[]) if (promise < now) group.shipDue++;
    for (let i = 0; i < DURATIONS.length; i++)
      group.durations[i]!.push(JSON.parse(String(bucket[DURATIONS[i]![1]])) as number[]);
  }
  return [...groups.values()]
    .sort((a, b) => compareKeys(a.row, b.row, groupBy))
    .map((group) => {
      const [orderToAcknowledgement, orderToShip, trackingUploadLatency] = group.durations.map(quantilesOf);
      const sums = {
        key: metricKeyFromRow(group.row, groupBy),
        shipDue: group.shipDue,
        orderToAcknowledgement: orderToAcknowledgement!,
        orderToShip: orderToShip!,
        trackingUploadLatency: trackingUploadLatency!,
      } as MetricSums;
      for (let i = 0; i < COUNTED_FIGURES.length; i++) sums[COUNTED_FIGURES[i]![0]] = group.counted[i]!;
      return sums;
    });
}

function compareKeys(a: Row, b: Row, groupBy: MetricDimension[]): number {
  for (const dimension of groupBy) {
    const x = a[`key_${dimension}`] as string | number;
    const y = b[`key_${dimension}`] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function quantilesOf(parts: number[][]): DurationQuantiles {
  const values = parts.length === 1 ? parts[0]! : concatenated(parts);
  if (values.length === 0) return { count: 0, median: undefined, p90: undefined };
  const median = percentileInPlace(values, 50, 0);
  // The median's selection left everything from its index on at or above it: the 90th percentile is found there.
  const p90 = percentileInPlace(values, 90, Math.floor(0.5 * (values.length - 1)));
  return { count: values.length, median, p90 };
}

/** One bucket's array is used as it is (a SKU group is one row); several are copied into one typed array. */
function concatenated(parts: number[][]): Float64Array {
  const values = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    values.set(part, at);
    at += part.length;
  }
  return values;
}

/**
 * The percentile as SQLite's percentile() and PostgreSQL's percentile_cont compute it: at index
 * percent/100 × (n−1) of the sorted values, interpolating linearly between the two nearest. Selects instead of
 * sorting (reorders `values`); `from` is an index before which every value is known to be no larger than the rest.
 */
export function percentileInPlace(values: Values, percent: number, from: number): number {
  const index = (percent / 100) * (values.length - 1);
  const lower = Math.floor(index);
  selectInPlace(values, lower, from);
  const low = values[lower]!;
  if (index === lower) return low;
  let high = Infinity;
  for (let i = lower + 1; i < values.length; i++) if (values[i]! < high) high = values[i]!;
  return low + (high - low) * (index - lower);
}

/** Moves the k-th smallest value of values[from..] to index k, smaller ones before it and larger after (Hoare). */
function selectInPlace(values: Values, k: number, from: number): void {
  let lo = from;
  let hi = values.length - 1;
  while (hi > lo) {
    const a = values[lo]!;
    const b = values[(lo + hi) >>> 1]!;
    const c = values[hi]!;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
