import type {
  WatchdogTimer,
  WatchdogTimerDraft,
  WatchdogTimerOutcome,
  WatchdogTimerQuery,
} from '../watchdog/timers';
import type { Lease } from './lease';

/**
 * Watchdog timers (core/watchdog). Each (subject, condition, step) exists once: scheduling it again inserts
 * nothing, so a step fires once per condition across sweeps, restarts and instances.
 */
export interface WatchdogStore {
  /** Returns the new timers. */
  scheduleWatchdogTimers(timers: WatchdogTimerDraft[], now: Date): Promise<WatchdogTimer[]>;
  /** Claims up to `limit` pending timers that are due, or firing ones whose lease ran out. */
  claimDueWatchdogTimers(lease: Lease, limit: number): Promise<WatchdogTimer[]>;
  completeWatchdogTimer(id: number, outcome: WatchdogTimerOutcome, now: Date): Promise<void>;
  /** Clears an order's pending timers (the operator resolved or cancelled it); returns how many. */
  clearWatchdogTimers(orderId: string, now: Date): Promise<number>;
  listWatchdogTimers(query: WatchdogTimerQuery): Promise<WatchdogTimer[]>;
}
