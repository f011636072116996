import type { Request, Response } from 'express';
import type { Withdrawal } from '../../core/dispatch/withdraw-purchase-order';
import { asDropshipError, DropshipError, errorText } from '../../core/errors';
import type { OrderStore } from '../../core/store/order-store';
import {
  applyOperatorAction,
  needsAttentionQueue,
  OPERATOR_ACTIONS,
  parseOperatorAction,
  type OperatorActionResult,
} from '../../core/watchdog/operator-actions';
import { runWatchdogSweep, type WatchdogSweep } from '../../core/watchdog/run-watchdog';
import { orderDetail, orderView, parseSearchTerm, searchOrders } from '../../core/store/order-lookup';
import {
  DEFAULT_WATCHDOG_POLICY,
  parseWatchdogPolicy,
  type WatchdogPolicy,
} from '../../core/watchdog/watchdog-policy';
import { WATCHDOG_ACTIONS, WATCHDOG_CONDITIONS } from '../../core/watchdog/timers';
import { onInput, refuseMessage } from '../adapter/input-handler';
import { mountOnce } from '../adapter/mount-once';
import {
  actorOf,
  connectorLogOf,
  type Node,
  type NodeAPI,
  type NodeDef,
  type NodeMessage,
  type SendFunction,
} from '../adapter/node-red';
import { nodeStatus } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { migrateConfigNode } from '../adapter/config-migrations';
import { withdrawalExceptionMessage, withdrawThroughDeployedSuppliers } from '../adapter/supplier-registry';
import { functionalAckOverdueHours } from '../adapter/x12-partner';
import { refunderFor } from '../adapter/refund-registry';
import type { Refund } from '../../core/refunds/refund';

interface WatchdogNodeDef extends NodeDef {
  store: string;
  sweepSeconds: number | string;
  /** An object from the editor's form; JSON text in flows saved before it (version 1, migrated on start). */
  policy: unknown;
}

/** What the admin routes need from a deployed watchdog node. */
interface WatchdogNode extends Node {
  openStore(): Promise<OrderStore>;
  /** Carries out an operator action, withdrawing cancelled POs at their deployed suppliers. */
  act(store: OrderStore, ref: string, body: unknown, actor: string): Promise<OperatorActionResult>;
  /** Tells the flow what an action changed (queue, supplier notices), as a node input would. */
  announce(result: OperatorActionResult): Promise<void>;
}

const deployed: WatchdogNode[] = [];

/**
 * The dashboard's Refund and Dismiss on a refund proposal (msg.refundKey): Refund goes through the deployed
 * dropship-refunds node of the order's storefront, Dismiss is recorded in the store. Returns the refund as it was.
 */
async function refundAction(
  store: OrderStore,
  action: 'refund' | 'dismiss_refund',
  msg: NodeMessage,
  payload: Record<string, unknown>,
  by: string,
): Promise<Refund> {
  const key = (msg as { refundKey?: unknown }).refundKey ?? payload.refundKey;
  if (typeof key !== 'string' || !key)
    throw new DropshipError('invalid_input', 'msg.refundKey is required for a refund action', [
      { path: 'msg.refundKey', message: 'is required' },
    ]);
  const refund = await store.getRefund(key);
  if (!refund)
    throw new DropshipError('not_found', `no refund ${key}`, [
      { path: 'msg.refundKey', message: 'is not a refund' },
    ]);
  if (action === 'dismiss_refund') {
    const dismissed = await store.dismissRefund(key, { type: 'refund.dismissed', actor: by });
    if (!dismissed)
      throw new DropshipError(
        'conflict',
        `refund ${key} is ${refund.state}: only a proposal can be dismissed`,
      );
    return dismissed;
  }
  const order = await store.getOrder(refund.orderId);
  const refunder = order ? refunderFor(order.channel) : undefined;
  if (!refunder)
    throw new DropshipError(
      'configuration',
      `no dropship-refunds node is deployed for ${order?.channel ?? 'this'} orders: deploy one with its storefront`,
    );
  await refunder.approve(store, key, by);
  return refund;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The operator who asked, when the message comes from a dashboard the operator logged in to: FlowFuse Dashboard
 * puts the user in `msg._client.user` (the package's dashboard plugin, or another auth plugin).
 */
function dashboardOperator(msg: NodeMessage): string | undefined {
  const user = (msg as { _client?: { user?: { username?: unknown } } })._client?.user;
  return typeof user?.username === 'string' && user.username !== ''
    ? `dashboard:${user.username}`
    : undefined;
}

function replyWithError(res: Response, err: unknown): void {
  const error = asDropshipError(err, 'invalid_input');
  const status =
    error.code === 'not_found'
      ? 404
      : error.code === 'conflict'
        ? 409
        : error.code === 'invalid_input'
          ? 400
          : 500;
  res.status(status).json({ error: error.toJSON() });
}

/**
 * The needs-attention queue and operator actions for the editor and admin tools, mounted once per runtime and
 * answered by the first deployed watchdog. Reading needs dropship-watchdog.read, acting dropship-watchdog.write;
 * every action is audited under the admin user's name.
 */
function mountAdminRoutes(RED: NodeAPI): void {
  if (!mountOnce(RED.httpAdmin, 'dropship-watchdog')) return;
  const first = (res: Response): WatchdogNode | undefined => {
    const node = deployed[0];
    if (!node)
      res.status(503).json({ error: { code: 'configuration', message: 'no dropship-watchdog is deployed' } });
    return node;
  };
  RED.httpAdmin.get(
    '/dropship/watchdog/queue',
    RED.auth.needsPermission('dropship-watchdog.read'),
    operatorAdminRequest(RED),
    (_req: Request, res: Response) => {
      const node = first(res);
      node
        ?.openStore()
        .then((store) => needsAttentionQueue(store))
        .then(
          (queue) => res.json({ queue }),
          (err: unknown) => replyWithError(res, err),
        );
    },
  );
  // The escalation form shows the built-in policy, so the operator sees what a condition does before changing it.
  RED.httpAdmin.get(
    '/dropship/watchdog/policy',
    RED.auth.needsPermission('dropship-watchdog.read'),
    operatorAdminRequest(RED),
    (_req: Request, res: Response) => {
      res.json({
        defaults: DEFAULT_WATCHDOG_POLICY,
        conditions: WATCHDOG_CONDITIONS,
        actions: WATCHDOG_ACTIONS,
      });
    },
  );
  RED.httpAdmin.post(
    '/dropship/watchdog/orders/:ref/actions',
    RED.auth.needsPermission('dropship-watchdog.write'),
    operatorAdminRequest(RED),
    (req: Request, res: Response) => {
      const node = first(res);
      if (!node) return;
      const user = (req as Request & { user?: { username?: string } }).user?.username ?? 'anonymous';
      (async () => {
        const result = await node.act(
          await node.openStore(),
          String(req.params.ref),
          req.body,
          `admin:${user}`,
        );
        await node.announce(result);
        return result;
      })().then(
        (result) =>
          res.json({
            order: { id: result.order.id, state: result.order.state },
            action: result.action,
            purchaseOrders: result.purchaseOrders.map((p) => ({
              number: p.number,
              supplierId: p.supplierId,
              state: p.state,
            })),
            supplierNotices: result.supplierNotices,
          }),
        (err: unknown) => replyWithError(res, err),
      );
    },
  );
}

export = function registerWatchdogNode(RED: NodeAPI): void {
  function DropshipWatchdogNode(this: WatchdogNode, config: WatchdogNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const actor = actorOf(node);
    const status = nodeStatus(RED, node);
    let policy: WatchdogPolicy | undefined;
    try {
      const saved = migrateConfigNode('dropship-watchdog', config).policy;
      // JSON text left by the migration (not JSON) or carried by a flow stamped with the new version by hand.
      policy = parseWatchdogPolicy(
        typeof saved === 'string'
          ? saved.trim()
            ? (JSON.parse(saved) as unknown)
            : undefined
          : (saved ?? undefined),
      );
    } catch (err) {
      node.error(`watchdog policy: ${errorText(err)}`);
      status.show('failed', 'policyInvalid', { reason: errorText(err) });
    }
    node.openStore = () => storeOf(RED, node, config.store);
    const connectorLog = connectorLogOf(RED, node);
    node.act = (store, ref, body, by) =>
      applyOperatorAction(
        store,
        ref,
        parseOperatorAction(body),
        by,
        new Date(),
        withdrawThroughDeployedSuppliers(store, by, connectorLog),
      );

    /** A PO still live at its supplier after a cancel here: out of the exceptions output, the operator's task. */
    function reportWithdrawal(msg: NodeMessage, withdrawal: Withdrawal | undefined): void {
      const exception = withdrawalExceptionMessage(msg, withdrawal);
      if (exception) node.send([null, null, exception]);
    }

    async function sendQueue(store: OrderStore, msg: NodeMessage): Promise<void> {
      const queue = await needsAttentionQueue(store);
      node.send([null, { ...msg, topic: 'needs_attention', payload: queue }, null]);
      if (queue.length === 0) status.show('accepted', 'noneNeedsAttention');
      else if (queue.length === 1) status.show('failed', 'oneNeedsAttention');
      else status.show('failed', 'someNeedAttention', { count: queue.length });
    }

    node.announce = async (result) => {
      for (const notice of result.supplierNotices) {
        const msg = { topic: notice.action, orderId: result.order.id, poNumber: notice.poNumber };
        node.send([{ ...msg, payload: notice }, null, null]);
        reportWithdrawal(msg, notice.withdrawal);
      }
      await sendQueue(await node.openStore(), {});
    };

    function report(sweep: WatchdogSweep): void {
      for (const step of sweep.steps.filter((s) => s.outcome === 'fired')) {
        reportWithdrawal(
          { topic: step.action, orderId: step.timer.orderId, poNumber: step.timer.poNumber },
          step.result.withdrawal as Withdrawal | undefined,
        );
        node.send([
          {
            topic: step.action,
            orderId: step.timer.orderId,
            poNumber: step.timer.poNumber,
            payload: {
              action: step.action,
              condition: step.timer.condition,
              subject: step.timer.subject,
              supplierId: step.timer.supplierId,
              reason: step.reason,
              result: step.result,
            },
          },
          null,
          null,
        ]);
      }
    }

    /** One sweep, then the queue out of the second output (with the message that asked for the sweep). */
    async function sweep(msg: NodeMessage): Promise<void> {
      if (!policy)
        throw new DropshipError('configuration', 'the watchdog policy is invalid: fix it in the editor');
      const store = await node.openStore();
      report(
        await runWatchdogSweep({
          store,
          policy,
          actor,
          now: () => new Date(),
          withdraw: withdrawThroughDeployedSuppliers(store, actor, connectorLog),
          functionalAckHours: functionalAckOverdueHours,
        }),
      );
      await sendQueue(store, msg);
    }
    // Timers live in the store: the first sweep after a restart fires whatever fell due meanwhile.
    const sweeps = startSweep<NodeMessage>(RED, node, {
      name: 'watchdog sweep',
      everyMs: Math.max(5, Number(config.sweepSeconds) || 60) * 1000,
      firstAfterMs: 1000,
      run: async (_signal, msg) => {
        // An invalid policy was reported at start; only a sweep a message asks for is refused again.
        if (!policy && msg === undefined) return;
        await sweep(msg ?? {});
      },
    });

    /** The order page's content, to the one who asked (a dashboard message keeps its `_client`). */
    async function sendOrder(
      store: OrderStore,
      msg: NodeMessage,
      ref: string,
      send: SendFunction,
    ): Promise<void> {
      const detail = await orderDetail(store, ref);
      if (!detail)
        throw new DropshipError('not_found', `no order ${ref}`, [
          { path: 'msg.orderId', message: 'is not an order' },
        ]);
      send([null, { ...msg, topic: 'order', orderId: detail.id, payload: orderView(detail) }, null]);
    }

    onInput(node, async (msg, send) => {
      const payload = isRecord(msg.payload) ? msg.payload : {};
      const requested = (msg as { action?: unknown }).action ?? payload.action ?? msg.topic;
      if (requested === 'sweep' || requested === 'queue') {
        if (requested === 'sweep') await sweeps.now(msg);
        else await sendQueue(await node.openStore(), msg);
        return;
      }
      try {
        if (requested === 'search') {
          const term = parseSearchTerm(payload.query ?? msg.payload, 'msg.payload.query');
          const orders = await searchOrders(await node.openStore(), term);
          send([null, { ...msg, topic: 'orders', query: term, payload: orders }, null]);
          return;
        }
        if (requested === 'refund' || requested === 'dismiss_refund') {
          const store = await node.openStore();
          const refund = await refundAction(store, requested, msg, payload, dashboardOperator(msg) ?? actor);
          await sendOrder(store, msg, refund.orderId, send);
          return;
        }
        const orderId = (msg as { orderId?: unknown }).orderId ?? payload.orderId;
        if (requested !== 'order' && !(OPERATOR_ACTIONS as readonly unknown[]).includes(requested))
          throw new DropshipError(
            'invalid_input',
            `msg.topic must be sweep, queue, search, order, refund, dismiss_refund or one of ${OPERATOR_ACTIONS.join(', ')}`,
            [{ path: 'msg.topic', message: 'is not a watchdog action' }],
          );
        if (typeof orderId !== 'string' || !orderId)
          throw new DropshipError(
            'invalid_input',
            `msg.orderId is required for ${requested === 'order' ? 'an order page' : 'an operator action'}`,
            [{ path: 'msg.orderId', message: 'is required' }],
          );
        const store = await node.openStore();
        if (requested === 'order') {
          await sendOrder(store, msg, orderId, send);
          return;
        }
        const result = await node.act(
          store,
          orderId,
          { ...payload, action: requested },
          dashboardOperator(msg) ?? actor,
        );
        await node.announce(result);
        // The operator who acted sees the order as it is now, on its page.
        await sendOrder(store, msg, result.order.id, send);
      } catch (err) {
        refuseMessage(msg, err, { status, send, outputs: 3, exceptionsAt: 2 });
      }
    });

    deployed.push(node);
    node.on('close', () => {
      deployed.splice(deployed.indexOf(node), 1);
    });
    if (policy) status.show('waiting');
  }
  RED.nodes.registerType('dropship-watchdog', DropshipWatchdogNode as never);
  mountAdminRoutes(RED);
};
