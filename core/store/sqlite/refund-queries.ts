import { DropshipError } from '../../errors';
import type { OrderEventInput } from '../../model/order-event';
import type { NoticeInput } from '../../returns/return-authorisation';
import type { Refund, RefundClaim, RefundDraft, RefundState } from '../../refunds/refund';
import type { Lease } from '../order-store';
import { refundEventData, refundFromRow } from '../refund-rows';
import type { RefundOutcome, RefundQuery, RefundStore } from '../refund-store';
import type { StoreRow as Row } from '../row-mapping';
import type { StoreClass } from '../store-class';
import type { SqliteStoreBase } from './sqlite-store';

/** Refunds in the SQLite store (their own migration); each method is one immediate transaction. */
export function withRefunds<T extends StoreClass<SqliteStoreBase>>(Base: T): T & StoreClass<RefundStore> {
  abstract class SqliteRefunds extends Base implements RefundStore {
    private refundRow(key: string): Row | undefined {
      return this.db.prepare('SELECT * FROM refunds WHERE refund_key = ?').get(key) as Row | undefined;
    }

    async proposeRefund(
      draft: RefundDraft,
      event: OrderEventInput,
    ): Promise<{ refund: Refund; created: boolean }> {
      const run = this.db.transaction((): { refund: Refund; created: boolean } => {
        if (!this.db.prepare('SELECT 1 FROM orders WHERE id = ?').get(draft.orderId))
          throw new DropshipError('not_found', `order ${draft.orderId} does not exist`);
        const now = this.now();
        const inserted = this.db
          .prepare(
            `INSERT INTO refunds (refund_key, order_id, state, trigger_kind, reason, amounts, total, attempts,
             created_at, updated_at)
           VALUES (?, ?, 'proposed', ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (refund_key) DO NOTHING`,
          )
          .run(
            draft.key,
            draft.orderId,
            draft.trigger,
            draft.reason,
            JSON.stringify(draft.amounts),
            draft.amounts.total,
            now,
            now,
          );
        const refund = refundFromRow(this.refundRow(draft.key)!);
        if (inserted.changes === 0) return { refund, created: false };
        this.insertEvent(draft.orderId, {
          ...event,
          data: { ...event.data, ...refundEventData(refund) },
        });
        return { refund, created: true };
      });
      return run.immediate();
    }

    async getRefund(key: string): Promise<Refund | undefined> {
      const row = this.refundRow(key);
      return row ? refundFromRow(row) : undefined;
    }

    async listRefunds(query: RefundQuery): Promise<Refund[]> {
      const rows = this.db
        .prepare(
          `SELECT r.* FROM refunds r JOIN orders o ON o.id = r.order_id
         WHERE (@orderId IS NULL OR r.order_id = @orderId)
           AND (@states IS NULL OR r.state IN (SELECT value FROM json_each(@states)))
           AND (@channels IS NULL OR o.channel IN (SELECT value FROM json_each(@channels)))
         ORDER BY r.created_at DESC, r.refund_key LIMIT @limit`,
        )
        .all({
          orderId: query.orderId ?? null,
          channels: query.channels ? JSON.stringify(query.channels) : null,
          states: query.states ? JSON.stringify(query.states) : null,
          limit: Math.min(query.limit ?? 1000, 10_000),
        }) as Row[];
      return rows.map(refundFromRow);
    }

    async claimRefund(
      key: string,
      from: RefundState[],
      lease: Lease,
      event: OrderEventInput,
    ): Promise<Refund | undefined> {
      const run = this.db.transaction((): Refund | undefined => {
        const current = this.refundRow(key);
        if (!current) throw new DropshipError('not_found', `refund ${key} does not exist`);
        const now = lease.now.getTime();
        const claimed = this.db
          .prepare(
            `UPDATE refunds SET state = 'approved', lease_owner = @owner, lease_until = @until,
             attempts = attempts + 1, updated_at = @now
           WHERE refund_key = @key AND (state IN (SELECT value FROM json_each(@from))
             OR (state = 'approved' AND (lease_until IS NULL OR lease_until < @now)))
           RETURNING *`,
          )
          .get({
            owner: lease.owner,
            until: now + lease.durationMs,
            now,
            key,
            from: JSON.stringify(from),
          }) as Row | undefined;
        if (!claimed) return undefined;
        const refund = refundFromRow(claimed);
        if (current.state !== 'approved')
          this.insertEvent(refund.orderId, {
            ...event,
            data: { ...event.data, ...refundEventData(refund) },
          });
        return refund;
      });
      return run.immediate();
    }

    async claimDueRefunds(lease: Lease, limit: number, channels: string[]): Promise<Refund[]> {
      const now = lease.now.getTime();
      const rows = this.db
        .prepare(
          `UPDATE refunds SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1, updated_at = @now
         WHERE refund_key IN (SELECT r.refund_key FROM refunds r JOIN orders o ON o.id = r.order_id
           WHERE r.state = 'approved' AND (r.lease_until IS NULL OR r.lease_until < @now)
             AND o.channel IN (SELECT value FROM json_each(@channels))
           ORDER BY r.updated_at LIMIT @limit)
         RETURNING *`,
        )
        .all({
          owner: lease.owner,
          until: now + lease.durationMs,
          now,
          limit,
          channels: JSON.stringify(channels),
        }) as Row[];
      return rows.map(refundFromRow);
    }

    async settleRefund(
      key: string,
      claim: RefundClaim,
      outcome: RefundOutcome,
      event: OrderEventInput,
      notice?: (refund: Refund) => NoticeInput,
    ): Promise<Refund | undefined> {
      const run = this.db.transaction((): Refund | undefined => {
        const settled = this.db
          .prepare(
            `UPDATE refunds SET state = @state, storefront_refund_id = COALESCE(@refundId, storefront_refund_id),
             last_error = @error, lease_owner = NULL, lease_until = NULL, updated_at = @now
           WHERE refund_key = @key AND state = 'approved' AND lease_owner = @owner
           RETURNING *`,
          )
          .get({
            state: outcome.state,
            refundId: outcome.state === 'refunded' ? outcome.storefrontRefundId : null,
            error: outcome.state === 'failed' ? outcome.error : null,
            now: this.now(),
            key,
            owner: claim.leaseOwner,
          }) as Row | undefined;
        if (!settled) return undefined;
        const refund = refundFromRow(settled);
        this.insertEvent(refund.orderId, {
          ...event,
          data: { ...event.data, ...refundEventData(refund) },
        });
        if (notice) this.insertNotification(refund.orderId, notice(refund));
        return refund;
      });
      return run.immediate();
    }

    async dismissRefund(key: string, event: OrderEventInput): Promise<Refund | undefined> {
      const run = this.db.transaction((): Refund | undefined => {
        const dismissed = this.db
          .prepare(
            `UPDATE refunds SET state = 'dismissed', updated_at = ? WHERE refund_key = ? AND state = 'proposed'
           RETURNING *`,
          )
          .get(this.now(), key) as Row | undefined;
        if (!dismissed) return undefined;
        const refund = refundFromRow(dismissed);
        this.insertEvent(refund.orderId, {
          ...event,
          data: { ...event.data, ...refundEventData(refund) },
        });
        return refund;
      });
      return run.immediate();
    }
  }
  return SqliteRefunds;
}
