import type { IncomingMessage } from 'node:http';
import type { Request, Response, RequestHandler } from 'express';
import { DropshipError } from '../../core/errors';
import type { Node, NodeAPI } from './node-red';

export interface RawRequest {
  /** The body exactly as sent: signatures are computed over these bytes. */
  rawBody: Buffer;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  query: Record<string, unknown>;
  ip?: string;
}

export interface EndpointReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Reads the body as bytes up to `limit`; past it the client gets 413 before anything is parsed. */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const existing = (req as IncomingMessage & { body?: unknown }).body;
  if (Buffer.isBuffer(existing)) return Promise.resolve(existing);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new DropshipError('invalid_input', `body of ${declared} bytes exceeds the limit of ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new DropshipError('invalid_input', `body exceeds the limit of ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Mounts a POST/GET endpoint on Node-RED's HTTP node server for the life of `node`, the way core `http in`
 * does: the route is removed when the node closes, so a redeploy never leaves a stale handler behind.
 */
export function mountEndpoint(
  RED: NodeAPI,
  node: Node,
  method: 'get' | 'post',
  path: string,
  handle: (req: RawRequest) => Promise<EndpointReply>,
  options: { bodyLimit?: number } = {},
): void {
  const limit = options.bodyLimit ?? 1024 * 1024;
  const handler: RequestHandler = (req: Request, res: Response) => {
    const body = method === 'post' ? readRawBody(req, limit) : Promise.resolve(Buffer.alloc(0));
    body
      .then(
        (rawBody) =>
          handle({
            rawBody,
            headers: req.headers,
            params: req.params as Record<string, string>,
            query: req.query as Record<string, unknown>,
            ip: req.ip,
          }),
        (err: unknown): EndpointReply => ({
          status: 413,
          body: { error: { code: 'invalid_input', message: err instanceof Error ? err.message : String(err) } },
        }),
      )
      .then(
        (reply) => {
          res.status(reply.status).set(reply.headers ?? {});
          if (typeof reply.body === 'string') res.send(reply.body);
          else res.json(reply.body);
        },
        (err: unknown) => {
          node.error(err instanceof Error ? err.message : String(err));
          if (!res.headersSent) res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
        },
      );
  };
  RED.httpNode[method](path, handler);
  node.on('close', () => {
    // Express 4 keeps the router at `_router`, Express 5 (Node-RED 5) at `router`.
    type Layer = { route?: { path: string; stack: { handle: unknown }[] } };
    const app = RED.httpNode as unknown as { _router?: { stack: Layer[] }; router?: { stack: Layer[] } };
    const router = app._router ?? app.router;
    if (!router) return;
    router.stack = router.stack.filter(
      (layer) => !(layer.route && layer.route.path === path && layer.route.stack.some((s) => s.handle === handler)),
    );
  });
}
