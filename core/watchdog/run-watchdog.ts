import { failOver } from '../dispatch/dispatch-purchase-order';
import { NO_LONGER_NEEDED, type Withdraw } from '../dispatch/withdraw-purchase-order';
import { supplierControlLimitAlerts } from '../metrics/control-limits';
import { orderStatesBefore } from '../model/lifecycle';
import type { OrderState } from '../model/order';
import type { OrderEventInput } from '../model/order-event';
import type { PurchaseOrderState } from '../model/purchase-order';
import type { OrderStore } from '../store/order-store';
import { EMAIL_CHANNEL } from '../notify/email-outbox';
import {
  detectErrorRateBreaches,
  detectOrderConditions,
  detectOverdueFunctionalAcks,
  detectStaleFeeds,
  type DetectedCondition,
  type OrderSnapshot,
} from './conditions';
import type { WatchdogAction, WatchdogTimer, WatchdogTimerDraft } from './timers';
import type { WatchdogPolicy } from './watchdog-policy';
import { errorText } from '../errors';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * Orders that can still go wrong in a way the watchdog sees: sent to a supplier and not yet delivered. A held
 * order stays watched, so its ladder goes on (the customer still hears of a delay while a person looks).
 */
export const WATCHED_ORDER_STATES: readonly OrderState[] = [
  'dispatched',
  'acknowledged',
  'partially_shipped',
  'shipped',
  'needs_attention',
];
/** PO states a reroute may take the lines from: the supplier has not shipped them. */
const REROUTABLE: readonly PurchaseOrderState[] = ['sent', 'accepted', 'backordered'];
const RETRY_FAILED_STEP_MS = 5 * 60_000;

export interface WatchdogEnvironment {
  store: OrderStore;
  policy: WatchdogPolicy;
  /** Written into every event and timer claim: `dropship-watchdog:<node id>`. */
  actor: string;
  now: () => Date;
  leaseMs?: number;
  /** Orders looked at per sweep, oldest change first. */
  orderLimit?: number;
  /** Withdraws a PO a reroute step took the lines from at its supplier (the node passes its deployed suppliers). */
  withdraw?: Withdraw;
  /** An X12 partner's own 997 wait in hours (its supplier setting); undefined: the policy's threshold. */
  functionalAckHours?: (supplierId: string) => number | undefined;
}

/** One ladder step that came due: what it did, or why it did nothing. */
export interface EscalationStep {
  timer: WatchdogTimer;
  action: WatchdogAction;
  outcome: 'fired' | 'cleared' | 'failed';
  reason: string;
  result: Record<string, unknown>;
}

export interface WatchdogSweep {
  detected: DetectedCondition[];
  /** Timers created by this sweep (conditions seen for the first time). */
  scheduled: WatchdogTimer[];
  steps: EscalationStep[];
}

export async function orderSnapshot(store: OrderStore, orderId: string): Promise<OrderSnapshot | undefined> {
  const order = await store.getOrder(orderId);
  if (!order) return undefined;
  const [purchaseOrders, shipments, events] = await Promise.all([
    store.listPurchaseOrders(orderId),
    store.listShipments(orderId),
    store.listEvents(orderId),
  ]);
  return { order, purchaseOrders, shipments, events };
}

/** X12 groups without their 997 past their time, each with the order of the PO it carried. */
async function overdueFunctionalAcks(env: WatchdogEnvironment, now: Date): Promise<DetectedCondition[]> {
  const { policy, store } = env;
  if (!policy.conditions.functional_ack_overdue.enabled) return [];
  const groups = await store.listUnacknowledgedFunctionalGroups(1000);
  const withOrders = await Promise.all(
    groups.map(async (group) => {
      const po = group.poNumber ? await store.getPurchaseOrder(group.poNumber) : undefined;
      return po ? { ...group, orderId: po.orderId } : group;
    }),
  );
  return detectOverdueFunctionalAcks(withOrders, policy, now, env.functionalAckHours);
}

/** The supplier-wide conditions: stale stock feeds, missing 997s and send error rates beyond their control limit. */
async function detectSupplierConditions(env: WatchdogEnvironment, now: Date): Promise<DetectedCondition[]> {
  const { policy, store } = env;
  const stale = detectStaleFeeds(await store.listStockFeeds(), policy, now);
  const overdue = await overdueFunctionalAcks(env, now);
  if (!policy.conditions.supplier_error_rate.enabled) return [...stale, ...overdue];
  const alerts = await supplierControlLimitAlerts(store, { figure: 'errorRate', ...policy.errorRate }, now);
  return [...stale, ...overdue, ...detectErrorRateBreaches(alerts, policy)];
}

function timersFor(detected: DetectedCondition, policy: WatchdogPolicy): WatchdogTimerDraft[] {
  return policy.conditions[detected.condition].steps.map((step, index) => ({
    subject: detected.subject,
    orderId: detected.orderId,
    poNumber: detected.poNumber,
    supplierId: detected.supplierId,
    condition: detected.condition,
    step: index,
    action: step.action,
    dueAt: new Date(detected.since.getTime() + step.afterHours * HOUR_MS),
    detail: { ...detected.detail, reason: detected.reason },
  }));
}

/** Carries out one step; returns what it did (recorded on the timer and in the order's events). */
async function carryOut(
  env: WatchdogEnvironment,
  timer: WatchdogTimer,
  condition: DetectedCondition,
  snapshot: OrderSnapshot | undefined,
  now: Date,
): Promise<Record<string, unknown>> {
  const { store, actor } = env;
  const event = (type: string): OrderEventInput => ({
    type,
    actor,
    poNumber: timer.poNumber,
    reason: condition.reason,
    data: { condition: timer.condition, step: timer.step, timerId: timer.id },
  });
  const orderId = timer.orderId;
  switch (timer.action) {
    case 'remind_supplier':
      if (orderId) await store.recordEvent(orderId, event('watchdog.remind_supplier'));
      return { supplierId: timer.supplierId, poNumber: timer.poNumber };
    case 'reroute': {
      const po = timer.poNumber ? await store.getPurchaseOrder(timer.poNumber) : undefined;
      if (!orderId || !po || !REROUTABLE.includes(po.state))
        return { skipped: 'no purchase order to reroute' };
      const cancelled = await store.transitionPurchaseOrder(
        po.number,
        [po.state],
        'cancelled',
        { lastError: condition.reason },
        event('watchdog.reroute'),
      );
      if (!cancelled) return { skipped: 'the purchase order changed meanwhile' };
      const replacements = await failOver(store, cancelled, cancelled.lines, condition.reason, actor);
      // The supplier still has the PO: withdraw it there, once the lines have their next supplier (the store
      // recorded the withdrawal with the cancel: the dispatch sweep resumes it should this process die first).
      const withdrawal = await env.withdraw?.(cancelled, NO_LONGER_NEEDED);
      return {
        cancelled: po.number,
        supplierId: po.supplierId,
        replacements: replacements.map((r) => ({ poNumber: r.number, supplierId: r.supplierId })),
        needsAttention: replacements.length === 0,
        ...(withdrawal ? { withdrawal } : {}),
      };
    }
    case 'alert_operator': {
      if (!orderId) return { supplierId: timer.supplierId };
      const held = await store.transitionOrder(
        orderId,
        orderStatesBefore('needs_attention'),
        'needs_attention',
        event('watchdog.alert_operator'),
      );
      if (!held) await store.recordEvent(orderId, event('watchdog.alert_operator'));
      return { needsAttention: true };
    }
    case 'notify_customer': {
      if (!orderId) return { skipped: 'no customer for a supplier-wide condition' };
      const carrierEstimate = (snapshot?.shipments ?? [])
        .map((s) => (s.estimatedDelivery ? Date.parse(s.estimatedDelivery) : NaN))
        .filter((t) => t > now.getTime())
        .sort((a, b) => b - a)[0];
      const estimate = new Date(
        carrierEstimate ?? now.getTime() + env.policy.customerEstimateDays * DAY_MS,
      ).toISOString();
      await store.enqueueNotification(orderId, `delayed:${timer.condition}:${timer.subject}`, EMAIL_CHANNEL, {
        kind: 'delayed',
        key: `delayed:${timer.condition}:${timer.subject}`,
        // The delayed wording names the parcel: the one the condition is about, else one still on its way.
        trackingNumber:
          condition.detail.trackingNumber ??
          snapshot?.shipments.find((s) => s.status !== 'delivered')?.trackingNumber,
        condition: timer.condition,
        estimatedDelivery: estimate,
      });
      const told = event('watchdog.notify_customer');
      await store.recordEvent(orderId, { ...told, data: { ...told.data, estimatedDelivery: estimate } });
      return { estimatedDelivery: estimate };
    }
  }
}

/**
 * One watchdog pass: finds the conditions that hold, schedules each one's ladder in the store (once), then fires
 * the steps that are due. A step whose condition has ended by the time it is due is cleared, not fired.
 */
export async function runWatchdogSweep(env: WatchdogEnvironment): Promise<WatchdogSweep> {
  const now = env.now();
  const { store, policy } = env;
  const orders = await store.listOrders({ states: [...WATCHED_ORDER_STATES], limit: env.orderLimit ?? 1000 });
  const snapshots = new Map<string, OrderSnapshot>();
  for (const order of orders) {
    const snapshot = await orderSnapshot(store, order.id);
    if (snapshot) snapshots.set(order.id, snapshot);
  }
  const detected = [
    ...[...snapshots.values()].flatMap((s) => detectOrderConditions(s, policy, now)),
    ...(await detectSupplierConditions(env, now)),
  ];
  const scheduled = await store.scheduleWatchdogTimers(
    detected.flatMap((d) => timersFor(d, policy)),
    now,
  );
  const holding = new Map(detected.map((d) => [`${d.subject}\u0000${d.condition}`, d]));
  const due = await store.claimDueWatchdogTimers(
    { owner: env.actor, now, durationMs: env.leaseMs ?? 120_000 },
    100,
  );
  const steps: EscalationStep[] = [];
  for (const timer of due) {
    // An order beyond this sweep's list (or no longer watched) is looked at on its own before its step fires.
    let snapshot = timer.orderId ? snapshots.get(timer.orderId) : undefined;
    if (timer.orderId && !snapshot) {
      snapshot = await orderSnapshot(store, timer.orderId);
      if (snapshot && WATCHED_ORDER_STATES.includes(snapshot.order.state)) {
        for (const d of detectOrderConditions(snapshot, policy, now))
          holding.set(`${d.subject}\u0000${d.condition}`, d);
      }
    }
    const condition = holding.get(`${timer.subject}\u0000${timer.condition}`);
    if (!condition) {
      const result = { cleared: 'the condition no longer holds' };
      await store.completeWatchdogTimer(timer.id, { state: 'cleared', result }, now);
      steps.push({
        timer,
        action: timer.action,
        outcome: 'cleared',
        reason: typeof timer.detail.reason === 'string' ? timer.detail.reason : '',
        result,
      });
      continue;
    }
    try {
      const result = await carryOut(env, timer, condition, snapshot, now);
      await store.completeWatchdogTimer(timer.id, { state: 'fired', result }, now);
      steps.push({ timer, action: timer.action, outcome: 'fired', reason: condition.reason, result });
    } catch (err) {
      const error = errorText(err);
      await store.completeWatchdogTimer(
        timer.id,
        { retryAt: new Date(now.getTime() + RETRY_FAILED_STEP_MS), error },
        now,
      );
      steps.push({
        timer,
        action: timer.action,
        outcome: 'failed',
        reason: condition.reason,
        result: { error },
      });
    }
  }
  return { detected, scheduled, steps };
}
