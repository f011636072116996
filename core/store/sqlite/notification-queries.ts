import type { Lease } from '../lease';
import type { Notification, NotificationStore } from '../notification-store';
import type { NoticeInput } from '../../returns/return-authorisation';
import { notificationFromRow, type StoreRow as Row } from '../row-mapping';
import type { StoreClass } from '../store-class';
import type { SqliteStoreBase } from './sqlite-store';

/** The notification outbox of the SQLite store. */
export function withNotifications<T extends StoreClass<SqliteStoreBase>>(
  Base: T,
): T & StoreClass<NotificationStore> {
  abstract class SqliteNotifications extends Base implements NotificationStore {
    async enqueueNotification(
      orderId: string,
      milestone: string,
      channel: string,
      payload: Record<string, unknown>,
    ): Promise<boolean> {
      return this.insertNotification(orderId, { milestone, channel, payload });
    }

    async enqueueNotifications(
      orderId: string,
      notices: NoticeInput[],
      lease?: Lease,
    ): Promise<Notification[]> {
      const insert = this.statement(
        `INSERT INTO notifications (order_id, milestone, channel, state, attempts, lease_owner, lease_until, payload,
         created_at, next_attempt_at)
       VALUES (@orderId, @milestone, @channel, @state, @attempts, @owner, @until, @payload, @now, @now)
       ON CONFLICT (order_id, milestone, channel) DO NOTHING RETURNING *`,
      );
      const queue = (): Notification[] => {
        const now = this.now();
        return notices.flatMap((notice) => {
          const row = insert.get({
            orderId,
            milestone: notice.milestone,
            channel: notice.channel,
            state: lease ? 'sending' : 'pending',
            attempts: lease ? 1 : 0,
            owner: lease?.owner ?? null,
            until: lease ? lease.now.getTime() + lease.durationMs : null,
            payload: JSON.stringify(notice.payload),
            now,
          }) as Row | undefined;
          return row ? [notificationFromRow(row)] : [];
        });
      };
      return this.grouped(queue);
    }

    async claimNotifications(
      channel: string,
      lease: Lease,
      limit: number,
      orderId?: string,
    ): Promise<Notification[]> {
      const now = lease.now.getTime();
      const rows = this.statement(
        `UPDATE notifications SET state = 'sending', lease_owner = @owner, lease_until = @until, attempts = attempts + 1
         WHERE id IN (SELECT id FROM notifications WHERE channel = @channel ${orderId ? 'AND order_id = @orderId' : ''}
           AND ((state = 'pending' AND next_attempt_at <= @now) OR (state = 'sending' AND lease_until < @now))
           ORDER BY id LIMIT @limit)
         RETURNING *`,
      ).all({
        owner: lease.owner,
        until: now + lease.durationMs,
        channel,
        now,
        limit,
        ...(orderId ? { orderId } : {}),
      }) as Row[];
      return rows.map(notificationFromRow).sort((a, b) => a.id - b.id);
    }

    async completeNotification(
      id: number,
      outcome: { sent: true } | { error: string; retryAt?: Date },
      now: Date,
    ): Promise<void> {
      // One statement: atomic on its own inside the group's transaction.
      await this.grouped(() =>
        'sent' in outcome
          ? this.statement(
              `UPDATE notifications SET state = 'sent', sent_at = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL
               WHERE id = ?`,
            ).run(now.getTime(), id)
          : this.statement(
              `UPDATE notifications SET state = ?, last_error = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL
               WHERE id = ?`,
            ).run(
              outcome.retryAt ? 'pending' : 'failed',
              outcome.error,
              outcome.retryAt?.getTime() ?? null,
              id,
            ),
      );
    }

    async listNotifications(orderId: string): Promise<Notification[]> {
      const rows = this.statement('SELECT * FROM notifications WHERE order_id = ? ORDER BY id').all(
        orderId,
      ) as Row[];
      return rows.map(notificationFromRow);
    }
  }
  return SqliteNotifications;
}
