import type { CancelResult, ConnectorContext, SupplierConnector } from '../ports/supplier-connector';
import {
  CancelUnsupportedError,
  OutcomeUnknownError,
  SupplierTransientError,
} from '../ports/supplier-connector';
import { systemClock, type Clock } from '../clock';
import { DropshipError, errorText } from '../errors';
import type { PurchaseOrder } from '../model/purchase-order';
import type { Lease, OrderStore, PurchaseOrderClaim } from '../store/order-store';
import { claimOwner } from './claim-owner';
import { retryDelay, type RetryPolicy } from './retry-policy';

/**
 * Cancel retries happen inline, right after the PO was cancelled in the store: a few quick tries, no more than
 * ~15 s in all, so the dispatcher is not held up for long. What still fails is left to the operator.
 */
export const DEFAULT_CANCEL_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 2_000, maxDelayMs: 10_000 };

/**
 * How long a claimed withdrawal stays its worker's when the caller names no lease: above the inline tries (three
 * connector calls, each within its own timeout, and about 12 s of waits). Another worker takes it only after this.
 */
export const DEFAULT_WITHDRAWAL_LEASE_MS = 120_000;

/** What the supplier reads when a PO is withdrawn because it is no longer needed: no word of who ships instead. */
export const NO_LONGER_NEEDED = 'the purchase order is no longer needed';

/** The order event types a withdrawal writes, one per PO and outcome. */
export const CANCEL_EVENTS = {
  confirmed: 'po.cancel_confirmed',
  requested: 'po.cancel_requested',
  failed: 'po.cancel_failed',
} as const;

/** A supplier's deployed connector and its context: what a withdrawal is sent through. */
export interface WithdrawChannel {
  connector: SupplierConnector;
  context: ConnectorContext;
}

export interface WithdrawEnvironment {
  store: OrderStore;
  actor: string;
  /** The supplier's deployed channel; absent when the supplier is not deployed here (nothing can be sent). */
  channel?: WithdrawChannel;
  cancelPolicy?: RetryPolicy;
  random?: () => number;
  /** Waits between tries; tests pass a quicker one. */
  sleep?: (ms: number) => Promise<void>;
  /** How long a claimed withdrawal stays this worker's (DEFAULT_WITHDRAWAL_LEASE_MS when absent). */
  leaseMs?: number;
  /** The clock leases are taken by: the store's (the system clock when absent). */
  clock?: Clock;
}

/**
 * What became of withdrawing a PO at its supplier. `confirmed`: the supplier cancelled it. `requested`: the
 * request was delivered, the channel cannot confirm. `failed`: the supplier refused, or tries ran out.
 * `unsupported`: the channel has no cancel (or this supplier's settings give none). Only the first two relieve
 * the operator of withdrawing the PO by hand (and `requested` still asks them to check).
 */
export interface Withdrawal {
  kind: 'confirmed' | 'requested' | 'failed' | 'unsupported';
  poNumber: string;
  supplierId: string;
  reason: string;
  /** The supplier said no (it shipped already, or does not know the PO): what it has may still reach the customer. */
  refused?: boolean;
}

/**
 * Withdraws one PO at its supplier with everything else already bound: what nodes hand the core. Undefined when
 * the withdrawal was not this caller's to carry out (see withdrawPurchaseOrder).
 */
export type Withdraw = (po: PurchaseOrder, reason: string) => Promise<Withdrawal | undefined>;

/** The operator's task a withdrawal leaves, as the error nodes send out of their exceptions output; none when done. */
export function withdrawalProblem(withdrawal: Withdrawal | undefined): DropshipError | undefined {
  if (!withdrawal || withdrawal.kind === 'confirmed' || withdrawal.kind === 'requested') return undefined;
  return new DropshipError('cancel_failed', withdrawal.reason, [
    {
      path: 'poNumber',
      message: `${withdrawal.poNumber} is still live at supplier ${withdrawal.supplierId}`,
    },
  ]);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The operator's task when the supplier could not be told: the words the store's `po.cancelled` reason uses. */
export function withdrawByHand(po: PurchaseOrder): string {
  return `withdraw ${po.number} at ${po.supplierId}`;
}

/** The lease a claim of `claim`'s owner takes now. */
function leaseOf(env: Pick<WithdrawEnvironment, 'leaseMs' | 'clock'>, claim: PurchaseOrderClaim): Lease {
  return {
    owner: claim.leaseOwner,
    now: (env.clock ?? systemClock).now(),
    durationMs: env.leaseMs ?? DEFAULT_WITHDRAWAL_LEASE_MS,
  };
}

/**
 * Tells the supplier that a PO it has is cancelled and records the outcome as an order event. The store recorded
 * the withdrawal (`pending`) with the cancel; this claims it first, so of the worker that cancelled and a sweep
 * resuming it (`resumeWithdrawals`) only one sends, and marks it done with the outcome. Never throws for the
 * supplier's failures: a withdrawal that did not work must not stop what caused it (the failover's replacement goes
 * out anyway); it is returned, and recorded, as the operator's task. Undefined when there is nothing for this
 * caller to do: no withdrawal recorded (the PO was cancelled before it was sent), or another worker holds it or
 * recorded its outcome (that worker reports it); one already confirmed or requested is returned as such.
 */
export async function withdrawPurchaseOrder(
  env: WithdrawEnvironment,
  po: PurchaseOrder,
  reason: string,
): Promise<Withdrawal | undefined> {
  const claim = { leaseOwner: claimOwner(env.actor) };
  const claimed = await env.store.claimWithdrawal(po.number, leaseOf(env, claim));
  if (claimed) return carryOut(env, claimed, claim, reason);
  const done = (await env.store.listEvents(po.orderId)).find(
    (e) =>
      e.poNumber === po.number && (e.type === CANCEL_EVENTS.confirmed || e.type === CANCEL_EVENTS.requested),
  );
  return done
    ? {
        kind: done.type === CANCEL_EVENTS.confirmed ? 'confirmed' : 'requested',
        poNumber: po.number,
        supplierId: po.supplierId,
        reason: 'already withdrawn',
      }
    : undefined;
}

export interface ResumeWithdrawalsEnvironment extends Omit<WithdrawEnvironment, 'channel'> {
  /** The suppliers deployed here: their withdrawals are taken as soon as nobody holds them. */
  supplierIds: string[];
  /** A supplier's channel here; undefined when it is not deployed, or its settings are invalid. */
  channelOf: (supplierId: string) => WithdrawChannel | undefined;
  /**
   * How long another supplier's withdrawal must have been free before this worker takes it, and, lacking that
   * supplier, records it failed for the operator: long enough for a worker that has the supplier to take it first.
   */
  othersAfterMs: number;
  /** Withdrawals taken per call (20 when absent). */
  limit?: number;
}

/**
 * Carries out the withdrawals left pending: recorded with a cancel whose worker died before it recorded the
 * outcome (its lease ran out), or never claimed it. Each is claimed (one lease for the batch, so a concurrent sweep
 * or inline path takes none of them), sent through its supplier's channel side by side, and completed as
 * `withdrawPurchaseOrder` does; the supplier reads NO_LONGER_NEEDED, true of every cancel. Returns what each came
 * to (failed and unsupported ones are the operator's task, see withdrawalProblem).
 */
export async function resumeWithdrawals(
  env: ResumeWithdrawalsEnvironment,
): Promise<{ purchaseOrder: PurchaseOrder; withdrawal: Withdrawal }[]> {
  const claim = { leaseOwner: claimOwner(env.actor) };
  const due = await env.store.claimDueWithdrawals(
    leaseOf(env, claim),
    env.limit ?? 20,
    env.supplierIds,
    env.othersAfterMs,
  );
  const outcomes = await Promise.all(
    due.map(async (po) => ({
      purchaseOrder: po,
      withdrawal: await carryOut(
        { ...env, channel: env.channelOf(po.supplierId) },
        po,
        claim,
        NO_LONGER_NEEDED,
      ),
    })),
  );
  return outcomes.flatMap(({ purchaseOrder, withdrawal }) =>
    withdrawal ? [{ purchaseOrder, withdrawal }] : [],
  );
}

/**
 * Sends the withdrawal of a PO `claim` holds and records its outcome, marking it done, while the claim still holds
 * it. Undefined when it no longer did (its lease ran out and another worker took it over): that worker's outcome
 * is recorded and reported instead.
 */
async function carryOut(
  env: WithdrawEnvironment,
  po: PurchaseOrder,
  claim: PurchaseOrderClaim,
  reason: string,
): Promise<Withdrawal | undefined> {
  const record = async (
    kind: Withdrawal['kind'],
    words: string,
    data?: Record<string, unknown>,
    refused?: boolean,
  ): Promise<Withdrawal | undefined> => {
    const recorded = await env.store.completeWithdrawal(po.number, claim, {
      type: kind === 'confirmed' || kind === 'requested' ? CANCEL_EVENTS[kind] : CANCEL_EVENTS.failed,
      actor: env.actor,
      poNumber: po.number,
      reason: words,
      data: { supplierId: po.supplierId, ...(kind === 'unsupported' ? { unsupported: true } : {}), ...data },
    });
    return recorded
      ? {
          kind,
          poNumber: po.number,
          supplierId: po.supplierId,
          reason: words,
          ...(refused ? { refused } : {}),
        }
      : undefined;
  };
  const channel = env.channel;
  if (!channel?.connector.cancelPurchaseOrder) {
    const why = channel
      ? `the ${channel.connector.kind} channel cannot cancel a purchase order`
      : `supplier ${po.supplierId} has no usable connection here (not deployed, or its settings are invalid)`;
    return record('unsupported', `${why}: ${withdrawByHand(po)} by hand`);
  }
  const order = await env.store.getOrder(po.orderId);
  if (!order) return record('failed', `order ${po.orderId} is missing: ${withdrawByHand(po)} by hand`);
  const policy = env.cancelPolicy ?? DEFAULT_CANCEL_POLICY;
  for (let attempt = 1; ; attempt++) {
    let result: CancelResult;
    try {
      result = await channel.connector.cancelPurchaseOrder(
        { purchaseOrder: po, order, reason },
        channel.context,
      );
    } catch (err) {
      const message = errorText(err);
      if (err instanceof CancelUnsupportedError)
        return record('unsupported', `${message}: ${withdrawByHand(po)} by hand`);
      const retryable = err instanceof SupplierTransientError || err instanceof OutcomeUnknownError;
      const retryAfterMs = err instanceof SupplierTransientError ? err.retryAfterMs : undefined;
      // A supplier asking for longer than this path waits is as good as down for now.
      if (!retryable || attempt >= policy.maxAttempts || (retryAfterMs ?? 0) > policy.maxDelayMs)
        return record(
          'failed',
          `${retryable ? `gave up after ${attempt} tries` : 'supplier refused'}: ${message}; ${withdrawByHand(po)} by hand`,
          { attempts: attempt },
          !retryable,
        );
      await (env.sleep ?? defaultSleep)(retryDelay(attempt, policy, retryAfterMs, env.random));
      continue;
    }
    return result.outcome === 'cancelled'
      ? record('confirmed', result.reason ?? `supplier ${po.supplierId} confirmed the cancellation`, {
          supplierReference: result.supplierReference,
          attempts: attempt,
        })
      : record(
          'requested',
          `cancellation sent to supplier ${po.supplierId}, which cannot confirm it on this channel: check that ${po.number} does not ship`,
          { supplierReference: result.supplierReference, attempts: attempt },
        );
  }
}
