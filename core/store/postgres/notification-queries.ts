import type { Lease } from '../lease';
import type { Notification, NotificationStore } from '../notification-store';
import type { NoticeInput } from '../../returns/return-authorisation';
import { notificationFromRow } from '../row-mapping';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';
import { firstRow, rows } from './queryable';

/** The notification outbox of the PostgreSQL store. */
export function withNotifications<T extends StoreClass<PostgresStoreBase>>(
  Base: T,
): T & StoreClass<NotificationStore> {
  abstract class PostgresNotifications extends Base implements NotificationStore {
    async enqueueNotification(
      orderId: string,
      milestone: string,
      channel: string,
      payload: Record<string, unknown>,
    ): Promise<boolean> {
      return this.insertNotification(this.pool, orderId, { milestone, channel, payload });
    }

    async enqueueNotifications(
      orderId: string,
      notices: NoticeInput[],
      lease?: Lease,
    ): Promise<Notification[]> {
      return this.transaction(async (db) => {
        const now = this.now();
        const queued: Notification[] = [];
        for (const notice of notices) {
          const row = await firstRow(
            db,
            `INSERT INTO notifications (order_id, milestone, channel, state, attempts, lease_owner, lease_until, payload,
             created_at, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
           ON CONFLICT (order_id, milestone, channel) DO NOTHING RETURNING *`,
            [
              orderId,
              notice.milestone,
              notice.channel,
              lease ? 'sending' : 'pending',
              lease ? 1 : 0,
              lease?.owner ?? null,
              lease ? lease.now.getTime() + lease.durationMs : null,
              JSON.stringify(notice.payload),
              now,
            ],
          );
          if (row) queued.push(notificationFromRow(row));
        }
        return queued;
      });
    }

    async claimNotifications(
      channel: string,
      lease: Lease,
      limit: number,
      orderId?: string,
    ): Promise<Notification[]> {
      const now = lease.now.getTime();
      const claimed = await rows(
        this.pool,
        `WITH claimable AS (
         SELECT id FROM notifications
         WHERE channel = $1 AND ($2::text IS NULL OR order_id = $2)
           AND ((state = 'pending' AND next_attempt_at <= $3) OR (state = 'sending' AND lease_until < $3))
         ORDER BY id LIMIT $4
         FOR UPDATE SKIP LOCKED
       )
       UPDATE notifications n SET state = 'sending', lease_owner = $5, lease_until = $6, attempts = n.attempts + 1
       FROM claimable WHERE n.id = claimable.id
       RETURNING n.*`,
        [channel, orderId ?? null, now, limit, lease.owner, now + lease.durationMs],
      );
      return claimed.map(notificationFromRow).sort((a, b) => a.id - b.id);
    }

    async completeNotification(
      id: number,
      outcome: { sent: true } | { error: string; retryAt?: Date },
      now: Date,
    ): Promise<void> {
      if ('sent' in outcome) {
        await this.pool.query(
          `UPDATE notifications SET state = 'sent', sent_at = $1, last_error = NULL, lease_owner = NULL, lease_until = NULL
         WHERE id = $2`,
          [now.getTime(), id],
        );
      } else {
        await this.pool.query(
          `UPDATE notifications SET state = $1, last_error = $2, next_attempt_at = $3, lease_owner = NULL, lease_until = NULL
         WHERE id = $4`,
          [outcome.retryAt ? 'pending' : 'failed', outcome.error, outcome.retryAt?.getTime() ?? null, id],
        );
      }
    }

    async listNotifications(orderId: string): Promise<Notification[]> {
      return (
        await rows(this.pool, 'SELECT * FROM notifications WHERE order_id = $1 ORDER BY id', [orderId])
      ).map(notificationFromRow);
    }
  }
  return PostgresNotifications;
}
