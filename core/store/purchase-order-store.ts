import type { OrderState } from '../model/order';
import type { OrderEventInput } from '../model/order-event';
import type { PurchaseOrder, PurchaseOrderDraft, PurchaseOrderState } from '../model/purchase-order';
import type { Lease } from './lease';

/**
 * A sender's hold on a PO it claimed: the lease owner it claimed with (`Lease.owner`). A move made under a claim
 * applies only while that owner still holds the PO.
 */
export interface PurchaseOrderClaim {
  leaseOwner: string;
}

export interface PurchaseOrderUpdate {
  supplierReference?: string;
  nextAttemptAt?: Date | null;
  lastError?: string | null;
  lines?: PurchaseOrder['lines'];
}

/** Purchase orders: routing creates them, senders claim and move them, cancelled ones are withdrawn. */
export interface PurchaseOrderStore {
  /**
   * Routes the order: moves it from one of `expected` to `routed` and creates its purchase orders (state pending),
   * atomically. Undefined when the order was not in an expected state (another worker routed it).
   */
  assignPurchaseOrders(
    orderId: string,
    expected: OrderState[],
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder[] | undefined>;
  /**
   * Adds purchase orders to an order already routed (failover of refused lines); numbers are deterministic. The
   * order's state follows its POs in the same transaction (back to routed while the new ones wait to go out).
   */
  addPurchaseOrders(
    orderId: string,
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder[]>;
  getPurchaseOrder(number: string): Promise<PurchaseOrder | undefined>;
  /** The POs of a supplier that carry this reference of its own (its order number, from its acknowledgement). */
  findPurchaseOrdersBySupplierReference(supplierId: string, reference: string): Promise<PurchaseOrder[]>;
  listPurchaseOrders(orderId: string): Promise<PurchaseOrder[]>;
  /**
   * Takes a PO for sending: pending and due, or sending with an expired lease (a worker died mid-send).
   * Undefined when someone else holds it or it is not due.
   */
  claimPurchaseOrder(number: string, lease: Lease): Promise<PurchaseOrder | undefined>;
  /** Claims up to `limit` due POs of the given suppliers (all when omitted). */
  claimDuePurchaseOrders(lease: Lease, limit: number, supplierIds?: string[]): Promise<PurchaseOrder[]>;
  /**
   * Claims up to `limit` POs stranded on a supplier outside `supplierIds` (the suppliers this worker has): due, or
   * with a lease that ran out, for at least `strandedForMs` already, so an instance that has the supplier would have
   * taken them by now. The claim does not count as a send: the claimant gives the lines to the next supplier.
   */
  claimStrandedPurchaseOrders(
    lease: Lease,
    limit: number,
    supplierIds: string[],
    strandedForMs: number,
  ): Promise<PurchaseOrder[]>;
  /**
   * Compare-and-set on a PO; the order's state follows its POs in the same transaction.
   * Undefined when the PO was not in an expected state, or, with a `claim`, when that claim no longer holds the PO
   * (its lease owner is another's since the lease ran out and another sender took it over, or the PO left
   * `sending`): nothing is written. A lease that ran out but was not taken over still holds.
   * A move that cancels a PO its supplier has (`cancelNeedsWithdrawal`) records its withdrawal, `pending` and free
   * to claim, in the same transaction.
   */
  transitionPurchaseOrder(
    number: string,
    expected: PurchaseOrderState[],
    to: PurchaseOrderState,
    update: PurchaseOrderUpdate,
    event: OrderEventInput,
    claim?: PurchaseOrderClaim,
  ): Promise<PurchaseOrder | undefined>;
  /**
   * Takes the pending withdrawal of a cancelled PO (see `PurchaseOrder.withdrawal`) when nobody holds it: never
   * claimed, or its claimant's lease ran out. Undefined when there is none to take (none recorded, done, or held).
   */
  claimWithdrawal(number: string, lease: Lease): Promise<PurchaseOrder | undefined>;
  /**
   * Claims up to `limit` pending withdrawals nobody holds, longest free first: those of `supplierIds` (the suppliers
   * this worker can reach) as soon as they are free, any other supplier's only once free for `othersAfterMs`, so a
   * worker that has the supplier gets it first and one deployed nowhere still reaches someone.
   */
  claimDueWithdrawals(
    lease: Lease,
    limit: number,
    supplierIds: string[],
    othersAfterMs: number,
  ): Promise<PurchaseOrder[]>;
  /**
   * Records a withdrawal's outcome (`event`, on the PO's order) and marks it done, in one transaction, while
   * `claim` holds it (a lease that ran out but was not taken over still holds). False when it does not: another
   * worker took it over and records its own outcome; nothing is written.
   */
  completeWithdrawal(number: string, claim: PurchaseOrderClaim, event: OrderEventInput): Promise<boolean>;
}
