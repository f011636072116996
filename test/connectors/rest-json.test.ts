import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import {
  CancelUnsupportedError,
  OutcomeUnknownError,
  SupplierPermanentError,
  SupplierTransientError,
} from '../../core/ports/supplier-connector';
import {
  cancelUrlFor,
  parseRetryAfter,
  restJsonConnector,
  type RestJsonSettings,
} from '../../connectors/suppliers/rest-json/rest-json';
import { connectorContext } from './support/context';
import { sampleDispatchRequest } from './support/dispatch-request';
import { FakeRestSupplier } from './peers/rest-supplier';

describe('rest-json connector', () => {
  let supplier: FakeRestSupplier;
  beforeEach(async () => {
    supplier = await new FakeRestSupplier().start();
  });
  afterEach(async () => supplier.stop());

  const apiKeySettings = (overrides: Partial<RestJsonSettings> = {}): RestJsonSettings => ({
    url: `${supplier.baseUrl}/orders`,
    auth: 'api-key',
    timeoutMs: 1000,
    ...overrides,
  });
  const apiKey = { apiKey: 'key-123' };

  it('keeps v1 behaviour: built-in document, Idempotency-Key, status and lines mapped', async () => {
    supplier.mode = 'backorder-one';
    const request = sampleDispatchRequest();
    const result = await restJsonConnector.sendPurchaseOrder(
      request,
      connectorContext(apiKeySettings(), apiKey),
    );
    assert.deepEqual(result, {
      outcome: 'partial',
      supplierReference: 'SO-1000',
      lines: [
        {
          sku: 'SUP-MUG',
          status: 'backordered',
          quantity: 2,
          expectedShipDate: '2026-12-04',
          reason: undefined,
        },
        { sku: 'TEE-01', status: 'accepted', quantity: 1, expectedShipDate: undefined, reason: undefined },
      ],
      reason: undefined,
    });
    const sent = supplier.requests[0]!;
    assert.equal(sent.headers['idempotency-key'], request.purchaseOrder.number);
    assert.equal((sent.body as { poNumber: string }).poNumber, request.purchaseOrder.number);
  });

  it('renders a declarative request template and maps a differently shaped reply', async () => {
    const settings = apiKeySettings({
      method: 'POST',
      headers: { 'X-Account': 'ACME-77' },
      requestTemplate: {
        external_ref: '{{po.number}}',
        note: 'Order {{order.reference}} via {{supplier.id}}',
        recipient: {
          full_name: '{{shipTo.name}}',
          street: ['{{shipTo.line1}}', '{{shipTo.line2}}'],
          zip: '{{shipTo.postalCode}}',
        },
        lines: {
          $each: 'lines',
          $item: { sku: '{{line.sku}}', quantity: '{{line.quantity}}', pos: '{{line.lineNumber}}' },
        },
      },
      statusPath: 'status',
      referencePath: 'id',
    });
    const request = sampleDispatchRequest();
    await restJsonConnector.sendPurchaseOrder(request, connectorContext(settings, apiKey));
    const sent = supplier.requests[0]!;
    assert.deepEqual(sent.body, {
      external_ref: request.purchaseOrder.number,
      note: 'Order 1001 via acme',
      recipient: { full_name: 'Ada Lovelace', street: ['12 Analytical Way', null], zip: '97201' },
      lines: [
        { sku: 'SUP-MUG', quantity: 2, pos: 1 },
        { sku: 'TEE-01', quantity: 1, pos: 2 },
      ],
    });
    assert.equal(sent.headers['x-account'], 'ACME-77');
  });

  it('names a misspelt template placeholder', async () => {
    const settings = apiKeySettings({ requestTemplate: { ref: '{{po.nubmer}}' } });
    await assert.rejects(
      restJsonConnector.sendPurchaseOrder(sampleDispatchRequest(), connectorContext(settings, apiKey)),
      (e: unknown) =>
        e instanceof DropshipError &&
        e.code === 'configuration' &&
        e.details[0]!.path === '/requestTemplate/ref',
    );
  });

  it('maps a reply with custom line paths', async () => {
    // The fake answers {id, status, lines:[{sku,quantity,status}]}; read it through non-default paths.
    const settings = apiKeySettings({
      linesPath: 'lines',
      lineFields: { sku: 'sku', status: 'status', quantity: 'quantity' },
      acceptedValues: ['accepted'],
    });
    const result = await restJsonConnector.sendPurchaseOrder(
      sampleDispatchRequest(),
      connectorContext(settings, apiKey),
    );
    assert.equal(result.outcome, 'accepted');
    assert.equal(result.lines?.length, 2);
  });

  it('gets an OAuth2 client-credentials token once, caches it, and renews it after a 401', async () => {
    const settings: RestJsonSettings = {
      url: `${supplier.baseUrl}/orders`,
      auth: 'oauth2-client-credentials',
      oauth2: { tokenUrl: `${supplier.baseUrl}/oauth/token`, scope: 'orders:write' },
    };
    const credentials = { clientId: supplier.clientId, clientSecret: supplier.clientSecret };
    const ctx = connectorContext(settings, credentials, { supplierId: 'oauth-supplier' });
    await restJsonConnector.sendPurchaseOrder(sampleDispatchRequest({}, 'ord-o1'), ctx);
    await restJsonConnector.sendPurchaseOrder(sampleDispatchRequest({}, 'ord-o2'), ctx);
    assert.equal(supplier.tokenRequests.length, 1, 'the token is cached');
    assert.equal(supplier.tokenRequests[0]!.form.get('scope'), 'orders:write');
    assert.equal(supplier.orders.size, 2);
    supplier.revokeTokens();
    await restJsonConnector.sendPurchaseOrder(sampleDispatchRequest({}, 'ord-o3'), ctx);
    assert.equal(supplier.tokenRequests.length, 2, 'a refused token is replaced');
    assert.equal(supplier.orders.size, 3);
    ctx.clock.now = () => new Date('2026-11-21T09:00:00.000Z'); // past the hour's lifetime
    await restJsonConnector.sendPurchaseOrder(sampleDispatchRequest({}, 'ord-o4'), ctx);
    assert.equal(supplier.tokenRequests.length, 3, 'an expired token is renewed before use');
    await assert.rejects(
      restJsonConnector.sendPurchaseOrder(
        sampleDispatchRequest({}, 'ord-o5'),
        connectorContext(
          { ...settings, oauth2: { ...settings.oauth2!, scope: 'other' } },
          { ...credentials, clientSecret: 'wrong' },
        ),
      ),
      (e: unknown) =>
        e instanceof SupplierPermanentError &&
        /OAuth2 token request refused with HTTP 401/.test((e as Error).message),
    );
  });

  it('sends the client credentials in the body when configured', async () => {
    const settings: RestJsonSettings = {
      url: `${supplier.baseUrl}/orders`,
      auth: 'oauth2-client-credentials',
      oauth2: { tokenUrl: `${supplier.baseUrl}/oauth/token`, authMethod: 'body', audience: 'orders-api' },
    };
    await restJsonConnector.sendPurchaseOrder(
      sampleDispatchRequest(),
      connectorContext(
        settings,
        { clientId: supplier.clientId, clientSecret: supplier.clientSecret },
        { supplierId: 'body-auth' },
      ),
    );
    assert.equal(supplier.tokenRequests[0]!.authorization, undefined);
    assert.equal(supplier.tokenRequests[0]!.form.get('audience'), 'orders-api');
  });

  it('honours Retry-After on 503 (seconds) and 429 (HTTP date), and classifies other failures', async () => {
    const ctx = connectorContext(apiKeySettings(), apiKey);
    const request = sampleDispatchRequest();
    supplier.mode = 'http-503';
    await assert.rejects(
      restJsonConnector.sendPurchaseOrder(request, ctx),
      (e: unknown) => e instanceof SupplierTransientError && e.retryAfterMs === 120_000,
    );
    supplier.mode = 'http-429';
    ctx.clock.now = () => new Date();
    await assert.rejects(
      restJsonConnector.sendPurchaseOrder(request, ctx),
      (e: unknown) =>
        e instanceof SupplierTransientError && e.retryAfterMs! > 55_000 && e.retryAfterMs! <= 60_000,
    );
    supplier.mode = 'http-500';
    await assert.rejects(restJsonConnector.sendPurchaseOrder(request, ctx), SupplierTransientError);
    supplier.mode = 'http-400';
    await assert.rejects(
      restJsonConnector.sendPurchaseOrder(request, ctx),
      (e: unknown) => e instanceof SupplierPermanentError && /unknown sku SUP-MUG/.test((e as Error).message),
    );
    supplier.mode = 'hang';
    await assert.rejects(restJsonConnector.sendPurchaseOrder(request, ctx), OutcomeUnknownError);
    assert.equal(parseRetryAfter('3', new Date()), 3000, 'v1 export still available');
  });

  describe('cancelling a purchase order', () => {
    const cancelRequest = (overrides: Parameters<typeof sampleDispatchRequest>[0] = {}) => ({
      ...sampleDispatchRequest(overrides),
      reason: 'lines moved to another supplier',
    });

    it('POSTs to the cancel URL with the PO number filled in, the auth and Idempotency-Key cancel-<PO>', async () => {
      const request = cancelRequest();
      const po = request.purchaseOrder;
      const ctx = connectorContext(
        apiKeySettings({ cancelUrl: `${supplier.baseUrl}/orders/{poNumber}/cancel` }),
        apiKey,
      );
      await restJsonConnector.sendPurchaseOrder(request, ctx);
      const result = await restJsonConnector.cancelPurchaseOrder!(request, ctx);
      assert.deepEqual(result, { outcome: 'cancelled', supplierReference: 'SO-1000' });
      const sent = supplier.requests[1]!;
      assert.deepEqual([sent.method, sent.url], ['POST', `/orders/${po.number}/cancel`]);
      assert.equal(sent.headers['idempotency-key'], `cancel-${po.number}`);
      assert.equal(sent.headers['x-api-key'], 'key-123');
      assert.deepEqual(sent.body, {
        poNumber: po.number,
        reason: 'lines moved to another supplier',
      });
      assert.equal(supplier.cancelled.get(po.number), 1);
    });

    it('DELETE to a URL naming the supplier reference: no body, the same key', async () => {
      const request = cancelRequest();
      const ctx = connectorContext(
        apiKeySettings({
          cancelUrl: `${supplier.baseUrl}/orders/{supplierReference}`,
          cancelMethod: 'DELETE',
        }),
        apiKey,
      );
      const sent = await restJsonConnector.sendPurchaseOrder(request, ctx);
      // The fake keeps orders by PO number; a reference it gave would be the same path segment.
      const withReference = cancelRequest({ supplierReference: request.purchaseOrder.number });
      assert.equal(sent.supplierReference, 'SO-1000');
      await restJsonConnector.cancelPurchaseOrder!(withReference, ctx);
      const [, cancel] = supplier.requests;
      assert.deepEqual(
        [cancel?.method, cancel?.url, cancel?.body],
        ['DELETE', `/orders/${request.purchaseOrder.number}`, undefined],
      );
      assert.equal(cancel?.headers['idempotency-key'], `cancel-${request.purchaseOrder.number}`);
      assert.equal(cancel?.headers['content-type'], undefined);
    });

    it('URL-encodes what it fills in, and needs the reference when the URL names it', () => {
      const po = cancelRequest({ supplierReference: 'SO 7/α' }).purchaseOrder;
      assert.equal(
        cancelUrlFor('https://api.example.com/o/{supplierReference}/cancel?po={poNumber}', po, 'acme'),
        `https://api.example.com/o/SO%207%2F%CE%B1/cancel?po=${po.number}`,
      );
      assert.throws(
        () =>
          cancelUrlFor(
            'https://api.example.com/o/{supplierReference}',
            { ...po, supplierReference: undefined },
            'acme',
          ),
        (e: unknown) => e instanceof SupplierPermanentError && /gave none/.test((e as Error).message),
      );
    });

    it('without a cancel URL says it cannot cancel, and sends nothing', async () => {
      await assert.rejects(
        restJsonConnector.cancelPurchaseOrder!(cancelRequest(), connectorContext(apiKeySettings(), apiKey)),
        (e: unknown) => e instanceof CancelUnsupportedError && /no cancel URL/.test((e as Error).message),
      );
      assert.equal(supplier.requests.length, 0);
    });

    it('maps failures as sends do: 404 refused, 503 transient with Retry-After, no answer unknown', async () => {
      const ctx = connectorContext(
        apiKeySettings({ cancelUrl: `${supplier.baseUrl}/orders/{poNumber}/cancel` }),
        apiKey,
      );
      await assert.rejects(
        restJsonConnector.cancelPurchaseOrder!(cancelRequest(), ctx),
        (e: unknown) =>
          e instanceof SupplierPermanentError && /HTTP 404: no order/.test((e as Error).message),
      );
      supplier.mode = 'http-503';
      await assert.rejects(
        restJsonConnector.cancelPurchaseOrder!(cancelRequest(), ctx),
        (e: unknown) => e instanceof SupplierTransientError && e.retryAfterMs === 120_000,
      );
      supplier.mode = 'hang';
      await assert.rejects(restJsonConnector.cancelPurchaseOrder!(cancelRequest(), ctx), OutcomeUnknownError);
    });

    it('the cancel URL setting takes {poNumber} and {supplierReference} and names any other placeholder', () => {
      const validate = (cancelUrl: string) =>
        validateWithInlineSchema(restJsonConnector.settingsSchema, apiKeySettings({ cancelUrl }), 'settings');
      validate('https://api.example.com/orders/{supplierReference}/cancel?po={poNumber}');
      assert.throws(
        () => validate('https://api.example.com/orders/{orderId}'),
        (e: unknown) => e instanceof DropshipError && e.details.some((d) => d.path.includes('cancelUrl')),
      );
    });
  });
});
