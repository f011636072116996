import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { Request, Response, RequestHandler } from 'express';
import { DropshipError, errorText } from '../../core/errors';
import type { Node, NodeAPI } from './node-red';

export interface RawRequest {
  /** The body exactly as sent: signatures are computed over these bytes. */
  rawBody: Buffer;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** The client's address, through trusted reverse proxies (see clientAddress). */
  ip?: string;
}

export interface EndpointReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A request refused before its body was parsed: too large (413), or too slow to arrive (408). */
export class RequestRefusal extends DropshipError {
  constructor(
    readonly status: 408 | 413,
    message: string,
  ) {
    super('invalid_input', message, [{ path: '', message }]);
  }
}

/**
 * How long a client may take to send a body once its headers are in: storefronts send a webhook in one go (and
 * give up on an answer after 5 s, Shopify), so a body still trickling in after this is a slow client holding a
 * connection (slowloris). Settable per instance as `dropshipBodyTimeoutMs` in Node-RED's settings.
 */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Reads the body as bytes up to `limit` within `timeoutMs`; past either, a RequestRefusal (413 or 408). */
export function readRawBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs = DEFAULT_BODY_TIMEOUT_MS,
): Promise<Buffer> {
  const existing = (req as IncomingMessage & { body?: unknown }).body;
  if (Buffer.isBuffer(existing)) return Promise.resolve(existing);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new RequestRefusal(413, `body of ${declared} bytes exceeds the limit of ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (err: Error | undefined, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      if (err) reject(err);
      else resolve(body!);
    };
    const timer = setTimeout(
      () => settle(new RequestRefusal(408, `the body did not arrive within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) settle(new RequestRefusal(413, `body exceeds the limit of ${limit} bytes`));
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => settle(undefined, Buffer.concat(chunks)));
    req.on('error', (err) => settle(err));
    // A client that hangs up mid-body: nothing to answer, nothing kept.
    req.on('close', () => settle(new Error('the client closed the connection before the body ended')));
  });
}

/**
 * Answers a request whose body could not be read and closes its connection once the answer is out, so a client
 * still sending (or trickling) gets the status rather than a reset, and holds nothing open afterwards.
 */
function refuseUnreadBody(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  if (res.headersSent || res.destroyed) {
    req.destroy();
    return;
  }
  const status = err instanceof RequestRefusal ? err.status : 400;
  const message = errorText(err);
  res.once('finish', () => req.destroy());
  res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
  res.end(JSON.stringify({ error: { code: 'invalid_input', message } }));
}

/** The body timeout this Node-RED instance is configured with. */
function bodyTimeoutOf(RED: NodeAPI): number {
  const configured = Number((RED.settings as { dropshipBodyTimeoutMs?: unknown }).dropshipBodyTimeoutMs);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_BODY_TIMEOUT_MS;
}

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is 127.0.0.1. */
function plainAddress(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The address a request came from. Behind a reverse proxy every request arrives from the proxy, so a limit per
 * client (the tracking page's lookups) would throttle all customers at once: while the hop a request came through
 * is a trusted proxy, the address that proxy forwarded (X-Forwarded-For, read right to left) is taken instead. A
 * client cannot pass itself off as another by sending the header: only trusted hops' entries are believed.
 */
export function clientAddress(
  remote: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList,
): string | undefined {
  if (remote === undefined) return undefined;
  let address = plainAddress(remote);
  // Every request passes here (webhooks too): without the header there is nothing to read.
  if (forwardedFor === undefined || !isTrusted(trusted, address)) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((hop) => plainAddress(hop.trim()))
    .filter((hop) => hop !== '');
  while (isTrusted(trusted, address) && hops.length > 0) address = hops.pop()!;
  return address;
}

/**
 * The proxies this instance trusts: loopback always (nginx or Caddy on the same host), and the addresses and
 * subnets (`10.0.0.0/8`) listed as `dropshipTrustedProxies` in Node-RED's settings. An entry that is neither is
 * reported and left out.
 */
export function trustedProxies(RED: Pick<NodeAPI, 'settings'>, warn: (message: string) => void): BlockList {
  const trusted = new BlockList();
  trusted.addSubnet('127.0.0.0', 8, 'ipv4');
  trusted.addAddress('::1', 'ipv6');
  const configured = (RED.settings as { dropshipTrustedProxies?: unknown }).dropshipTrustedProxies;
  for (const entry of Array.isArray(configured) ? configured : configured === undefined ? [] : [configured]) {
    const [address = '', bits] = String(entry).trim().split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      warn(
        `dropshipTrustedProxies: "${String(entry)}" is not an IP address or subnet (a.b.c.d or a.b.c.d/nn); ignored`,
      );
      continue;
    }
    trusted.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return trusted;
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

/** `METHOD path` of every endpoint whose raw body must reach us unparsed, with its size and time limits. */
const rawRoutes = new Map<string, { limit: number; timeoutMs: number }>();
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
    const route = rawRoutes.get(`${req.method} ${pathname}`);
    if (route === undefined) {
      next();
      return;
    }
    readRawBody(req, route.limit, route.timeoutMs).then(
      (body) => {
        (req as Request & { _body?: boolean }).body = body;
        (req as Request & { _body?: boolean })._body = true;
        next();
      },
      (err: unknown) => refuseUnreadBody(req, res, err),
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
  options: {
    bodyLimit?: number;
    /** Decides who may call the route before its body is read (operator routes: operatorApiRequest). */
    guard?: RequestHandler;
  } = {},
): void {
  const limit = options.bodyLimit ?? 1024 * 1024;
  const timeoutMs = bodyTimeoutOf(RED);
  const proxies = trustedProxies(RED, (message) => node.warn(message));
  const handler: RequestHandler = (req: Request, res: Response) => {
    const body = method === 'post' ? readRawBody(req, limit, timeoutMs) : Promise.resolve(Buffer.alloc(0));
    body.then(
      (rawBody) => answer(req, res, rawBody),
      (err: unknown) => refuseUnreadBody(req, res, err),
    );
  };
  const answer = (req: Request, res: Response, rawBody: Buffer): void => {
    handle({
      rawBody,
      headers: req.headers,
      params: req.params as Record<string, string>,
      query: req.query,
      ip: clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], proxies),
    }).then(
      (reply) => {
        res.status(reply.status).set(reply.headers ?? {});
        if (typeof reply.body === 'string') res.send(reply.body);
        else res.json(reply.body);
      },
      (err: unknown) => {
        node.error(errorText(err));
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
    rawRoutes.set(rawKey, { limit, timeoutMs });
    installRawBodyCapture(RED.httpNode);
  }
  if (options.guard) RED.httpNode[method](path, options.guard, handler);
  else RED.httpNode[method](path, handler);
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
