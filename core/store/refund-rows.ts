import type { Refund, RefundAmounts, RefundState, RefundTrigger } from '../refunds/refund';
import type { StoreRow } from './row-mapping';

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const optional = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A refunds row of either engine as the model (amounts are JSON: SQLite TEXT, PostgreSQL JSONB). */
export function refundFromRow(row: StoreRow): Refund {
  return {
    key: String(row.refund_key),
    orderId: String(row.order_id),
    trigger: row.trigger_kind as RefundTrigger,
    reason: String(row.reason),
    amounts: json<RefundAmounts>(row.amounts),
    state: row.state as RefundState,
    storefrontRefundId: optional(row.storefront_refund_id),
    attempts: Number(row.attempts),
    lastError: optional(row.last_error),
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

/** What a refund's order events carry: its key and what it gives back (minor units). */
export function refundEventData(refund: Pick<Refund, 'key' | 'amounts'>): Record<string, unknown> {
  return { refundKey: refund.key, total: refund.amounts.total, currency: refund.amounts.currency };
}
