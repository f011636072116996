import type { Lease } from '../lease';
import type { StoreRow as Row } from '../row-mapping';
import { watchdogTimerFromRow } from '../operations-rows';
import type { StoreClass } from '../store-class';
import type { WatchdogStore } from '../watchdog-store';
import type { PostgresStoreBase } from './postgres-store';
import type {
  WatchdogTimer,
  WatchdogTimerDraft,
  WatchdogTimerOutcome,
  WatchdogTimerQuery,
} from '../../watchdog/timers';

/** The watchdog's timers in the PostgreSQL store. */
export function withWatchdog<T extends StoreClass<PostgresStoreBase>>(
  Base: T,
): T & StoreClass<WatchdogStore> {
  abstract class PostgresWatchdog extends Base implements WatchdogStore {
    /** One statement for all timers; a (subject, condition, step) that exists inserts nothing and is not returned. */
    async scheduleWatchdogTimers(timers: WatchdogTimerDraft[], now: Date): Promise<WatchdogTimer[]> {
      if (timers.length === 0) return [];
      const { rows } = await this.pool.query<Row>(
        `INSERT INTO watchdog_timers (subject, order_id, po_number, supplier_id, condition, step, action, due_at, state,
         detail, created_at)
       SELECT t.subject, t.order_id, t.po_number, t.supplier_id, t.condition, t.step, t.action, t.due_at, 'pending',
         t.detail, $2
       FROM jsonb_to_recordset($1::jsonb) AS t (subject text, order_id text, po_number text, supplier_id text,
         condition text, step int, action text, due_at bigint, detail jsonb)
       ON CONFLICT (subject, condition, step) DO NOTHING RETURNING *`,
        [
          JSON.stringify(
            timers.map((t) => ({
              subject: t.subject,
              order_id: t.orderId ?? null,
              po_number: t.poNumber ?? null,
              supplier_id: t.supplierId ?? null,
              condition: t.condition,
              step: t.step,
              action: t.action,
              due_at: t.dueAt.getTime(),
              detail: t.detail,
            })),
          ),
          now.getTime(),
        ],
      );
      return rows.map(watchdogTimerFromRow).sort((a, b) => a.id - b.id);
    }

    /** SKIP LOCKED: instances sweeping at once each take different timers, none waits for another. */
    async claimDueWatchdogTimers(lease: Lease, limit: number): Promise<WatchdogTimer[]> {
      const now = lease.now.getTime();
      const { rows } = await this.pool.query<Row>(
        `WITH due AS (
         SELECT id FROM watchdog_timers
         WHERE (state = 'pending' AND due_at <= $1) OR (state = 'firing' AND lease_until < $1)
         ORDER BY due_at, id LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE watchdog_timers w SET state = 'firing', lease_owner = $3, lease_until = $4
       FROM due WHERE w.id = due.id RETURNING w.*`,
        [now, limit, lease.owner, now + lease.durationMs],
      );
      return rows.map(watchdogTimerFromRow).sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id - b.id);
    }

    async completeWatchdogTimer(id: number, outcome: WatchdogTimerOutcome, now: Date): Promise<void> {
      if ('result' in outcome) {
        await this.pool.query(
          `UPDATE watchdog_timers SET state = $1, fired_at = $2, outcome = $3, lease_owner = NULL, lease_until = NULL
         WHERE id = $4 AND state = 'firing'`,
          [outcome.state, now.getTime(), JSON.stringify(outcome.result), id],
        );
      } else {
        await this.pool.query(
          `UPDATE watchdog_timers SET state = 'pending', due_at = $1, outcome = $2, lease_owner = NULL, lease_until = NULL
         WHERE id = $3 AND state = 'firing'`,
          [outcome.retryAt.getTime(), JSON.stringify({ error: outcome.error }), id],
        );
      }
    }

    async clearWatchdogTimers(orderId: string, now: Date): Promise<number> {
      const result = await this.pool.query(
        `UPDATE watchdog_timers SET state = 'cleared', fired_at = $1, lease_owner = NULL, lease_until = NULL
       WHERE order_id = $2 AND state IN ('pending', 'firing')`,
        [now.getTime(), orderId],
      );
      return result.rowCount ?? 0;
    }

    async listWatchdogTimers(query: WatchdogTimerQuery): Promise<WatchdogTimer[]> {
      const { rows } = await this.pool.query<Row>(
        `SELECT * FROM watchdog_timers
       WHERE ($1::text IS NULL OR order_id = $1) AND ($2::text IS NULL OR subject = $2)
         AND ($3::text[] IS NULL OR state = ANY($3))
       ORDER BY id LIMIT $4`,
        [
          query.orderId ?? null,
          query.subject ?? null,
          query.states ?? null,
          Math.min(query.limit ?? 1000, 10_000),
        ],
      );
      return rows.map(watchdogTimerFromRow);
    }
  }
  return PostgresWatchdog;
}
