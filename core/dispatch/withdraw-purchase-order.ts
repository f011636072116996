import type { CancelResult, ConnectorContext, SupplierConnector } from '../../connectors/contract';
import {
  CancelUnsupportedError,
  OutcomeUnknownError,
  SupplierTransientError,
} from '../../connectors/contract';
import { DropshipError } from '../errors';
import type { PurchaseOrder } from '../model/purchase-order';
import type { OrderStore } from '../store/order-store';
import { retryDelay, type RetryPolicy } from './retry-policy';

/**
 * Cancel retries happen inline, right after the PO was cancelled in the store: a few quick tries, no more than
 * ~15 s in all, so the dispatcher is not held up for long. What still fails is left to the operator.
 */
export const DEFAULT_CANCEL_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 2_000, maxDelayMs: 10_000 };

/** The order event types a withdrawal writes, one per PO and outcome. */
export const CANCEL_EVENTS = {
  confirmed: 'po.cancel_confirmed',
  requested: 'po.cancel_requested',
  failed: 'po.cancel_failed',
} as const;

export interface WithdrawEnvironment {
  store: OrderStore;
  actor: string;
  /** The supplier's deployed channel; absent when the supplier is not deployed here (nothing can be sent). */
  channel?: { connector: SupplierConnector; context: ConnectorContext };
  cancelPolicy?: RetryPolicy;
  random?: () => number;
  /** Waits between tries; tests pass a quicker one. */
  sleep?: (ms: number) => Promise<void>;
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
}

/** Withdraws one PO at its supplier with everything else already bound: what nodes hand the core. */
export type Withdraw = (po: PurchaseOrder, reason: string) => Promise<Withdrawal>;

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

/**
 * Tells the supplier that a PO it has is cancelled (the PO is already `cancelled` in the store) and records the
 * outcome as an order event. Never throws for the supplier's failures: a withdrawal that did not work must not
 * stop what caused it (the failover's replacement goes out anyway); it is returned, and recorded, as the
 * operator's task. A PO whose cancellation was already confirmed or requested is not sent again.
 */
export async function withdrawPurchaseOrder(
  env: WithdrawEnvironment,
  po: PurchaseOrder,
  reason: string,
): Promise<Withdrawal> {
  const done = (await env.store.listEvents(po.orderId)).find(
    (e) =>
      e.poNumber === po.number && (e.type === CANCEL_EVENTS.confirmed || e.type === CANCEL_EVENTS.requested),
  );
  if (done)
    return {
      kind: done.type === CANCEL_EVENTS.confirmed ? 'confirmed' : 'requested',
      poNumber: po.number,
      supplierId: po.supplierId,
      reason: 'already withdrawn',
    };
  const record = async (
    kind: Withdrawal['kind'],
    words: string,
    data?: Record<string, unknown>,
  ): Promise<Withdrawal> => {
    await env.store.recordEvent(po.orderId, {
      type: kind === 'confirmed' || kind === 'requested' ? CANCEL_EVENTS[kind] : CANCEL_EVENTS.failed,
      actor: env.actor,
      poNumber: po.number,
      reason: words,
      data: { supplierId: po.supplierId, ...(kind === 'unsupported' ? { unsupported: true } : {}), ...data },
    });
    return { kind, poNumber: po.number, supplierId: po.supplierId, reason: words };
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
      const message = err instanceof Error ? err.message : String(err);
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
