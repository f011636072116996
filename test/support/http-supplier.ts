import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the supplier's order API received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body parsed as JSON (undefined when it is not JSON). */
  body: unknown;
  rawBody: string;
}

/** What the supplier does with one request. */
export type SupplierReply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Reads the request, then closes the connection without a word (a crash or a proxy cut mid-request). */
  | { kind: 'drop' }
  /** Reads the request and never answers (until the server stops). */
  | { kind: 'hang' };

export type ReplyScript = SupplierReply | ((request: RecordedRequest) => SupplierReply);

/** A supplier's line as this API reports it in a reply. */
export interface ReplyLine {
  sku: string;
  quantity: number;
  status: string;
  expectedShipDate?: string;
  reason?: string;
}

export function jsonReply(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  delayMs?: number,
): SupplierReply {
  return { kind: 'json', status, body, headers, delayMs };
}

/** 429 or 503 with Retry-After as the supplier words it (delta-seconds or an HTTP-date). */
export function retryAfterReply(status: 429 | 503, retryAfter: string): SupplierReply {
  return jsonReply(status, { error: 'try again later' }, { 'Retry-After': retryAfter });
}

/** The same reply, answered only after `delayMs`. */
export function slowReply(delayMs: number, reply: SupplierReply): SupplierReply {
  return reply.kind === 'json' ? { ...reply, delayMs } : reply;
}

export const dropConnection: SupplierReply = { kind: 'drop' };
export const neverAnswer: SupplierReply = { kind: 'hang' };

/** The lines of a PO document (as rest-json sends them) with the status `statusOf` gives each SKU. */
export function linesReply(request: RecordedRequest, statusOf: (sku: string) => string): ReplyLine[] {
  const lines = (request.body as { lines?: { sku: string; quantity: number }[] } | undefined)?.lines ?? [];
  return lines.map((line) => ({ sku: line.sku, quantity: line.quantity, status: statusOf(line.sku) }));
}

/**
 * A supplier's order API on 127.0.0.1 (random port): POST a purchase order as JSON, get `{id, status, lines}`
 * back. Every request is recorded with its headers and body. Replies are scripted per request, in order;
 * once the script runs out, each PO is accepted line by line under a reference derived from its
 * Idempotency-Key (a resend of the same key gets the same reference, as an idempotent API answers).
 */
export class HttpSupplier {
  readonly requests: RecordedRequest[] = [];
  /**
   * The order status API beside the order API: answers to `GET <path>` (e.g. "/orders/SO-1"), by path; a GET of
   * any other path is answered 404. GETs never take replies scripted for the orders.
   */
  readonly statusReplies = new Map<string, ReplyScript>();
  private readonly script: ReplyScript[] = [];
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/orders`;
  }

  /** Replies for the next requests, in order. */
  reply(...replies: ReplyScript[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Requests that carried this Idempotency-Key. */
  requestsFor(idempotencyKey: string): RecordedRequest[] {
    return this.requests.filter((r) => r.headers['idempotency-key'] === idempotencyKey);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.answer(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  private answer(req: http.IncomingMessage, rawBody: string, res: http.ServerResponse): void {
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body,
      rawBody,
    };
    this.requests.push(request);
    const next = request.method === 'GET' ? this.statusReply(request.path) : this.script.shift();
    const reply =
      next === undefined ? acceptEverything(request) : typeof next === 'function' ? next(request) : next;
    if (reply.kind === 'hang') return;
    if (reply.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    const send = (): void => {
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs);
    else send();
  }

  /** GETs to a path: the status requests a poller made. */
  getsOf(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && r.path === path);
  }

  private statusReply(path: string): ReplyScript {
    return this.statusReplies.get(path) ?? jsonReply(404, { error: 'no such order' });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

function acceptEverything(request: RecordedRequest): SupplierReply {
  const key = String(request.headers['idempotency-key'] ?? '');
  return jsonReply(201, {
    id: `SO-${key}`,
    status: 'accepted',
    lines: linesReply(request, () => 'accepted'),
  });
}
