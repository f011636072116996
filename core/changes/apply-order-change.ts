import { DropshipError, errorText } from '../errors';
import type { Order, OrderLine } from '../model/order';
import type { StoredOrderChange } from '../model/order-change';
import { CHANGE_EVENTS, changeSummary } from './record-order-change';
import type { OrderEvent } from '../model/order-event';
import type { PurchaseOrder, PurchaseOrderLine, PurchaseOrderState } from '../model/purchase-order';
import {
  CancelUnsupportedError,
  OutcomeUnknownError,
  SupplierTransientError,
  type CancelResult,
  type ChangeResult,
} from '../ports/supplier-connector';
import { systemClock, type Clock } from '../clock';
import { proposeCancellationRefund } from '../refunds/cancellation-refund';
import type { Refund } from '../refunds/refund';
import { claimOwner } from '../dispatch/claim-owner';
import { retryDelay, type RetryPolicy } from '../dispatch/retry-policy';
import {
  DEFAULT_CANCEL_POLICY,
  withdrawPurchaseOrder,
  type WithdrawChannel,
  type Withdrawal,
} from '../dispatch/withdraw-purchase-order';
import type { OrderStore, PurchaseOrderClaim } from '../store/order-store';

/** How long a claimed change stays its worker's: above the supplier calls it may make (a few tries each). */
export const DEFAULT_CHANGE_LEASE_MS = 120_000;

/** PO states in which nothing reached the supplier yet: a change there costs nothing. */
const NOT_SENT: readonly PurchaseOrderState[] = ['pending'];
/** PO states in which the supplier has the PO and has not shipped it: a change is asked of the supplier. */
const HELD: readonly PurchaseOrderState[] = ['sent', 'accepted', 'backordered'];
const SHIPPED: readonly PurchaseOrderState[] = ['shipped', 'delivered'];
/** Order states a change can still cancel the order from. */
const CANCELLABLE_ORDER_STATES = [
  'received',
  'routed',
  'dispatched',
  'acknowledged',
  'partially_shipped',
  'needs_attention',
] as const;

/** What became of one PO when a change was applied. */
export interface PurchaseOrderChangeOutcome {
  poNumber: string;
  supplierId: string;
  /**
   * `cancelled_before_dispatch` / `changed_before_dispatch`: the PO had not gone out, nothing was sent.
   * `confirmed`, `requested`: the supplier was told and confirmed it, or cannot confirm on its channel.
   * `refused`: the supplier said no (it shipped); `shipped`: it had shipped, nothing could be asked;
   * `failed`, `unsupported`: the operator must tell the supplier by hand.
   */
  outcome:
    | 'cancelled_before_dispatch'
    | 'changed_before_dispatch'
    | 'confirmed'
    | 'requested'
    | 'refused'
    | 'shipped'
    | 'failed'
    | 'unsupported';
  reason: string;
}

export interface ReturnCandidate {
  poNumber: string;
  lines: { orderLineId: string; sku: string; quantity: number }[];
  reason: string;
}

export type ChangeOutcome =
  | {
      kind: 'applied';
      change: StoredOrderChange;
      order: Order;
      purchaseOrders: PurchaseOrderChangeOutcome[];
      returnCandidates: ReturnCandidate[];
      /** The refund proposed for the units the change took off (undefined when the shop refunded them or none went). */
      refund?: Refund;
    }
  /** A PO of the order is being sent right now: the change waits for the send's outcome (the claim is left to run out). */
  | { kind: 'waiting'; change: StoredOrderChange; reason: string }
  /** Another worker took the change over (this worker's lease ran out): its outcome stands. */
  | { kind: 'superseded'; change: StoredOrderChange };

export interface ChangeEnvironment {
  store: OrderStore;
  actor: string;
  /** A supplier's deployed channel; undefined when it is not deployed here, or its settings are invalid. */
  channelOf: (supplierId: string) => WithdrawChannel | undefined;
  cancelPolicy?: RetryPolicy;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  leaseMs?: number;
  clock?: Clock;
  /** How long a change waits for a PO being sent to have its outcome (DEFAULT_SEND_WAIT_MS when absent). */
  sendWaitMs?: number;
}

/** Above a supplier's usual timeout, below the change's lease. */
export const DEFAULT_SEND_WAIT_MS = 30_000;
const SEND_POLL_MS = 250;

/** A PO moved between reading it and changing it (a sweep claimed it to send): the change waits and tries again. */
class PurchaseOrderMoved extends Error {
  constructor(readonly poNumber: string) {
    super(`${poNumber} changed meanwhile`);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Claims one recorded change (when free) and applies it; undefined when it is not free (held, applied, or queued behind an older change). */
export async function applyRecordedChange(
  env: ChangeEnvironment,
  changeId: number,
): Promise<ChangeOutcome | undefined> {
  const claim = { leaseOwner: claimOwner(env.actor) };
  const change = await env.store.claimOrderChange(changeId, leaseOf(env, claim));
  return change ? applyOrderChange(env, change, claim) : undefined;
}

/** Applies the changes left pending (a crash, a send in flight, a change queued behind another), oldest first. */
export async function resumeOrderChanges(env: ChangeEnvironment, limit = 20): Promise<ChangeOutcome[]> {
  const claim = { leaseOwner: claimOwner(env.actor) };
  const due = await env.store.claimDueOrderChanges(leaseOf(env, claim), limit);
  const outcomes: ChangeOutcome[] = [];
  for (const change of due) outcomes.push(await applyOrderChange(env, change, claim));
  return outcomes;
}

function leaseOf(env: Pick<ChangeEnvironment, 'leaseMs' | 'clock'>, claim: PurchaseOrderClaim) {
  return {
    owner: claim.leaseOwner,
    now: (env.clock ?? systemClock).now(),
    durationMs: env.leaseMs ?? DEFAULT_CHANGE_LEASE_MS,
  };
}

const INACTIVE: readonly PurchaseOrderState[] = ['rejected', 'cancelled', 'failed'];

/**
 * The quantity each order line should have after the change, by line id. The order's lines take their new
 * quantities only when the change completes, so this is the same on every try of the same change.
 */
function targetQuantities(order: Order, change: StoredOrderChange): Map<string, number> {
  const targets = new Map<string, number>();
  for (const line of order.lines) targets.set(line.lineId, change.whole ? 0 : line.quantity);
  if (change.whole) return targets;
  for (const line of change.lines) {
    const current = targets.get(line.lineId) ?? 0;
    const next =
      line.mode === 'set'
        ? line.quantity
        : line.mode === 'add'
          ? current + line.quantity
          : current - line.quantity;
    targets.set(line.lineId, Math.max(0, next));
  }
  return targets;
}

/**
 * Applies a claimed change: every PO of the order that carries a changed line gets its new quantities, those not
 * yet sent (within the hold window too) in the store alone, those the supplier has through its channel
 * (`cancelPurchaseOrder` for a whole PO, through the withdrawal the store records with the cancel;
 * `changePurchaseOrder`, else `cancelPurchaseOrder` with lines, for a part). Units that already shipped, or that a
 * supplier refused to cancel, are recorded as return candidates. Then, in one transaction, the order's lines take
 * their new quantities and the change is marked applied; an order left with nothing to ship is cancelled.
 *
 * Re-applying after a crash changes nothing twice: quantities are compared with what the POs hold now, and a
 * supplier whose PO was changed (`po.lines_changed` for this change) without an outcome recorded is told again
 * with the same change id.
 */
export async function applyOrderChange(
  env: ChangeEnvironment,
  change: StoredOrderChange,
  claim: PurchaseOrderClaim,
): Promise<ChangeOutcome> {
  const { store, actor } = env;
  const order = await store.getOrder(change.orderId);
  if (!order) throw new DropshipError('not_found', `order ${change.orderId} does not exist`);
  // A PO being sent has its outcome within the supplier's timeout: the change waits for it, up to a bound.
  let purchaseOrders = await store.listPurchaseOrders(order.id);
  for (let waited = 0; waited < (env.sendWaitMs ?? DEFAULT_SEND_WAIT_MS); waited += SEND_POLL_MS) {
    if (!purchaseOrders.some((po) => po.state === 'sending')) break;
    await (env.sleep ?? defaultSleep)(SEND_POLL_MS);
    purchaseOrders = await store.listPurchaseOrders(order.id);
  }
  const events = await store.listEvents(order.id);
  const sending = purchaseOrders.find((po) => po.state === 'sending');
  if (sending) {
    return {
      kind: 'waiting',
      change,
      reason: `${sending.number} is being sent: the change follows its outcome`,
    };
  }
  const active = purchaseOrders.filter((po) => !INACTIVE.includes(po.state));
  const held = new Map<string, number>();
  for (const po of active)
    for (const line of po.lines)
      held.set(line.orderLineId, (held.get(line.orderLineId) ?? 0) + line.quantity);
  const targets = targetQuantities(order, change);
  const reason = changeSummary(change);
  const outcomes: PurchaseOrderChangeOutcome[] = [];
  const returnCandidates: ReturnCandidate[] = [];

  // Units to take off each line: from POs not yet sent first, then from those the supplier has.
  const excess = new Map<string, number>();
  const extra = new Map<string, number>();
  for (const [lineId, target] of targets) {
    const carried = held.get(lineId);
    if (carried === undefined) continue;
    if (carried > target) excess.set(lineId, carried - target);
    if (carried < target) extra.set(lineId, target - carried);
  }
  const rank = (po: PurchaseOrder): number =>
    NOT_SENT.includes(po.state) ? 0 : HELD.includes(po.state) ? 1 : 2;
  try {
    for (const po of [...active].sort((a, b) => rank(a) - rank(b))) {
      const lines = po.lines.map((line) => {
        const take = Math.min(excess.get(line.orderLineId) ?? 0, line.quantity);
        const add = extra.get(line.orderLineId) ?? 0;
        if (take > 0) excess.set(line.orderLineId, (excess.get(line.orderLineId) ?? 0) - take);
        if (add > 0 && !SHIPPED.includes(po.state)) extra.delete(line.orderLineId);
        return { ...line, quantity: line.quantity - take + (SHIPPED.includes(po.state) ? 0 : add) };
      });
      const changed = lines.some((line, i) => line.quantity !== po.lines[i]!.quantity);
      if (!changed) continue;
      if (SHIPPED.includes(po.state)) {
        const gone = po.lines
          .map((line, i) => ({
            orderLineId: line.orderLineId,
            sku: line.sku,
            quantity: line.quantity - lines[i]!.quantity,
          }))
          .filter((line) => line.quantity > 0);
        if (gone.length > 0) {
          const words = `${po.number} had shipped before the change: the units reach the customer, open a return for them`;
          outcomes.push({
            poNumber: po.number,
            supplierId: po.supplierId,
            outcome: 'shipped',
            reason: words,
          });
          returnCandidates.push({ poNumber: po.number, lines: gone, reason: words });
        }
        continue;
      }
      const kept = lines.filter((line) => line.quantity > 0);
      if (kept.length === 0) outcomes.push(await cancelWholePurchaseOrder(env, po, reason, returnCandidates));
      else outcomes.push(await changePurchaseOrder(env, order, po, kept, change, reason, returnCandidates));
    }
    // A PO changed before a crash whose supplier was never told: told now, with the same change id.
    for (const po of untoldSuppliers(purchaseOrders, events, change.id)) {
      if (outcomes.some((o) => o.poNumber === po.purchaseOrder.number)) continue;
      outcomes.push(
        await tellSupplier(env, order, po.purchaseOrder, po.previousLines, change, reason, returnCandidates),
      );
    }
  } catch (err) {
    if (!(err instanceof PurchaseOrderMoved)) throw err;
    return { kind: 'waiting', change, reason: `${err.poNumber} moved while the change was applied` };
  }

  for (const candidate of returnCandidates) {
    await store.recordEvent(order.id, {
      type: CHANGE_EVENTS.returnCandidate,
      actor,
      poNumber: candidate.poNumber,
      reason: candidate.reason,
      data: { changeId: change.id, lines: candidate.lines },
    });
  }

  const after = await store.listPurchaseOrders(order.id);
  const lines = linesAfter(order, targets, after);
  // Before the change completes, so a crash in between proposes again on the next try (once, by its key).
  const refund = await proposeCancellationRefund(store, order, lines, change, actor);
  const done = await store.completeOrderChange(change.id, claim, lines, {
    type: CHANGE_EVENTS.applied,
    actor,
    reason,
    data: { purchaseOrders: outcomes, lines: lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })) },
  });
  if (!done) return { kind: 'superseded', change };
  if (!lines.some((line) => line.requiresShipping && line.quantity > 0)) {
    await store.transitionOrder(order.id, [...CANCELLABLE_ORDER_STATES], 'cancelled', {
      type: 'order.cancelled',
      actor,
      reason,
      data: { changeId: change.id },
    });
  }
  const final = (await store.getOrder(order.id)) ?? order;
  return {
    kind: 'applied',
    change,
    order: final,
    purchaseOrders: outcomes,
    returnCandidates,
    ...(refund ? { refund: refund.refund } : {}),
  };
}

/** The order's lines after the change: what its active POs carry (shipped units included), else the target. */
function linesAfter(
  order: Order,
  targets: Map<string, number>,
  purchaseOrders: PurchaseOrder[],
): OrderLine[] {
  const carried = new Map<string, number>();
  for (const po of purchaseOrders.filter((p) => !INACTIVE.includes(p.state)))
    for (const line of po.lines)
      carried.set(line.orderLineId, (carried.get(line.orderLineId) ?? 0) + line.quantity);
  const routed = purchaseOrders.length > 0;
  return order.lines
    .map((line) => ({
      ...line,
      quantity:
        routed && line.requiresShipping
          ? (carried.get(line.lineId) ?? 0)
          : (targets.get(line.lineId) ?? line.quantity),
    }))
    .filter((line) => line.quantity > 0);
}

/** POs whose lines this change rewrote (`po.lines_changed`) with no outcome from their supplier recorded yet. */
function untoldSuppliers(
  purchaseOrders: PurchaseOrder[],
  events: OrderEvent[],
  changeId: number,
): { purchaseOrder: PurchaseOrder; previousLines: PurchaseOrderLine[] }[] {
  const ofChange = events.filter((e) => e.data?.changeId === changeId && e.poNumber);
  const told = new Set(ofChange.filter((e) => e.type !== CHANGE_EVENTS.linesChanged).map((e) => e.poNumber));
  return ofChange
    .filter((e) => e.type === CHANGE_EVENTS.linesChanged && !told.has(e.poNumber))
    .flatMap((e) => {
      const po = purchaseOrders.find((p) => p.number === e.poNumber);
      return po && HELD.includes(po.state)
        ? [{ purchaseOrder: po, previousLines: (e.data?.previousLines ?? []) as PurchaseOrderLine[] }]
        : [];
    });
}

/** Cancels a PO none of whose lines remain: in the store alone when it was not sent, else withdrawn at its supplier. */
async function cancelWholePurchaseOrder(
  env: ChangeEnvironment,
  po: PurchaseOrder,
  reason: string,
  returnCandidates: ReturnCandidate[],
): Promise<PurchaseOrderChangeOutcome> {
  const notSent = NOT_SENT.includes(po.state);
  const cancelled = await env.store.transitionPurchaseOrder(
    po.number,
    [po.state],
    'cancelled',
    {},
    { type: 'po.cancelled', actor: env.actor, reason },
  );
  if (!cancelled) {
    throw new PurchaseOrderMoved(po.number);
  }
  if (notSent) {
    return {
      poNumber: po.number,
      supplierId: po.supplierId,
      outcome: 'cancelled_before_dispatch',
      reason: 'not sent yet: nothing to tell the supplier',
    };
  }
  const withdrawal: Withdrawal | undefined = await withdrawPurchaseOrder(
    { ...env, channel: env.channelOf(po.supplierId), leaseMs: env.leaseMs },
    cancelled,
    reason,
  );
  if (!withdrawal) {
    return {
      poNumber: po.number,
      supplierId: po.supplierId,
      outcome: 'requested',
      reason: 'withdrawn by another worker',
    };
  }
  if (withdrawal.refused) {
    returnCandidates.push({
      poNumber: po.number,
      lines: po.lines.map((l) => ({ orderLineId: l.orderLineId, sku: l.sku, quantity: l.quantity })),
      reason: `supplier ${po.supplierId} refused the cancellation: if it ships, open a return for it`,
    });
  }
  const outcome = withdrawal.refused
    ? 'refused'
    : withdrawal.kind === 'confirmed'
      ? 'confirmed'
      : withdrawal.kind;
  return { poNumber: po.number, supplierId: po.supplierId, outcome, reason: withdrawal.reason };
}

/** Rewrites a PO's lines, and tells its supplier when it has the PO. */
async function changePurchaseOrder(
  env: ChangeEnvironment,
  order: Order,
  po: PurchaseOrder,
  lines: PurchaseOrderLine[],
  change: StoredOrderChange,
  reason: string,
  returnCandidates: ReturnCandidate[],
): Promise<PurchaseOrderChangeOutcome> {
  const notSent = NOT_SENT.includes(po.state);
  const changed = await env.store.changePurchaseOrderLines(po.number, [po.state], po.version, lines, {
    type: CHANGE_EVENTS.linesChanged,
    actor: env.actor,
    reason,
    data: { changeId: change.id, previousLines: po.lines, lines, sent: !notSent },
  });
  if (!changed) {
    throw new PurchaseOrderMoved(po.number);
  }
  if (notSent) {
    return {
      poNumber: po.number,
      supplierId: po.supplierId,
      outcome: 'changed_before_dispatch',
      reason: 'not sent yet: it goes out with the new quantities',
    };
  }
  return tellSupplier(env, order, changed, po.lines, change, reason, returnCandidates);
}

/**
 * Tells a PO's supplier of a change through its channel, a few tries for transient failures, and records the
 * outcome (`po.change_*`, with the change id). A refusal puts the PO's lines back as the supplier keeps them and
 * makes the units it keeps return candidates.
 */
async function tellSupplier(
  env: ChangeEnvironment,
  order: Order,
  po: PurchaseOrder,
  previousLines: PurchaseOrderLine[],
  change: StoredOrderChange,
  reason: string,
  returnCandidates: ReturnCandidate[],
): Promise<PurchaseOrderChangeOutcome> {
  const changeId = `${po.number}-C${change.id}`;
  const record = async (
    outcome: PurchaseOrderChangeOutcome['outcome'],
    type: string,
    words: string,
    data?: Record<string, unknown>,
  ): Promise<PurchaseOrderChangeOutcome> => {
    await env.store.recordEvent(po.orderId, {
      type,
      actor: env.actor,
      poNumber: po.number,
      reason: words,
      data: { changeId: change.id, supplierId: po.supplierId, ...data },
    });
    return { poNumber: po.number, supplierId: po.supplierId, outcome, reason: words };
  };
  const byHand = `tell ${po.supplierId} about ${po.number} by hand`;
  const channel = env.channelOf(po.supplierId);
  const connector = channel?.connector;
  const reductions = previousLines
    .map((before) => {
      const now = po.lines.find((l) => l.orderLineId === before.orderLineId)?.quantity ?? 0;
      return { ...before, quantity: before.quantity - now };
    })
    .filter((line) => line.quantity > 0);
  const onlyReductions = po.lines.every(
    (line) => line.quantity <= (previousLines.find((b) => b.orderLineId === line.orderLineId)?.quantity ?? 0),
  );
  // The channel's change, else (for lowered quantities) its cancel with the lines; the next way when one is not set up.
  const ways: (() => Promise<ChangeResult | CancelResult>)[] = [];
  if (channel && connector?.changePurchaseOrder)
    ways.push(() =>
      connector.changePurchaseOrder!(
        { purchaseOrder: po, previousLines, order, changeId, reason },
        channel.context,
      ),
    );
  if (channel && connector?.cancelPurchaseOrder && onlyReductions)
    ways.push(() =>
      connector.cancelPurchaseOrder!(
        { purchaseOrder: po, order, reason, lines: reductions, changeId },
        channel.context,
      ),
    );
  if (ways.length === 0) {
    const why = channel
      ? `the ${connector?.kind} channel cannot change a purchase order`
      : `supplier ${po.supplierId} has no usable connection here (not deployed, or its settings are invalid)`;
    return record('unsupported', CHANGE_EVENTS.failed, `${why}: ${byHand}`, { unsupported: true });
  }
  let call = ways.shift()!;
  const policy = env.cancelPolicy ?? DEFAULT_CANCEL_POLICY;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await call();
      const confirmed = result.outcome === 'changed' || result.outcome === 'cancelled';
      return confirmed
        ? record(
            'confirmed',
            CHANGE_EVENTS.confirmed,
            result.reason ?? `supplier ${po.supplierId} confirmed the change`,
            {
              supplierReference: result.supplierReference,
            },
          )
        : record(
            'requested',
            CHANGE_EVENTS.requested,
            `change sent to supplier ${po.supplierId}, which cannot confirm it on this channel: check ${po.number}`,
          );
    } catch (err) {
      const message = errorText(err);
      if (err instanceof CancelUnsupportedError) {
        const next = ways.shift();
        if (!next)
          return record('unsupported', CHANGE_EVENTS.failed, `${message}: ${byHand}`, { unsupported: true });
        call = next;
        attempt = 0;
        continue;
      }
      const retryable = err instanceof SupplierTransientError || err instanceof OutcomeUnknownError;
      if (!retryable) {
        // The supplier keeps the PO as it was: its lines go back, and what it ships may come back as a return.
        const restored = await env.store.changePurchaseOrderLines(
          po.number,
          [po.state],
          po.version,
          previousLines,
          { type: 'po.lines_restored', actor: env.actor, reason: `supplier refused the change: ${message}` },
        );
        if (restored && reductions.length > 0) {
          returnCandidates.push({
            poNumber: po.number,
            lines: reductions.map((l) => ({ orderLineId: l.orderLineId, sku: l.sku, quantity: l.quantity })),
            reason: `supplier ${po.supplierId} refused the change: if it ships these units, open a return for them`,
          });
        }
        return record('refused', CHANGE_EVENTS.refused, `supplier refused: ${message}`);
      }
      const retryAfterMs = err instanceof SupplierTransientError ? err.retryAfterMs : undefined;
      if (attempt >= policy.maxAttempts || (retryAfterMs ?? 0) > policy.maxDelayMs)
        return record(
          'failed',
          CHANGE_EVENTS.failed,
          `gave up after ${attempt} tries: ${message}; ${byHand}`,
        );
      await (env.sleep ?? defaultSleep)(retryDelay(attempt, policy, retryAfterMs, env.random));
    }
  }
}
