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
    return Promise.reject(
      new DropshipError('invalid_input', `body of ${declared} bytes exceeds the limit of ${limit}`),
    );
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

type Layer = { handle?: unknown; route?: { path: string; stack: { handle: unknown }[] } };
interface ExpressInternals {
  parent?: ExpressInternals;
  _router?: { stack: Layer[] };
  router?: { stack: Layer[] };
  use(handler: RequestHandler): void;
}

/** Express 4 keeps the router at `_router`, Express 5 (Node-RED 5) at `router`. */
function routerStack(app: ExpressInternals): Layer[] | undefined {
  return (app._router ?? app.router)?.stack;
}

/** `METHOD path` of every endpoint whose raw body must reach us unparsed, with its size limit. */
const rawRoutes = new Map<string, number>();
const captureInstalled = new WeakSet<object>();

/**
 * Node-RED mounts the editor's admin app at the same root, and it JSON-parses every request body before the
 * HTTP-node app sees it. Signatures are computed over the exact bytes, so, as core `http in` does for its raw
 * routes, a middleware at the very top of the root app reads our endpoints' bodies as Buffers first (and then
 * body-parser leaves them alone because `req._body` is set).
 */
function installRawBodyCapture(httpNode: unknown): void {
  let root = httpNode as ExpressInternals;
  while (root.parent) root = root.parent;
  if (captureInstalled.has(root)) return;
  captureInstalled.add(root);
  // Runs before Express has decorated req/res: only Node's own request and response APIs are available here.
  const capture: RequestHandler = (req, res, next) => {
    const pathname = (req.url ?? '').split('?')[0]!.replace(/\/{2,}/g, '/');
    const limit = rawRoutes.get(`${req.method} ${pathname}`);
    if (limit === undefined) {
      next();
      return;
    }
    readRawBody(req, limit).then(
      (body) => {
        (req as Request & { _body?: boolean }).body = body;
        (req as Request & { _body?: boolean })._body = true;
        next();
      },
      (err: unknown) => {
        res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' });
        res.end(
          JSON.stringify({
            error: { code: 'invalid_input', message: err instanceof Error ? err.message : String(err) },
          }),
        );
      },
    );
  };
  root.use(capture);
  const stack = routerStack(root);
  const index = stack?.findIndex((layer) => layer.handle === capture) ?? -1;
  if (stack && index > 0) stack.unshift(...stack.splice(index, 1));
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
            query: req.query,
            ip: req.ip,
          }),
        (err: unknown): EndpointReply => ({
          status: 413,
          body: {
            error: { code: 'invalid_input', message: err instanceof Error ? err.message : String(err) },
          },
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
          if (!res.headersSent)
            res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
        },
      );
  };
  // The capture sits on the root app, so it sees the path with Node-RED's httpNodeRoot in front.
  const nodeRoot = ((RED.settings as { httpNodeRoot?: string | false }).httpNodeRoot || '/').replace(
    /\/$/,
    '',
  );
  const rawKey = `POST ${nodeRoot}${path}`;
  if (method === 'post') {
    rawRoutes.set(rawKey, limit);
    installRawBodyCapture(RED.httpNode);
  }
  RED.httpNode[method](path, handler);
  node.on('close', () => {
    rawRoutes.delete(rawKey);
    const stack = routerStack(RED.httpNode);
    if (!stack) return;
    const index = stack.findIndex(
      (layer) => layer.route?.path === path && layer.route.stack.some((s) => s.handle === handler),
    );
    if (index >= 0) stack.splice(index, 1);
  });
}
