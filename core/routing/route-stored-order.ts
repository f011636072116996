import { durationText } from '../clock';
import { DropshipError } from '../errors';
import { stockLookup } from '../inventory/stock-lookup';
import type { Order } from '../model/order';
import type { PurchaseOrder } from '../model/purchase-order';
import { supplierPerformanceFromStore } from '../metrics/scorecards';
import type { MetricsStore } from '../store/metrics-store';
import type { OrderStore } from '../store/order-store';
import type { StockStore } from '../store/stock-store';
import { validateOrder } from '../validation/validate-order';
import {
  routeOrder,
  type RoutingContext,
  type RoutingDecision,
  type SupplierPerformance,
} from './route-order';
import type { RoutingRules } from './routing-rules';

/**
 * How long supplier figures are reused. They summarise weeks of purchase orders and move slowly, while working
 * them out aggregates every PO in the store: done for each order, routing would slow down as the store grows,
 * blocking the event loop (docs/reliability.md, Speed).
 */
const PERFORMANCE_TTL_MS = 60_000;
const performanceCache = new WeakMap<
  MetricsStore,
  { computedAt: number; figures: Promise<Record<string, SupplierPerformance>> }
>();

/**
 * The store's supplier figures from its metric facts (core/metrics scorecards), worked out at most once a minute
 * per store (concurrent callers share one run).
 */
function recentPerformance(store: MetricsStore, now: Date): Promise<Record<string, SupplierPerformance>> {
  const cached = performanceCache.get(store);
  const age = cached ? now.getTime() - cached.computedAt : Infinity;
  if (cached && age >= 0 && age < PERFORMANCE_TTL_MS) return cached.figures;
  const figures = supplierPerformanceFromStore(store, now);
  performanceCache.set(store, { computedAt: now.getTime(), figures });
  // A failed computation is not kept: the next order tries again.
  figures.catch(() => {
    if (performanceCache.get(store)?.figures === figures) performanceCache.delete(store);
  });
  return figures;
}

/** The routing context for an order from the store: stock of the order's SKUs (every supplier) and performance. */
export async function routingContextFromStore(
  store: Pick<StockStore, 'listStock'> & MetricsStore,
  order: Order,
  now: Date,
): Promise<RoutingContext> {
  const skus = [...new Set(order.lines.filter((line) => line.requiresShipping).map((line) => line.sku))];
  const stock = stockLookup(await store.listStock({ skus }));
  const figures = await recentPerformance(store, now);
  return { now, stock, performance: (supplierId) => figures[supplierId] };
}

/** A stored order (with id and state) or an order draft, validated, as the router takes it. */
export function orderForRouting(value: unknown, now: Date): Order {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DropshipError('invalid_input', 'Invalid order: not an object', [
      { path: '', message: 'is not an object' },
    ]);
  }
  const { id, state, version, createdAt, updatedAt, ...draft } = value as Partial<Order>;
  return {
    ...validateOrder(draft),
    id: typeof id === 'string' ? id : 'unsaved-order',
    state: state ?? 'received',
    version: version ?? 1,
    createdAt: createdAt ?? now.toISOString(),
    updatedAt: updatedAt ?? now.toISOString(),
  };
}

export type StoredRoutingOutcome =
  | { kind: 'routed'; purchaseOrders: PurchaseOrder[]; decision: RoutingDecision }
  | { kind: 'held'; reason: string; decision: RoutingDecision }
  /** The order was not waiting for routing (another worker routed or held it first). */
  | { kind: 'skipped' };

/**
 * Routes one stored order: every shippable line gets a purchase order in one transaction (received -> routed),
 * or the order is held in needs_attention with the reasons. The ranked candidates and the explanation go into
 * the order event either way.
 */
export async function routeStoredOrder(
  store: Pick<OrderStore, 'listStock' | 'assignPurchaseOrders' | 'transitionOrder'> & MetricsStore,
  order: Order,
  rules: RoutingRules,
  actor: string,
  now: Date,
  /**
   * The hold window: the new POs go out no sooner than this long after routing, so a cancellation or edit in the
   * meantime costs nothing at the supplier. 0 or absent: at once.
   */
  holdMs = 0,
): Promise<StoredRoutingOutcome> {
  if (order.state !== 'received') return { kind: 'skipped' };
  const decision = routeOrder(order, rules, await routingContextFromStore(store, order, now));
  const data = {
    candidates: decision.candidates,
    explanation: decision.explanation,
    unrouted: decision.unrouted,
  };
  if (decision.unrouted.length > 0 || decision.assignments.length === 0) {
    const reason =
      decision.unrouted.map((u) => `line ${u.orderLineId} (${u.sku}): ${u.reason}`).join('; ') ||
      'no line of the order needs a supplier';
    const held = await store.transitionOrder(order.id, ['received'], 'needs_attention', {
      type: 'order.unroutable',
      actor,
      reason,
      data,
    });
    return held ? { kind: 'held', reason, decision } : { kind: 'skipped' };
  }
  const holdUntil = holdMs > 0 ? new Date(now.getTime() + holdMs).toISOString() : undefined;
  const purchaseOrders = await store.assignPurchaseOrders(
    order.id,
    ['received'],
    decision.assignments.map((assignment) => ({
      orderId: order.id,
      supplierId: assignment.supplierId,
      attempt: 1,
      currency: order.currency,
      shipTo: order.shipTo,
      shippingMethod: order.shipping.method,
      lines: assignment.lines,
      alternatives: assignment.alternatives,
      ...(holdUntil ? { nextAttemptAt: holdUntil } : {}),
    })),
    {
      type: 'order.routed',
      actor,
      reason: [
        ...decision.explanation,
        ...(holdUntil
          ? [`held until ${holdUntil} before dispatch (hold window ${durationText(holdMs)})`]
          : []),
      ].join(' | '),
      data: holdUntil ? { ...data, holdUntil } : data,
    },
  );
  return purchaseOrders ? { kind: 'routed', purchaseOrders, decision } : { kind: 'skipped' };
}
