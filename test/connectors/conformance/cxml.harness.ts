import { attribute, child, children, parseUntrustedXml, text } from '../../../connectors/cxml/safe-xml';
import { FakeCxmlSupplier, type CxmlSupplierMode } from '../peers';
import type { ConformanceHarness, FailureMode, PurchaseOrderContent } from './harness';

/** An OrderRequest as the supplier reads it: its payloadID, type, orderID, items and ship-to (none for other requests). */
function readOrderRequest(
  body: string,
): { id: string; type: string; content: PurchaseOrderContent } | undefined {
  const cxml = child(parseUntrustedXml(body, 'OrderRequest'), 'cXML');
  const order = child(child(cxml, 'Request'), 'OrderRequest');
  if (!order) return undefined;
  const header = child(order, 'OrderRequestHeader');
  const address = child(child(header, 'ShipTo'), 'Address');
  const postal = child(address, 'PostalAddress');
  return {
    id: attribute(cxml, 'payloadID') ?? '',
    type: attribute(header, 'type') ?? '',
    content: {
      poNumber: attribute(header, 'orderID') ?? '',
      lines: children(order, 'ItemOut').map((item) => {
        const id = child(item, 'ItemID');
        return {
          skus: [text(child(id, 'SupplierPartID')), text(child(id, 'BuyerPartID'))].filter((s): s is string =>
            Boolean(s),
          ),
          quantity: Number(attribute(item, 'quantity')),
        };
      }),
      shipTo: {
        postalCode: text(child(postal, 'PostalCode')),
        country: attribute(child(postal, 'Country'), 'isoCountryCode'),
      },
    },
  };
}

export const harness: ConformanceHarness = {
  kind: 'cxml',
  async start() {
    const credentials = { sharedSecret: 'conformance-secret', inboundSharedSecret: 'supplier-secret' };
    const supplier = await new FakeCxmlSupplier(credentials.sharedSecret).start();
    const settings = {
      url: supplier.url,
      timeoutMs: 800,
      from: { domain: 'NetworkID', identity: 'DROPSHIPCO' },
      to: { domain: 'DUNS', identity: '987654321' },
      sender: { domain: 'NetworkID', identity: 'DROPSHIPCO' },
      billTo: { name: 'Dropship Co', street: '1 Commerce Way', city: 'Austin', country: 'US' },
    };
    const modes: Record<FailureMode, CxmlSupplierMode> = {
      transient: 'status-500',
      permanent: 'status-400',
      unknown: 'hang',
    };
    const received = () => supplier.requests.flatMap((body) => readOrderRequest(body) ?? []);
    return {
      settings,
      credentials,
      documents: async () =>
        received()
          .filter((r) => r.type !== 'delete')
          .map(({ id, content }) => ({ id, content })),
      ordersCreated: async () => supplier.orders.size,
      cancellations: async () =>
        received()
          .filter((r) => r.type === 'delete')
          .map((r) => ({ id: r.id, poNumber: r.content.poNumber })),
      fail: async (mode) => {
        supplier.mode = modes[mode];
        return { settings, credentials };
      },
      recover: async () => {
        supplier.mode = 'ok';
      },
      stop: () => supplier.stop(),
    };
  },
  invalidSettings: (valid) => [
    { settings: { ...valid, url: 'not a url' }, field: '/url' },
    {
      settings: { ...valid, billTo: { ...(valid.billTo as object), country: 'USA' } },
      field: '/billTo/country',
    },
    { settings: { ...valid, from: { domain: 'DUNS' } }, field: '/from/identity' },
  ],
};
