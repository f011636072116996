import { DropshipError, errorText } from '../errors';
import { EMAIL_CHANNEL } from '../notify/email-outbox';
import type { StorefrontRefunds } from '../ports/storefront-refunds';
import type { NoticeInput } from '../returns/return-authorisation';
import type { Lease } from '../store/order-store';
import type { OrdersStore } from '../store/orders-store';
import type { RefundStore } from '../store/refund-store';
import {
  computeRefund,
  minorToDecimal,
  refundKey,
  type Refund,
  type RefundLineRequest,
  type RefundTrigger,
} from './refund';

/** What happens to a new proposal: wait for the operator, or refund at once up to an amount. */
export interface RefundPolicy {
  mode: 'propose' | 'automatic';
  /** Automatic mode: proposals above this total (major units of the order's currency) still wait. */
  automaticUpTo?: number;
}

export interface ProposeRefundInput {
  trigger: RefundTrigger;
  /** What happened, for the operator and the shop's refund note: no customer data. */
  reason: string;
  /**
   * Names the change that calls for the refund (the refused PO and its lines, a cancellation's id): the refund key
   * is derived from the order and this, so proposing the same change twice makes one refund.
   */
  change: string;
  /** The lines and quantities to refund; every line's remaining quantity when absent (a whole cancellation). */
  lines?: RefundLineRequest[];
  actor: string;
}

/** What refunds need of the store: the refund rows and the order they refund. */
export type RefundingStore = RefundStore & Pick<OrdersStore, 'getOrder'>;

/**
 * Proposes a refund for the order: works out the amounts in minor units (core/refunds/refund.ts, after the
 * refunds already proposed or made) and records the proposal once per change, with a `refund.proposed` event.
 * `created` is false when this change was proposed before; undefined when nothing is left to refund. The other paths that end lines without a supplier (the customer's
 * cancellation) call this too.
 */
export async function proposeRefund(
  store: RefundingStore,
  orderId: string,
  input: ProposeRefundInput,
): Promise<{ refund: Refund; created: boolean } | undefined> {
  const order = await store.getOrder(orderId);
  if (!order)
    throw new DropshipError('not_found', `no order ${orderId}`, [
      { path: 'orderId', message: 'matches no stored order' },
    ]);
  const key = refundKey(order.id, input.change);
  const existing = await store.getRefund(key);
  if (existing) return { refund: existing, created: false };
  const earlier = (await store.listRefunds({ orderId: order.id })).filter(
    (refund) => refund.state !== 'dismissed',
  );
  const lines = input.lines ?? order.lines.map((line) => ({ lineId: line.lineId, quantity: line.quantity }));
  const amounts = computeRefund(
    order,
    lines,
    earlier.map((refund) => refund.amounts),
  );
  if (!amounts) return undefined;
  return store.proposeRefund(
    { key, orderId: order.id, trigger: input.trigger, reason: input.reason, amounts },
    {
      type: 'refund.proposed',
      actor: input.actor,
      reason: `${input.reason}: refund ${minorToDecimal(amounts.total, amounts.minorDigits)} ${amounts.currency} proposed`,
    },
  );
}

/** Whether the policy refunds this proposal without waiting for the operator. */
export function refundsAutomatically(policy: RefundPolicy, refund: Refund): boolean {
  if (policy.mode !== 'automatic') return false;
  if (policy.automaticUpTo === undefined) return true;
  const limit = Math.round(policy.automaticUpTo * 10 ** refund.amounts.minorDigits);
  return refund.amounts.total <= limit;
}

/** The customer's `refunded` notice: the refund's key makes it one per refund. */
export function refundedNotice(refund: Refund): NoticeInput {
  const { amounts } = refund;
  return {
    milestone: `refunded:${refund.key}`,
    channel: EMAIL_CHANNEL,
    payload: {
      kind: 'refunded',
      key: `refunded:${refund.key}`,
      refund: {
        total: minorToDecimal(amounts.total, amounts.minorDigits),
        shipping: amounts.shipping > 0 ? minorToDecimal(amounts.shipping, amounts.minorDigits) : undefined,
        currency: amounts.currency,
        lines: amounts.lines.map((line) => ({
          sku: line.sku,
          quantity: line.quantity,
          amount: minorToDecimal(line.amount, amounts.minorDigits),
        })),
      },
    },
  };
}

/** Storefront calls for one refund before it is recorded failed; each retry waits for the lease to run out. */
export const MAX_REFUND_ATTEMPTS = 5;

export type RefundResult =
  | { kind: 'refunded'; refund: Refund; alreadyRefunded: boolean }
  | { kind: 'failed'; refund: Refund; error: string }
  /** A passing failure (outage): the refund stays approved and the next sweep calls again with the same key. */
  | { kind: 'retrying'; refund: Refund; error: string }
  /** Another worker took the refund over meanwhile; its outcome stands. */
  | { kind: 'superseded'; refund: Refund };

/**
 * Calls the storefront for a refund this worker has claimed (`claimRefund`, `claimDueRefunds`) and records the
 * answer while the claim holds, with the customer's `refunded` notice in the same transaction. The idempotency key
 * is the refund's key, so a call repeated after a crash gives nothing back twice.
 */
export async function carryOutRefund(
  store: RefundingStore,
  storefront: StorefrontRefunds,
  refund: Refund,
  leaseOwner: string,
  actor: string,
  signal?: AbortSignal,
): Promise<RefundResult> {
  const order = await store.getOrder(refund.orderId);
  const { amounts } = refund;
  try {
    if (!order) throw new DropshipError('not_found', `order ${refund.orderId} no longer exists`);
    if (order.channel !== storefront.channel)
      throw new DropshipError(
        'configuration',
        `order ${order.id} came from ${order.channel}, not from this ${storefront.channel} shop`,
      );
    const answer = await storefront.refund(
      {
        orderId: order.externalId,
        idempotencyKey: refund.key,
        currency: amounts.currency,
        minorDigits: amounts.minorDigits,
        lines: amounts.lines.map((line) => ({
          lineId: line.lineId,
          quantity: line.quantity,
          amount: line.amount,
          tax: amounts.taxesIncluded ? 0 : line.tax,
        })),
        shipping: amounts.shipping,
        total: amounts.total,
        note: `${refund.reason} (${refund.key})`,
      },
      signal,
    );
    const settled = await store.settleRefund(
      refund.key,
      { leaseOwner },
      { state: 'refunded', storefrontRefundId: answer.refundId },
      {
        type: 'refund.refunded',
        actor,
        reason: `${minorToDecimal(amounts.total, amounts.minorDigits)} ${amounts.currency} refunded by ${storefront.channel}${answer.alreadyRefunded ? ' (found already made)' : ''}`,
        data: { storefrontRefundId: answer.refundId },
      },
      refundedNotice,
    );
    return settled
      ? { kind: 'refunded', refund: settled, alreadyRefunded: answer.alreadyRefunded }
      : { kind: 'superseded', refund };
  } catch (err) {
    const error = errorText(err);
    const retryable = (err as { retryable?: unknown } | null)?.retryable !== false;
    const configuration = err instanceof DropshipError && err.code === 'configuration';
    if (retryable && !configuration && refund.attempts < MAX_REFUND_ATTEMPTS)
      return { kind: 'retrying', refund, error };
    const settled = await store.settleRefund(
      refund.key,
      { leaseOwner },
      { state: 'failed', error },
      { type: 'refund.failed', actor, reason: error },
    );
    return settled ? { kind: 'failed', refund: settled, error } : { kind: 'superseded', refund };
  }
}

/** The operator approves a proposal (or a failed refund again): claimed, then carried out at once. */
export async function approveRefund(
  store: RefundingStore,
  storefront: StorefrontRefunds,
  key: string,
  lease: Lease,
  actor: string,
): Promise<RefundResult> {
  const refund = await store.getRefund(key);
  if (!refund)
    throw new DropshipError('not_found', `no refund ${key}`, [
      { path: 'refundKey', message: 'matches no refund' },
    ]);
  const claimed = await store.claimRefund(key, ['proposed', 'failed'], lease, {
    type: 'refund.approved',
    actor,
    reason: 'refund approved',
  });
  if (!claimed)
    throw new DropshipError('conflict', `refund ${key} is ${refund.state}: it cannot be approved now`, [
      { path: 'refundKey', message: `is ${refund.state}` },
    ]);
  return carryOutRefund(store, storefront, claimed, lease.owner, actor);
}

export interface RefundSweep {
  results: RefundResult[];
}

/**
 * One pass of a refunds worker for a storefront: proposals the policy refunds automatically are approved, and
 * approved refunds nobody holds (a worker died mid-call, or a passing failure) are carried out again with the same
 * key. `lease.durationMs` should outlast a storefront call.
 */
export async function runRefundSweep(
  store: RefundingStore,
  storefront: StorefrontRefunds,
  policy: RefundPolicy,
  lease: Lease,
  actor: string,
  limit = 20,
): Promise<RefundSweep> {
  const results: RefundResult[] = [];
  if (policy.mode === 'automatic') {
    const proposed = await store.listRefunds({
      states: ['proposed'],
      channels: [storefront.channel],
      limit,
    });
    for (const refund of proposed.filter((r) => refundsAutomatically(policy, r))) {
      const claimed = await store.claimRefund(refund.key, ['proposed'], lease, {
        type: 'refund.approved',
        actor,
        reason: 'refunded automatically by policy',
      });
      if (claimed) results.push(await carryOutRefund(store, storefront, claimed, lease.owner, actor));
    }
  }
  for (const refund of await store.claimDueRefunds(lease, limit, [storefront.channel]))
    results.push(await carryOutRefund(store, storefront, refund, lease.owner, actor));
  return { results };
}
