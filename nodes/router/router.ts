import { DropshipError } from '../../core/errors';
import type { Order } from '../../core/model/order';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import { routeOrder } from '../../core/routing/route-order';
import { parseRoutingRules, type RoutingRules } from '../../core/routing/routing-rules';
import type { OrderStore } from '../../core/store/order-store';
import { exceptionMessage, onInput, requiredMessageString } from '../adapter/input-handler';
import { actorOf, type Node, type NodeAPI, type NodeDef, type NodeMessage } from '../adapter/node-red';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';

interface RouterNodeDef extends NodeDef {
  store: string;
  rules: RoutingRules | string;
  sweepSeconds: number | string;
}

type RoutingOutcome = { kind: 'routed'; purchaseOrders: PurchaseOrder[] } | { kind: 'held'; reason: string } | { kind: 'skipped' };

/** Routes one stored order: all its shippable lines get POs in one transaction, or the order is held. */
async function routeStoredOrder(store: OrderStore, order: Order, rules: RoutingRules, actor: string): Promise<RoutingOutcome> {
  if (order.state !== 'received') return { kind: 'skipped' };
  const decision = routeOrder(order, rules, { now: new Date() });
  const data = { candidates: decision.candidates, explanation: decision.explanation };
  if (decision.unrouted.length > 0 || decision.assignments.length === 0) {
    const reason =
      decision.unrouted.map((u) => `${u.sku}: ${u.reason}`).join('; ') || 'no line of the order needs a supplier';
    const held = await store.transitionOrder(order.id, ['received'], 'needs_attention', { type: 'order.unroutable', actor, reason, data });
    return held ? { kind: 'held', reason } : { kind: 'skipped' };
  }
  const purchaseOrders = await store.assignPurchaseOrders(
    order.id,
    ['received'],
    decision.assignments.map((a) => ({
      orderId: order.id,
      supplierId: a.supplierId,
      attempt: 1,
      currency: order.currency,
      shipTo: order.shipTo,
      shippingMethod: order.shipping.method,
      lines: a.lines,
      alternatives: a.alternatives,
    })),
    { type: 'order.routed', actor, reason: decision.explanation.join(' | '), data },
  );
  return purchaseOrders ? { kind: 'routed', purchaseOrders } : { kind: 'skipped' };
}

export = function registerRouterNode(RED: NodeAPI): void {
  function DropshipRouterNode(this: Node, config: RouterNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const actor = actorOf(node);
    let rules: RoutingRules | undefined;
    let rulesError: DropshipError | undefined;
    try {
      rules = parseRoutingRules(typeof config.rules === 'string' ? JSON.parse(config.rules || '{}') : config.rules);
    } catch (err) {
      rulesError = err instanceof DropshipError ? err : new DropshipError('configuration', `routing rules: ${String(err)}`);
      node.error(rulesError.message);
      showActivity(node, 'failed', 'invalid rules');
    }

    async function route(store: OrderStore, order: Order, msg: NodeMessage): Promise<void> {
      if (!rules) throw rulesError ?? new DropshipError('configuration', 'no routing rules');
      const outcome = await routeStoredOrder(store, order, rules, actor);
      if (outcome.kind === 'routed') {
        showActivity(node, 'accepted', `${order.id} → ${outcome.purchaseOrders.map((p) => p.supplierId).join(', ')}`);
        node.send([outcome.purchaseOrders.map((po) => ({ ...msg, orderId: order.id, poNumber: po.number, payload: po })), null]);
      } else if (outcome.kind === 'held') {
        showActivity(node, 'failed', `${order.id} needs attention`);
        node.send([null, exceptionMessage({ ...msg, orderId: order.id }, new DropshipError('unroutable', outcome.reason))]);
      }
    }

    onInput(node, async (msg) => {
      const orderId = requiredMessageString(msg, 'orderId', 'payload.id');
      const store = await storeOf(RED, node, config.store);
      const order = await store.findOrder(orderId);
      if (!order) throw new DropshipError('not_found', `no order ${orderId}`, [{ path: 'msg.orderId', message: 'matches no stored order' }]);
      await route(store, order, msg);
    });

    // Orders stored but never routed (a crash between intake and routing, a redeploy) are picked up here.
    let sweeping = false;
    const sweep = (): void => {
      if (sweeping || !rules) return;
      sweeping = true;
      storeOf(RED, node, config.store)
        .then(async (store) => {
          const waiting = await store.listOrders({ states: ['received'], limit: 100 });
          const settled = Date.now() - 5_000;
          for (const order of waiting) {
            if (Date.parse(order.updatedAt) < settled) await route(store, order, {});
          }
        })
        .catch((err: unknown) => node.warn(`routing sweep failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          sweeping = false;
        });
    };
    const timer = setInterval(sweep, (Number(config.sweepSeconds) || 30) * 1000);
    const startup = setTimeout(sweep, 1000);
    node.on('close', () => {
      clearInterval(timer);
      clearTimeout(startup);
    });
    if (rules) showActivity(node, 'waiting');
  }
  RED.nodes.registerType('dropship-router', DropshipRouterNode as never);
};
