/**
 * Watchdog timers as the store keeps them: one row per (subject, condition, step), so a step fires once per
 * condition however many sweeps, restarts or instances see it.
 */

export const WATCHDOG_CONDITIONS = [
  'po_unacknowledged',
  'not_shipped_by_promise',
  'label_without_scan',
  'no_tracking_movement',
  'late_delivery',
  'stock_feed_stale',
  'supplier_error_rate',
  'address_rejected',
  'functional_ack_overdue',
] as const;
export type WatchdogCondition = (typeof WATCHDOG_CONDITIONS)[number];

export const WATCHDOG_ACTIONS = ['remind_supplier', 'reroute', 'alert_operator', 'notify_customer'] as const;
export type WatchdogAction = (typeof WATCHDOG_ACTIONS)[number];

/** pending: waits for its time; firing: claimed by a worker (leased); fired: done; cleared: the condition ended first. */
export type WatchdogTimerState = 'pending' | 'firing' | 'fired' | 'cleared';

export interface WatchdogTimerDraft {
  /**
   * What the condition is about: `po:<number>`, `parcel:<order>:<tracking number>`, `order:<id>`, `supplier:<id>`,
   * `x12-group:<supplier>:<functional id>:<group control number>`.
   */
  subject: string;
  orderId?: string;
  poNumber?: string;
  supplierId?: string;
  condition: WatchdogCondition;
  /** Position of the step in the condition's ladder (0 = first). */
  step: number;
  action: WatchdogAction;
  dueAt: Date;
  /** What was detected, for the operator and the step (reason, times, tracking number...). */
  detail: Record<string, unknown>;
}

export interface WatchdogTimer extends Omit<WatchdogTimerDraft, 'dueAt'> {
  id: number;
  dueAt: string;
  state: WatchdogTimerState;
  outcome?: Record<string, unknown>;
  createdAt: string;
  firedAt?: string;
}

export type WatchdogTimerOutcome =
  /** fired: the step ran; cleared: the condition no longer held when the timer came due. */
  | { state: 'fired' | 'cleared'; result: Record<string, unknown> }
  /** The step could not run now (store busy, supplier missing): try again at `retryAt`. */
  | { retryAt: Date; error: string };

export interface WatchdogTimerQuery {
  orderId?: string;
  subject?: string;
  states?: WatchdogTimerState[];
  limit?: number;
}
