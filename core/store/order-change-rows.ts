import type { StoredOrderChange } from '../model/order-change';
import type { PurchaseOrderDraft } from '../model/purchase-order';
import type { OrderChangeDraft } from './order-change-store';
import type { StoreRow } from './row-mapping';

/** What a change row's `data` document holds: the change without the columns kept beside it. */
export function orderChangeData(draft: OrderChangeDraft): string {
  return JSON.stringify({
    whole: draft.whole,
    lines: draft.lines,
    additions: draft.additions,
    reason: draft.reason,
    refund: draft.refund,
    shopRefunds: draft.shopRefunds,
  });
}

export function orderChangeFromRow(row: StoreRow): StoredOrderChange {
  const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Omit<
    StoredOrderChange,
    'id' | 'orderId' | 'key' | 'kind' | 'state' | 'receivedAt' | 'appliedAt'
  >;
  return {
    ...data,
    id: Number(row.id),
    orderId: String(row.order_id),
    key: String(row.change_key),
    kind: row.kind as StoredOrderChange['kind'],
    state: row.state as StoredOrderChange['state'],
    receivedAt: new Date(Number(row.received_at)).toISOString(),
    ...(row.applied_at == null ? {} : { appliedAt: new Date(Number(row.applied_at)).toISOString() }),
  };
}

/** A pending change nobody holds, with no older change of its order still pending: the next one to apply. */
export const CHANGE_FREE = `c.state = 'pending' AND (c.lease_until IS NULL OR c.lease_until <= :now)
  AND NOT EXISTS (SELECT 1 FROM order_changes o WHERE o.order_id = c.order_id AND o.state = 'pending' AND o.id < c.id)`;

/** When a new PO may first go out: the end of its order's hold window (a draft's `nextAttemptAt`), else at once. */
export function heldUntil(draft: PurchaseOrderDraft): number | null {
  return draft.nextAttemptAt ? Date.parse(draft.nextAttemptAt) : null;
}
