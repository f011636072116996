import { DropshipError, invalidInput, type FieldProblem } from '../errors';
import type { Order } from '../model/order';
import type { OrderEventInput } from '../model/order-event';
import type { PurchaseOrder } from '../model/purchase-order';
import { EMAIL_CHANNEL } from '../notify/email-outbox';
import type { OrdersStore, PurchaseOrderStore, ReturnsStore } from '../store/order-store';
import type {
  CreditMemo,
  NoticeInput,
  ReturnAuthorisation,
  ReturnLabel,
  ReturnLine,
  ReturnState,
} from './return-authorisation';
import type { ReturnPolicy } from './return-policy';

const DAY_MS = 86_400_000;

/** A customer's request: which lines (by line id or SKU), how many, and why. */
export interface ReturnRequest {
  /** Order id or `channel:externalId`. */
  order: string;
  lines: { orderLineId?: string; sku?: string; quantity: number }[];
  reason: string;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** What the customer's e-mail shows about the return (no supplier costs). */
function notice(rma: ReturnAuthorisation): NoticeInput {
  const kind = `return_${rma.state}`;
  return {
    milestone: `${kind}:${rma.rmaNumber}`,
    channel: EMAIL_CHANNEL,
    payload: {
      kind,
      key: `${kind}:${rma.rmaNumber}`,
      rma: {
        number: rma.rmaNumber,
        state: rma.state,
        lines: rma.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        currency: rma.currency,
        refundAmount: rma.refundAmount.toFixed(2),
        restockingFee: rma.restockingFee.toFixed(2),
        refunded: rma.refunded?.toFixed(2),
        returnAddress: rma.returnAddress,
        label: rma.label,
        note: rma.note,
      },
    },
  };
}

/** When the PO's goods reached the customer (or left the supplier, while no delivery is known). */
function handedOverAt(
  events: { poNumber?: string; toState?: string; at: string }[],
  po: PurchaseOrder,
): number {
  const moves = events.filter((e) => e.poNumber === po.number);
  const delivered = moves.find((e) => e.toState === 'delivered');
  const shipped = moves.find((e) => e.toState === 'shipped');
  return Date.parse((delivered ?? shipped)?.at ?? po.updatedAt);
}

/** What returns need of the store: the RMAs, and the order and POs they return. */
export type ReturningStore = ReturnsStore &
  Pick<OrdersStore, 'findOrder' | 'getOrder' | 'listEvents' | 'transitionOrder'> &
  Pick<PurchaseOrderStore, 'listPurchaseOrders'>;

/**
 * Checks a return request against the order (lines, quantities shipped less those already being returned) and
 * each supplier's policy (window), then opens one RMA per supplier PO, routed to that supplier's return address
 * with its restocking fee. Policies that approve automatically approve at once. Every problem names its field.
 */
export async function requestReturn(
  store: ReturningStore,
  request: ReturnRequest,
  policies: Record<string, ReturnPolicy>,
  actor: string,
  now: Date,
): Promise<ReturnAuthorisation[]> {
  const order = await store.findOrder(request.order);
  if (!order)
    throw new DropshipError('not_found', `no order ${request.order}`, [
      { path: '/order', message: 'matches no stored order' },
    ]);
  const [pos, events, existing] = await Promise.all([
    store.listPurchaseOrders(order.id),
    store.listEvents(order.id),
    store.listReturns({ orderId: order.id }),
  ]);
  const problems: FieldProblem[] = [];
  if (typeof request.reason !== 'string' || !request.reason.trim())
    problems.push({ path: '/reason', message: 'is required' });
  if (!Array.isArray(request.lines) || request.lines.length === 0)
    problems.push({ path: '/lines', message: 'must list at least one line' });
  const returning = new Map<string, number>();
  for (const rma of existing.filter((r) => r.state !== 'rejected'))
    for (const line of rma.lines)
      returning.set(line.orderLineId, (returning.get(line.orderLineId) ?? 0) + line.quantity);
  const byPo = new Map<PurchaseOrder, ReturnLine[]>();
  (Array.isArray(request.lines) ? request.lines : []).forEach((wanted, i) => {
    const path = `/lines/${i}`;
    const line = order.lines.find((l) =>
      wanted.orderLineId ? l.lineId === wanted.orderLineId : l.sku === wanted.sku,
    );
    if (!line) {
      problems.push({
        path: wanted.orderLineId ? `${path}/orderLineId` : `${path}/sku`,
        message: 'is not a line of the order',
      });
      return;
    }
    if (!Number.isInteger(wanted.quantity) || wanted.quantity < 1) {
      problems.push({ path: `${path}/quantity`, message: 'must be a whole number of at least 1' });
      return;
    }
    const po = pos.find(
      (p) =>
        (p.state === 'shipped' || p.state === 'delivered') &&
        p.lines.some((l) => l.orderLineId === line.lineId),
    );
    if (!po) {
      problems.push({ path, message: `${line.sku} has not shipped yet: cancel it instead of returning it` });
      return;
    }
    const shipped = po.lines.filter((l) => l.orderLineId === line.lineId).reduce((n, l) => n + l.quantity, 0);
    const left = shipped - (returning.get(line.lineId) ?? 0);
    if (wanted.quantity > left) {
      problems.push({
        path: `${path}/quantity`,
        message: `is ${wanted.quantity}, but only ${left} of ${line.sku} can still be returned`,
      });
      return;
    }
    const policy = policies[po.supplierId];
    if (!policy) {
      problems.push({
        path,
        message: `supplier ${po.supplierId} has no return policy: configure one before accepting returns`,
      });
      return;
    }
    const closes = handedOverAt(events, po) + policy.windowDays * DAY_MS;
    if (now.getTime() > closes) {
      problems.push({
        path,
        message: `the ${policy.windowDays}-day return window for ${line.sku} ended on ${new Date(closes).toISOString().slice(0, 10)}`,
      });
      return;
    }
    returning.set(line.lineId, (returning.get(line.lineId) ?? 0) + wanted.quantity);
    const unitCost = po.lines.find((l) => l.orderLineId === line.lineId)?.unitCost;
    byPo.set(po, [
      ...(byPo.get(po) ?? []),
      {
        orderLineId: line.lineId,
        sku: line.sku,
        quantity: wanted.quantity,
        unitPrice: line.unitPrice,
        unitCost,
      },
    ]);
  });
  if (problems.length > 0) throw invalidInput('return request', problems);
  const created: ReturnAuthorisation[] = [];
  for (const [po, lines] of byPo) {
    const policy = policies[po.supplierId]!;
    const value = round2(lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0));
    const restockingFee = round2((value * policy.restockingFeePercent) / 100);
    let rma = await store.createReturn(
      {
        orderId: order.id,
        supplierId: po.supplierId,
        poNumber: po.number,
        reason: request.reason.trim(),
        lines,
        currency: order.currency,
        returnAddress: policy.returnAddress,
        restockingFee,
        refundAmount: round2(value - restockingFee),
      },
      { type: 'return.requested', actor, reason: request.reason.trim() },
      notice,
    );
    if (policy.autoApprove)
      rma = (await advanceReturn(store, rma.rmaNumber, { step: 'approve' }, actor, order)) ?? rma;
    created.push(rma);
  }
  return created;
}

/** The next step of a return, with what that step records. */
export type ReturnStep =
  | { step: 'approve'; note?: string }
  | { step: 'reject'; note: string }
  | { step: 'label_sent'; label: ReturnLabel }
  | { step: 'received'; note?: string }
  | { step: 'credited'; creditMemo: Omit<CreditMemo, 'recordedAt'> }
  | { step: 'refunded'; amount?: number };

const STEP_MOVES: Record<ReturnStep['step'], { from: ReturnState[]; to: ReturnState }> = {
  approve: { from: ['requested'], to: 'approved' },
  reject: { from: ['requested'], to: 'rejected' },
  label_sent: { from: ['approved'], to: 'label_sent' },
  received: { from: ['approved', 'label_sent'], to: 'received' },
  credited: { from: ['received'], to: 'credited' },
  refunded: { from: ['received', 'credited'], to: 'refunded' },
};

/** Reads a step from a message or request body; each missing piece is named. */
export function parseReturnStep(value: unknown): ReturnStep {
  const body = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  switch (body.step) {
    case 'approve':
    case 'received':
      return { step: body.step, note: text(body.note) };
    case 'reject': {
      const note = text(body.note);
      if (!note)
        throw invalidInput('return step', [{ path: '/note', message: 'is required: tell the customer why' }]);
      return { step: 'reject', note };
    }
    case 'label_sent': {
      const label = (body.label ?? {}) as Record<string, unknown>;
      if (!text(label.trackingNumber) && !text(label.url))
        throw invalidInput('return step', [{ path: '/label', message: 'needs a trackingNumber or a url' }]);
      return {
        step: 'label_sent',
        label: {
          carrier: text(label.carrier),
          trackingNumber: text(label.trackingNumber),
          url: text(label.url),
        },
      };
    }
    case 'credited': {
      const memo = (body.creditMemo ?? {}) as Record<string, unknown>;
      const problems: FieldProblem[] = [];
      if (!text(memo.number)) problems.push({ path: '/creditMemo/number', message: 'is required' });
      if (typeof memo.amount !== 'number' || !(memo.amount >= 0))
        problems.push({ path: '/creditMemo/amount', message: 'must be a number of at least 0' });
      if (problems.length > 0) throw invalidInput('return step', problems);
      return { step: 'credited', creditMemo: { number: text(memo.number)!, amount: memo.amount as number } };
    }
    case 'refunded':
      if (body.amount !== undefined && (typeof body.amount !== 'number' || !(body.amount >= 0)))
        throw invalidInput('return step', [{ path: '/amount', message: 'must be a number of at least 0' }]);
      return { step: 'refunded', amount: body.amount };
    default:
      throw invalidInput('return step', [
        { path: '/step', message: `must be one of ${Object.keys(STEP_MOVES).join(', ')}` },
      ]);
  }
}

/**
 * Moves a return one step on (compare-and-set), recording what the step brings (label, credit memo, refund) and
 * telling the customer. The supplier's credit is between the shop and the supplier: it is recorded, the customer
 * is not e-mailed about it. Once every shipped unit of the order is refunded, the order becomes `returned`.
 * Undefined when the return was not in a state this step follows.
 */
export async function advanceReturn(
  store: ReturningStore,
  rmaNumber: string,
  step: ReturnStep,
  actor: string,
  knownOrder?: Order,
): Promise<ReturnAuthorisation | undefined> {
  const rma = await store.getReturn(rmaNumber);
  if (!rma)
    throw new DropshipError('not_found', `no return ${rmaNumber}`, [
      { path: '/rmaNumber', message: 'matches no return' },
    ]);
  const move = STEP_MOVES[step.step];
  if (!move.from.includes(rma.state))
    throw new DropshipError('conflict', `return ${rmaNumber} is ${rma.state}: it cannot be ${move.to} now`);
  const update =
    step.step === 'label_sent'
      ? { label: step.label }
      : step.step === 'credited'
        ? { creditMemo: { ...step.creditMemo, recordedAt: new Date().toISOString() } }
        : step.step === 'refunded'
          ? { refunded: step.amount ?? rma.refundAmount }
          : { note: step.note };
  const event: OrderEventInput = {
    type: `return.${move.to}`,
    actor,
    reason: 'note' in step ? step.note : undefined,
    data:
      step.step === 'credited'
        ? { creditMemo: step.creditMemo.number, amount: step.creditMemo.amount }
        : undefined,
  };
  const moved = await store.transitionReturn(
    rmaNumber,
    move.from,
    move.to,
    update,
    event,
    step.step === 'credited' ? undefined : notice,
  );
  if (moved?.state === 'refunded')
    await markOrderReturned(store, knownOrder ?? (await store.getOrder(moved.orderId))!, actor);
  return moved;
}

async function markOrderReturned(store: ReturningStore, order: Order, actor: string): Promise<void> {
  const [pos, returns] = await Promise.all([
    store.listPurchaseOrders(order.id),
    store.listReturns({ orderId: order.id }),
  ]);
  const shipped = pos
    .filter((p) => p.state === 'shipped' || p.state === 'delivered')
    .flatMap((p) => p.lines)
    .reduce((n, l) => n + l.quantity, 0);
  const refunded = returns
    .filter((r) => r.state === 'refunded')
    .flatMap((r) => r.lines)
    .reduce((n, l) => n + l.quantity, 0);
  if (shipped > 0 && refunded >= shipped)
    await store.transitionOrder(order.id, ['shipped', 'delivered'], 'returned', {
      type: 'order.returned',
      actor,
      reason: 'every shipped unit was returned and refunded',
    });
}
