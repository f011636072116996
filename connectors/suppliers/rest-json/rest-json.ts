import axios, { AxiosError, type AxiosRequestConfig } from 'axios';
import { DropshipError } from '../../../core/errors';
import type { PurchaseOrder } from '../../../core/model/purchase-order';
import {
  CancelUnsupportedError,
  SupplierPermanentError,
  SupplierTransientError,
  type CancelResult,
  type ConnectorContext,
  type DispatchResult,
  type LineAcknowledgement,
  type SupplierConnector,
} from '../../../core/ports/supplier-connector';
import type { SettingCondition } from '../../../core/ports/connector';
import { httpFailure } from '../../transports/http-failure';
import { clientCredentialsToken, forgetAccessToken, type ClientCredentialsGrant } from './oauth2';
import { purchaseOrderDocument } from './purchase-order-document';
import { renderTemplate, templateScope } from './request-template';

export { parseRetryAfter } from '../../transports/http-failure';

/** Where each field of a line acknowledgement sits inside one element of the reply's line list. */
export interface LineFieldPaths {
  sku?: string;
  status?: string;
  quantity?: string;
  expectedShipDate?: string;
  reason?: string;
}

export interface RestJsonSettings {
  /** Full URL the PO is sent to. */
  url: string;
  method?: 'POST' | 'PUT';
  timeoutMs?: number;
  auth?: 'none' | 'api-key' | 'bearer' | 'basic' | 'oauth2-client-credentials';
  /** Header that carries the API key when auth is "api-key". */
  apiKeyHeader?: string;
  /** OAuth2 client credentials grant: token endpoint, scope, audience, how the client authenticates. */
  oauth2?: { tokenUrl: string; scope?: string; audience?: string; authMethod?: 'basic' | 'body' };
  /** Extra static headers the supplier wants (account ids, API versions). */
  headers?: Record<string, string>;
  /** The request body as a JSON template (see request-template.ts); the built-in document when absent. */
  requestTemplate?: unknown;
  /** Dot path of the supplier's status in the reply, e.g. "status" or "data.state". */
  statusPath?: string;
  /** Dot path of the supplier's own order reference in the reply. */
  referencePath?: string;
  /** Dot path of a sentence explaining a refusal or backorder. */
  reasonPath?: string;
  /** Dot path of the per-line list in the reply. */
  linesPath?: string;
  lineFields?: LineFieldPaths;
  acceptedValues?: string[];
  backorderedValues?: string[];
  rejectedValues?: string[];
  /**
   * Where a PO is withdrawn; `{poNumber}` and `{supplierReference}` are filled in URL-encoded. Without it the
   * connector cannot cancel.
   */
  cancelUrl?: string;
  cancelMethod?: 'POST' | 'DELETE';
  /** What "Test connection" GETs with this supplier's authentication; without it, a HEAD request to `url`. */
  testUrl?: string;
}

const PATH = { type: 'string', pattern: '^[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*$' } as const;

export const restJsonSettingsSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string', format: 'uri', pattern: '^https?://', title: 'Order endpoint URL' },
    method: { enum: ['POST', 'PUT'], default: 'POST', title: 'HTTP method' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, default: 10000, title: 'Timeout (ms)' },
    auth: {
      enum: ['none', 'api-key', 'bearer', 'basic', 'oauth2-client-credentials'],
      default: 'none',
      title: 'Authentication',
    },
    apiKeyHeader: {
      type: 'string',
      pattern: '^[A-Za-z0-9-]+$',
      default: 'X-Api-Key',
      title: 'API key header',
    },
    oauth2: {
      type: 'object',
      title: 'OAuth2 client credentials',
      required: ['tokenUrl'],
      properties: {
        tokenUrl: { type: 'string', format: 'uri', pattern: '^https?://', title: 'Token URL' },
        scope: { type: 'string', title: 'Scope' },
        audience: { type: 'string', title: 'Audience' },
        authMethod: { enum: ['basic', 'body'], default: 'basic', title: 'Client authentication' },
      },
      additionalProperties: false,
    },
    headers: {
      type: 'object',
      title: 'Extra headers',
      propertyNames: { pattern: '^[A-Za-z0-9-]+$' },
      additionalProperties: { type: 'string', pattern: '^[^\\r\\n]*$' },
    },
    requestTemplate: { type: ['object', 'array'], title: 'Request body template (JSON)' },
    statusPath: { ...PATH, default: 'status', title: 'Status field in the reply' },
    referencePath: { ...PATH, default: 'id', title: 'Supplier reference field in the reply' },
    reasonPath: { ...PATH, default: 'reason', title: 'Reason field in the reply' },
    linesPath: { ...PATH, default: 'lines', title: 'Line list in the reply' },
    lineFields: {
      type: 'object',
      title: 'Fields of each reply line',
      properties: {
        sku: { ...PATH, default: 'sku' },
        status: { ...PATH, default: 'status' },
        quantity: { ...PATH, default: 'quantity' },
        expectedShipDate: { ...PATH, default: 'expectedShipDate' },
        reason: { ...PATH, default: 'reason' },
      },
      additionalProperties: false,
    },
    acceptedValues: { type: 'array', items: { type: 'string' }, title: 'Status values meaning accepted' },
    backorderedValues: {
      type: 'array',
      items: { type: 'string' },
      title: 'Status values meaning backordered',
    },
    rejectedValues: { type: 'array', items: { type: 'string' }, title: 'Status values meaning rejected' },
    cancelUrl: {
      type: 'string',
      // Not format "uri": the placeholders' braces are not URI characters until they are filled.
      pattern: '^https?://([^{}\\s]|\\{(poNumber|supplierReference)\\})+$',
      title: 'Cancel URL',
      description:
        'Where a purchase order is withdrawn (a backorder that failed over, an order cancelled by the operator), e.g. https://api.example.com/orders/{poNumber}/cancel. {poNumber} and {supplierReference} are filled in, URL-encoded. Empty: this supplier cannot be told by API and the operator is asked to withdraw the PO by hand.',
    },
    cancelMethod: {
      enum: ['POST', 'DELETE'],
      default: 'POST',
      title: 'Cancel method',
      description:
        'POST sends {poNumber, supplierReference, reason} as JSON; DELETE sends no body. Both carry the authentication and an Idempotency-Key cancel-<PO number>.',
    },
    testUrl: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      title: 'Test connection URL',
      description:
        "A harmless address of the supplier's API that the Test connection button GETs with this authentication, e.g. https://api.example.com/v1/ping or a product list. Empty: a HEAD request to the order endpoint URL, which shows the API is reachable but may not check the credentials. Orders never use it.",
    },
  },
  // An OAuth2 supplier needs its token endpoint.
  if: { properties: { auth: { const: 'oauth2-client-credentials' } }, required: ['auth'] },
  then: { properties: { oauth2: true }, required: ['oauth2'] },
  additionalProperties: false,
} as const;

const DEFAULT_ACCEPTED = ['accepted', 'confirmed', 'ok', 'created', 'received'];
const DEFAULT_BACKORDERED = ['backordered', 'backorder', 'on_hold'];
const DEFAULT_REJECTED = ['rejected', 'declined', 'cancelled', 'refused'];

export function readPath(value: unknown, dotPath: string): unknown {
  let current = value;
  for (const key of dotPath.split('.').filter(Boolean)) {
    if (current == null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function oauth2Grant(
  settings: RestJsonSettings,
  credentials: Record<string, string | undefined>,
): ClientCredentialsGrant {
  if (!settings.oauth2)
    throw new DropshipError('configuration', 'OAuth2 authentication needs the oauth2.tokenUrl setting');
  return {
    ...settings.oauth2,
    clientId: credentials.clientId ?? '',
    clientSecret: credentials.clientSecret ?? '',
    timeoutMs: settings.timeoutMs,
  };
}

async function authHeaders(
  settings: RestJsonSettings,
  credentials: Record<string, string | undefined>,
  now: Date,
): Promise<Record<string, string>> {
  switch (settings.auth ?? 'none') {
    case 'api-key':
      return { [settings.apiKeyHeader ?? 'X-Api-Key']: credentials.apiKey ?? '' };
    case 'bearer':
      return { Authorization: `Bearer ${credentials.token ?? ''}` };
    case 'basic':
      return {
        Authorization: `Basic ${Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64')}`,
      };
    case 'oauth2-client-credentials':
      return {
        Authorization: `Bearer ${await clientCredentialsToken(oauth2Grant(settings, credentials), now)}`,
      };
    default:
      return {};
  }
}

function classify(value: unknown, settings: RestJsonSettings): DispatchResult['outcome'] | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.toLowerCase();
  if ((settings.acceptedValues ?? DEFAULT_ACCEPTED).some((a) => a.toLowerCase() === v)) return 'accepted';
  if ((settings.backorderedValues ?? DEFAULT_BACKORDERED).some((a) => a.toLowerCase() === v))
    return 'backordered';
  if ((settings.rejectedValues ?? DEFAULT_REJECTED).some((a) => a.toLowerCase() === v)) return 'rejected';
  return undefined;
}

function lineAcknowledgements(reply: unknown, settings: RestJsonSettings): LineAcknowledgement[] | undefined {
  const lines = readPath(reply, settings.linesPath ?? 'lines');
  if (!Array.isArray(lines)) return undefined;
  const fields = settings.lineFields ?? {};
  const acks: LineAcknowledgement[] = [];
  for (const line of lines as unknown[]) {
    const sku = readPath(line, fields.sku ?? 'sku');
    const status = classify(readPath(line, fields.status ?? 'status'), settings);
    if (typeof sku !== 'string' || !status || status === 'sent' || status === 'partial') continue;
    const quantity = readPath(line, fields.quantity ?? 'quantity');
    const expectedShipDate = readPath(line, fields.expectedShipDate ?? 'expectedShipDate');
    const reason = readPath(line, fields.reason ?? 'reason');
    acks.push({
      sku,
      status,
      quantity: typeof quantity === 'number' ? quantity : 0,
      expectedShipDate: typeof expectedShipDate === 'string' ? expectedShipDate : undefined,
      reason: typeof reason === 'string' ? reason : undefined,
    });
  }
  return acks.length > 0 ? acks : undefined;
}

function refusalReason(body: unknown): string | undefined {
  const reason = readPath(body, 'error') ?? readPath(body, 'message');
  return typeof reason === 'string' ? reason : undefined;
}

/**
 * One request to the supplier's API with its authentication; a cached OAuth2 token the API no longer takes
 * (revoked, rotated) is fetched again and the request tried once more. Failures map to the contract's errors.
 */
async function exchange(
  ctx: ConnectorContext<RestJsonSettings>,
  request: { method: 'POST' | 'PUT' | 'DELETE'; url: string; data?: unknown; idempotencyKey: string },
): Promise<unknown> {
  const { settings } = ctx;
  const send = async (): Promise<unknown> => {
    const config: AxiosRequestConfig = {
      method: request.method,
      url: request.url,
      timeout: settings.timeoutMs ?? 10_000,
      headers: {
        ...settings.headers,
        ...(request.data === undefined ? {} : { 'Content-Type': 'application/json' }),
        Accept: 'application/json',
        'Idempotency-Key': request.idempotencyKey,
        ...(await authHeaders(settings, ctx.credentials, ctx.clock.now())),
      },
      data: request.data,
      signal: ctx.signal,
      maxRedirects: 0,
      validateStatus: (status) => status >= 200 && status < 300,
    };
    return (await axios.request(config)).data;
  };
  try {
    try {
      return await send();
    } catch (err) {
      if (
        settings.auth !== 'oauth2-client-credentials' ||
        !(err instanceof AxiosError) ||
        err.response?.status !== 401
      ) {
        throw err;
      }
      forgetAccessToken(oauth2Grant(settings, ctx.credentials));
      return await send();
    }
  } catch (err) {
    if (err instanceof DropshipError) throw err;
    throw httpFailure(err, ctx.clock.now(), refusalReason);
  }
}

/**
 * "Test connection": GET `testUrl` (else HEAD the order URL) with the supplier's authentication (an OAuth2 token
 * is fetched first). Nothing is sent that could create or change an order.
 */
async function testRestConnection(ctx: ConnectorContext<RestJsonSettings>): Promise<string> {
  const { settings } = ctx;
  const method = settings.testUrl ? 'GET' : 'HEAD';
  const url = settings.testUrl ?? settings.url;
  let status: number;
  try {
    const reply = await axios.request({
      method,
      url,
      timeout: settings.timeoutMs ?? 10_000,
      headers: {
        ...settings.headers,
        Accept: 'application/json',
        ...(await authHeaders(settings, ctx.credentials, ctx.clock.now())),
      },
      signal: ctx.signal,
      maxRedirects: 0,
      validateStatus: () => true,
    });
    status = reply.status;
  } catch (err) {
    if (err instanceof DropshipError) throw err;
    throw httpFailure(err, ctx.clock.now());
  }
  const answered = `${method} ${url} answered HTTP ${status}`;
  if (status === 401 || status === 403)
    throw new SupplierPermanentError(`${answered}: the supplier refused the credentials`);
  if (status >= 500) throw new SupplierTransientError(`${answered}: the supplier's server has a problem`);
  if (status >= 400 && settings.testUrl)
    throw new SupplierPermanentError(`${answered}: check the test connection URL`);
  if (status >= 400)
    return `${answered}: the API is reachable. Set a test connection URL to check the credentials too.`;
  return `${answered}: the API is reachable and took the credentials.`;
}

/** The cancel URL with the PO's number and the supplier's reference filled in, URL-encoded. */
export function cancelUrlFor(template: string, po: PurchaseOrder, supplierId: string): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    if (name === 'poNumber') return encodeURIComponent(po.number);
    if (name === 'supplierReference') {
      if (!po.supplierReference)
        throw new SupplierPermanentError(
          `the cancel URL needs the supplier's reference, and supplier ${supplierId} gave none for ${po.number}`,
        );
      return encodeURIComponent(po.supplierReference);
    }
    throw new DropshipError('configuration', `cancelUrl placeholder ${match} is unknown`);
  });
}

/** Fields (secrets, settings) that only one authentication method uses. */
function authIs(auth: NonNullable<RestJsonSettings['auth']>): SettingCondition {
  return { setting: 'auth', values: [auth] };
}

export const restJsonConnector: SupplierConnector<RestJsonSettings> = {
  kind: 'rest-json',
  title: 'REST API (JSON)',
  description:
    'Sends the purchase order as JSON (built-in document or your template) with an Idempotency-Key header and maps the reply status; API key, bearer, basic or OAuth2 client credentials.',
  settingsSchema: restJsonSettingsSchema,
  credentialFields: [
    { name: 'apiKey', label: 'API key', type: 'password', when: authIs('api-key') },
    { name: 'token', label: 'Bearer token', type: 'password', when: authIs('bearer') },
    { name: 'username', label: 'User name', type: 'text', when: authIs('basic') },
    { name: 'password', label: 'Password', type: 'password', when: authIs('basic') },
    { name: 'clientId', label: 'OAuth2 client id', type: 'text', when: authIs('oauth2-client-credentials') },
    {
      name: 'clientSecret',
      label: 'OAuth2 client secret',
      type: 'password',
      when: authIs('oauth2-client-credentials'),
    },
  ],
  settingConditions: {
    apiKeyHeader: authIs('api-key'),
    oauth2: authIs('oauth2-client-credentials'),
  },

  testConnection: testRestConnection,

  async sendPurchaseOrder(request, ctx: ConnectorContext<RestJsonSettings>): Promise<DispatchResult> {
    const { settings } = ctx;
    const po = request.purchaseOrder;
    const data =
      settings.requestTemplate === undefined
        ? purchaseOrderDocument(request)
        : renderTemplate(settings.requestTemplate, templateScope(request, ctx.supplierId));
    ctx.log.debug(`${settings.method ?? 'POST'} ${po.number} to supplier ${ctx.supplierId}`);
    const reply = await exchange(ctx, {
      method: settings.method ?? 'POST',
      url: settings.url,
      data,
      idempotencyKey: po.number,
    });
    const lines = lineAcknowledgements(reply, settings);
    let outcome = classify(readPath(reply, settings.statusPath ?? 'status'), settings) ?? 'sent';
    if (lines && new Set(lines.map((l) => l.status)).size > 1) outcome = 'partial';
    const reference = readPath(reply, settings.referencePath ?? 'id');
    const reason = readPath(reply, settings.reasonPath ?? 'reason');
    // Debug, not info: at a REST supplier's rate (hundreds a second) a log line per PO cost a twentieth of the
    // pipeline's CPU, and the outcome is in the order's events already.
    ctx.log.debug(`PO ${po.number} sent to supplier ${ctx.supplierId}: ${outcome}`);
    return {
      outcome,
      supplierReference:
        typeof reference === 'string' || typeof reference === 'number' ? String(reference) : undefined,
      lines,
      reason: typeof reason === 'string' ? reason : undefined,
    };
  },

  async cancelPurchaseOrder(request, ctx): Promise<CancelResult> {
    const { settings } = ctx;
    const po = request.purchaseOrder;
    if (!settings.cancelUrl)
      throw new CancelUnsupportedError(
        `supplier ${ctx.supplierId} has no cancel URL configured: its API cannot be asked to cancel`,
      );
    const method = settings.cancelMethod ?? 'POST';
    ctx.log.debug(`${method} cancel of ${po.number} to supplier ${ctx.supplierId}`);
    const reply = await exchange(ctx, {
      method,
      url: cancelUrlFor(settings.cancelUrl, po, ctx.supplierId),
      data:
        method === 'DELETE'
          ? undefined
          : { poNumber: po.number, supplierReference: po.supplierReference, reason: request.reason },
      // Not the PO number itself: an API that keys idempotency on the header alone would replay the order's reply.
      idempotencyKey: `cancel-${po.number}`,
    });
    const reference = readPath(reply, settings.referencePath ?? 'id');
    return {
      outcome: 'cancelled',
      supplierReference:
        typeof reference === 'string' || typeof reference === 'number' ? String(reference) : undefined,
    };
  },
};
