import type {
  Acknowledgement,
  ConnectorContext,
  DispatchResult,
  LineAcknowledgement,
  SupplierConnector,
} from '../ports/supplier-connector';
import {
  SupplierPermanentError,
  SupplierTransientError,
  OutcomeUnknownError,
} from '../ports/supplier-connector';
import { asDropshipError, DropshipError, type FieldProblem } from '../errors';
import { orderStatesBefore } from '../model/lifecycle';
import type { PurchaseOrder, PurchaseOrderLine } from '../model/purchase-order';
import type { OrderStore, PurchaseOrderClaim } from '../store/order-store';
import type { CircuitBreaker } from './circuit-breaker';
import { proposeStrandedRefund } from '../refunds/stranded-lines';
import { retryDelay, type RetryPolicy } from './retry-policy';
import { withdrawByHand, withdrawPurchaseOrder, type Withdrawal } from './withdraw-purchase-order';

export interface DispatchEnvironment {
  store: OrderStore;
  connector: SupplierConnector;
  context: ConnectorContext;
  policy: RetryPolicy;
  breaker?: CircuitBreaker;
  actor: string;
  random?: () => number;
  /**
   * What a whole-PO backorder does: 'fail-over' gives the lines to the next ranked supplier (and cancels the
   * backordered PO), 'wait' keeps them with this supplier. Without an alternative the PO always waits.
   */
  onBackorder?: 'fail-over' | 'wait';
  /** Retries of a cancellation sent to the supplier (DEFAULT_CANCEL_POLICY when absent). */
  cancelPolicy?: RetryPolicy;
  /** Waits between cancel retries; tests pass a quicker one. */
  sleep?: (ms: number) => Promise<void>;
  /** How long a withdrawal this dispatcher carries out stays its own (DEFAULT_WITHDRAWAL_LEASE_MS when absent). */
  withdrawalLeaseMs?: number;
}

export type DispatchOutcome =
  | { kind: 'sent' | 'accepted' | 'backordered'; purchaseOrder: PurchaseOrder; result: DispatchResult }
  | { kind: 'retrying'; purchaseOrder: PurchaseOrder; retryAt: Date; reason: string }
  | {
      kind: 'failed_over';
      purchaseOrder: PurchaseOrder;
      replacements: PurchaseOrder[];
      reason: string;
      /**
       * For a PO the supplier kept (a backorder): what telling the supplier to cancel it came to; absent when
       * another worker (a dispatch sweep) took the withdrawal first and reports it.
       */
      withdrawal?: Withdrawal;
    }
  /**
   * Lines no supplier is left to take: `problem` says why, with the refusal's code (supplier_permanent for a
   * refusal, the last failure's for a give-up) and details naming what the supplier said and the lines held.
   */
  | { kind: 'needs_attention'; purchaseOrder: PurchaseOrder; reason: string; problem: DropshipError }
  /**
   * Someone else changed the PO meanwhile (another instance, an operator): nothing was written. `leaseLost`: this
   * sender's lease ran out and another sender took the PO over before the answer could be recorded; the other
   * sender's result stands.
   */
  | { kind: 'superseded'; purchaseOrder: PurchaseOrder; leaseLost?: true };

/** What a settlement the store refused means: under a claim, the claim was lost to another sender. */
function superseded(po: PurchaseOrder, claim: PurchaseOrderClaim | undefined): DispatchOutcome {
  return claim
    ? { kind: 'superseded', purchaseOrder: po, leaseLost: true }
    : { kind: 'superseded', purchaseOrder: po };
}

/**
 * Gives the lines a supplier refused to the next ranked alternative as a new PO, or holds the order in
 * needs_attention with the reason when no alternative is left. Returns the new POs (empty when held).
 */
export async function failOver(
  store: OrderStore,
  po: PurchaseOrder,
  lines: PurchaseOrderLine[],
  reason: string,
  actor: string,
): Promise<PurchaseOrder[]> {
  const [next, ...rest] = po.alternatives;
  if (!next) {
    const stranded = lines.map(({ orderLineId, quantity }) => ({ orderLineId, quantity }));
    await store.transitionOrder(po.orderId, orderStatesBefore('needs_attention'), 'needs_attention', {
      type: 'order.needs_attention',
      actor,
      poNumber: po.number,
      reason: `${reason}; no other supplier can take ${lines.map((l) => l.sku).join(', ')}`,
      data: { stranded },
    });
    await proposeStrandedRefund(store, po.orderId, po.number, stranded, actor);
    return [];
  }
  const previous = (await store.listPurchaseOrders(po.orderId)).filter((p) => p.supplierId === next);
  return store.addPurchaseOrders(
    po.orderId,
    [
      {
        orderId: po.orderId,
        supplierId: next,
        attempt: previous.length + 1,
        currency: po.currency,
        shipTo: po.shipTo,
        shippingMethod: po.shippingMethod,
        // The supplier-specific part number and cost belong to the refusing supplier, not the next one.
        lines: lines.map(({ orderLineId, sku, title, quantity }) => ({ orderLineId, sku, title, quantity })),
        alternatives: rest,
      },
    ],
    // The store records this as each new PO's creation event, under the new PO's number; `from` names the
    // refused PO (a poNumber here would be taken for the new PO's own).
    { type: 'po.failover', actor, reason: `${reason}; lines go to ${next}`, data: { from: po.number } },
  );
}

function linesWith(
  po: PurchaseOrder,
  acks: LineAcknowledgement[] | undefined,
  statuses: LineAcknowledgement['status'][],
): PurchaseOrderLine[] {
  const matching = new Set(
    (acks ?? []).filter((a) => statuses.includes(a.status)).map((a) => a.orderLineId ?? a.sku),
  );
  // A supplier acknowledges a line by the part number it was sent: its own where the catalogue maps one.
  return po.lines.filter(
    (l) =>
      matching.has(l.orderLineId) ||
      matching.has(l.sku) ||
      (l.supplierSku !== undefined && matching.has(l.supplierSku)),
  );
}

/**
 * What recording a supplier's answer needs: the store, who is acting, the backorder policy and, to withdraw a
 * backordered PO at the supplier, its connector and context (without them the operator is told to).
 */
export type SettleEnvironment = Pick<DispatchEnvironment, 'store' | 'actor' | 'onBackorder'> &
  Partial<
    Pick<
      DispatchEnvironment,
      'connector' | 'context' | 'cancelPolicy' | 'random' | 'sleep' | 'withdrawalLeaseMs'
    >
  >;

/** Why a refusal ended where it did: the error code and what the supplier said, by where it said it. */
interface RefusalCause {
  code: DropshipError['code'];
  details: FieldProblem[];
}

/** A refusal from the supplier's answer (a reply or an acknowledgement): its code and reason as details. */
function answerCause(result: Pick<DispatchResult, 'code' | 'reason' | 'lines'>): RefusalCause {
  const details: FieldProblem[] = [];
  if (result.code) details.push({ path: 'code', message: result.code });
  if (result.reason) details.push({ path: 'reason', message: result.reason });
  for (const line of result.lines ?? []) {
    if (line.status === 'rejected' || line.status === 'backordered')
      details.push({
        path: `lines/${line.sku}`,
        message: `${line.status}${line.reason ? `: ${line.reason}` : ''}`,
      });
  }
  return { code: 'supplier_permanent', details };
}

/**
 * The needs_attention outcome: the cause's code, its details and one detail per line nobody can take, named by its
 * place among `sentLines` (the PO's lines as the supplier was sent them; `lines` are taken from them).
 */
function heldForAttention(
  po: PurchaseOrder,
  lines: PurchaseOrderLine[],
  reason: string,
  cause: RefusalCause,
  sentLines: PurchaseOrderLine[] = po.lines,
): DispatchOutcome {
  const held = lines.map((line) => ({
    path: `lines/${sentLines.indexOf(line)}`,
    message: `${line.sku} × ${line.quantity}: no other supplier can take it`,
  }));
  return {
    kind: 'needs_attention',
    purchaseOrder: po,
    reason,
    problem: new DropshipError(cause.code, reason, [...cause.details, ...held]),
  };
}

/**
 * The answer-recording paths below take the sender's `claim` when they settle a send (the PO is `sending`), so
 * the store applies the move only while the claim still holds; an acknowledgement read later has none.
 */
async function refuse(
  env: SettleEnvironment,
  po: PurchaseOrder,
  to: 'rejected' | 'failed',
  reason: string,
  claim: PurchaseOrderClaim | undefined,
  cause: RefusalCause,
): Promise<DispatchOutcome> {
  const settled = await env.store.transitionPurchaseOrder(
    po.number,
    [po.state],
    to,
    { lastError: reason },
    {
      type: `po.${to}`,
      actor: env.actor,
      reason,
    },
    claim,
  );
  if (!settled) return superseded(po, claim);
  const replacements = await failOver(env.store, settled, settled.lines, reason, env.actor);
  return replacements.length > 0
    ? { kind: 'failed_over', purchaseOrder: settled, replacements, reason }
    : heldForAttention(settled, settled.lines, reason, cause);
}

/**
 * A PO claimed because no instance has its supplier deployed (`claimStrandedPurchaseOrders`): refused as failed
 * with the reason and its lines failed over to the next ranked supplier, or the order held in needs_attention.
 */
export function failOverStrandedPurchaseOrder(
  env: Pick<SettleEnvironment, 'store' | 'actor'>,
  po: PurchaseOrder,
  claim: PurchaseOrderClaim,
  reason: string,
): Promise<DispatchOutcome> {
  return refuse(env, po, 'failed', reason, claim, {
    code: 'configuration',
    details: [{ path: 'supplierId', message: `${po.supplierId} is deployed on no instance` }],
  });
}

/**
 * A supplier that backorders the whole PO while another ranked supplier could ship now: the lines move on, the
 * backordered PO is cancelled in the store (which records its withdrawal in the same transaction) and then
 * withdrawn at the supplier through the connector's `cancelPurchaseOrder`. The replacement is created first and
 * does not wait on the withdrawal: when it fails or the channel cannot cancel, the outcome carries that and the
 * `po.cancel_failed` event tells the operator to withdraw the PO by hand. Should this worker die before the outcome
 * is recorded, the dispatch sweep resumes the withdrawal (`resumeWithdrawals`).
 */
async function failOverBackorder(
  env: SettleEnvironment,
  po: PurchaseOrder,
  result: DispatchResult,
  claim: PurchaseOrderClaim | undefined,
): Promise<DispatchOutcome> {
  const reason = `supplier ${po.supplierId} backordered the PO${result.reason ? `: ${result.reason}` : ''}`;
  const backordered = await env.store.transitionPurchaseOrder(
    po.number,
    [po.state],
    'backordered',
    { supplierReference: result.supplierReference, lastError: null, nextAttemptAt: null },
    { type: 'po.backordered', actor: env.actor, reason },
    claim,
  );
  if (!backordered) return superseded(po, claim);
  const replacements = await failOver(env.store, backordered, backordered.lines, reason, env.actor);
  const movedTo = `lines moved to ${replacements.map((r) => r.supplierId).join(', ')}`;
  const cancelled = await env.store.transitionPurchaseOrder(
    po.number,
    ['backordered'],
    'cancelled',
    {},
    { type: 'po.cancelled', actor: env.actor, reason: `${movedTo}; ${withdrawByHand(po)}` },
  );
  // Only the writer of the cancellation withdraws: a PO someone else moved meanwhile is theirs to settle.
  const withdrawal = cancelled
    ? await withdrawPurchaseOrder(
        {
          ...env,
          channel:
            env.connector && env.context ? { connector: env.connector, context: env.context } : undefined,
          leaseMs: env.withdrawalLeaseMs,
          clock: env.context?.clock,
        },
        cancelled,
        // The supplier reads this: no word of who ships instead.
        'backordered; the purchase order is no longer needed',
      )
    : undefined;
  return { kind: 'failed_over', purchaseOrder: cancelled ?? backordered, replacements, reason, withdrawal };
}

/**
 * Records the supplier's answer on a PO read in `po.state` (sending for a send, under the sender's claim; sent or
 * backordered for a later acknowledgement): the compare-and-set expects exactly that state, so two answers
 * cannot both apply.
 */
async function settle(
  env: SettleEnvironment,
  po: PurchaseOrder,
  result: DispatchResult,
  claim: PurchaseOrderClaim | undefined,
): Promise<DispatchOutcome> {
  const event = {
    actor: env.actor,
    data: { outcome: result.outcome, supplierReference: result.supplierReference },
  };
  if (result.outcome === 'rejected')
    return refuse(
      env,
      po,
      'rejected',
      `supplier rejected the PO${result.reason ? `: ${result.reason}` : ''}`,
      claim,
      answerCause(result),
    );
  if (result.outcome === 'backordered' && env.onBackorder !== 'wait' && po.alternatives.length > 0) {
    return failOverBackorder(env, po, result, claim);
  }
  if (result.outcome === 'partial') {
    const kept = linesWith(po, result.lines, ['accepted', 'changed']);
    const moved = po.lines.filter((l) => !kept.includes(l));
    const settled = await env.store.transitionPurchaseOrder(
      po.number,
      [po.state],
      kept.length > 0 ? 'accepted' : 'rejected',
      {
        supplierReference: result.supplierReference,
        lines: kept.length > 0 ? kept : po.lines,
        lastError: null,
      },
      {
        ...event,
        type: 'po.partial',
        reason: `supplier accepted ${kept.length} of ${po.lines.length} lines`,
      },
      claim,
    );
    if (!settled) return superseded(po, claim);
    const reason = `supplier ${po.supplierId} refused or backordered ${moved.map((l) => l.sku).join(', ')}`;
    const replacements = await failOver(env.store, settled, moved, reason, env.actor);
    return replacements.length > 0
      ? { kind: 'failed_over', purchaseOrder: settled, replacements, reason }
      : heldForAttention(settled, moved, reason, answerCause(result), po.lines);
  }
  const settled = await env.store.transitionPurchaseOrder(
    po.number,
    [po.state],
    result.outcome,
    { supplierReference: result.supplierReference, lastError: null, nextAttemptAt: null },
    { ...event, type: `po.${result.outcome}`, reason: result.reason },
    claim,
  );
  if (!settled) return superseded(po, claim);
  return { kind: result.outcome, purchaseOrder: settled, result };
}

/**
 * Sends of this PO that went to the supplier. The store counts every claim; a claim turned back before sending
 * (open breaker, supplier not deployed) is recorded as `po.deferred` and must not use up the PO's attempts.
 */
async function sendsMade(store: OrderStore, po: PurchaseOrder): Promise<number> {
  const events = await store.listEvents(po.orderId);
  return po.sendAttempts - events.filter((e) => e.type === 'po.deferred' && e.poNumber === po.number).length;
}

/**
 * Sends a PO this worker has claimed (state `sending`, as the claim returned it, with the claim's lease owner) and
 * records what happened. Every path ends in a committed state: sent/accepted/backordered, pending with a retry
 * time, or refused with its lines failed over; or, when the lease ran out and another sender took the PO over
 * meanwhile, in nothing written (superseded, `leaseLost`).
 */
export async function sendClaimedPurchaseOrder(
  env: DispatchEnvironment,
  po: PurchaseOrder,
  claim: PurchaseOrderClaim,
): Promise<DispatchOutcome> {
  const now = env.context.clock.now();
  // Read before asking the breaker: a half-open breaker's one probe must end in a send it can learn from.
  const order = await env.store.getOrder(po.orderId);
  if (!order)
    return refuse(env, po, 'failed', `order ${po.orderId} is missing`, claim, {
      code: 'not_found',
      details: [{ path: 'orderId', message: 'matches no order' }],
    });
  const admitted = env.breaker?.admit(now) ?? { allowed: true };
  if (!admitted.allowed) {
    const deferred = await env.store.transitionPurchaseOrder(
      po.number,
      ['sending'],
      'pending',
      { nextAttemptAt: admitted.retryAt },
      { type: 'po.deferred', actor: env.actor, reason: `circuit open for supplier ${po.supplierId}` },
      claim,
    );
    if (!deferred) return superseded(po, claim);
    return {
      kind: 'retrying',
      purchaseOrder: deferred,
      retryAt: admitted.retryAt,
      reason: `circuit open for supplier ${po.supplierId}`,
    };
  }
  let result: DispatchResult;
  try {
    result = await env.connector.sendPurchaseOrder({ purchaseOrder: po, order }, env.context);
  } catch (err) {
    if (err instanceof SupplierPermanentError) {
      env.breaker?.recordSuccess();
      return refuse(env, po, 'rejected', err.message, claim, { code: err.code, details: err.details });
    }
    const error =
      err instanceof SupplierTransientError || err instanceof OutcomeUnknownError
        ? err
        : asDropshipError(err, 'outcome_unknown');
    env.breaker?.recordFailure(now);
    const sends = await sendsMade(env.store, po);
    if (sends >= env.policy.maxAttempts) {
      return refuse(env, po, 'failed', `gave up after ${sends} attempts: ${error.message}`, claim, {
        code: error.code,
        details: [{ path: 'attempts', message: String(sends) }, ...error.details],
      });
    }
    const retryAt = new Date(
      now.getTime() +
        retryDelay(
          sends,
          env.policy,
          err instanceof SupplierTransientError ? err.retryAfterMs : undefined,
          env.random,
        ),
    );
    const pending = await env.store.transitionPurchaseOrder(
      po.number,
      ['sending'],
      'pending',
      { nextAttemptAt: retryAt, lastError: error.message },
      {
        type: 'po.retry',
        actor: env.actor,
        reason: `${error.code}: ${error.message}`,
        data: { attempt: sends, retryAt: retryAt.toISOString() },
      },
      claim,
    );
    return pending
      ? { kind: 'retrying', purchaseOrder: pending, retryAt, reason: error.message }
      : superseded(po, claim);
  }
  env.breaker?.recordSuccess();
  return settle(env, po, result, claim);
}

/**
 * Applies an acknowledgement that arrived after the send (an 855 file, a cXML ConfirmationRequest, an e-mail):
 * the same outcomes as a synchronous reply, failover included. An answer that changes nothing (the PO already
 * has that state, or has moved past it) is reported as superseded and writes nothing.
 */
export async function applyAcknowledgement(
  env: SettleEnvironment,
  ack: Acknowledgement,
): Promise<DispatchOutcome> {
  const po = await env.store.getPurchaseOrder(ack.poNumber);
  if (!po) {
    throw new DropshipError('not_found', `acknowledgement for unknown purchase order ${ack.poNumber}`, [
      { path: 'poNumber', message: 'matches no purchase order' },
    ]);
  }
  const answerable: PurchaseOrder['state'][] = ['sent', 'backordered'];
  const repeated = po.state === ack.outcome;
  if (!answerable.includes(po.state) || repeated) return { kind: 'superseded', purchaseOrder: po };
  return settle(
    env,
    po,
    {
      outcome: ack.outcome,
      supplierReference: ack.supplierReference,
      lines: ack.lines,
      reason: ack.reason,
    },
    undefined,
  );
}
