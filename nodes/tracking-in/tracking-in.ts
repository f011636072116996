import { asDropshipError, DropshipError, type DropshipErrorCode } from '../../core/errors';
import { parseJsonBody } from '../../core/intake/receive-order';
import {
  recordShipment,
  shipmentEventFromReport,
  type ShipmentReport,
} from '../../core/tracking/record-shipment';
import type { ShipmentResult } from '../../core/store/order-store';
import { mountEndpoint } from '../adapter/http-endpoint';
import { exceptionMessage, onInput } from '../adapter/input-handler';
import { actorOf, type Node, type NodeAPI, type NodeDef, type NodeMessage } from '../adapter/node-red';
import { showActivity } from '../adapter/status';
import { storeOf } from '../adapter/store-access';

interface TrackingInNodeDef extends NodeDef {
  store: string;
  listen: boolean;
  path: string;
}

const HTTP_STATUS: Partial<Record<DropshipErrorCode, number>> = {
  invalid_input: 422,
  not_found: 404,
  bad_signature: 401,
};

export = function registerTrackingInNode(RED: NodeAPI): void {
  function DropshipTrackingInNode(this: Node, config: TrackingInNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const actor = actorOf(node);

    /** One report or a list of them; each is recorded on its own so one bad entry does not block the rest. */
    async function take(
      payload: unknown,
      source: string,
      msg: NodeMessage,
    ): Promise<{ recorded: ShipmentResult[]; errors: DropshipError[] }> {
      const store = await storeOf(RED, node, config.store);
      const reports = Array.isArray(payload) ? payload : [payload];
      const recorded: ShipmentResult[] = [];
      const errors: DropshipError[] = [];
      for (const report of reports) {
        try {
          if (!report || typeof report !== 'object')
            throw new DropshipError('invalid_input', 'a shipment report must be an object', [
              { path: '', message: 'must be an object' },
            ]);
          const event = shipmentEventFromReport(report as ShipmentReport, source, new Date());
          const result = await recordShipment(store, event, actor);
          recorded.push(result);
          if (result.created) {
            showActivity(node, 'accepted', `${event.trackingNumber} ${event.status}`);
            node.send([
              {
                ...msg,
                orderId: result.order.id,
                poNumber: event.poNumber,
                payload: result.shipment,
                shipmentEvent: event,
                order: { id: result.order.id, state: result.order.state },
              },
              null,
            ]);
          }
        } catch (err) {
          const error = asDropshipError(err);
          errors.push(error);
          showActivity(node, 'failed', error.code);
          node.warn(`shipment report refused: ${error.message}`);
          node.send([null, exceptionMessage({ ...msg, payload: report as unknown }, error)]);
        }
      }
      return { recorded, errors };
    }

    if (config.listen !== false) {
      mountEndpoint(RED, node, 'post', config.path || '/dropship/tracking', async (req) => {
        let payload: unknown;
        try {
          payload = parseJsonBody(req.rawBody);
        } catch (err) {
          const error = asDropshipError(err);
          return { status: 400, body: { error: error.toJSON() } };
        }
        const { recorded, errors } = await take(payload, 'webhook', {});
        if (errors.length > 0 && recorded.length === 0) {
          return {
            status: HTTP_STATUS[errors[0]!.code] ?? 500,
            body: { errors: errors.map((e) => e.toJSON()) },
          };
        }
        return {
          status: 200,
          body: {
            recorded: recorded.length,
            duplicates: recorded.filter((r) => !r.created).length,
            errors: errors.map((e) => e.toJSON()),
          },
        };
      });
    }

    onInput(node, async (msg) => {
      await take(msg.payload, typeof msg.topic === 'string' && msg.topic ? msg.topic : 'message', msg);
    });
    showActivity(node, 'waiting');
  }
  RED.nodes.registerType('dropship-tracking-in', DropshipTrackingInNode as never);
};
