import type { PurchaseOrder, PurchaseOrderState } from '../model/purchase-order';
import type { Lease } from './lease';

/** A PO due for a status poll at its supplier's API (`GET /orders/{id}`), with what its earlier polls came to. */
export interface SupplierStatusPoll {
  purchaseOrder: PurchaseOrder;
  /** Polls in a row that got no usable answer: the wait before the next grows with them. */
  failures: number;
  /** What the last answered poll said, as the connector summed it up: the same answer again is no news. */
  lastAnswer?: string;
  lastPolledAt?: string;
}

export interface SupplierStatusPollOutcome {
  polledAt: Date;
  nextPollAt: Date;
  failures: number;
  lastAnswer?: string;
  error?: string;
}

/** The status poll schedule of POs at suppliers whose API answers `GET /orders/{id}`. */
export interface SupplierStatusPollStore {
  /**
   * Claims up to `limit` POs of `supplierId` in one of `states` whose status poll for `purpose` is due (never polled,
   * or `nextPollAt` reached), those waiting longest first. A claim moves the next poll to the end of the lease, so
   * pollers in other instances skip them; a poller that dies lets them fall due again.
   */
  claimSupplierStatusPolls(
    supplierId: string,
    purpose: string,
    states: PurchaseOrderState[],
    lease: Lease,
    limit: number,
  ): Promise<SupplierStatusPoll[]>;
  /** Records a status poll: when it ran, when the next is due, the failures in a row and what it answered. */
  recordSupplierStatusPoll(
    poNumber: string,
    purpose: string,
    outcome: SupplierStatusPollOutcome,
  ): Promise<void>;
}
