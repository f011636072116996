import type { Lease } from '../lease';
import type { StoreRow as Row } from '../row-mapping';
import { watchdogTimerFromRow } from '../operations-rows';
import type { StoreClass } from '../store-class';
import type { WatchdogStore } from '../watchdog-store';
import type { SqliteStoreBase } from './sqlite-store';
import type {
  WatchdogTimer,
  WatchdogTimerDraft,
  WatchdogTimerOutcome,
  WatchdogTimerQuery,
} from '../../watchdog/timers';

/** The watchdog's timers in the SQLite store. */
export function withWatchdog<T extends StoreClass<SqliteStoreBase>>(Base: T): T & StoreClass<WatchdogStore> {
  abstract class SqliteWatchdog extends Base implements WatchdogStore {
    /** Inserts each timer unless its (subject, condition, step) exists; returns the ones created now. */
    async scheduleWatchdogTimers(timers: WatchdogTimerDraft[], now: Date): Promise<WatchdogTimer[]> {
      const insert = this.db.prepare(
        `INSERT INTO watchdog_timers (subject, order_id, po_number, supplier_id, condition, step, action, due_at, state,
         detail, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
       ON CONFLICT (subject, condition, step) DO NOTHING RETURNING *`,
      );
      const run = this.db.transaction(() =>
        timers.flatMap((t) => {
          const row = insert.get(
            t.subject,
            t.orderId ?? null,
            t.poNumber ?? null,
            t.supplierId ?? null,
            t.condition,
            t.step,
            t.action,
            t.dueAt.getTime(),
            JSON.stringify(t.detail),
            now.getTime(),
          ) as Row | undefined;
          return row ? [watchdogTimerFromRow(row)] : [];
        }),
      );
      return run.immediate();
    }

    async claimDueWatchdogTimers(lease: Lease, limit: number): Promise<WatchdogTimer[]> {
      const now = lease.now.getTime();
      const rows = this.db
        .prepare(
          `UPDATE watchdog_timers SET state = 'firing', lease_owner = @owner, lease_until = @until
         WHERE id IN (SELECT id FROM watchdog_timers
           WHERE (state = 'pending' AND due_at <= @now) OR (state = 'firing' AND lease_until < @now)
           ORDER BY due_at, id LIMIT @limit)
         RETURNING *`,
        )
        .all({ owner: lease.owner, until: now + lease.durationMs, now, limit }) as Row[];
      return rows.map(watchdogTimerFromRow).sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id - b.id);
    }

    async completeWatchdogTimer(id: number, outcome: WatchdogTimerOutcome, now: Date): Promise<void> {
      if ('result' in outcome) {
        this.db
          .prepare(
            `UPDATE watchdog_timers SET state = ?, fired_at = ?, outcome = ?, lease_owner = NULL, lease_until = NULL
           WHERE id = ? AND state = 'firing'`,
          )
          .run(outcome.state, now.getTime(), JSON.stringify(outcome.result), id);
      } else {
        this.db
          .prepare(
            `UPDATE watchdog_timers SET state = 'pending', due_at = ?, outcome = ?, lease_owner = NULL, lease_until = NULL
           WHERE id = ? AND state = 'firing'`,
          )
          .run(outcome.retryAt.getTime(), JSON.stringify({ error: outcome.error }), id);
      }
    }

    /** Pending timers of an order (resolved or cancelled by an operator): cleared, never to fire. */
    async clearWatchdogTimers(orderId: string, now: Date): Promise<number> {
      return this.db
        .prepare(
          `UPDATE watchdog_timers SET state = 'cleared', fired_at = ?, lease_owner = NULL, lease_until = NULL
         WHERE order_id = ? AND state IN ('pending', 'firing')`,
        )
        .run(now.getTime(), orderId).changes;
    }

    async listWatchdogTimers(query: WatchdogTimerQuery): Promise<WatchdogTimer[]> {
      const rows = this.db
        .prepare(
          `SELECT * FROM watchdog_timers
         WHERE (@orderId IS NULL OR order_id = @orderId) AND (@subject IS NULL OR subject = @subject)
           AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
         ORDER BY id LIMIT @limit`,
        )
        .all({
          orderId: query.orderId ?? null,
          subject: query.subject ?? null,
          states: query.states ? JSON.stringify(query.states) : null,
          limit: Math.min(query.limit ?? 1000, 10_000),
        }) as Row[];
      return rows.map(watchdogTimerFromRow);
    }
  }
  return SqliteWatchdog;
}
