import type { OrderLine } from '../model/order';
import type { OrderEventInput } from '../model/order-event';
import type { StoredOrderChange, StorefrontOrderChange } from '../model/order-change';
import type { PurchaseOrder, PurchaseOrderLine, PurchaseOrderState } from '../model/purchase-order';
import type { Lease, PurchaseOrderClaim } from './order-store';

export type OrderChangeDraft = Omit<StorefrontOrderChange, 'channel' | 'externalId'> & { orderId: string };

export interface RecordedOrderChange {
  change: StoredOrderChange;
  /** False when a change with the same key was recorded for the order before: nothing was written. */
  created: boolean;
}

/**
 * Changes the storefront made to orders after they were paid (core/changes). A change is recorded once per
 * (order, key) and applied later by whoever claims it, one change of an order at a time, oldest first; the order's
 * lines take their new quantities only when the change is completed, in the same transaction.
 */
export interface OrderChangeStore {
  /** Records a change with `event` (on its order) in one transaction, unless its key was recorded before. */
  recordOrderChange(draft: OrderChangeDraft, event: OrderEventInput): Promise<RecordedOrderChange>;
  /**
   * Claims a pending change for `lease` when nobody holds it (never claimed, or its lease ran out) and no older
   * change of its order is still pending. Undefined otherwise.
   */
  claimOrderChange(id: number, lease: Lease): Promise<StoredOrderChange | undefined>;
  /** Claims up to `limit` pending changes as claimOrderChange would, those waiting longest first. */
  claimDueOrderChanges(lease: Lease, limit: number): Promise<StoredOrderChange[]>;
  /**
   * Marks a change applied while `claim` holds it, sets its order's lines to `lines` and records `event`, in one
   * transaction. False when the claim no longer holds it (another worker took it over): nothing is written.
   */
  completeOrderChange(
    id: number,
    claim: PurchaseOrderClaim,
    lines: OrderLine[],
    event: OrderEventInput,
  ): Promise<boolean>;
  listOrderChanges(orderId: string): Promise<StoredOrderChange[]>;
  /**
   * Compare-and-set on a PO's lines, its state unchanged: rewrites them while the PO is in one of `expected` at
   * `version`, with `event`. Undefined when it was not (nothing written).
   */
  changePurchaseOrderLines(
    number: string,
    expected: PurchaseOrderState[],
    version: number,
    lines: PurchaseOrderLine[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder | undefined>;
}
