import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../../../core/store/open-store';
import { statusPollSchedule } from '../../../nodes/adapter/supplier-registry';
import { sentPurchaseOrder } from '../../support/withdrawals';
import { FakeRestSupplier, type RestSupplierMode } from '../peers';
import type { ConformanceHarness, FailureMode, PurchaseOrderContent } from './harness';

/** The built-in JSON document (connectors/suppliers/rest-json/purchase-order-document.ts) as the supplier reads it. */
interface OrderBody {
  poNumber: string;
  shipTo?: { postalCode?: string; country?: string };
  lines?: { sku?: string; buyerSku?: string; quantity: number }[];
}

function contentOf(body: OrderBody): PurchaseOrderContent {
  return {
    poNumber: body.poNumber,
    lines: (body.lines ?? []).map((l) => ({
      skus: [l.sku, l.buyerSku].filter((s): s is string => Boolean(s)),
      quantity: l.quantity,
    })),
    shipTo: { postalCode: body.shipTo?.postalCode, country: body.shipTo?.country },
  };
}

const CANCEL = /^\/orders\/([^/]+)\/cancel$/;

export const harness: ConformanceHarness = {
  kind: 'rest-json',
  async start() {
    const supplier = await new FakeRestSupplier().start();
    // Status polling asks about the open POs of the order store, with their schedule kept there.
    const dir = mkdtempSync(path.join(tmpdir(), 'dropship-conformance-rest-'));
    const store = await openStore({ engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') });
    const settings = {
      url: `${supplier.baseUrl}/orders`,
      auth: 'api-key',
      timeoutMs: 800,
      cancelUrl: `${supplier.baseUrl}/orders/{poNumber}/cancel`,
      testUrl: `${supplier.baseUrl}/ping`,
      statusPolling: { url: `${supplier.baseUrl}/orders/{{po.number}}`, intervalSeconds: 1 },
    };
    const credentials = { apiKey: supplier.apiKey };
    const modes: Record<FailureMode, RestSupplierMode> = {
      transient: 'http-503',
      permanent: 'http-400',
      unknown: 'hang',
    };
    return {
      settings,
      credentials,
      documents: async () =>
        supplier.requests
          .filter((r) => r.method === 'POST' && r.url === '/orders')
          .map((r) => ({
            id: String(r.headers['idempotency-key']),
            content: contentOf(r.body as OrderBody),
          })),
      ordersCreated: async () => supplier.orders.size,
      cancellations: async () =>
        supplier.requests.flatMap((r) => {
          const cancel = CANCEL.exec(r.url);
          return cancel
            ? [{ id: String(r.headers['idempotency-key']), poNumber: decodeURIComponent(cancel[1]!) }]
            : [];
        }),
      context: { statusPolls: statusPollSchedule(store, 'acme') },
      newRequest: async () => {
        const { order, po } = await sentPurchaseOrder(store, 'acme');
        return { order, purchaseOrder: po };
      },
      acknowledge: async (request, outcome) => {
        supplier.statuses.set(request.purchaseOrder.number, { status: outcome });
      },
      ship: async (request, trackingNumber) => {
        supplier.statuses.set(request.purchaseOrder.number, {
          status: 'shipped',
          carrier: 'UPS',
          trackingNumber,
          shippedAt: '2026-11-21T07:30:00.000Z',
        });
      },
      fail: async (mode) => {
        supplier.mode = modes[mode];
        return { settings, credentials };
      },
      recover: async () => {
        supplier.mode = 'ok';
      },
      stop: async () => {
        await supplier.stop();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  invalidSettings: (valid) => [
    { settings: { ...valid, url: 'ftp://supplier.example/orders' }, field: '/url' },
    { settings: { ...valid, auth: 'magic' }, field: '/auth' },
    { settings: { ...valid, auth: 'oauth2-client-credentials' }, field: '/oauth2' },
    { settings: { ...valid, headers: { 'X-Bad': 'a\r\nInjected: 1' } }, field: '/headers/X-Bad' },
  ],
};
