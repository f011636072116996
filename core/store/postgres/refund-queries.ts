import type { OrderEventInput } from '../../model/order-event';
import type { Refund, RefundClaim, RefundDraft, RefundState } from '../../refunds/refund';
import type { NoticeInput } from '../../returns/return-authorisation';
import type { Lease } from '../order-store';
import { refundEventData, refundFromRow } from '../refund-rows';
import type { RefundOutcome, RefundQuery, RefundStore } from '../refund-store';
import type { StoreRow as Row } from '../row-mapping';
import { firstRow, type Queryable } from './queryable';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';

/**
 * Refunds in the PostgreSQL store (their own migration). Moves lock the order first, as every store transaction
 * does, and are compare-and-sets on the refund's state and lease owner.
 */
export function withRefunds<T extends StoreClass<PostgresStoreBase>>(Base: T): T & StoreClass<RefundStore> {
  abstract class PostgresRefunds extends Base implements RefundStore {
    /** Writes a refund's event (its key and total in the data) in the transaction `db`. */
    private refundEvent(db: Queryable, refund: Refund, event: OrderEventInput): Promise<void> {
      return this.insertEvent(db, refund.orderId, {
        ...event,
        data: { ...event.data, ...refundEventData(refund) },
      });
    }

    proposeRefund(draft: RefundDraft, event: OrderEventInput): Promise<{ refund: Refund; created: boolean }> {
      return this.transaction(async (db) => {
        await this.lockOrder(db, draft.orderId);
        const now = this.now();
        const inserted = await firstRow(
          db,
          `INSERT INTO refunds (refund_key, order_id, state, trigger_kind, reason, amounts, total, attempts,
           created_at, updated_at)
         VALUES ($1, $2, 'proposed', $3, $4, $5, $6, 0, $7, $7) ON CONFLICT (refund_key) DO NOTHING RETURNING *`,
          [
            draft.key,
            draft.orderId,
            draft.trigger,
            draft.reason,
            JSON.stringify(draft.amounts),
            draft.amounts.total,
            now,
          ],
        );
        if (!inserted) {
          const existing = await firstRow(db, 'SELECT * FROM refunds WHERE refund_key = $1', [draft.key]);
          return { refund: refundFromRow(existing!), created: false };
        }
        const refund = refundFromRow(inserted);
        await this.refundEvent(db, refund, event);
        return { refund, created: true };
      });
    }

    async getRefund(key: string): Promise<Refund | undefined> {
      const row = await firstRow(this.pool, 'SELECT * FROM refunds WHERE refund_key = $1', [key]);
      return row ? refundFromRow(row) : undefined;
    }

    async listRefunds(query: RefundQuery): Promise<Refund[]> {
      const { rows } = await this.pool.query<Row>(
        `SELECT r.* FROM refunds r JOIN orders o ON o.id = r.order_id
       WHERE ($1::text IS NULL OR r.order_id = $1) AND ($2::text[] IS NULL OR r.state = ANY($2))
         AND ($4::text[] IS NULL OR o.channel = ANY($4))
       ORDER BY r.created_at DESC, r.refund_key LIMIT $3`,
        [
          query.orderId ?? null,
          query.states ?? null,
          Math.min(query.limit ?? 1000, 10_000),
          query.channels ?? null,
        ],
      );
      return rows.map(refundFromRow);
    }

    claimRefund(
      key: string,
      from: RefundState[],
      lease: Lease,
      event: OrderEventInput,
    ): Promise<Refund | undefined> {
      return this.transaction(async (db) => {
        const current = await firstRow(db, 'SELECT order_id, state FROM refunds WHERE refund_key = $1', [
          key,
        ]);
        if (!current) return undefined;
        await this.lockOrder(db, String(current.order_id));
        const before = await firstRow(db, 'SELECT state FROM refunds WHERE refund_key = $1 FOR UPDATE', [
          key,
        ]);
        const now = lease.now.getTime();
        const claimed = await firstRow(
          db,
          `UPDATE refunds SET state = 'approved', lease_owner = $1, lease_until = $2, attempts = attempts + 1,
           updated_at = $3
         WHERE refund_key = $4 AND (state = ANY($5)
           OR (state = 'approved' AND (lease_until IS NULL OR lease_until < $3)))
         RETURNING *`,
          [lease.owner, now + lease.durationMs, now, key, from],
        );
        if (!claimed) return undefined;
        const refund = refundFromRow(claimed);
        if (before?.state !== 'approved') await this.refundEvent(db, refund, event);
        return refund;
      });
    }

    claimDueRefunds(lease: Lease, limit: number, channels: string[]): Promise<Refund[]> {
      return this.transaction(async (db) => {
        const now = lease.now.getTime();
        const { rows } = await db.query<Row>(
          `UPDATE refunds SET lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
         WHERE refund_key IN (SELECT r.refund_key FROM refunds r JOIN orders o ON o.id = r.order_id
           WHERE r.state = 'approved' AND (r.lease_until IS NULL OR r.lease_until < $3) AND o.channel = ANY($5)
           ORDER BY r.updated_at LIMIT $4 FOR UPDATE OF r SKIP LOCKED)
         RETURNING *`,
          [lease.owner, now + lease.durationMs, now, limit, channels],
        );
        return rows.map(refundFromRow);
      });
    }

    settleRefund(
      key: string,
      claim: RefundClaim,
      outcome: RefundOutcome,
      event: OrderEventInput,
      notice?: (refund: Refund) => NoticeInput,
    ): Promise<Refund | undefined> {
      return this.transaction(async (db) => {
        const current = await firstRow(db, 'SELECT order_id FROM refunds WHERE refund_key = $1', [key]);
        if (!current) return undefined;
        await this.lockOrder(db, String(current.order_id));
        const settled = await firstRow(
          db,
          `UPDATE refunds SET state = $1, storefront_refund_id = COALESCE($2, storefront_refund_id),
           last_error = $3, lease_owner = NULL, lease_until = NULL, updated_at = $4
         WHERE refund_key = $5 AND state = 'approved' AND lease_owner = $6
         RETURNING *`,
          [
            outcome.state,
            outcome.state === 'refunded' ? outcome.storefrontRefundId : null,
            outcome.state === 'failed' ? outcome.error : null,
            this.now(),
            key,
            claim.leaseOwner,
          ],
        );
        if (!settled) return undefined;
        const refund = refundFromRow(settled);
        await this.refundEvent(db, refund, event);
        if (notice) await this.insertNotification(db, refund.orderId, notice(refund));
        return refund;
      });
    }

    dismissRefund(key: string, event: OrderEventInput): Promise<Refund | undefined> {
      return this.transaction(async (db) => {
        const dismissed = await firstRow(
          db,
          `UPDATE refunds SET state = 'dismissed', updated_at = $1 WHERE refund_key = $2 AND state = 'proposed'
         RETURNING *`,
          [this.now(), key],
        );
        if (!dismissed) return undefined;
        const refund = refundFromRow(dismissed);
        await this.refundEvent(db, refund, event);
        return refund;
      });
    }
  }
  return PostgresRefunds;
}
