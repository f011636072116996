import { claimOwner } from '../../core/dispatch/claim-owner';
import { DropshipError } from '../../core/errors';
import type { StorefrontRefunds } from '../../core/ports/storefront-refunds';
import {
  approveRefund,
  proposeRefund,
  runRefundSweep,
  type RefundPolicy,
  type RefundResult,
} from '../../core/refunds/manage-refunds';
import { orderReference } from '../../core/model/order';
import { minorToDecimal, type Refund } from '../../core/refunds/refund';
import { proposeMissingStrandedRefunds } from '../../core/refunds/stranded-lines';
import type { Lease, OrderStore } from '../../core/store/order-store';
import { shopifyRefunds } from '../../connectors/storefronts/shopify-refunds';
import { wooCommerceRefunds } from '../../connectors/storefronts/woocommerce-refunds';
import type { StorefrontConfigNode } from '../adapter/config-nodes';
import { exceptionMessage, onInput, refuseMessage } from '../adapter/input-handler';
import {
  actorOf,
  connectorLogOf,
  type Node,
  type NodeAPI,
  type NodeDef,
  type NodeMessage,
  type SendFunction,
  sendOfNode,
} from '../adapter/node-red';
import { nodeStatus } from '../adapter/status';
import { shopifyContextOf, wooCommerceContextOf } from '../adapter/storefront-api';
import { storeOf } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import { registerRefunder } from '../adapter/refund-registry';

interface RefundsNodeDef extends NodeDef {
  store: string;
  storefront: string;
  /** 'propose': the operator approves each refund; 'automatic': refunds up to `automaticUpTo` go at once. */
  policy: string;
  /** Automatic refunds only up to this total (major units); empty: any total. */
  automaticUpTo: string | number;
  sweepSeconds: number | string;
}

/**
 * The claim length: 120 s (longer than a storefront call, whose timeout is 15 s, so a lease that runs out means the
 * worker is gone), or `dropshipRefundLeaseSeconds` in Node-RED's settings.
 */
function refundLeaseMs(RED: NodeAPI): number {
  const seconds = Number(
    (RED.settings as { dropshipRefundLeaseSeconds?: unknown }).dropshipRefundLeaseSeconds,
  );
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 120_000;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** What leaves the node about a refund: its key, order, state and amounts; no customer data. */
function refundSummary(refund: Refund): Record<string, unknown> {
  const { amounts } = refund;
  return {
    refundKey: refund.key,
    orderId: refund.orderId,
    state: refund.state,
    trigger: refund.trigger,
    reason: refund.reason,
    currency: amounts.currency,
    total: minorToDecimal(amounts.total, amounts.minorDigits),
    shipping: minorToDecimal(amounts.shipping, amounts.minorDigits),
    tax: minorToDecimal(amounts.tax, amounts.minorDigits),
    lines: amounts.lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      quantity: line.quantity,
      amount: minorToDecimal(line.amount, amounts.minorDigits),
    })),
    storefrontRefundId: refund.storefrontRefundId,
    lastError: refund.lastError,
  };
}

function storefrontRefundsOf(RED: NodeAPI, node: Node, storefrontId: string): StorefrontRefunds {
  const storefront = RED.nodes.getNode(storefrontId) as StorefrontConfigNode | null;
  if (!storefront)
    throw new DropshipError('configuration', 'no storefront is chosen for refunds', [
      { path: 'storefront', message: 'choose the Shopify or WooCommerce storefront the orders came from' },
    ]);
  const log = connectorLogOf(RED, node);
  if (storefront.platform === 'shopify') return shopifyRefunds(shopifyContextOf(storefront, log));
  return wooCommerceRefunds(wooCommerceContextOf(storefront, log));
}

export = function registerRefundsNode(RED: NodeAPI): void {
  function DropshipRefundsNode(this: Node, config: RefundsNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const actor = actorOf(node);
    const status = nodeStatus(RED, node);
    /** What the sweep and the dashboard's approvals send: they have no input message. */
    const nodeOut = sendOfNode(node);
    const limit = Number(config.automaticUpTo);
    const policy: RefundPolicy = {
      mode: config.policy === 'automatic' ? 'automatic' : 'propose',
      ...(config.automaticUpTo !== '' && Number.isFinite(limit) && limit > 0 ? { automaticUpTo: limit } : {}),
    };
    let storefront: StorefrontRefunds | undefined;
    let problem: DropshipError | undefined;
    try {
      storefront = storefrontRefundsOf(RED, node, config.storefront);
    } catch (err) {
      problem = err instanceof DropshipError ? err : new DropshipError('configuration', String(err));
      node.error(`refunds: ${problem.message}`);
      status.show('failed', 'shared.settings', { reason: problem.message });
    }
    const leaseMs = refundLeaseMs(RED);
    const lease = (): Lease => ({ owner: claimOwner(actor), now: new Date(), durationMs: leaseMs });
    const shop = (): StorefrontRefunds => {
      if (!storefront) throw problem ?? new DropshipError('configuration', 'no storefront for refunds');
      return storefront;
    };

    /** A refund made, or the one that failed, out of its output; status in words without customer data. */
    async function report(
      store: OrderStore,
      result: RefundResult,
      send: SendFunction,
      msg: NodeMessage = {},
    ): Promise<void> {
      const { refund } = result;
      const base = { ...msg, topic: result.kind, orderId: refund.orderId };
      if (result.kind !== 'refunded' && result.kind !== 'failed' && result.kind !== 'retrying') return;
      const order = await store.getOrder(refund.orderId);
      const reference = order ? orderReference(order) : refund.orderId;
      if (result.kind === 'refunded') {
        status.show('accepted', 'refunded', {
          amount: `${minorToDecimal(refund.amounts.total, refund.amounts.minorDigits)} ${refund.amounts.currency}`,
          order: reference,
        });
        send([{ ...base, payload: refundSummary(refund) }, null]);
      } else {
        const params = { order: reference, reason: result.error };
        if (result.kind === 'failed') status.show('failed', 'refundFailed', params);
        else status.show('retrying', 'refundRetrying', params);
        send([
          null,
          exceptionMessage(
            base,
            new DropshipError('delivery_failed', `refund ${result.refund.key}: ${result.error}`, [
              { path: 'refundKey', message: result.kind === 'retrying' ? 'will be tried again' : 'failed' },
            ]),
          ),
        ]);
      }
    }

    const sweeps = startSweep(RED, node, {
      name: 'refund sweep',
      everyMs: Math.max(5, Number(config.sweepSeconds) || 30) * 1000,
      firstAfterMs: 1000,
      run: async () => {
        if (!storefront) return;
        const store = await storeOf(RED, node, config.store);
        // Lines that ended with no supplier while a process stopped before proposing their refund.
        await proposeMissingStrandedRefunds(store, actor);
        const sweep = await runRefundSweep(store, storefront, policy, lease(), actor);
        for (const result of sweep.results) await report(store, result, nodeOut);
      },
    });

    onInput(node, async (msg, send) => {
      const payload = isRecord(msg.payload) ? msg.payload : {};
      const topic = text(msg.topic) ?? text(payload.action);
      const store = await storeOf(RED, node, config.store);
      const refundKey = text((msg as { refundKey?: unknown }).refundKey) ?? text(payload.refundKey);
      const orderId = text((msg as { orderId?: unknown }).orderId) ?? text(payload.orderId);
      try {
        switch (topic) {
          case 'approve': {
            if (!refundKey)
              throw new DropshipError('invalid_input', 'msg.refundKey is required to approve a refund', [
                { path: 'msg.refundKey', message: 'is required' },
              ]);
            await report(store, await approveRefund(store, shop(), refundKey, lease(), actor), send, msg);
            return;
          }
          case 'dismiss': {
            if (!refundKey)
              throw new DropshipError('invalid_input', 'msg.refundKey is required to dismiss a refund', [
                { path: 'msg.refundKey', message: 'is required' },
              ]);
            const dismissed = await store.dismissRefund(refundKey, {
              type: 'refund.dismissed',
              actor,
              reason: text(payload.reason) ?? 'dismissed by the operator',
            });
            if (!dismissed)
              throw new DropshipError('conflict', `refund ${refundKey} is not a proposal any more`, [
                { path: 'msg.refundKey', message: 'is not proposed' },
              ]);
            send([
              { ...msg, topic: 'dismissed', orderId: dismissed.orderId, payload: refundSummary(dismissed) },
              null,
            ]);
            return;
          }
          case 'propose': {
            if (!orderId)
              throw new DropshipError('invalid_input', 'msg.orderId is required to propose a refund', [
                { path: 'msg.orderId', message: 'is required' },
              ]);
            const proposed = await proposeRefund(store, orderId, {
              trigger: 'operator',
              reason: text(payload.reason) ?? 'refund proposed from a flow',
              change: text(payload.change) ?? `operator:${Date.now()}`,
              actor,
            });
            if (!proposed)
              throw new DropshipError('conflict', `order ${orderId} has nothing left to refund`, [
                { path: 'msg.orderId', message: 'is refunded in full' },
              ]);
            send([{ ...msg, topic: 'proposed', orderId, payload: refundSummary(proposed.refund) }, null]);
            await sweeps.now();
            return;
          }
          case 'refunds': {
            if (!orderId)
              throw new DropshipError('invalid_input', 'msg.orderId is required to list refunds', [
                { path: 'msg.orderId', message: 'is required' },
              ]);
            const refunds = await store.listRefunds({ orderId });
            send([{ ...msg, topic: 'refunds', orderId, payload: refunds.map(refundSummary) }, null]);
            return;
          }
          default:
            throw new DropshipError(
              'invalid_input',
              'msg.topic must be approve, dismiss, propose or refunds',
              [{ path: 'msg.topic', message: 'is not a refunds action' }],
            );
        }
      } catch (err) {
        refuseMessage(msg, err, { status, send, outputs: 2, exceptionsAt: 1 });
      }
    });
    if (storefront) {
      const shopRefunds = storefront;
      const unregister = registerRefunder(shopRefunds.channel, {
        async approve(store, key, by) {
          const result = await approveRefund(store, shopRefunds, key, lease(), by);
          await report(store, result, nodeOut);
          return result;
        },
      });
      node.on('close', unregister);
      status.show('waiting');
    }
  }
  RED.nodes.registerType('dropship-refunds', DropshipRefundsNode as never);
};
