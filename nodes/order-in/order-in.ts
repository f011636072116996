import { receiveStorefrontOrder, parseJsonBody, type IntakeOutcome } from '../../core/intake/receive-order';
import { asDropshipError, type DropshipError } from '../../core/errors';
import { storefrontIntake } from '../../connectors/storefronts/intakes';
import { mountEndpoint, type EndpointReply } from '../adapter/http-endpoint';
import { exceptionMessage, onInput } from '../adapter/input-handler';
import { actorOf, type Node, type NodeAPI, type NodeDef, type NodeMessage } from '../adapter/node-red';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';
import type { StorefrontConfigNode } from '../adapter/config-nodes';

interface OrderInNodeDef extends NodeDef {
  store: string;
  platform: 'shopify' | 'woocommerce' | 'generic';
  storefront: string;
  listen: boolean;
  path: string;
}

const DEFAULT_PATHS: Record<OrderInNodeDef['platform'], string> = {
  shopify: '/dropship/shopify/orders',
  woocommerce: '/dropship/woocommerce/orders',
  generic: '/dropship/orders',
};

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
    default:
      return { status: 200, body: { ignored: true, reason: outcome.reason } };
  }
}

export = function registerOrderInNode(RED: NodeAPI): void {
  function DropshipOrderInNode(this: Node, config: OrderInNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const intake = storefrontIntake(config.platform || 'generic');
    const storefront = config.storefront
      ? (RED.nodes.getNode(config.storefront) as StorefrontConfigNode | null)
      : null;
    const secrets = (): string[] => storefront?.webhookSecrets() ?? [];
    let received = 0;

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
      } else if (outcome.kind === 'duplicate') {
        node.debug(`duplicate delivery of order ${outcome.order.id} (${outcome.of})`);
      } else {
        node.debug(`delivery ignored: ${outcome.reason}`);
      }
    }

    function fail(err: DropshipError, msg: NodeMessage): void {
      showActivity(node, 'failed', err.code);
      // The reason and field paths only: the payload may carry customer data.
      node.warn(`order refused: ${err.message}`);
      node.send([null, exceptionMessage(msg, err)]);
    }

    if (config.listen !== false) {
      const path = config.path || DEFAULT_PATHS[config.platform || 'generic'];
      mountEndpoint(RED, node, 'post', path, async (req) => {
        const msg: NodeMessage = { topic: intake.channel };
        try {
          intake.verify(req.rawBody, req.headers, secrets());
          const outcome = await take(parseJsonBody(req.rawBody), req.headers);
          emit(outcome, msg);
          return replyFor(outcome);
        } catch (err) {
          const error = asDropshipError(err);
          fail(error, msg);
          return { status: STATUS_BY_CODE[error.code] ?? 500, body: { error: error.toJSON() } };
        }
      });
    }

    onInput(node, async (msg) => {
      try {
        const payload =
          typeof msg.payload === 'string' || Buffer.isBuffer(msg.payload)
            ? parseJsonBody(Buffer.from(msg.payload))
            : msg.payload;
        const headers = (msg.req as { headers?: Record<string, string> } | undefined)?.headers ?? {};
        emit(await take(payload, headers), msg);
      } catch (err) {
        fail(asDropshipError(err), msg);
      }
    });
    showActivity(node, 'waiting');
  }
  RED.nodes.registerType('dropship-order-in', DropshipOrderInNode as never);
};
