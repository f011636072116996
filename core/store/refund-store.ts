import type { OrderEventInput } from '../model/order-event';
import type { Refund, RefundClaim, RefundDraft, RefundState } from '../refunds/refund';
import type { NoticeInput } from '../returns/return-authorisation';
import type { Lease } from './order-store';

export interface RefundQuery {
  orderId?: string;
  /** Only refunds of orders from these channels. */
  channels?: string[];
  states?: RefundState[];
  limit?: number;
}

/** How a storefront call for an approved refund ended. */
export type RefundOutcome =
  { state: 'refunded'; storefrontRefundId: string } | { state: 'failed'; error: string };

/**
 * Refunds (core/refunds) in the order store, both engines. Every method is one transaction; the order event (and
 * the customer's notice) of a move is written in the same transaction as the move.
 */
export interface RefundStore {
  /**
   * Records a proposal once per key: a second proposal with the same key writes nothing and returns the first
   * (`created` false). `event` is written on the order with the refund's key and total added to its data.
   */
  proposeRefund(draft: RefundDraft, event: OrderEventInput): Promise<{ refund: Refund; created: boolean }>;
  getRefund(key: string): Promise<Refund | undefined>;
  /** Newest first. */
  listRefunds(query: RefundQuery): Promise<Refund[]>;
  /**
   * Approves the refund and takes it for the storefront call: from one of `from` (proposed, failed), or approved
   * with a lease that ran out (a worker died mid-call; its intent stands and is resumed). The event is written only
   * for a move from `from`. Undefined when the refund is in no such state or another worker holds it.
   */
  claimRefund(
    key: string,
    from: RefundState[],
    lease: Lease,
    event: OrderEventInput,
  ): Promise<Refund | undefined>;
  /**
   * Claims up to `limit` approved refunds of orders from `channels` whose lease ran out (a worker died mid-call),
   * longest waiting first.
   */
  claimDueRefunds(lease: Lease, limit: number, channels: string[]): Promise<Refund[]>;
  /**
   * Records the storefront's answer while `claim` still holds the refund (a lease that ran out but was not taken
   * over still holds), with its event and, for a refund made, the customer's notice, in one transaction.
   * Undefined when the claim no longer holds: nothing is written.
   */
  settleRefund(
    key: string,
    claim: RefundClaim,
    outcome: RefundOutcome,
    event: OrderEventInput,
    notice?: (refund: Refund) => NoticeInput,
  ): Promise<Refund | undefined>;
  /** proposed -> dismissed (the operator decided against it); undefined when it was no longer proposed. */
  dismissRefund(key: string, event: OrderEventInput): Promise<Refund | undefined>;
}
