import { asDropshipError, DropshipError, type DropshipErrorCode, errorText } from '../../core/errors';
import { stateName } from '../../core/model/state-names';
import { parseJsonBody } from '../../core/http-body';
import {
  advanceReturn,
  parseReturnStep,
  requestReturn,
  type ReturnRequest,
} from '../../core/returns/manage-returns';
import type { ReturnAuthorisation } from '../../core/returns/return-authorisation';
import { parseReturnPolicies, type ReturnPolicy } from '../../core/returns/return-policy';
import { ordersNamed } from '../../core/store/orders-named';
import { boundedErrorJson, mountEndpoint } from '../adapter/http-endpoint';
import { exceptionMessage, isMessageProblem, onInput, refuseMessage } from '../adapter/input-handler';
import {
  sendOfNode,
  actorOf,
  type Node,
  type NodeAPI,
  type NodeDef,
  type NodeMessage,
  type SendFunction,
} from '../adapter/node-red';
import {
  senderCheckOf,
  senderGate,
  senderSecretsOf,
  type SenderAuthConfig,
  type SenderAuthCredentials,
} from '../adapter/sender-auth';
import { nodeStatus } from '../adapter/status';
import { storeOf } from '../adapter/store-access';

interface ReturnsNodeDef extends NodeDef, SenderAuthConfig {
  store: string;
  policies: string;
  listen: boolean;
  path: string;
}

const HTTP_STATUS: Partial<Record<DropshipErrorCode, number>> = {
  invalid_input: 422,
  not_found: 404,
  conflict: 409,
  configuration: 503,
};

/** Lines one return request may name, counted while the body arrives. */
const MAX_ITEMS = 500;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What leaves the node and the endpoint about a return: no customer data beyond the order id. */
function returnSummary(rma: ReturnAuthorisation): Record<string, unknown> {
  const {
    rmaNumber,
    orderId,
    supplierId,
    poNumber,
    state,
    lines,
    currency,
    restockingFee,
    refundAmount,
    label,
    creditMemo,
  } = rma;
  return {
    rmaNumber,
    orderId,
    supplierId,
    poNumber,
    state,
    lines,
    currency,
    restockingFee,
    refundAmount,
    label,
    creditMemo,
  };
}

export = function registerReturnsNode(RED: NodeAPI): void {
  function DropshipReturnsNode(this: Node<SenderAuthCredentials>, config: ReturnsNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const credentials: SenderAuthCredentials = node.credentials ?? {};
    const actor = actorOf(node);
    const status = nodeStatus(RED, node);
    let policies: Record<string, ReturnPolicy> = {};
    try {
      policies = parseReturnPolicies(config.policies ? (JSON.parse(config.policies) as unknown) : {});
    } catch (err) {
      node.error(`return policies: ${errorText(err)}`);
      status.show('failed', 'policiesInvalid', { reason: errorText(err) });
    }

    function announce(returns: ReturnAuthorisation[], msg: NodeMessage, send: SendFunction): void {
      for (const rma of returns) {
        send([
          {
            ...msg,
            topic: rma.state,
            orderId: rma.orderId,
            rmaNumber: rma.rmaNumber,
            payload: returnSummary(rma),
          },
          null,
        ]);
        status.show('accepted', 'rma', { rma: rma.rmaNumber, state: stateName(rma.state) });
      }
    }

    /**
     * A customer's request. The e-mail address on the order must match, so an order number alone (printed on
     * packing slips) does not let anyone open returns; a mismatch reads as "no such order".
     */
    async function customerRequest(body: unknown): Promise<ReturnAuthorisation[]> {
      const request = (isRecord(body) ? body : {}) as Partial<ReturnRequest> & { email?: unknown };
      const store = await storeOf(RED, node, config.store);
      const ref = typeof request.order === 'string' ? request.order.trim() : '';
      // The order id or channel:externalId, else the order number the customer knows ("#1001").
      const byId = ref ? await store.findOrder(ref) : undefined;
      const candidates = byId ? [byId] : ref ? await ordersNamed(store, ref) : [];
      const email = typeof request.email === 'string' ? request.email.trim().toLowerCase() : '';
      const order = email ? candidates.find((o) => o.customer.email?.toLowerCase() === email) : undefined;
      if (!order)
        throw new DropshipError('not_found', 'no order matches this order number and e-mail address', [
          { path: '/order', message: 'with /email matches no order' },
        ]);
      return requestReturn(
        store,
        {
          order: order.id,
          lines: Array.isArray(request.lines) ? request.lines : [],
          reason: String(request.reason ?? ''),
        },
        policies,
        actor,
        new Date(),
      );
    }

    const gate =
      config.listen !== false
        ? senderGate(RED, node, {
            check: senderCheckOf(config),
            secrets: () => senderSecretsOf(config, credentials),
            secretPlace: "the node's sender secret",
          })
        : undefined;
    if (gate) {
      mountEndpoint(
        RED,
        node,
        'post',
        config.path || '/dropship/returns',
        async (req) => {
          const refusal = gate.refusal(req);
          if (refusal) return refusal.reply;
          try {
            const returns = await customerRequest(parseJsonBody(req.rawBody));
            announce(returns, {}, sendOfNode(node));
            return { status: 201, body: { returns: returns.map(returnSummary) } };
          } catch (err) {
            const error = asDropshipError(err);
            if (isMessageProblem(error)) node.send([null, exceptionMessage({}, error)]);
            else node.error(error.message, { topic: 'return request' });
            return { status: HTTP_STATUS[error.code] ?? 500, body: { error: boundedErrorJson(error) } };
          }
        },
        { maxItems: MAX_ITEMS },
      );
    }

    onInput(node, async (msg, send) => {
      try {
        const payload = isRecord(msg.payload) ? msg.payload : {};
        const store = await storeOf(RED, node, config.store);
        if (typeof payload.rmaNumber === 'string') {
          const moved = await advanceReturn(store, payload.rmaNumber, parseReturnStep(payload), actor);
          if (!moved) throw new DropshipError('conflict', `return ${payload.rmaNumber} changed meanwhile`);
          announce([moved], msg, send);
        } else {
          announce(
            await requestReturn(
              store,
              {
                order: text(payload.order) ?? text((msg as { orderId?: unknown }).orderId) ?? '',
                lines: Array.isArray(payload.lines) ? (payload.lines as ReturnRequest['lines']) : [],
                reason: text(payload.reason) ?? '',
              },
              policies,
              actor,
              new Date(),
            ),
            msg,
            send,
          );
        }
      } catch (err) {
        refuseMessage(msg, err, { status, send, outputs: 2, exceptionsAt: 1 });
      }
    });
    if (!gate?.problem) status.show('waiting');
  }
  RED.nodes.registerType('dropship-returns', DropshipReturnsNode as never, {
    credentials: { senderSecret: { type: 'password' }, previousSenderSecret: { type: 'password' } },
  });
};
