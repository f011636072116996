import {
  receiveStorefrontOrder,
  parseStorefrontBody,
  type IntakeOutcome,
} from '../../core/intake/receive-order';
import {
  StorefrontReconciler,
  type ReconcileReport,
  type StorefrontOrderSource,
} from '../../core/intake/reconcile';
import { ORDER_CHANGE_TOPIC } from '../../core/changes/record-order-change';
import { asDropshipError, DropshipError } from '../../core/errors';
import { genericJsonIntakeFor } from '../../connectors/storefronts/generic-json';
import { storefrontIntake } from '../../connectors/storefronts/intakes';
import { verifyShopifyShopDomain } from '../../connectors/storefronts/shopify';
import { shopifyOrderSource } from '../../connectors/storefronts/shopify-orders-api';
import { wooCommerceOrderSource } from '../../connectors/storefronts/woocommerce-orders-api';
import { boundedErrorJson, mountEndpoint, type EndpointReply } from '../adapter/http-endpoint';
import { exceptionMessage, onInput } from '../adapter/input-handler';
import {
  actorOf,
  rateLimitedWarning,
  type Node,
  type NodeAPI,
  type NodeDef,
  type NodeMessage,
} from '../adapter/node-red';
import { senderCheckOf, senderGate, type SenderAuthConfig } from '../adapter/sender-auth';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import { startSweep } from '../adapter/sweep';
import type { StorefrontConfigNode } from '../adapter/config-nodes';

interface OrderInNodeDef extends NodeDef, Pick<SenderAuthConfig, 'senderAuth' | 'signatureHeader'> {
  store: string;
  platform: 'shopify' | 'woocommerce' | 'generic';
  storefront: string;
  listen: boolean;
  path: string;
  /** Minutes between polls of the storefront's order API for orders whose webhook never came; 0 = off. */
  reconcileMinutes: number | string;
  /** How far back the first poll after a start looks. */
  reconcileLookbackHours: number | string;
}

/** Each poll reaches this far behind the previous one: clock skew, and orders the shop commits late. */
const RECONCILE_OVERLAP_MS = 10 * 60_000;

/** The order API of the node's storefront, read with the storefront's API credentials. */
function orderSourceOf(storefront: StorefrontConfigNode | null): StorefrontOrderSource {
  const credentials = storefront?.credentials ?? {};
  if (storefront?.platform === 'shopify') {
    return shopifyOrderSource(
      { shopDomain: storefront.shopDomain, baseUrl: storefront.baseUrl || undefined },
      credentials,
    );
  }
  if (storefront?.platform === 'woocommerce' && storefront.baseUrl) {
    return wooCommerceOrderSource({ storeUrl: storefront.baseUrl }, credentials);
  }
  throw new DropshipError(
    'configuration',
    'polling for missed orders needs a Shopify storefront, or a WooCommerce storefront with its address',
    [{ path: 'storefront', message: 'choose a Shopify or WooCommerce storefront with its API credentials' }],
  );
}

const DEFAULT_PATHS: Record<OrderInNodeDef['platform'], string> = {
  shopify: '/dropship/shopify/orders',
  woocommerce: '/dropship/woocommerce/orders',
  generic: '/dropship/orders',
};

/**
 * Items one list (or members one object) of an order may hold, counted while the body arrives: twice the 500
 * lines an order may have, so the validator still names the lines field of an order a little over the limit.
 */
const MAX_ITEMS = 1000;

const STATUS_BY_CODE: Partial<Record<DropshipError['code'], number>> = {
  invalid_input: 422,
  bad_signature: 401,
  configuration: 500,
};

function replyFor(outcome: IntakeOutcome): EndpointReply {
  switch (outcome.kind) {
    case 'created':
      return { status: 200, body: { id: outcome.order.id, state: outcome.order.state } };
    case 'duplicate':
      return { status: 200, body: { id: outcome.order.id, state: outcome.order.state, duplicate: true } };
    case 'change':
      return {
        status: 200,
        body: {
          id: outcome.order.id,
          change: outcome.change.id,
          kind: outcome.change.kind,
          ...(outcome.created ? {} : { duplicate: true }),
        },
      };
    default:
      return { status: 200, body: { ignored: true, reason: outcome.reason } };
  }
}

export = function registerOrderInNode(RED: NodeAPI): void {
  function DropshipOrderInNode(this: Node, config: OrderInNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const platform = config.platform || 'generic';
    // The generic channel's sender proves itself as configured here; Shopify and WooCommerce sign their own way.
    const check = platform === 'generic' ? senderCheckOf(config) : undefined;
    const intake = check && check !== 'none' ? genericJsonIntakeFor(check) : storefrontIntake(platform);
    const storefront = config.storefront
      ? (RED.nodes.getNode(config.storefront) as StorefrontConfigNode | null)
      : null;
    const secrets = (): string[] => storefront?.webhookSecrets() ?? [];
    let received = 0;
    const refusalWarnings = rateLimitedWarning(node);

    /** Everything after the bytes arrive: verify, parse, normalise, validate, commit. */
    async function take(
      payload: unknown,
      headers: Record<string, string | string[] | undefined>,
    ): Promise<IntakeOutcome> {
      const store = await storeOf(RED, node, config.store);
      return receiveStorefrontOrder(store, intake, payload, headers, actorOf(node));
    }

    function emit(outcome: IntakeOutcome, msg: NodeMessage): void {
      if (outcome.kind === 'created') {
        received += 1;
        showActivity(node, 'accepted', `${received} received`);
        node.send([{ ...msg, orderId: outcome.order.id, payload: outcome.order }, null]);
      } else if (outcome.kind === 'change') {
        if (!outcome.created) {
          node.debug(`duplicate delivery of change ${outcome.change.id} of order ${outcome.order.id}`);
          return;
        }
        showActivity(node, 'accepted', `${outcome.order.id} ${outcome.change.kind}`);
        // Through the router (which passes it on) to dispatch, which applies it at the suppliers.
        node.send([
          {
            ...msg,
            topic: ORDER_CHANGE_TOPIC,
            orderId: outcome.order.id,
            changeId: outcome.change.id,
            payload: outcome.change,
          },
          null,
        ]);
      } else if (outcome.kind === 'duplicate') {
        node.debug(`duplicate delivery of order ${outcome.order.id} (${outcome.of})`);
      } else {
        node.debug(`delivery ignored: ${outcome.reason}`);
      }
    }

    function fail(err: DropshipError, msg: NodeMessage): void {
      showActivity(node, 'failed', err.code);
      // The reason and field paths only: the payload may carry customer data.
      refusalWarnings(`order refused: ${err.message}`);
      node.send([null, exceptionMessage(msg, err)]);
    }

    const gate =
      config.listen !== false
        ? senderGate(RED, node, {
            check: check ?? { scheme: 'signature', header: intake.signatureHeader ?? '' },
            secrets,
            verify: (req, current) => {
              intake.verify(req.rawBody, req.headers, current);
              if (platform === 'shopify' && storefront?.shopDomain)
                verifyShopifyShopDomain(req.headers, storefront.shopDomain);
            },
            secretPlace: storefront
              ? `storefront "${storefront.name || storefront.id}"`
              : 'a storefront (none is selected)',
          })
        : undefined;
    if (gate) {
      const path = config.path || DEFAULT_PATHS[platform];
      mountEndpoint(
        RED,
        node,
        'post',
        path,
        async (req) => {
          const msg: NodeMessage = { topic: intake.channel };
          const refusal = gate.refusal(req);
          if (refusal) {
            fail(refusal.error, msg);
            return refusal.reply;
          }
          try {
            const outcome = await take(parseStorefrontBody(intake, req.rawBody), req.headers);
            emit(outcome, msg);
            return replyFor(outcome);
          } catch (err) {
            const error = asDropshipError(err);
            fail(error, msg);
            return { status: STATUS_BY_CODE[error.code] ?? 500, body: { error: boundedErrorJson(error) } };
          }
        },
        { maxItems: MAX_ITEMS },
      );
    }

    const reconcileMinutes = Number(config.reconcileMinutes);
    if (Number.isFinite(reconcileMinutes) && reconcileMinutes > 0) {
      const lookbackHours = Number(config.reconcileLookbackHours);
      startReconciliation(
        reconcileMinutes * 60_000,
        (Number.isFinite(lookbackHours) && lookbackHours > 0 ? lookbackHours : 24) * 3_600_000,
      );
    }

    /**
     * Polls the storefront's order API for paid orders whose webhook never arrived (WooCommerce does not retry a
     * failed delivery, and disables a webhook after repeated failures) and takes them through the same intake.
     */
    function startReconciliation(intervalMs: number, lookbackMs: number): void {
      let reconciler: StorefrontReconciler;
      try {
        reconciler = new StorefrontReconciler({
          store: () => storeOf(RED, node, config.store),
          intake,
          source: orderSourceOf(storefront),
          actor: actorOf(node),
          lookbackMs,
          overlapMs: RECONCILE_OVERLAP_MS,
        });
      } catch (err) {
        const error = asDropshipError(err);
        node.error(error.message);
        showActivity(node, 'failed', error.code);
        return;
      }
      const report = (result: ReconcileReport): void => {
        for (const order of result.created) emit({ kind: 'created', order }, { topic: intake.channel });
        for (const refusal of result.refused) {
          fail(refusal.error, { topic: intake.channel, reconcile: { reference: refusal.reference } });
        }
        if (result.created.length > 0) {
          node.log(`reconciliation took in ${result.created.length} order(s) whose webhook never arrived`);
        }
      };
      // The first poll covers the time this instance was down; it waits for the flows to finish starting.
      startSweep(node, {
        name: 'order API poll',
        everyMs: intervalMs,
        firstAfterMs: Math.min(intervalMs, 1_000),
        run: async (signal) => report(await reconciler.poll(signal)),
        onFailure: (error) => node.send([null, exceptionMessage({ topic: intake.channel }, error)]),
      });
    }

    onInput(node, async (msg) => {
      try {
        const payload =
          typeof msg.payload === 'string' || Buffer.isBuffer(msg.payload)
            ? parseStorefrontBody(intake, Buffer.from(msg.payload))
            : msg.payload;
        const headers = (msg.req as { headers?: Record<string, string> } | undefined)?.headers ?? {};
        emit(await take(payload, headers), msg);
      } catch (err) {
        fail(asDropshipError(err), msg);
      }
    });
    if (!gate?.problem) showActivity(node, 'waiting');
  }
  RED.nodes.registerType('dropship-order-in', DropshipOrderInNode as never);
};
