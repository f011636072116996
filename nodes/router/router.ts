import { ORDER_CHANGE_TOPIC } from '../../core/changes/record-order-change';
import { durationText } from '../../core/clock';
import type { Request, Response } from 'express';
import { asDropshipError, DropshipError } from '../../core/errors';
import type { Order } from '../../core/model/order';
import { routeOrder } from '../../core/routing/route-order';
import {
  orderForRouting,
  routeStoredOrder,
  routingContextFromStore,
} from '../../core/routing/route-stored-order';
import {
  parseRoutingRules,
  unknownSupplierIds,
  unknownSupplierProblems,
  type RoutingRules,
} from '../../core/routing/routing-rules';
import type { OrderStore } from '../../core/store/order-store';
import { exceptionMessage, onInput, requiredMessageString } from '../adapter/input-handler';
import { mountOnce } from '../adapter/mount-once';
import {
  actorOf,
  type NodeAPI,
  type NodeDef,
  type NodeMessage,
  type SendFunction,
} from '../adapter/node-red';
import { showActivity } from '../adapter/status';
import { storeOf, type StoreConfigNode } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { configuredSupplierIds } from '../adapter/supplier-registry';
import type { RouterNode } from './router-access';
import type { RiskConfigNode } from '../risk/risk-config';
import { screenStoredOrder } from '../../core/risk/screen-order';

interface RouterNodeDef extends NodeDef {
  store: string;
  /** A dropship-risk rule set every order passes before it is routed; none when empty. */
  risk: string;
  rules: RoutingRules | string;
  sweepSeconds: number | string;
  /** The hold window: minutes a routed order's POs wait before dispatch (0: none). */
  holdMinutes?: number | string;
}

/** Rules as the flow stores them: an object from the editor, or JSON text from an imported flow. */
function rulesFromConfig(value: RoutingRules | string | undefined): RoutingRules {
  if (typeof value !== 'string') return parseRoutingRules(value ?? {});
  try {
    return parseRoutingRules(JSON.parse(value || '{}'));
  } catch (err) {
    if (err instanceof DropshipError) throw err;
    throw new DropshipError('invalid_input', `Invalid routing rules: not JSON (${String(err)})`, [
      { path: '', message: 'is not JSON' },
    ]);
  }
}

/** What an admin endpoint answers for an error: 400 with the error's code, message and field details. */
function replyWithError(res: Response, err: unknown): void {
  const error = asDropshipError(err, 'invalid_input');
  res.status(error.code === 'not_found' ? 404 : 400).json({ error: error.toJSON() });
}

/** The deployed store a preview may read stock and sample orders from, when the editor names one. */
function previewStore(RED: NodeAPI, storeNodeId: unknown): Promise<OrderStore> | undefined {
  if (typeof storeNodeId !== 'string' || !storeNodeId) return undefined;
  const config = RED.nodes.getNode(storeNodeId) as StoreConfigNode | null;
  return config ? config.store() : undefined;
}

/**
 * The rules of an editor request, refused (400, each place named) when they name a supplier the editor does not
 * have as a dropship-supplier: `suppliers` lists the ids it has, configured and not yet deployed included.
 */
function requestRules(body: { rules?: unknown; suppliers?: unknown }): RoutingRules {
  const rules = parseRoutingRules(body.rules);
  if (Array.isArray(body.suppliers)) {
    const configured = new Set(body.suppliers.filter((id): id is string => typeof id === 'string'));
    const problems = unknownSupplierProblems(rules, configured);
    if (problems.length > 0)
      throw new DropshipError(
        'invalid_input',
        `unknown supplier ${unknownSupplierIds(rules, configured).join(', ')}`,
        problems,
      );
  }
  return rules;
}

/**
 * Editor endpoints, mounted once per runtime: check rules, preview a decision without deploying, and list
 * recent stored orders to pick a sample from. All need the dropship-router.read permission.
 */
function mountAdminEndpoints(RED: NodeAPI): void {
  if (!mountOnce(RED.httpAdmin, 'dropship-router')) return;
  const permission = RED.auth.needsPermission('dropship-router.read');

  RED.httpAdmin.post(
    '/dropship/router/validate',
    permission,
    operatorAdminRequest(RED),
    (req: Request, res: Response) => {
      try {
        requestRules((req.body ?? {}) as { rules?: unknown; suppliers?: unknown });
        res.json({ valid: true });
      } catch (err) {
        replyWithError(res, err);
      }
    },
  );

  RED.httpAdmin.post(
    '/dropship/router/preview',
    permission,
    operatorAdminRequest(RED),
    (req: Request, res: Response) => {
      const body = (req.body ?? {}) as {
        rules?: unknown;
        suppliers?: unknown;
        order?: unknown;
        orderId?: unknown;
        store?: unknown;
        now?: unknown;
      };
      const now = typeof body.now === 'string' && body.now ? new Date(body.now) : new Date();
      (async () => {
        if (Number.isNaN(now.getTime())) {
          throw new DropshipError('invalid_input', 'Invalid preview: now is not a time', [
            { path: 'now', message: 'is not an ISO 8601 time' },
          ]);
        }
        const rules = requestRules(body);
        const store = await previewStore(RED, body.store);
        let order: Order;
        if (typeof body.orderId === 'string' && body.orderId) {
          const found = store ? await store.findOrder(body.orderId) : undefined;
          if (!found) {
            throw new DropshipError('not_found', `no stored order ${body.orderId}`, [
              { path: 'orderId', message: 'matches no stored order' },
            ]);
          }
          order = found;
        } else {
          order = orderForRouting(body.order, now);
        }
        // Stock and performance come from the deployed store when there is one; otherwise no feed is known.
        const context = store ? await routingContextFromStore(store, order, now) : { now };
        return routeOrder(order, rules, context);
      })().then(
        (decision) => res.json({ decision }),
        (err: unknown) => replyWithError(res, err),
      );
    },
  );

  RED.httpAdmin.get(
    '/dropship/router/orders',
    permission,
    operatorAdminRequest(RED),
    (req: Request, res: Response) => {
      const store = previewStore(RED, req.query.store);
      if (!store) {
        res.json({ orders: [] });
        return;
      }
      store
        .then((opened) => opened.listOrders({ limit: 25 }))
        .then(
          // Ids, numbers and SKUs only: the editor list shows no customer data.
          (orders) =>
            res.json({
              orders: orders.map((o) => ({
                id: o.id,
                orderNumber: o.orderNumber,
                channel: o.channel,
                state: o.state,
                placedAt: o.placedAt,
                country: o.shipTo.country,
                skus: o.lines.map((line) => line.sku),
              })),
            }),
          (err: unknown) => replyWithError(res, err),
        );
    },
  );
}

/** The runtime of one router node: routes orders it is given and sweeps up orders left unrouted. */
function startRouter(RED: NodeAPI, node: RouterNode, config: RouterNodeDef): void {
  const actor = actorOf(node);
  let rules: RoutingRules | undefined;
  let rulesError: DropshipError | undefined;
  try {
    rules = rulesFromConfig(config.rules);
  } catch (err) {
    rulesError = asDropshipError(err, 'configuration');
    node.error(rulesError.message);
    showActivity(node, 'failed', 'invalid rules');
  }
  // Rules that name a supplier nobody configured would leave its POs waiting for ever: refused, so orders stay
  // received until the rules are fixed and the sweep routes them.
  const configured = configuredSupplierIds(RED);
  const unknown = rules ? unknownSupplierIds(rules, configured) : [];
  if (rules && unknown.length > 0) {
    rulesError = new DropshipError(
      'configuration',
      `routing rules name ${unknown.length === 1 ? 'a supplier' : 'suppliers'} that no dropship-supplier ` +
        `configures: ${unknown.join(', ')}`,
      unknownSupplierProblems(rules, configured),
    );
    rules = undefined;
    node.error(rulesError.message);
    showActivity(node, 'failed', `unknown supplier ${unknown.join(', ')}`);
  }
  node.routingRules = () => rules;
  const holdMinutes = Number(config.holdMinutes ?? 0);
  const holdMs = Number.isInteger(holdMinutes) && holdMinutes > 0 ? holdMinutes * 60_000 : 0;

  async function route(store: OrderStore, order: Order, msg: NodeMessage, send: SendFunction): Promise<void> {
    if (!rules) throw rulesError ?? new DropshipError('configuration', 'no routing rules');
    if (config.risk && config.risk !== '_ADD_') {
      const risk = RED.nodes.getNode(config.risk) as RiskConfigNode | null;
      if (!risk)
        throw new DropshipError(
          'configuration',
          'the risk screening chosen for this router is not deployed',
          [{ path: 'risk', message: 'choose a deployed dropship-risk or none' }],
        );
      const screened = await screenStoredOrder(store, order, risk.screening(), actor, new Date());
      if (screened.kind === 'skipped') return;
      if (screened.kind === 'held') {
        showActivity(node, 'failed', `${order.id} held by risk screening`);
        send([
          null,
          exceptionMessage(
            { ...msg, orderId: order.id },
            new DropshipError(
              'risk_hold',
              `order ${order.id} is held for review: ${screened.reason}`,
              screened.hits.map((hit, i) => ({ path: `/risk/${i}`, message: `${hit.rule}: ${hit.reason}` })),
            ),
          ),
        ]);
        return;
      }
    }
    const outcome = await routeStoredOrder(store, order, rules, actor, new Date(), holdMs);
    if (outcome.kind === 'routed') {
      showActivity(
        node,
        'accepted',
        `${order.id} → ${outcome.purchaseOrders.map((p) => p.supplierId).join(', ')}` +
          (holdMs > 0 ? `, held ${durationText(holdMs)}` : ''),
      );
      send([
        outcome.purchaseOrders.map((po) => ({
          ...msg,
          orderId: order.id,
          poNumber: po.number,
          payload: po,
        })),
        null,
      ]);
    } else if (outcome.kind === 'held') {
      showActivity(node, 'failed', `${order.id} needs attention`);
      const lines = outcome.decision.unrouted.map((u) => ({
        path: `/lines/${order.lines.findIndex((line) => line.lineId === u.orderLineId)}`,
        message: u.reason,
      }));
      send([
        null,
        exceptionMessage(
          { ...msg, orderId: order.id },
          new DropshipError('unroutable', `order ${order.id} needs attention: ${outcome.reason}`, lines),
        ),
      ]);
    }
  }

  onInput(node, async (msg, send) => {
    // A storefront's change to an order goes on to dispatch, which applies it at the suppliers.
    if (msg.topic === ORDER_CHANGE_TOPIC) {
      send([msg, null]);
      return;
    }
    const orderId = requiredMessageString(RED, msg, 'orderId', 'payload.id');
    const store = await storeOf(RED, node, config.store);
    const order = await store.findOrder(orderId);
    if (!order) {
      throw new DropshipError('not_found', `no order ${orderId}`, [
        { path: 'msg.orderId', message: 'matches no stored order' },
      ]);
    }
    await route(store, order, msg, send);
  });

  // Orders stored but never routed (a crash between intake and routing, a redeploy) are picked up here.
  startSweep(node, {
    name: 'routing sweep',
    everyMs: (Number(config.sweepSeconds) || 30) * 1000,
    firstAfterMs: 1000,
    run: async () => {
      if (!rules) return;
      const store = await storeOf(RED, node, config.store);
      const waiting = await store.listOrders({ states: ['received'], limit: 100 });
      const settled = Date.now() - 5_000;
      for (const order of waiting) {
        if (Date.parse(order.updatedAt) < settled) await route(store, order, {}, (out) => node.send(out));
      }
    },
  });
  if (rules) showActivity(node, 'waiting');
}

export = function registerRouterNode(RED: NodeAPI): void {
  function DropshipRouterNode(this: RouterNode, config: RouterNodeDef): void {
    RED.nodes.createNode(this, config);
    startRouter(RED, this, config);
  }
  RED.nodes.registerType('dropship-router', DropshipRouterNode as never);
  mountAdminEndpoints(RED);
};
