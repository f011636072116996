import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { parse as parseUrl } from 'node:url';
import type { Request, Response, RequestHandler } from 'express';
import { DropshipError, errorText } from '../../core/errors';
import { JsonItemLimit } from '../../core/validation/json-item-limit';
import type { Node, NodeAPI } from './node-red';
import { isCrossSitePageRequest, isLocalRequest } from './operator-access';

export interface RawRequest {
  /** The body exactly as sent: signatures are computed over these bytes. */
  rawBody: Buffer;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** The client's address, through trusted reverse proxies (see clientAddress). */
  ip?: string;
  /**
   * Made on this machine, passed on by no proxy (operator-access: isLocalRequest), and not by another site's page
   * in a browser on it.
   */
  local?: boolean;
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

/** The refusal of a body whose declared length is over the limit, before a byte of it is read. */
function declaredTooLarge(req: IncomingMessage, limit: number): RequestRefusal | undefined {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit
    ? new RequestRefusal(413, `body of ${declared} bytes exceeds the limit of ${limit}`)
    : undefined;
}

export interface BodyLimits {
  /** Bytes the body may have. */
  limit: number;
  /** How long the whole body may take to arrive once the headers are in. */
  timeoutMs?: number;
  /** Items one JSON list (or members one object) may hold, counted as the bytes arrive. */
  maxItems?: number;
}

/**
 * Reads the body as bytes within its limits: past the size a 413, past the time a 408, past the items of one
 * JSON list a 413 too, each as soon as it is crossed, so a hostile body costs no more than the bytes read so far.
 */
export function readRawBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const { limit, timeoutMs = DEFAULT_BODY_TIMEOUT_MS } = limits;
  const existing = (req as IncomingMessage & { body?: unknown }).body;
  if (Buffer.isBuffer(existing)) return Promise.resolve(existing);
  const tooLarge = declaredTooLarge(req, limit);
  if (tooLarge) return Promise.reject(tooLarge);
  const items = limits.maxItems === undefined ? undefined : new JsonItemLimit(limits.maxItems);
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
      if (size > limit) {
        settle(new RequestRefusal(413, `body exceeds the limit of ${limit} bytes`));
        return;
      }
      try {
        items?.feed(chunk);
      } catch (err) {
        settle(new RequestRefusal(413, (err as Error).message));
        return;
      }
      chunks.push(chunk);
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

/** Field problems an error answer lists, and the length of each sentence in it: an answer stays a few KB. */
const MAX_ANSWERED_PROBLEMS = 10;
const MAX_ANSWERED_TEXT = 300;

function boundedText(text: string): string {
  return text.length > MAX_ANSWERED_TEXT ? `${text.slice(0, MAX_ANSWERED_TEXT - 1)}…` : text;
}

/** An error as an endpoint answers it: its code, its sentence and its first field problems, each cut short. */
export function boundedErrorJson(error: DropshipError): ReturnType<DropshipError['toJSON']> {
  return {
    code: error.code,
    message: boundedText(error.message),
    details: error.details
      .slice(0, MAX_ANSWERED_PROBLEMS)
      .map((d) => ({ path: boundedText(d.path), message: boundedText(d.message) })),
  };
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

interface Layer {
  handle?: unknown;
  route?: { path: string; stack: { handle: unknown }[] };
  /** Express's own test of a path against the layer, with the router's case and trailing-slash rules. */
  match?(path: string): boolean;
}
interface ExpressInternals {
  parent?: ExpressInternals;
  mountpath?: string | string[];
  _router?: { stack: Layer[] };
  router?: { stack: Layer[] };
  get?(setting: string): unknown;
  use(handler: RequestHandler): void;
}

/** Express 4 keeps the router at `_router`, Express 5 (Node-RED 5) at `router`. */
function routerStack(app: ExpressInternals): Layer[] | undefined {
  return (app._router ?? app.router)?.stack;
}

/** An endpoint whose raw body must reach us unparsed: which requests are its, and its body limits. */
interface RawRoute extends BodyLimits {
  matches(pathname: string): boolean;
}

/** The raw routes of each root app (one per Node-RED instance), by the handler that serves them. */
const rawRoutesByRoot = new WeakMap<object, Map<RequestHandler, RawRoute>>();

function rootOf(app: ExpressInternals): ExpressInternals {
  let root = app;
  while (root.parent) root = root.parent;
  return root;
}

/**
 * The part of a path below the app's mount point (Node-RED's httpNodeRoot), or undefined when the path is not
 * under it. Express matches a mount point as a prefix up to a `/`, without regard to case unless the parent app
 * says otherwise.
 */
function belowMountPoint(app: ExpressInternals, pathname: string): string | undefined {
  const mount = (typeof app.mountpath === 'string' ? app.mountpath : '/').replace(/\/+$/, '');
  if (mount === '') return pathname;
  const sensitive = Boolean(app.parent?.get?.('case sensitive routing'));
  const head = pathname.slice(0, mount.length);
  const same = sensitive ? head === mount : head.toLowerCase() === mount.toLowerCase();
  const next = pathname.charAt(mount.length);
  if (!same || (next !== '' && next !== '/')) return undefined;
  return pathname.slice(mount.length) || '/';
}

/**
 * Whether a request's path is the route's, decided by the route's own Express layer: the same case rule
 * (`case sensitive routing`), the same trailing-slash rule (`strict routing`) and the same parameters, so every
 * spelling Express would hand to the endpoint gets the endpoint's limits, and no other.
 */
function routeMatcher(app: ExpressInternals, layer: Layer | undefined, path: string): (p: string) => boolean {
  return (pathname) => {
    const below = belowMountPoint(app, pathname);
    if (below === undefined) return false;
    if (typeof layer?.match !== 'function') return below === path;
    try {
      return layer.match(below);
    } catch {
      // A parameter Express cannot decode (`%ZZ`): Express answers it 400 itself.
      return false;
    }
  };
}

/**
 * Node-RED mounts the editor's admin app at the same root, and it JSON-parses every request body before the
 * HTTP-node app sees it. Signatures are computed over the exact bytes, so, as core `http in` does for its raw
 * routes, a middleware at the very top of the root app reads our endpoints' bodies as Buffers first (and then
 * body-parser leaves them alone because `req._body` is set).
 */
function installRawBodyCapture(root: ExpressInternals, routes: Map<RequestHandler, RawRoute>): void {
  // Runs before Express has decorated req/res: only Node's own request and response APIs are available here.
  const capture: RequestHandler = (req, res, next) => {
    if (req.method !== 'POST') {
      next();
      return;
    }
    // The path as Express's router reads it (parseurl, url.parse): `/x#frag` and a proxy's `http://host/x` are /x.
    const pathname = parseUrl(req.url ?? '').pathname ?? '';
    let route: RawRoute | undefined;
    for (const candidate of routes.values()) {
      if (candidate.matches(pathname)) {
        route = candidate;
        break;
      }
    }
    if (route === undefined) {
      next();
      return;
    }
    // Answered at once, in the same turn as the headers: a client that sent them and hung up still hears why.
    const tooLarge = declaredTooLarge(req, route.limit);
    if (tooLarge) {
      refuseUnreadBody(req, res, tooLarge);
      return;
    }
    readRawBody(req, route).then(
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

function rawRoutesOf(app: ExpressInternals): Map<RequestHandler, RawRoute> {
  const root = rootOf(app);
  let routes = rawRoutesByRoot.get(root);
  if (!routes) {
    routes = new Map();
    rawRoutesByRoot.set(root, routes);
    installRawBodyCapture(root, routes);
  }
  return routes;
}

function routeLayerOf(app: ExpressInternals, path: string, handler: RequestHandler): number {
  return (
    routerStack(app)?.findIndex(
      (layer) => layer.route?.path === path && layer.route.stack.some((s) => s.handle === handler),
    ) ?? -1
  );
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
    /** Items one JSON list (or members one object) of the body may hold, counted while it arrives. */
    maxItems?: number;
    /** Decides who may call the route before its body is read (operator routes: operatorApiRequest). */
    guard?: RequestHandler;
  } = {},
): void {
  const limits: BodyLimits = {
    limit: options.bodyLimit ?? 1024 * 1024,
    timeoutMs: bodyTimeoutOf(RED),
    maxItems: options.maxItems,
  };
  const proxies = trustedProxies(RED, (message) => node.warn(message));
  const handler: RequestHandler = (req: Request, res: Response) => {
    const body = method === 'post' ? readRawBody(req, limits) : Promise.resolve(Buffer.alloc(0));
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
      local: isLocalRequest(req) && !isCrossSitePageRequest(req),
    }).then(
      (reply) => {
        res.status(reply.status).set(reply.headers ?? {});
        if (typeof reply.body === 'string') res.send(reply.body);
        else res.json(reply.body);
      },
      (err: unknown) => {
        // With a message, so Catch nodes see the node's own failure (the answer names nothing of it).
        node.error(errorText(err), { topic: `${method.toUpperCase()} ${path}` });
        if (!res.headersSent)
          res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
      },
    );
  };
  const app = RED.httpNode as unknown as ExpressInternals;
  if (options.guard) RED.httpNode[method](path, options.guard, handler);
  else RED.httpNode[method](path, handler);
  const rawRoutes = method === 'post' ? rawRoutesOf(app) : undefined;
  if (rawRoutes) {
    const layer = routerStack(app)?.[routeLayerOf(app, path, handler)];
    rawRoutes.set(handler, { ...limits, matches: routeMatcher(app, layer, path) });
  }
  node.on('close', () => {
    rawRoutes?.delete(handler);
    const stack = routerStack(app);
    const index = routeLayerOf(app, path, handler);
    if (stack && index >= 0) stack.splice(index, 1);
  });
}
