import { parseUntrustedXml } from '../../../connectors/cxml/safe-xml';
import { FakeCxmlSupplier } from '../peers/cxml-supplier';
import { FakeRestSupplier } from '../peers/rest-supplier';
import { SmtpSupplier } from '../peers/smtp-supplier';
import type { ConformanceHarness, FailureMode } from './harness';

export const restJsonHarness: ConformanceHarness = {
  kind: 'rest-json',
  async start() {
    const supplier = await new FakeRestSupplier().start();
    const settings = { url: `${supplier.baseUrl}/orders`, auth: 'api-key', timeoutMs: 800 };
    const credentials = { apiKey: supplier.apiKey };
    const modes: Record<FailureMode, FakeRestSupplier['mode']> = {
      transient: 'http-503',
      permanent: 'http-400',
      unknown: 'hang',
    };
    return {
      settings,
      credentials,
      deliveries: async () => supplier.requests.map((r) => String(r.headers['idempotency-key'])),
      ordersCreated: async () => supplier.orders.size,
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
    { settings: { ...valid, url: 'ftp://supplier.example/orders' }, field: '/url' },
    { settings: { ...valid, auth: 'magic' }, field: '/auth' },
    { settings: { ...valid, auth: 'oauth2-client-credentials' }, field: '/oauth2' },
    { settings: { ...valid, headers: { 'X-Bad': 'a\r\nInjected: 1' } }, field: '/headers/X-Bad' },
  ],
};

export const cxmlHarness: ConformanceHarness = {
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
    const modes: Record<FailureMode, FakeCxmlSupplier['mode']> = {
      transient: 'status-500',
      permanent: 'status-400',
      unknown: 'hang',
    };
    const orderId = (body: string): string => {
      const cxml = parseUntrustedXml(body, 'OrderRequest').cXML as {
        Request: { OrderRequest: { OrderRequestHeader: Record<string, string> } };
      };
      return cxml.Request.OrderRequest.OrderRequestHeader['@orderID']!;
    };
    return {
      settings,
      credentials,
      deliveries: async () => supplier.requests.map(orderId),
      ordersCreated: async () => supplier.orders.size,
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

export const emailHarness: ConformanceHarness = {
  kind: 'email',
  async start() {
    const smtp = await new SmtpSupplier().start();
    const settings = {
      smtp: { host: '127.0.0.1', port: smtp.port },
      from: 'purchasing@dropship.test',
      to: 'orders@acme.test',
      timeoutMs: 1000,
    };
    const credentials = { username: smtp.username, password: smtp.password };
    const modes: Record<FailureMode, SmtpSupplier['mode']> = {
      transient: 'defer-451',
      permanent: 'refuse-550',
      unknown: 'hang-after-data',
    };
    return {
      settings,
      credentials,
      deliveries: async () => smtp.messages.map((m) => m.headers.get('x-po-number') as string),
      ordersCreated: async () => smtp.orderCount,
      fail: async (mode) => {
        smtp.mode = modes[mode];
        return { settings, credentials };
      },
      recover: async () => {
        smtp.mode = 'ok';
      },
      stop: () => smtp.stop(),
    };
  },
  invalidSettings: (valid) => [
    { settings: { ...valid, to: 'not-an-address' }, field: '/to' },
    { settings: { ...valid, smtp: { host: '127.0.0.1', port: 0 } }, field: '/smtp/port' },
    {
      settings: { ...valid, subjectTemplate: 'PO {poNumber}\r\nBcc: x@evil.test' },
      field: '/subjectTemplate',
    },
  ],
};
