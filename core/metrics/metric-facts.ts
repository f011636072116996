/**
 * What the store aggregates for the metrics: one fact row per purchase order (kept up to date from the order
 * events by `refreshMetricFacts`), summed per group in SQL. The KPI arithmetic on these sums is in kpis.ts.
 */

export const METRIC_DIMENSIONS = ['supplier', 'sku', 'channel', 'region', 'day'] as const;
export type MetricDimension = (typeof METRIC_DIMENSIONS)[number];

export interface MetricsQuery {
  /** Purchase orders of orders placed in [from, to). */
  from: Date;
  to: Date;
  /** Empty: one row for everything in the window. `day` is the UTC day the order was placed. */
  groupBy: MetricDimension[];
  supplierIds?: string[];
  skus?: string[];
  channels?: string[];
  regions?: string[];
  /** A promise to ship by a time before `now` that was not kept counts as late even before the parcel leaves. */
  now: Date;
}

/** A median and 90th percentile of a duration, in milliseconds (absent when nothing was measured). */
export interface DurationQuantiles {
  median?: number;
  p90?: number;
  count: number;
}

/** The sums of one group, as the store returns them. Counts are of purchase orders unless named otherwise. */
export interface MetricSums {
  key: Partial<Record<MetricDimension, string>>;
  purchaseOrders: number;
  /** Reached a final outcome: shipped, delivered, rejected, failed or cancelled. */
  settled: number;
  /** Settled by shipping every line originally ordered. */
  filled: number;
  linesOrdered: number;
  linesFilled: number;
  /** Answered by the supplier: accepted, backordered or rejected. */
  acknowledged: number;
  /** Accepted, in full or in part. */
  accepted: number;
  /** Backordered, or lines refused in a partial acceptance. */
  stockouts: number;
  cancelledAfterAcceptance: number;
  /** With a promised ship date that has passed or was met. */
  shipDue: number;
  shippedOnTime: number;
  parcels: number;
  /** Parcels whose tracking number a carrier format recognised. */
  validParcels: number;
  exceptions: number;
  shippedUnits: number;
  returnedUnits: number;
  /** Customer prices of the POs' lines. */
  revenue: number;
  /** Revenue of the POs whose cost is known, and that cost (invoice total, else PO unit costs). */
  costedRevenue: number;
  cost: number;
  sendAttempts: number;
  sendFailures: number;
  orderToAcknowledgement: DurationQuantiles;
  orderToShip: DurationQuantiles;
  trackingUploadLatency: DurationQuantiles;
}

/** Milliseconds in a UTC day: the `day` dimension is placed_at / DAY_MS. */
export const DAY_MS = 86_400_000;

export function dayKey(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Which event types mark an order as an exception for the exception rate: held for a person, or a watchdog
 * condition that fired (any `watchdog.` step).
 */
export const EXCEPTION_EVENT_TYPES = ['order.needs_attention', 'order.unroutable'] as const;

/** Notification channels that are the customer, not the storefront: tracking upload latency ignores them. */
export const CUSTOMER_CHANNELS = ['email', 'sms'] as const;
