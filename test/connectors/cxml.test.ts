/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- parsed XML (an untyped library result) is walked freely in assertions */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import {
  OutcomeUnknownError,
  SupplierPermanentError,
  SupplierTransientError,
} from '../../core/ports/supplier-connector';
import { parseCxmlInbound } from '../../connectors/cxml/inbound';
import { parseUntrustedXml } from '../../connectors/cxml/safe-xml';
import { cxmlConnector, type CxmlSettings } from '../../connectors/suppliers/cxml/cxml';
import { connectorContext } from './support/context';
import { sampleDispatchRequest } from './support/dispatch-request';
import { FakeCxmlSupplier } from './peers/cxml-supplier';

const fixture = (name: string): string =>
  readFileSync(path.join(__dirname, '..', 'fixtures', 'cxml', name), 'utf8');

function settings(url: string): CxmlSettings {
  return {
    url,
    timeoutMs: 1500,
    from: { domain: 'NetworkID', identity: 'DROPSHIPCO' },
    to: { domain: 'DUNS', identity: '987654321' },
    sender: { domain: 'NetworkID', identity: 'DROPSHIPCO' },
    payloadDomain: 'shop.example.com',
    billTo: {
      name: 'Dropship Co',
      street: '1 Commerce Way',
      city: 'Austin',
      state: 'TX',
      postalCode: '78701',
      country: 'US',
    },
  };
}

const credentials = { sharedSecret: 'us-to-supplier-secret', inboundSharedSecret: 'supplier-to-us-secret' };

describe('cXML connector', () => {
  let supplier: FakeCxmlSupplier;
  beforeEach(async () => {
    supplier = await new FakeCxmlSupplier(credentials.sharedSecret).start();
  });
  afterEach(async () => supplier.stop());

  it('posts an OrderRequest with DOCTYPE, payloadID, credentials and the shared secret', async () => {
    const ctx = connectorContext(settings(supplier.url), credentials);
    const request = sampleDispatchRequest();
    const result = await cxmlConnector.sendPurchaseOrder(request, ctx);
    assert.equal(result.outcome, 'sent');
    const body = supplier.requests[0]!;
    assert.match(
      body,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE cXML SYSTEM "http:\/\/xml\.cxml\.org\/schemas\/cXML\/1\.2\.063\/cXML\.dtd">\n<cXML /,
    );
    const cxml = parseUntrustedXml(body, 'test').cXML as any;
    assert.match(
      cxml['@payloadID'],
      new RegExp(`^${request.purchaseOrder.number}\\.[0-9a-f]{12}@shop\\.example\\.com$`),
    );
    assert.equal(cxml['@timestamp'], '2026-11-21T08:00:00+00:00');
    assert.deepEqual(cxml.Header.From.Credential, [{ '@domain': 'NetworkID', Identity: 'DROPSHIPCO' }]);
    assert.deepEqual(cxml.Header.To.Credential, [{ '@domain': 'DUNS', Identity: '987654321' }]);
    assert.equal(cxml.Header.Sender.Credential[0].SharedSecret, 'us-to-supplier-secret');
    const header = cxml.Request.OrderRequest.OrderRequestHeader;
    assert.equal(header['@orderID'], request.purchaseOrder.number);
    assert.equal(header['@type'], 'new');
    assert.deepEqual(header.Total.Money, { '@currency': 'USD', '#text': '19.50' });
    const address = header.ShipTo.Address;
    assert.deepEqual(address.PostalAddress.DeliverTo, ['Ada Lovelace']);
    assert.deepEqual(address.PostalAddress.Street, ['12 Analytical Way']);
    assert.equal(address.PostalAddress.City, 'Portland');
    assert.equal(address.Phone.TelephoneNumber.Number, '+1 555 0100');
    assert.equal(address.Email, undefined, 'the consumer e-mail is not given to the supplier');
    assert.equal(header.BillTo.Address.Name['#text'], 'Dropship Co');
    const items = cxml.Request.OrderRequest.ItemOut;
    assert.deepEqual(
      items.map((i: any) => [
        i['@lineNumber'],
        i['@quantity'],
        i.ItemID.SupplierPartID,
        i.ItemID.BuyerPartID,
        i.ItemDetail.UnitPrice.Money['#text'],
      ]),
      [
        ['1', '2', 'SUP-MUG', 'MUG-01', '5.00'],
        ['2', '1', 'TEE-01', 'TEE-01', '9.50'],
      ],
    );
  });

  it('escapes markup in order data instead of letting it into the document', async () => {
    const ctx = connectorContext(settings(supplier.url), credentials);
    const request = sampleDispatchRequest();
    request.purchaseOrder.shipTo = {
      ...request.purchaseOrder.shipTo,
      line1: '1 <Evil> & "Main" St</Street><Injected/>',
    };
    await cxmlConnector.sendPurchaseOrder(request, ctx);
    const cxml = parseUntrustedXml(supplier.requests[0]!, 'test').cXML as any;
    assert.deepEqual(cxml.Request.OrderRequest.OrderRequestHeader.ShipTo.Address.PostalAddress.Street, [
      '1 <Evil> & "Main" St</Street><Injected/>',
    ]);
  });

  it('resends with the same payloadID and orderID, and the supplier keeps one order', async () => {
    const ctx = connectorContext(settings(supplier.url), credentials);
    const request = sampleDispatchRequest();
    await cxmlConnector.sendPurchaseOrder(request, ctx);
    ctx.clock.now = () => new Date('2026-11-21T09:00:00.000Z');
    await cxmlConnector.sendPurchaseOrder(request, ctx);
    const payloads = supplier.requests.map((b) => (parseUntrustedXml(b, 't').cXML as any)['@payloadID']);
    assert.equal(payloads.length, 2);
    assert.equal(payloads[0], payloads[1]);
    assert.equal(supplier.orders.size, 1);
  });

  it('maps cXML and HTTP failures to transient, permanent and unknown', async () => {
    const ctx = connectorContext(settings(supplier.url), credentials);
    const request = sampleDispatchRequest();
    const expect = async (
      mode: FakeCxmlSupplier['mode'],
      type: new (...a: never[]) => Error,
      message: RegExp,
    ): Promise<void> => {
      supplier.mode = mode;
      await assert.rejects(
        cxmlConnector.sendPurchaseOrder(request, ctx),
        (e: unknown) => e instanceof type && message.test(e.message),
      );
    };
    await expect('status-500', SupplierTransientError, /status 500 Internal Server Error/);
    await expect('status-400', SupplierPermanentError, /status 400 Bad Request/);
    await expect('http-503', SupplierTransientError, /HTTP 503/);
    await expect('not-cxml', OutcomeUnknownError, /not a cXML Response/);
    await expect('hang', OutcomeUnknownError, /no reply from supplier/);
    supplier.mode = 'ok';
    const wrongSecret = connectorContext(settings(supplier.url), { sharedSecret: 'nope' });
    await assert.rejects(
      cxmlConnector.sendPurchaseOrder(request, wrongSecret),
      (e: unknown) => e instanceof SupplierPermanentError && /401/.test((e as Error).message),
    );
  });

  it('reads the Retry-After of a 503', async () => {
    supplier.mode = 'http-503';
    const ctx = connectorContext(settings(supplier.url), credentials);
    await assert.rejects(
      cxmlConnector.sendPurchaseOrder(sampleDispatchRequest(), ctx),
      (e: unknown) => e instanceof SupplierTransientError && e.retryAfterMs === 7000,
    );
  });

  describe('cancelling', () => {
    const cancelRequest = () => ({ ...sampleDispatchRequest(), reason: 'backordered; no longer needed' });

    it('posts an OrderRequest type="delete" for the same orderID, referencing the original', async () => {
      const ctx = connectorContext(settings(supplier.url), credentials);
      const request = cancelRequest();
      await cxmlConnector.sendPurchaseOrder(request, ctx);
      const result = await cxmlConnector.cancelPurchaseOrder!(request, ctx);
      assert.equal(result.outcome, 'cancelled');
      const original = parseUntrustedXml(supplier.requests[0]!, 'test').cXML as any;
      const cancel = parseUntrustedXml(supplier.requests[1]!, 'test').cXML as any;
      const header = cancel.Request.OrderRequest.OrderRequestHeader;
      assert.deepEqual(
        [header['@orderID'], header['@type'], header.DocumentReference['@payloadID']],
        [request.purchaseOrder.number, 'delete', original['@payloadID']],
      );
      assert.match(
        header.Comments['#text'],
        new RegExp(`^CANCEL purchase order ${request.purchaseOrder.number}`),
      );
      assert.notEqual(cancel['@payloadID'], original['@payloadID']);
      assert.equal(supplier.deleted.get(request.purchaseOrder.number), 1);
    });

    it('sends the same payloadID again on a retry', async () => {
      const ctx = connectorContext(settings(supplier.url), credentials);
      const request = cancelRequest();
      await cxmlConnector.sendPurchaseOrder(request, ctx);
      await cxmlConnector.cancelPurchaseOrder!(request, ctx);
      ctx.clock.now = () => new Date('2026-11-21T09:00:00.000Z');
      await cxmlConnector.cancelPurchaseOrder!(request, ctx);
      const [, first, second] = supplier.requests.map(
        (b) => (parseUntrustedXml(b, 't').cXML as any)['@payloadID'],
      );
      assert.equal(first, second);
    });

    it('changes lines with an OrderRequest type="update" carrying the PO as it now stands', async () => {
      const ctx = connectorContext(settings(supplier.url), credentials);
      const sent = sampleDispatchRequest();
      await cxmlConnector.sendPurchaseOrder(sent, ctx);
      const previousLines = sent.purchaseOrder.lines;
      const changed = {
        ...sent,
        purchaseOrder: {
          ...sent.purchaseOrder,
          lines: previousLines.map((line, i) => (i === 0 ? { ...line, quantity: line.quantity - 1 } : line)),
        },
      };
      const changeId = `${sent.purchaseOrder.number}-C7`;
      const request = { ...changed, previousLines, changeId, reason: 'the customer cancelled one unit' };
      const result = await cxmlConnector.changePurchaseOrder!(request, ctx);
      assert.equal(result.outcome, 'changed');
      await cxmlConnector.changePurchaseOrder!(request, ctx);
      const original = parseUntrustedXml(supplier.requests[0]!, 'test').cXML as any;
      const update = parseUntrustedXml(supplier.requests[1]!, 'test').cXML as any;
      const header = update.Request.OrderRequest.OrderRequestHeader;
      assert.deepEqual(
        [header['@orderID'], header['@type'], header.DocumentReference['@payloadID']],
        [sent.purchaseOrder.number, 'update', original['@payloadID']],
      );
      // The resend carries the same payloadID: the supplier holds one update.
      const updates = supplier.updates.get(sent.purchaseOrder.number)!;
      assert.equal(updates.size, 1);
      const first = changed.purchaseOrder.lines[0]!;
      assert.equal([...updates.values()][0]![first.supplierSku ?? first.sku], first.quantity);
    });

    it('cancels some lines with an update keeping the others, and the whole PO with a delete', async () => {
      const ctx = connectorContext(settings(supplier.url), credentials);
      const sent = sampleDispatchRequest();
      await cxmlConnector.sendPurchaseOrder(sent, ctx);
      const [first, ...rest] = sent.purchaseOrder.lines;
      await cxmlConnector.cancelPurchaseOrder!(
        {
          ...sent,
          purchaseOrder: { ...sent.purchaseOrder, lines: rest },
          lines: [first!],
          changeId: 'C1',
          reason: 'customer cancelled a line',
        },
        ctx,
      );
      const update = parseUntrustedXml(supplier.requests[1]!, 'test').cXML as any;
      assert.equal(update.Request.OrderRequest.OrderRequestHeader['@type'], 'update');
      assert.equal(update.Request.OrderRequest.ItemOut.length, rest.length);
      assert.equal(supplier.deleted.size, 0);
    });

    it('maps the reply Status as for sends', async () => {
      const ctx = connectorContext(settings(supplier.url), credentials);
      await assert.rejects(
        cxmlConnector.cancelPurchaseOrder!(cancelRequest(), ctx),
        (e: unknown) =>
          e instanceof SupplierPermanentError && /status 400 Bad Request/.test((e as Error).message),
      );
      supplier.mode = 'status-500';
      await assert.rejects(cxmlConnector.cancelPurchaseOrder!(cancelRequest(), ctx), SupplierTransientError);
      supplier.mode = 'hang';
      await assert.rejects(cxmlConnector.cancelPurchaseOrder!(cancelRequest(), ctx), OutcomeUnknownError);
    });
  });
});

describe('cXML inbound documents', () => {
  const options = {
    sharedSecret: 'supplier-to-us-secret',
    supplierId: 'acme',
    receivedAt: '2026-11-21T15:00:00.000Z',
  };
  const sentLines = () => sampleDispatchRequest().purchaseOrder.lines;

  it('maps a detail ConfirmationRequest to a partial acknowledgement, lines named through the PO', () => {
    const document = parseCxmlInbound(fixture('confirmation-detail.xml'), {
      ...options,
      purchaseOrderLines: sentLines,
    });
    assert.equal(document.type, 'acknowledgement');
    if (document.type !== 'acknowledgement') return;
    assert.deepEqual(document.acknowledgement, {
      poNumber: 'POA1B2C3D4E5-1',
      outcome: 'partial',
      supplierReference: 'CONF-88123',
      lines: [
        {
          sku: 'MUG-01',
          orderLineId: '1',
          status: 'backordered',
          quantity: 2,
          expectedShipDate: '2026-12-04',
          reason: 'Next production run',
        },
        {
          sku: 'TEE-01',
          orderLineId: '2',
          status: 'accepted',
          quantity: 1,
          expectedShipDate: '2026-11-22',
          reason: undefined,
        },
      ],
      reason: 'One line is backordered, one short-shipped',
      receivedAt: options.receivedAt,
    });
  });

  it('maps a reject ConfirmationRequest and decodes predefined entities', () => {
    const document = parseCxmlInbound(fixture('confirmation-reject.xml'), options);
    assert.ok(document.type === 'acknowledgement');
    assert.equal(document.acknowledgement.outcome, 'rejected');
    assert.equal(document.acknowledgement.reason, 'Discontinued & no substitute');
  });

  it('maps a ShipNoticeRequest to in-transit events with carrier and lines', () => {
    const document = parseCxmlInbound(fixture('shipnotice-actual.xml'), options);
    assert.ok(document.type === 'shipment');
    assert.deepEqual(document.shipments, [
      {
        poNumber: 'POA1B2C3D4E5-1',
        carrier: 'UPSN',
        trackingNumber: '1Z999AA10123456784',
        status: 'in_transit',
        rawStatus: 'cXML ShipNotice actual',
        occurredAt: '2026-11-21T19:00:00.000Z',
        estimatedDelivery: '2026-11-25',
        lines: [{ sku: 'TEE-01', quantity: 1 }],
        source: 'cxml-shipnotice:acme',
      },
    ]);
    const planned = parseCxmlInbound(
      fixture('shipnotice-actual.xml').replace('shipmentType="actual"', 'shipmentType="planned"'),
      options,
    );
    assert.ok(planned.type === 'shipment');
    assert.equal(planned.shipments[0]!.status, 'info_received');
  });

  it('refuses external entities, entity expansion bombs and undeclared entities with a clear error', () => {
    for (const [file, reason] of [
      ['xxe-external-entity.xml', /entity declarations \(<!ENTITY\) are not accepted/],
      ['billion-laughs.xml', /entity declarations \(<!ENTITY\) are not accepted/],
      ['external-dtd-undeclared-entity.xml', /undeclared or external entity "&remote;"/],
    ] as const) {
      assert.throws(
        () => parseCxmlInbound(fixture(file), options),
        (e: unknown) => e instanceof DropshipError && e.code === 'invalid_input' && reason.test(e.message),
        file,
      );
    }
    assert.throws(() => parseUntrustedXml('<!DOCTYPE cXML [ ]><cXML/>', 'x'), /internal subset/);
    assert.throws(
      () => parseUntrustedXml('<!DOCTYPE html SYSTEM "x.dtd"><cXML/>', 'x'),
      /only <!DOCTYPE cXML SYSTEM/,
    );
    assert.throws(() => parseUntrustedXml('<cXML><a></cXML>', 'x'), /not well-formed XML/);
    assert.deepEqual(parseUntrustedXml('<cXML><![CDATA[a & b]]></cXML>', 'x'), { cXML: 'a & b' });
  });

  it('answers through the connector: 200 with the document, 401 for a wrong secret, 400 for a bomb', () => {
    const ctx = connectorContext(settings('http://127.0.0.1:1/'), credentials);
    const ok = cxmlConnector.receive(fixture('confirmation-reject.xml'), ctx);
    assert.equal(ok.httpStatus, 200);
    assert.match(ok.response, /<Status code="200" text="OK"\/>/);
    assert.equal(ok.document?.type, 'acknowledgement');
    const forged = cxmlConnector.receive(
      fixture('confirmation-reject.xml').replace('supplier-to-us-secret', 'guess'),
      ctx,
    );
    assert.equal(forged.httpStatus, 401);
    assert.equal(forged.document, undefined);
    const bomb = cxmlConnector.receive(fixture('billion-laughs.xml'), ctx);
    assert.equal(bomb.httpStatus, 400);
    assert.match(bomb.response, /<Status code="400" text="Bad Request">/);
    assert.ok(ctx.log.entries.every((e) => e.level !== 'info'));
  });
});
