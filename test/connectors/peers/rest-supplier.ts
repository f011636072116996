import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RestSupplierMode =
  'ok' | 'backorder-one' | 'http-503' | 'http-429' | 'http-400' | 'http-500' | 'hang';

/**
 * A supplier order API in the common REST shape: POST /orders with a JSON body and an Idempotency-Key header
 * (a replay returns the first reply and creates nothing), Bearer or API-key auth, and an OAuth2 token endpoint
 * (client credentials grant, RFC 6749 section 4.4) that issues short-lived tokens. An order is withdrawn with
 * POST /orders/{poNumber}/cancel or DELETE /orders/{poNumber} (404 for an order it never took). GET /ping is
 * its harmless authenticated call.
 */
export class FakeRestSupplier {
  /** Orders created, by Idempotency-Key. */
  readonly orders = new Map<string, { body: unknown; reply: unknown }>();
  readonly requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: unknown }[] = [];
  /** Orders withdrawn, by PO number, with how many cancel requests reached each. */
  readonly cancelled = new Map<string, number>();
  tokenRequests: { authorization?: string; form: URLSearchParams }[] = [];
  mode: RestSupplierMode = 'ok';
  /** What GET /orders/{poNumber} answers for an order, once the supplier has news (status, carrier, tracking). */
  readonly statuses = new Map<string, Record<string, unknown>>();
  /** The credentials the API accepts. */
  apiKey = 'key-123';
  clientId = 'dropship-client';
  clientSecret = 's3cr3t:with/odd chars';
  tokenLifetimeSeconds = 3600;
  private readonly validTokens = new Set<string>();
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private tokenCounter = 0;

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Makes every token issued so far invalid, as a rotation on the supplier's side would. */
  revokeTokens(): void {
    this.validTokens.clear();
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  private json(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    if (req.url === '/oauth/token') {
      const form = new URLSearchParams(raw);
      this.tokenRequests.push({ authorization: req.headers.authorization, form });
      const expected = `Basic ${Buffer.from(`${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.clientSecret)}`).toString('base64')}`;
      const viaBody =
        form.get('client_id') === this.clientId && form.get('client_secret') === this.clientSecret;
      if (form.get('grant_type') !== 'client_credentials')
        return this.json(res, 400, { error: 'unsupported_grant_type' });
      if (req.headers.authorization !== expected && !viaBody)
        return this.json(res, 401, { error: 'invalid_client' });
      const token = `tok-${++this.tokenCounter}`;
      this.validTokens.add(token);
      return this.json(res, 200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: this.tokenLifetimeSeconds,
      });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const authorised =
      (bearer !== undefined && this.validTokens.has(bearer)) || req.headers['x-api-key'] === this.apiKey;
    if (!authorised) return this.json(res, 401, { error: 'unauthorized' });
    const body: unknown = raw === '' ? undefined : JSON.parse(raw);
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
    if (this.mode === 'hang') return;
    if (req.method === 'GET' || req.method === 'HEAD') return this.read(req, res);
    if (this.mode === 'http-503')
      return this.json(res, 503, { error: 'maintenance' }, { 'Retry-After': '120' });
    if (this.mode === 'http-429') {
      return this.json(
        res,
        429,
        { error: 'slow down' },
        { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() },
      );
    }
    if (this.mode === 'http-500') return this.json(res, 500, { error: 'boom' });
    if (this.mode === 'http-400') return this.json(res, 400, { error: 'unknown sku SUP-MUG' });
    const cancel =
      (req.method === 'POST' && /^\/orders\/([^/]+)\/cancel$/.exec(req.url ?? '')) ||
      (req.method === 'DELETE' && /^\/orders\/([^/]+)$/.exec(req.url ?? ''));
    if (cancel) {
      const poNumber = decodeURIComponent(cancel[1]!);
      const order = this.orders.get(poNumber);
      if (!order) return this.json(res, 404, { error: `no order ${poNumber}` });
      this.cancelled.set(poNumber, (this.cancelled.get(poNumber) ?? 0) + 1);
      return this.json(res, 200, { id: (order.reply as { id: string }).id, status: 'cancelled' });
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    const existing = this.orders.get(key);
    if (existing) return this.json(res, 200, existing.reply);
    const lines = (body as { lines?: { sku: string; quantity: number }[] }).lines ?? [];
    const reply = {
      id: `SO-${this.orders.size + 1000}`,
      status: this.mode === 'backorder-one' ? 'partial' : 'accepted',
      lines: lines.map((l, i) => ({
        sku: l.sku,
        quantity: l.quantity,
        status: this.mode === 'backorder-one' && i === 0 ? 'backordered' : 'accepted',
        expectedShipDate: this.mode === 'backorder-one' && i === 0 ? '2026-12-04' : undefined,
      })),
    };
    this.orders.set(key, { body, reply });
    this.json(res, 201, reply);
  }

  /**
   * GET /ping answers who is calling; GET /orders/{poNumber} an order's status (received until `statuses` says
   * more); orders are only ever POSTed, so /orders answers 405 to anything else.
   */
  private read(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.url === '/ping') return this.json(res, 200, { status: 'ok' });
    if (req.url === '/orders') return this.json(res, 405, { error: 'use POST' }, { Allow: 'POST' });
    const poNumber = /^\/orders\/([^/]+)$/.exec(req.url ?? '')?.[1];
    const order = poNumber && this.orders.get(decodeURIComponent(poNumber));
    if (poNumber && order) {
      const id = (order.reply as { id: string }).id;
      return this.json(res, 200, {
        id,
        status: 'received',
        ...this.statuses.get(decodeURIComponent(poNumber)),
      });
    }
    this.json(res, 404, { error: 'not found' });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
