import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildCxmlResponse,
  cxmlTimestamp,
  newPayloadId,
  serializeCxml,
} from '../../../connectors/cxml/documents';
import { parseUntrustedXml } from '../../../connectors/cxml/safe-xml';

/** What the fake supplier stored for one OrderRequest it accepted. */
export interface ReceivedCxmlOrder {
  orderId: string;
  payloadId: string;
  body: string;
}

export type CxmlSupplierMode = 'ok' | 'status-500' | 'status-400' | 'http-503' | 'hang' | 'not-cxml';

/**
 * A supplier's cXML endpoint as the cXML User's Guide describes it: it reads the OrderRequest, checks the
 * Sender's SharedSecret (401 otherwise), answers `<Response><Status code="200" text="OK"/>`, and recognises a
 * resend by its orderID: the order is stored once and the resend gets 200 again. An OrderRequest with
 * `type="delete"` withdraws the order of that orderID; its DocumentReference must name the original's payloadID
 * (400 otherwise, and for an orderID it never received). An OrderRequest with `type="update"` replaces the order of
 * that orderID with its ItemOut, referenced the same way; an update whose payloadID it has seen is a resend. A
 * ProfileRequest is answered with a ProfileResponse.
 */
export class FakeCxmlSupplier {
  readonly orders = new Map<string, ReceivedCxmlOrder>();
  /** orderIDs withdrawn by an OrderRequest of type "delete", with how many such requests each got. */
  readonly deleted = new Map<string, number>();
  /** orderIDs replaced by an OrderRequest of type "update": the quantities per SupplierPartID, per update payloadID. */
  readonly updates = new Map<string, Map<string, Record<string, number>>>();
  readonly requests: string[] = [];
  mode: CxmlSupplierMode = 'ok';
  private server: http.Server | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(readonly sharedSecret: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/cxml/order`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(Buffer.concat(chunks).toString('utf8'), res));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  private reply(
    res: http.ServerResponse,
    httpStatus: number,
    code: number,
    text: string,
    message?: string,
  ): void {
    res.writeHead(httpStatus, { 'Content-Type': 'text/xml; charset=UTF-8' });
    res.end(buildCxmlResponse(code, text, newPayloadId(new Date(), 'supplier.example'), new Date(), message));
  }

  /** The ProfileResponse of the cXML User's Guide: the transactions this endpoint takes, and where. */
  private profile(res: http.ServerResponse): void {
    const now = new Date();
    res.writeHead(200, { 'Content-Type': 'text/xml; charset=UTF-8' });
    res.end(
      serializeCxml({
        cXML: {
          '@payloadID': newPayloadId(now, 'supplier.example'),
          '@timestamp': cxmlTimestamp(now),
          Response: {
            Status: { '@code': '200', '@text': 'OK' },
            ProfileResponse: {
              '@effectiveDate': cxmlTimestamp(now),
              Transaction: { '@requestName': 'OrderRequest', URL: this.url },
            },
          },
        },
      }),
    );
  }

  private handle(body: string, res: http.ServerResponse): void {
    this.requests.push(body);
    if (this.mode === 'hang') return; // never answers: the client times out
    if (this.mode === 'http-503') {
      res.writeHead(503, { 'Retry-After': '7' });
      res.end('maintenance');
      return;
    }
    if (this.mode === 'not-cxml') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>Thanks!</body></html>');
      return;
    }
    if (this.mode === 'status-500')
      return this.reply(res, 500, 500, 'Internal Server Error', 'Order queue unavailable');
    let cxml: Record<string, unknown>;
    try {
      cxml = parseUntrustedXml(body, 'OrderRequest').cXML as Record<string, unknown>;
    } catch (err) {
      return this.reply(res, 400, 400, 'Bad Request', (err as Error).message);
    }
    const header = cxml.Header as Record<string, Record<string, Array<Record<string, unknown>>>>;
    const secret = header.Sender?.Credential?.[0]?.SharedSecret;
    if (secret !== this.sharedSecret) return this.reply(res, 401, 401, 'Unauthorized');
    const request = cxml.Request as Record<string, unknown>;
    if ('ProfileRequest' in request) return this.profile(res);
    if (this.mode === 'status-400')
      return this.reply(res, 400, 400, 'Bad Request', 'Unknown SupplierPartID SUP-MUG');
    const orderHeader = ((cxml.Request as Record<string, unknown>).OrderRequest as Record<string, unknown>)
      .OrderRequestHeader as Record<string, string> & { DocumentReference?: Record<string, string> };
    const orderId = orderHeader['@orderID']!;
    if (orderHeader['@type'] === 'delete') {
      const original = this.orders.get(orderId);
      if (!original) return this.reply(res, 400, 400, 'Bad Request', `Unknown orderID ${orderId}`);
      if (orderHeader.DocumentReference?.['@payloadID'] !== original.payloadId)
        return this.reply(res, 400, 400, 'Bad Request', 'DocumentReference does not name the order');
      this.deleted.set(orderId, (this.deleted.get(orderId) ?? 0) + 1);
      return this.reply(res, 200, 200, 'OK');
    }
    if (orderHeader['@type'] === 'update') {
      const original = this.orders.get(orderId);
      if (!original) return this.reply(res, 400, 400, 'Bad Request', `Unknown orderID ${orderId}`);
      if (orderHeader.DocumentReference?.['@payloadID'] !== original.payloadId)
        return this.reply(res, 400, 400, 'Bad Request', 'DocumentReference does not name the order');
      const items = ((cxml.Request as Record<string, unknown>).OrderRequest as Record<string, unknown>)
        .ItemOut as Array<Record<string, unknown>>;
      const quantities: Record<string, number> = {};
      for (const item of items) {
        const part = (item.ItemID as Record<string, unknown>).SupplierPartID;
        quantities[String(part)] = Number(item['@quantity']);
      }
      const updates = this.updates.get(orderId) ?? new Map<string, Record<string, number>>();
      updates.set(cxml['@payloadID'] as string, quantities);
      this.updates.set(orderId, updates);
      return this.reply(res, 200, 200, 'OK');
    }
    if (!this.orders.has(orderId)) {
      this.orders.set(orderId, { orderId, payloadId: cxml['@payloadID'] as string, body });
    }
    this.reply(res, 200, 200, 'OK');
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
