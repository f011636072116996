import { NO_LONGER_NEEDED, type Withdraw, type Withdrawal } from '../dispatch/withdraw-purchase-order';
import { DropshipError, invalidInput } from '../errors';
import {
  orderStateFromPurchaseOrders,
  orderStatesBefore,
  purchaseOrderStatesBefore,
} from '../model/lifecycle';
import { shippableLines, type Order, type OrderState } from '../model/order';
import type { OrderEventInput } from '../model/order-event';
import type { PurchaseOrder, PurchaseOrderState } from '../model/purchase-order';
import { EMAIL_CHANNEL } from '../notify/email-outbox';
import type { OrderStore } from '../store/order-store';
import { proposeRefund } from '../refunds/manage-refunds';

/** What an operator can do about an order that needs attention (from the dashboard, a flow or the admin API). */
export type OperatorAction =
  /** Send failed purchase orders again; an order that never routed goes back to the router. */
  | { kind: 'retry' }
  /** Give the lines (of one PO, or every line without a live PO) to the chosen supplier. */
  | { kind: 'reroute'; supplierId: string; poNumber?: string }
  /**
   * Cancel the order and its unshipped POs; the customer gets the cancellation notice and what is left of the
   * order is proposed for refund.
   */
  | { kind: 'cancel'; reason: string }
  /** The operator dealt with it: the order goes back to following its POs. */
  | { kind: 'resolve'; note?: string };

export const OPERATOR_ACTIONS = ['retry', 'reroute', 'cancel', 'resolve'] as const;

/**
 * A supplier that has to hear of the action (a PO it has was cancelled). With a `withdraw` function the
 * action tells it through its connector and `withdrawal` says what came of it; a withdrawal that failed, or
 * none at all, leaves the flow (or the operator) to tell the supplier.
 */
export interface SupplierNotice {
  supplierId: string;
  poNumber: string;
  action: 'cancel_po';
  withdrawal?: Withdrawal;
}

export interface OperatorActionResult {
  order: Order;
  action: OperatorAction['kind'];
  purchaseOrders: PurchaseOrder[];
  supplierNotices: SupplierNotice[];
}

/** POs whose lines are still with a supplier (or about to be). */
const LIVE: readonly PurchaseOrderState[] = [
  'pending',
  'sending',
  'sent',
  'accepted',
  'backordered',
  'shipped',
  'delivered',
];
/** What the transition table lets an operator cancel: a PO not yet sent, or one its supplier has. */
const CANCELLABLE: readonly PurchaseOrderState[] = purchaseOrderStatesBefore('cancelled');

/** Reads an action from a message or request body, naming the field that is wrong. */
export function parseOperatorAction(value: unknown): OperatorAction {
  const body = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const kind = body.action ?? body.kind;
  const text = (name: string): string | undefined =>
    typeof body[name] === 'string' && body[name].trim() ? body[name].trim() : undefined;
  switch (kind) {
    case 'retry':
      return { kind };
    case 'reroute': {
      const supplierId = text('supplierId');
      if (!supplierId)
        throw invalidInput('operator action', [{ path: 'supplierId', message: 'is required to reroute' }]);
      return { kind, supplierId, poNumber: text('poNumber') };
    }
    case 'cancel':
      return { kind, reason: text('reason') ?? 'cancelled by the operator' };
    case 'resolve':
      return { kind, note: text('note') };
    default:
      throw invalidInput('operator action', [
        { path: 'action', message: `must be one of ${OPERATOR_ACTIONS.join(', ')}` },
      ]);
  }
}

/** Where an order that was held goes back to: the state its POs give, routed, or received when it has none. */
function releasedState(purchaseOrders: PurchaseOrder[]): OrderState {
  if (purchaseOrders.length === 0) return 'received';
  return orderStateFromPurchaseOrders(purchaseOrders) ?? 'routed';
}

async function release(store: OrderStore, order: Order, event: OrderEventInput): Promise<Order> {
  if (order.state !== 'needs_attention') {
    await store.recordEvent(order.id, event);
    return order;
  }
  const target = releasedState(await store.listPurchaseOrders(order.id));
  return (await store.transitionOrder(order.id, ['needs_attention'], target, event)) ?? order;
}

/** What the supplier reads when an operator's action withdraws its PO: no internal notes, no customer data. */
const WITHDRAW_REASON = {
  cancel: 'the order was cancelled',
  reroute: NO_LONGER_NEEDED,
} as const;

/**
 * Carries out an operator action on the order `ref` (id or channel:externalId), audited under `actor`. POs the
 * supplier already has that the action cancels are withdrawn through `withdraw` (the watchdog node passes its
 * deployed suppliers), after the store's changes are committed; the store recorded each withdrawal with its
 * cancel, so one this process does not finish (or without `withdraw`) is resumed by the dispatch sweep.
 */
export async function applyOperatorAction(
  store: OrderStore,
  ref: string,
  action: OperatorAction,
  actor: string,
  now: Date,
  withdraw?: Withdraw,
): Promise<OperatorActionResult> {
  const order = await store.findOrder(ref);
  if (!order)
    throw new DropshipError('not_found', `no order ${ref}`, [
      { path: 'orderId', message: 'matches no stored order' },
    ]);
  const pos = await store.listPurchaseOrders(order.id);
  const event = (reason?: string, data?: Record<string, unknown>): OrderEventInput => ({
    type: `operator.${action.kind}`,
    actor,
    reason,
    data,
  });
  const result = (
    updated: Order,
    purchaseOrders: PurchaseOrder[],
    supplierNotices: SupplierNotice[] = [],
  ) => ({
    order: updated,
    action: action.kind,
    purchaseOrders,
    supplierNotices,
  });
  /** A notice for a cancelled PO the supplier has, withdrawn there when a withdraw function was given. */
  const noticeOf = async (cancelled: PurchaseOrder, reason: string): Promise<SupplierNotice> => ({
    supplierId: cancelled.supplierId,
    poNumber: cancelled.number,
    action: 'cancel_po',
    ...(withdraw ? { withdrawal: await withdraw(cancelled, reason) } : {}),
  });
  switch (action.kind) {
    case 'retry': {
      const retried: PurchaseOrder[] = [];
      for (const po of pos.filter((p) => p.state === 'failed')) {
        const again = await store.transitionPurchaseOrder(
          po.number,
          ['failed'],
          'pending',
          { nextAttemptAt: now, lastError: null },
          event('sent again by the operator'),
        );
        if (again) retried.push(again);
      }
      const updated = await release(
        store,
        order,
        event('retried by the operator', { purchaseOrders: retried.map((p) => p.number) }),
      );
      await store.clearWatchdogTimers(order.id, now);
      return result(updated, retried);
    }
    case 'reroute': {
      const from = action.poNumber ? pos.find((p) => p.number === action.poNumber) : undefined;
      if (action.poNumber && !from)
        throw invalidInput('operator action', [
          { path: 'poNumber', message: `is not a purchase order of order ${order.id}` },
        ]);
      /** The PO the supplier has that this reroute cancels: withdrawn once its lines have their new PO. */
      let withdrawn: PurchaseOrder | undefined;
      let lines: PurchaseOrder['lines'];
      if (from) {
        if (!CANCELLABLE.includes(from.state) && from.state !== 'failed' && from.state !== 'rejected')
          throw new DropshipError(
            'conflict',
            `purchase order ${from.number} is ${from.state}: it cannot be rerouted`,
          );
        if (CANCELLABLE.includes(from.state)) {
          const cancelled = await store.transitionPurchaseOrder(
            from.number,
            [from.state],
            'cancelled',
            {},
            event(`rerouted to ${action.supplierId}`),
          );
          if (!cancelled)
            throw new DropshipError('conflict', `purchase order ${from.number} changed meanwhile; try again`);
          if (from.state !== 'pending') withdrawn = cancelled;
        }
        lines = from.lines.map(({ orderLineId, sku, title, quantity }) => ({
          orderLineId,
          sku,
          title,
          quantity,
        }));
      } else {
        const covered = new Set(
          pos.filter((p) => LIVE.includes(p.state)).flatMap((p) => p.lines.map((l) => l.orderLineId)),
        );
        lines = shippableLines(order)
          .filter((l) => !covered.has(l.lineId))
          .map((l) => ({ orderLineId: l.lineId, sku: l.sku, title: l.title, quantity: l.quantity }));
      }
      if (lines.length === 0)
        throw new DropshipError('conflict', `order ${order.id} has no lines waiting for a supplier`, [
          { path: 'poNumber', message: 'name the purchase order whose lines should move' },
        ]);
      const draft = {
        orderId: order.id,
        supplierId: action.supplierId,
        attempt: pos.filter((p) => p.supplierId === action.supplierId).length + 1,
        currency: order.currency,
        shipTo: order.shipTo,
        shippingMethod: order.shipping.method,
        lines,
        alternatives: [],
      };
      const routedEvent = event(`lines ${lines.map((l) => l.sku).join(', ')} go to ${action.supplierId}`, {
        supplierId: action.supplierId,
      });
      const created =
        pos.length === 0
          ? ((await store.assignPurchaseOrders(
              order.id,
              ['needs_attention', 'received'],
              [draft],
              routedEvent,
            )) ?? [])
          : await store.addPurchaseOrders(order.id, [draft], routedEvent);
      if (created.length === 0)
        throw new DropshipError('conflict', `order ${order.id} changed meanwhile; try again`);
      const current = (await store.getOrder(order.id))!;
      const updated =
        current.state === 'needs_attention'
          ? ((await store.transitionOrder(
              order.id,
              ['needs_attention'],
              'routed',
              event('rerouted by the operator'),
            )) ?? current)
          : current;
      await store.clearWatchdogTimers(order.id, now);
      return result(updated, created, withdrawn ? [await noticeOf(withdrawn, WITHDRAW_REASON.reroute)] : []);
    }
    case 'cancel': {
      if (pos.some((p) => p.state === 'sending'))
        throw new DropshipError(
          'conflict',
          `a purchase order of ${order.id} is being sent right now; try again in a minute`,
        );
      const cancelled = await store.transitionOrder(
        order.id,
        orderStatesBefore('cancelled'),
        'cancelled',
        event(action.reason),
      );
      if (!cancelled)
        throw new DropshipError(
          'conflict',
          `order ${order.id} is ${order.state}: it can no longer be cancelled`,
        );
      const notices: SupplierNotice[] = [];
      const changed: PurchaseOrder[] = [];
      for (const po of pos.filter((p) => CANCELLABLE.includes(p.state))) {
        const done = await store.transitionPurchaseOrder(
          po.number,
          [po.state],
          'cancelled',
          {},
          event(action.reason),
        );
        if (done) changed.push(done);
        if (done && po.state !== 'pending') notices.push(await noticeOf(done, WITHDRAW_REASON.cancel));
      }
      // The same key as the notify node's derived "cancelled" milestone: the customer hears it once.
      await store.enqueueNotification(order.id, 'cancelled', EMAIL_CHANNEL, {
        kind: 'cancelled',
        key: 'cancelled',
      });
      // The cancelled e-mail promises the payment back: whatever is left of the order is proposed for refund.
      await proposeRefund(store, order.id, {
        trigger: 'operator',
        reason: `order cancelled: ${action.reason}`,
        change: 'cancelled',
        actor,
      });
      await store.clearWatchdogTimers(order.id, now);
      return result(cancelled, changed, notices);
    }
    case 'resolve': {
      const updated = await release(store, order, event(action.note ?? 'resolved by the operator'));
      await store.clearWatchdogTimers(order.id, now);
      return result(updated, []);
    }
  }
}

/** One line of the needs-attention queue: ids, numbers and reasons only, never customer data. */
export interface NeedsAttentionItem {
  orderId: string;
  orderNumber?: string;
  channel: string;
  since: string;
  reason: string;
  suppliers: string[];
  /** Watchdog conditions that fired on the order and are not cleared. */
  conditions: string[];
}

/** Orders held for a person, oldest first, each with the latest reason it was held. */
export async function needsAttentionQueue(store: OrderStore, limit = 100): Promise<NeedsAttentionItem[]> {
  const orders = await store.listOrders({ states: ['needs_attention'], limit });
  return Promise.all(
    orders.map(async (order) => {
      const [events, pos, timers] = await Promise.all([
        store.listEvents(order.id),
        store.listPurchaseOrders(order.id),
        store.listWatchdogTimers({ orderId: order.id, states: ['fired'] }),
      ]);
      const held = events.filter((e) => e.toState === 'needs_attention').at(-1);
      return {
        orderId: order.id,
        orderNumber: order.orderNumber,
        channel: order.channel,
        since: held?.at ?? order.updatedAt,
        reason: held?.reason ?? 'held for a person',
        suppliers: [...new Set(pos.map((p) => p.supplierId))],
        conditions: [...new Set(timers.map((t) => t.condition))],
      };
    }),
  );
}
