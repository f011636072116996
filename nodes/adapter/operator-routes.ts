import type { EventEmitter } from 'node:events';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseUrl } from 'node:url';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  bearerMatches,
  changesState,
  isCrossSitePageRequest,
  isCrossSiteRequest,
  isJsonBody,
  isLocalRequest,
} from './operator-access';
import type { NodeAPI } from './node-red';

interface SecuritySettings {
  adminAuth?: unknown;
  httpNodeAuth?: unknown;
}

const refuse = (res: Response, status: number, code: string, message: string): void => {
  res.status(status).set('Cache-Control', 'no-store').json({ error: { code, message } });
};

/**
 * In front of every admin route of the package (after RED.auth.needsPermission): without an editor login
 * (adminAuth) only local requests (see isLocalRequest), so a proxy on the same machine does not open them; and,
 * for a request that changes something, a JSON body from the same site only, so another site's page cannot
 * post a form or text/plain body through the operator's browser (Node-RED's admin app answers CORS for `*`).
 */
export function operatorAdminRequest(RED: Pick<NodeAPI, 'settings'>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!(RED.settings as SecuritySettings).adminAuth && !isLocalRequest(req)) {
      refuse(
        res,
        403,
        'unauthorised',
        'this Node-RED has no editor login: its admin routes answer only requests made on its own machine',
      );
      return;
    }
    if (isCrossSitePageRequest(req)) {
      refuse(res, 403, 'cross_site', 'requests from another site are refused');
      return;
    }
    if (changesState(req.method) && !isJsonBody(req.headers)) {
      refuse(res, 415, 'invalid_input', 'the body must be application/json');
      return;
    }
    next();
  };
}

/**
 * The rule of the package's data routes on Node-RED's HTTP server (/dropship/api/*): the store's API token where
 * one is presented; else, with an editor login (adminAuth), a Node-RED admin token with `permission`; else, when
 * Node-RED checks a login for its HTTP nodes itself (httpNodeAuth), anyone it let in; else, with no store token
 * configured, local requests only (isLocalRequest: not through a proxy).
 */
export function operatorApiRequest(
  RED: Pick<NodeAPI, 'settings' | 'auth'>,
  apiToken: () => string | undefined,
  permission: string,
): RequestHandler {
  const adminLogin = RED.auth.needsPermission(permission) as RequestHandler;
  return (req: Request, res: Response, next: NextFunction) => {
    const token = apiToken();
    if (token && bearerMatches(req.headers.authorization, token)) {
      next();
      return;
    }
    const settings = RED.settings as SecuritySettings;
    if (settings.adminAuth) {
      adminLogin(req, res, next);
      return;
    }
    if (isCrossSitePageRequest(req)) {
      refuse(res, 403, 'cross_site', 'requests from another site are refused');
      return;
    }
    if (settings.httpNodeAuth || (!token && isLocalRequest(req))) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer');
    refuse(
      res,
      401,
      'unauthorised',
      token
        ? 'a bearer token is required'
        : 'this Node-RED has no login: the order API answers only requests made on its own machine, not through a proxy',
    );
  };
}

type ErrorWithStatus = Error & { status?: unknown; statusCode?: unknown; expose?: unknown; type?: unknown };

interface ExpressApp {
  parent?: ExpressApp;
  use(handler: (err: unknown, req: Request, res: Response, next: NextFunction) => void): void;
}

const errorAnswersOn = new WeakSet<object>();

/**
 * The last error handler of Node-RED's HTTP server, for every error no route answered: a body parser's (bad
 * JSON), a path that does not decode (`%ZZ`), a handler that threw. Express's own would answer an HTML page with
 * the stack trace and absolute paths while NODE_ENV is not production. Node-RED mounts its admin, node and
 * static apps on its root app before it loads nodes, so a handler added to the root now comes after all of them.
 */
export function installErrorAnswers(RED: Pick<NodeAPI, 'httpNode' | 'log'>): void {
  let root = RED.httpNode as unknown as ExpressApp;
  while (root.parent) root = root.parent;
  if (errorAnswersOn.has(root)) return;
  errorAnswersOn.add(root);
  root.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const error = (err instanceof Error ? err : new Error(String(err))) as ErrorWithStatus;
    const given = Number(error.status ?? error.statusCode);
    const status = Number.isInteger(given) && given >= 400 && given < 600 ? given : 500;
    // body-parser's errors say what was wrong with the request (expose), as does the router's for a path that does
    // not decode; another's message may name a file (a static file's ENOENT): the status's own words then.
    const aboutTheRequest = error.expose === true || error instanceof URIError;
    const message =
      status >= 500
        ? 'internal error'
        : aboutTheRequest
          ? error.message.slice(0, 200)
          : (STATUS_CODES[status] ?? 'invalid request');
    if (status >= 500) RED.log.error(`HTTP ${status}: ${error.message}`);
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .json({ error: { code: status < 500 ? 'invalid_input' : 'internal', message } });
  });
}

const editorSocketsGuarded = new WeakSet<object>();

/**
 * The editor pushes the debug sidebar (messages with order data) and node statuses over a WebSocket,
 * `<httpAdminRoot>comms`, whose upgrade bypasses Express and so any HTTP middleware; without an editor login it
 * asks for no token. Then, like the editor's pages, it is refused to a request that is not local, and to another
 * site's page (a WebSocket is not bound by CORS: any page the operator opens could connect to 127.0.0.1).
 */
export function guardEditorSocket(RED: Pick<NodeAPI, 'server' | 'settings'>): void {
  const settings = RED.settings as SecuritySettings & { httpAdminRoot?: string | false };
  const server = RED.server as unknown as EventEmitter | undefined;
  if (!server || settings.adminAuth || settings.httpAdminRoot === false) return;
  if (editorSocketsGuarded.has(server)) return;
  editorSocketsGuarded.add(server);
  const root = settings.httpAdminRoot || '/';
  const commsPath = `${root.startsWith('/') ? '' : '/'}${root}${root.endsWith('/') ? '' : '/'}comms`;
  server.prependListener('upgrade', (req: IncomingMessage, socket: Duplex) => {
    // The path as Node-RED's own upgrade listener reads it (url.parse: `/comms#x` is /comms too).
    if (parseUrl(req.url ?? '').pathname !== commsPath) return;
    if (isLocalRequest(req) && !isCrossSiteRequest(req)) return;
    // Node-RED's own listener runs next and finds the socket closed: it completes no upgrade on it.
    socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
}
