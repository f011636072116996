import type { Request, RequestHandler, Response } from 'express';
import type { NodeAPI } from '../adapter/node-red';
import { mountOnce } from '../adapter/mount-once';
import { operatorApiRequest } from '../adapter/operator-routes';
import type { StoreConfigNode } from '../adapter/store-access';
import { DropshipError, errorText } from '../../core/errors';
import { orderDetail, parseSearchTerm, searchOrders } from '../../core/store/order-lookup';

interface ApiProvider {
  node: StoreConfigNode;
  token?: string;
}

/** Store config nodes that serve /dropship/api, oldest first; the first one answers. */
const providers: ApiProvider[] = [];

/**
 * The order API carries customer data: who may read it is decided per request by operatorApiRequest (the store's
 * bearer token, else the editor login, else local requests only). The metrics route uses the same rule with its
 * own store's token.
 */
export function storeApiGuard(RED: NodeAPI, storeNode: () => StoreConfigNode | undefined): RequestHandler {
  return operatorApiRequest(
    RED,
    () => {
      const node = storeNode();
      return providers.find((p) => p.node === node)?.token;
    },
    'dropship-api.read',
  );
}

export function registerOrderApi(RED: NodeAPI, node: StoreConfigNode, token: string | undefined): void {
  const provider: ApiProvider = { node, token: token || undefined };
  providers.push(provider);
  node.on('close', () => {
    providers.splice(providers.indexOf(provider), 1);
  });
  if (!mountOnce(RED.httpNode, 'dropship-store order api')) return;
  const guard = storeApiGuard(RED, () => providers[0]?.node);
  const unavailable = (res: Response): undefined => {
    res.status(503).json({ error: { code: 'configuration', message: 'no dropship-store is deployed' } });
    return undefined;
  };
  RED.httpNode.get('/dropship/api/orders', guard, (req: Request, res: Response) => {
    const current = providers[0] ?? unavailable(res);
    if (!current) return;
    (async () => searchOrders(await current.node.store(), parseSearchTerm(req.query.q, 'q')))().then(
      (orders) => res.json({ orders }),
      (err: unknown) => {
        if (err instanceof DropshipError && err.code === 'invalid_input') {
          res.status(400).json({ error: err.toJSON() });
          return;
        }
        current.node.error(`order search: ${errorText(err)}`);
        res.status(500).json({ error: { code: 'internal', message: 'the store could not be read' } });
      },
    );
  });
  RED.httpNode.get('/dropship/api/orders/:ref', guard, (req: Request, res: Response) => {
    const current = providers[0] ?? unavailable(res);
    if (!current) return;
    (async () => orderDetail(await current.node.store(), String(req.params.ref)))().then(
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
