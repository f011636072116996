import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { NodeAPI } from '../adapter/node-red';
import { mountOnce } from '../adapter/mount-once';
import type { StoreConfigNode } from '../adapter/store-access';
import { errorText } from '../../core/errors';

interface ApiProvider {
  node: StoreConfigNode;
  token?: string;
}

/** Store config nodes that serve /dropship/api, oldest first; the first one answers. */
const providers: ApiProvider[] = [];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * The order API carries customer data. It answers without a token only while Node-RED listens on loopback or
 * guards its HTTP nodes itself (httpNodeAuth); otherwise a bearer token from the store's credentials is required.
 */
function authorised(RED: NodeAPI, authorization: string | undefined, provider: ApiProvider): boolean {
  if (provider.token) return tokenMatches(authorization, provider.token);
  const settings = RED.settings as { uiHost?: string; httpNodeAuth?: unknown };
  return Boolean(settings.httpNodeAuth) || LOOPBACK.has(settings.uiHost ?? '');
}

/**
 * The same rule for every /dropship/api route (metrics too): loopback or httpNodeAuth, else the bearer token of
 * the given store configuration.
 */
export function storeApiAuthorised(
  RED: NodeAPI,
  storeNode: StoreConfigNode,
  authorization: string | undefined,
): boolean {
  const provider = providers.find((p) => p.node === storeNode) ?? { node: storeNode };
  return authorised(RED, authorization, provider);
}

async function orderDetail(provider: ApiProvider, ref: string): Promise<Record<string, unknown> | undefined> {
  const store = await provider.node.store();
  const order = await store.findOrder(ref);
  if (!order) return undefined;
  const [purchaseOrders, shipments, events, notifications] = await Promise.all([
    store.listPurchaseOrders(order.id),
    store.listShipments(order.id),
    store.listEvents(order.id),
    store.listNotifications(order.id),
  ]);
  return { ...order, purchaseOrders, shipments, events, notifications };
}

export function registerOrderApi(RED: NodeAPI, node: StoreConfigNode, token: string | undefined): void {
  const provider: ApiProvider = { node, token: token || undefined };
  providers.push(provider);
  node.on('close', () => {
    providers.splice(providers.indexOf(provider), 1);
  });
  if (!mountOnce(RED.httpNode, 'dropship-store order api')) return;
  RED.httpNode.get('/dropship/api/orders/:ref', (req: Request, res: Response) => {
    const current = providers[0];
    if (!current) {
      res.status(503).json({ error: { code: 'configuration', message: 'no dropship-store is deployed' } });
      return;
    }
    if (!authorised(RED, req.headers.authorization, current)) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json({ error: { code: 'unauthorised', message: 'a bearer token is required' } });
      return;
    }
    orderDetail(current, String(req.params.ref)).then(
      (detail) => {
        if (detail) res.json(detail);
        else
          res
            .status(404)
            .json({ error: { code: 'not_found', message: `no order ${String(req.params.ref)}` } });
      },
      (err: unknown) => {
        current.node.error(`order API: ${errorText(err)}`);
        res.status(500).json({ error: { code: 'internal', message: 'the store could not be read' } });
      },
    );
  });
}
