/**
 * Who may use an operator surface (order API, admin routes, dashboard, sandbox pages), decided per request.
 *
 * Framework-free on purpose: the demo's settings.js loads this file (from dist/) for the editor, the dashboard
 * and the sandbox pages, and the package's nodes use it for their own routes, so both apply one rule:
 *
 * - With a login configured, every request logs in, whatever address it comes from.
 * - Without one, only requests made on this machine are served: from a loopback socket, naming this machine in
 *   `Host`, and passed on by no proxy. A reverse proxy on the same machine connects from loopback too, so the
 *   headers proxies add (`X-Forwarded-For`, `Forwarded`, ...) make a request remote, unless Node-RED trusts that
 *   proxy (`httpServerOptions: {'trust proxy': ...}`) and every address it names is this machine as well.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** The request as far as the rule needs it (an IncomingMessage or an Express request). */
export interface RequestOrigin {
  method?: string;
  socket: { remoteAddress?: string };
  headers: IncomingHttpHeaders;
  /** Express's application the request is in, whose `trust proxy fn` says which proxies are believed. */
  app?: { get(setting: string): unknown };
}

/** express's compiled `trust proxy` setting: whether the hop at `index` (0 = the socket) is a trusted proxy. */
export type TrustProxy = (address: string, index: number) => boolean;

/** Headers naming the client a proxy, CDN or tunnel passed a request on for (one address each). */
const CLIENT_ADDRESS_HEADERS = [
  'x-real-ip',
  'cf-connecting-ip',
  'true-client-ip',
  'x-client-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
] as const;

/** Headers with which a reverse proxy says it passed a request on. */
const FORWARDING_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'via',
  'cdn-loop',
  ...CLIENT_ADDRESS_HEADERS,
] as const;

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is 127.0.0.1; `[::1]:80` is ::1. */
function plainAddress(address: string): string {
  const trimmed = address.trim().replace(/^"|"$/g, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed);
  const bare = bracketed ? bracketed[1]! : /^[\d.]+:\d+$/.test(trimmed) ? trimmed.split(':')[0]! : trimmed;
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(bare) ? bare.slice(7) : bare;
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = plainAddress(address);
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1';
}

/** `localhost`, `127.0.0.1:1880`, `[::1]:1880`: a Host header that names this machine. */
function namesThisMachine(host: string | undefined): boolean {
  if (host === undefined) return true;
  const name = host.trim().toLowerCase();
  const withoutPort = name.startsWith('[') ? name.replace(/\]:\d+$/, ']') : name.replace(/:\d+$/, '');
  return withoutPort === 'localhost' || withoutPort.endsWith('.localhost') || isLoopbackAddress(withoutPort);
}

/** Every client address a proxy named in its headers; undefined when one is not an address (`unknown`, `_x`). */
function forwardedAddresses(headers: IncomingHttpHeaders): string[] | undefined {
  const list = (value: string | string[] | undefined): string[] =>
    (Array.isArray(value) ? value.join(',') : (value ?? ''))
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  const named = [
    ...list(headers['x-forwarded-for']),
    ...CLIENT_ADDRESS_HEADERS.flatMap((name) => list(headers[name])),
    ...list(headers.forwarded).flatMap((element) =>
      element
        .split(';')
        .map((pair) => /^for=(.*)$/i.exec(pair.trim())?.[1])
        .filter((value): value is string => value !== undefined),
    ),
  ].map(plainAddress);
  return named.every((address) => isIP(address) !== 0) ? named : undefined;
}

function trustOf(req: RequestOrigin): TrustProxy | undefined {
  const trust = req.app?.get('trust proxy fn');
  return typeof trust === 'function' ? (trust as TrustProxy) : undefined;
}

/**
 * Whether the request was made on this machine and reached Node-RED directly (see the module comment). `trust`
 * defaults to the `trust proxy` setting of the Express application the request is in; a socket.io handshake has
 * none, so a forwarded one is never local.
 */
export function isLocalRequest(req: RequestOrigin, trust: TrustProxy | undefined = trustOf(req)): boolean {
  const socketAddress = req.socket.remoteAddress;
  if (!isLoopbackAddress(socketAddress)) return false;
  if (!namesThisMachine(req.headers.host)) return false;
  if (!FORWARDING_HEADERS.some((name) => req.headers[name] !== undefined)) return true;
  if (!trust?.(plainAddress(socketAddress!), 0)) return false;
  const named = forwardedAddresses(req.headers);
  return named !== undefined && named.length > 0 && named.every(isLoopbackAddress);
}

/**
 * Whether a browser sent this request from another site: `Sec-Fetch-Site` where the browser sends it, else an
 * `Origin` naming another host than the request's. Servers (webhooks, curl) send neither and are not refused.
 */
export function isCrossSiteRequest(req: Pick<RequestOrigin, 'headers'>): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return true;
  }
  const hosts = [req.headers.host, req.headers['x-forwarded-host']]
    .flatMap((value) => (Array.isArray(value) ? value : [value]))
    .filter((value): value is string => typeof value === 'string')
    .map((value) => value.split(',')[0]!.trim().toLowerCase());
  return !hosts.includes(originHost);
}

/** Methods that change something: the ones a cross-site request must not be allowed to make. */
export function changesState(method: string | undefined): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes((method ?? 'GET').toUpperCase());
}

/**
 * Whether another site's page makes this request through the operator's browser, other than by a link the
 * operator follows (a navigation, whose answer no script reads): its form would change something, and its script
 * would read the answer, since Node-RED's admin app answers CORS with `*` on every route of the instance.
 */
export function isCrossSitePageRequest(req: Pick<RequestOrigin, 'headers' | 'method'>): boolean {
  if (!isCrossSiteRequest(req)) return false;
  return changesState(req.method) || req.headers['sec-fetch-mode'] !== 'navigate';
}

/** Whether a body is declared as JSON, the only kind the package's operator routes take. */
export function isJsonBody(headers: IncomingHttpHeaders): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(headers['content-type'] ?? '');
}

/** username and password of an `Authorization: Basic` header. */
export function basicCredentials(
  authorization: string | undefined,
): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Checks a username and password (the settings file's, e.g. against Node-RED's adminAuth users). */
export type VerifyLogin = (username: string, password: string) => Promise<boolean>;

const VERIFIED_FOR_MS = 5 * 60_000;
const VERIFIED_KEPT = 1000;
/** Node-RED's own login (/auth/token) takes 5 tries per user in 10 minutes; the same password gets no more here. */
const FAILURES_ALLOWED = 5;
const FAILURE_WINDOW_MS = 10 * 60_000;
/** Failures remembered at most (the oldest forgotten first), so a flood of made-up users stays cheap to count. */
const FAILURES_KEPT = 10_000;

/**
 * A login check for surfaces a browser opens directly (the dashboard and its socket, the sandbox pages): HTTP
 * Basic, which the browser then repeats on the page's own requests. A password hash costs tens of ms to check,
 * so a header that passed is remembered (as a digest) for a few minutes instead of checked on every asset. After
 * 5 failures for a user in 10 minutes, that user's password is not checked (refused) until the window has passed.
 */
export function basicLogin(
  verify: VerifyLogin,
): (authorization: string | undefined) => Promise<string | undefined> {
  const verified = new Map<string, { username: string; until: number }>();
  let failures: { username: string; at: number }[] = [];
  return async (authorization) => {
    const credentials = basicCredentials(authorization);
    if (!credentials) return undefined;
    const digest = createHash('sha256').update(authorization!).digest('hex');
    const known = verified.get(digest);
    if (known && known.until > Date.now()) return known.username;
    const since = Date.now() - FAILURE_WINDOW_MS;
    failures = failures.filter((failure) => failure.at > since);
    const failed = failures.filter((failure) => failure.username === credentials.username).length;
    if (failed >= FAILURES_ALLOWED) return undefined;
    if (!(await verify(credentials.username, credentials.password))) {
      if (failures.length >= FAILURES_KEPT) failures.shift();
      failures.push({ username: credentials.username, at: Date.now() });
      return undefined;
    }
    failures = failures.filter((failure) => failure.username !== credentials.username);
    if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value!);
    verified.set(digest, { username: credentials.username, until: Date.now() + VERIFIED_FOR_MS });
    return credentials.username;
  };
}

/** Where a request's checked login is kept, for the dashboard plugin that names the user in `msg._client`. */
const OPERATOR = Symbol.for('node-red-contrib-dropship.operator');

export function operatorOf(req: object | undefined): string | undefined {
  return (req as { [OPERATOR]?: string } | undefined)?.[OPERATOR];
}

function rememberOperator(req: object, username: string): void {
  (req as { [OPERATOR]?: string })[OPERATOR] = username;
}

export interface OperatorGateOptions {
  /** The login to ask for; without one, only local requests are let through. */
  verify?: VerifyLogin;
  /** Named in the browser's login prompt. */
  realm?: string;
}

type Decision = { allowed: true; username?: string } | { allowed: false; status: 401 | 403; message: string };

function decider(options: OperatorGateOptions): (req: RequestOrigin) => Promise<Decision> {
  const login = options.verify ? basicLogin(options.verify) : undefined;
  return async (req) => {
    if (!login) {
      return isLocalRequest(req) && !isCrossSitePageRequest(req)
        ? { allowed: true }
        : {
            allowed: false,
            status: 403,
            message:
              'this Node-RED has no login: operator pages answer only requests made on its own machine, not through a proxy',
          };
    }
    const username = await login(req.headers.authorization);
    return username === undefined
      ? { allowed: false, status: 401, message: 'log in to use this page' }
      : { allowed: true, username };
  };
}

/**
 * Express middleware for an operator page: the login when there is one (401 with a Basic challenge otherwise),
 * else local requests only (403).
 */
export function operatorHttpGate(
  options: OperatorGateOptions,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  const decide = decider(options);
  const realm = options.realm ?? 'Node-RED operator';
  return (req, res, next) => {
    decide(req).then((decision) => {
      if (decision.allowed) {
        if (decision.username !== undefined) rememberOperator(req, decision.username);
        next();
        return;
      }
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      };
      if (decision.status === 401) headers['WWW-Authenticate'] = `Basic realm="${realm}", charset="UTF-8"`;
      res.writeHead(decision.status, headers);
      res.end(JSON.stringify({ error: { code: 'unauthorised', message: decision.message } }));
    }, next);
  };
}

/** The part of a socket.io socket the gate reads. */
interface HandshakingSocket {
  request: IncomingMessage;
  data?: Record<string, unknown>;
}

/**
 * socket.io middleware for the dashboard's socket (FlowFuse Dashboard's `dashboard.ioMiddleware`): the same
 * decision as the page, made on the handshake request, plus the same-origin check the dashboard applies when no
 * middleware is configured. The socket then carries the user (`socket.data.operator`).
 */
export function operatorSocketGate(
  options: OperatorGateOptions,
): (socket: HandshakingSocket, next: (err?: Error) => void) => void {
  const decide = decider(options);
  return (socket, next) => {
    if (isCrossSiteRequest(socket.request)) {
      next(new Error('cross-site connection refused'));
      return;
    }
    decide(socket.request).then(
      (decision) => {
        if (!decision.allowed) {
          next(new Error(decision.message));
          return;
        }
        if (decision.username !== undefined) {
          rememberOperator(socket.request, decision.username);
          if (socket.data) socket.data.operator = decision.username;
        }
        next();
      },
      (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
    );
  };
}

/** Compares a presented bearer token with the expected one in constant time. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const presented = Buffer.from(authorization?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
