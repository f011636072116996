import axios, { AxiosError, type AxiosRequestConfig } from 'axios';
import { DropshipError } from '../../../core/errors';
import type { PurchaseOrder } from '../../../core/model/purchase-order';
import {
  CancelUnsupportedError,
  SupplierPermanentError,
  SupplierTransientError,
  type CancelRequest,
  type CancelResult,
  type ChangeResult,
  type ConnectorContext,
  type DispatchResult,
  type LineAcknowledgement,
  type SupplierConnector,
} from '../../../core/ports/supplier-connector';
import type { SettingCondition } from '../../../core/ports/connector';
import { httpFailure, type RefusalWords } from '../../transports/http-failure';
import { clientCredentialsToken, forgetAccessToken, type ClientCredentialsGrant } from './oauth2';
import { purchaseOrderDocument } from './purchase-order-document';
import { PATH, readPath, textAt } from './reply-paths';
import {
  pollAcknowledgements,
  pollShipments,
  statusPollingSchema,
  type StatusPollingSettings,
} from './status-polling';
import { renderTemplate, TEMPLATE_FIELDS, templateProblems, templateScope } from './request-template';
import {
  cancelScope,
  changeDocument,
  changeScope,
  changeSettingsProperties,
  changeTemplateProblems,
  type ChangeSettings,
} from './change-requests';

export { parseRetryAfter } from '../../transports/http-failure';

/** Where each field of a line acknowledgement sits inside one element of the reply's line list. */
export interface LineFieldPaths {
  sku?: string;
  status?: string;
  quantity?: string;
  expectedShipDate?: string;
  reason?: string;
}

/**
 * A reply that means "I already have this purchase order" (the usual answer to a resend after a timeout, e.g.
 * HTTP 409 "reference already exists"): recorded as accepted, with the supplier's order id read from the reply.
 * A reply matches when its HTTP status is one of `httpStatuses` (when given) and the value at `bodyPath` is one
 * of `bodyValues` (when given); at least one of the two is required.
 */
export interface DuplicateAnswer {
  httpStatuses?: string[];
  bodyPath?: string;
  bodyValues?: string[];
  /** Dot path of the supplier's order id in that reply; the reply's `referencePath` when absent. */
  referencePath?: string;
}

export interface RestJsonSettings extends ChangeSettings {
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
  /** Dot path of a sentence explaining a refusal or backorder, in replies and error replies alike. */
  reasonPath?: string;
  /** Dot path of the supplier's own code for a refusal (e.g. "SKU_UNKNOWN"), in replies and error replies. */
  codePath?: string;
  /** Replies that mean the supplier already holds the PO: accepted, not refused. */
  duplicateAnswer?: DuplicateAnswer;
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
  /** Asking the supplier for each open PO's status (`GET /orders/{id}`): late acknowledgements and shipments. */
  statusPolling?: StatusPollingSettings;
}

export const restJsonSettingsSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      title: 'Order endpoint URL',
      description:
        'Where each purchase order is sent as JSON, e.g. https://api.supplier.example/v1/orders. Every send carries the PO number as Idempotency-Key, so a resend after a timeout is the same order.',
    },
    method: {
      enum: ['POST', 'PUT'],
      default: 'POST',
      title: 'HTTP method',
      description: 'How the order is sent: POST (most APIs) or PUT.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120000,
      default: 10000,
      title: 'Timeout (ms)',
      description:
        'How long to wait for the answer. No answer in time is an unknown outcome: the order is sent again later with the same PO number.',
    },
    auth: {
      enum: ['none', 'api-key', 'bearer', 'basic', 'oauth2-client-credentials'],
      default: 'none',
      title: 'Authentication',
      description:
        'api-key: the API key secret in a header; bearer: the bearer token secret; basic: user name and password; oauth2-client-credentials: a token fetched with the client id and secret from the token URL below.',
    },
    apiKeyHeader: {
      type: 'string',
      pattern: '^[A-Za-z0-9-]+$',
      default: 'X-Api-Key',
      title: 'API key header',
      description: 'The header that carries the API key (authentication api-key), e.g. X-Api-Key or Api-Key.',
    },
    oauth2: {
      type: 'object',
      title: 'OAuth2 client credentials',
      description: 'For authentication oauth2-client-credentials (RFC 6749 section 4.4).',
      required: ['tokenUrl'],
      properties: {
        tokenUrl: {
          type: 'string',
          format: 'uri',
          pattern: '^https?://',
          title: 'Token URL',
          description: "The supplier's token endpoint, e.g. https://auth.supplier.example/oauth/token.",
        },
        scope: {
          type: 'string',
          title: 'Scope',
          description: 'The scope to ask for, if the supplier wants one.',
        },
        audience: {
          type: 'string',
          title: 'Audience',
          description: 'The audience to ask for, if the supplier wants one (Auth0-style APIs).',
        },
        authMethod: {
          enum: ['basic', 'body'],
          default: 'basic',
          title: 'Client authentication',
          description:
            'basic: client id and secret in an Authorization header (recommended); body: in the form.',
        },
      },
      additionalProperties: false,
    },
    headers: {
      type: 'object',
      title: 'Extra headers',
      description: 'Fixed headers the supplier wants on every request, e.g. an account id or an API version.',
      propertyNames: { pattern: '^[A-Za-z0-9-]+$' },
      additionalProperties: { type: 'string', pattern: '^[^\\r\\n]*$' },
    },
    requestTemplate: {
      type: ['object', 'array'],
      title: 'Request body template (JSON)',
      description:
        'The body in the shape the supplier wants, e.g. {"ref": "{{po.number}}", "items": {"$each": "lines", "$item": {"sku": "{{line.sku}}", "qty": "{{line.quantity}}"}}}. Empty: the built-in document. Fields are checked when you deploy; a field the order lacks gives null. {{line.sku}} is the supplier\'s SKU where the catalogue has one, else yours.',
      'x-template-fields': TEMPLATE_FIELDS,
    },
    statusPath: {
      ...PATH,
      default: 'status',
      title: 'Status field in the reply',
      description: 'Dot path of the order status in the reply, e.g. status or data.state.',
    },
    referencePath: {
      ...PATH,
      default: 'id',
      title: 'Supplier reference field in the reply',
      description: "Dot path of the supplier's own order id in the reply, kept on the purchase order.",
    },
    reasonPath: {
      ...PATH,
      default: 'reason',
      title: 'Reason field in the reply',
      description:
        'Dot path of the sentence explaining a refusal or backorder, in replies and error replies (then error, message, error.message are tried), e.g. errors.0.detail.',
    },
    codePath: {
      ...PATH,
      default: 'code',
      title: 'Refusal code field in the reply',
      description:
        "Dot path of the supplier's own code for a refusal, e.g. errors.0.code (then error.code is tried); reported with the refusal.",
    },
    duplicateAnswer: {
      type: 'object',
      title: 'Answers meaning "already have it"',
      description:
        'How this supplier says it already has a purchase order (the answer to a resend after a timeout): such an answer is recorded as accepted, not refused, so the lines never go to a second supplier. Give the HTTP statuses, a reply field and its values, or both.',
      properties: {
        httpStatuses: {
          type: 'array',
          items: { type: 'string', pattern: '^[1-5][0-9][0-9]$' },
          title: 'HTTP statuses',
          description: 'e.g. 409. Leave empty to match on the reply field alone.',
        },
        bodyPath: {
          ...PATH,
          title: 'Field in the reply',
          description: 'Dot path of a field that says so, e.g. error.code.',
        },
        bodyValues: {
          type: 'array',
          items: { type: 'string' },
          minItems: 1,
          title: 'Values of that field',
          description: 'The values (any case) that mean "already have it", e.g. duplicate_reference.',
        },
        referencePath: {
          ...PATH,
          title: "Supplier's order id in that reply",
          description:
            'Dot path of the id of the order the supplier holds, e.g. error.existing_order_id. Empty: the supplier reference field above.',
        },
      },
      // A status, a body field, or both: an empty section would match nothing.
      anyOf: [
        { properties: { httpStatuses: true }, required: ['httpStatuses'] },
        { properties: { bodyPath: true }, required: ['bodyPath'] },
      ],
      dependentRequired: { bodyPath: ['bodyValues'], bodyValues: ['bodyPath'] },
      additionalProperties: false,
    },
    linesPath: {
      ...PATH,
      default: 'lines',
      title: 'Line list in the reply',
      description:
        'Dot path of the per-line list in the reply: lines with different statuses make a partial acceptance.',
    },
    lineFields: {
      type: 'object',
      title: 'Fields of each reply line',
      description: 'Dot paths inside each element of the line list.',
      properties: {
        sku: { ...PATH, default: 'sku', description: 'The SKU the supplier was sent (its own, or yours).' },
        status: {
          ...PATH,
          default: 'status',
          description: "The line's status, read with the status values.",
        },
        quantity: { ...PATH, default: 'quantity', description: 'The quantity the status is about.' },
        expectedShipDate: {
          ...PATH,
          default: 'expectedShipDate',
          description: 'When a backordered line is expected to ship.',
        },
        reason: { ...PATH, default: 'reason', description: 'Why the line was refused or backordered.' },
      },
      additionalProperties: false,
    },
    acceptedValues: {
      type: 'array',
      items: { type: 'string' },
      title: 'Status values meaning accepted',
      description:
        'Any case. Empty: accepted, confirmed, ok, created, received. Other values mean "sent, no answer yet".',
    },
    backorderedValues: {
      type: 'array',
      items: { type: 'string' },
      title: 'Status values meaning backordered',
      description: 'Any case. Empty: backordered, backorder, on_hold.',
    },
    rejectedValues: {
      type: 'array',
      items: { type: 'string' },
      title: 'Status values meaning rejected',
      description: 'Any case. Empty: rejected, declined, cancelled, refused.',
    },
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
    statusPolling: statusPollingSchema,
    ...changeSettingsProperties,
  },
  // An OAuth2 supplier needs its token endpoint.
  if: { properties: { auth: { const: 'oauth2-client-credentials' } }, required: ['auth'] },
  then: { properties: { oauth2: true }, required: ['oauth2'] },
  additionalProperties: false,
} as const;

const DEFAULT_ACCEPTED = ['accepted', 'confirmed', 'ok', 'created', 'received'];
const DEFAULT_BACKORDERED = ['backordered', 'backorder', 'on_hold'];
const DEFAULT_REJECTED = ['rejected', 'declined', 'cancelled', 'refused'];

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

/** The first of `paths` that holds text, with the path it was found at. */
function firstText(body: unknown, paths: string[]): { path: string; text: string } | undefined {
  for (const path of paths) {
    const text = textAt(body, path);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}

/**
 * What the supplier said in a reply: its reason at the configured `reasonPath` (then the common `error`,
 * `message`, `error.message`), its code at `codePath` (then `error.code`), each detail named by where it was found.
 */
function supplierWords(body: unknown, settings: RestJsonSettings): RefusalWords {
  const reason = firstText(body, [settings.reasonPath ?? 'reason', 'error', 'message', 'error.message']);
  const code = firstText(body, [settings.codePath ?? 'code', 'error.code']);
  const details = [code, reason]
    .filter((found) => found !== undefined)
    .map((found) => ({ path: found.path, message: found.text.slice(0, 200) }));
  return { reason: reason?.text, code: code?.text, details };
}

function isDuplicateAnswer(status: number, body: unknown, answer: DuplicateAnswer | undefined): boolean {
  if (!answer || (!answer.httpStatuses && !answer.bodyPath)) return false;
  if (answer.httpStatuses && !answer.httpStatuses.includes(String(status))) return false;
  if (!answer.bodyPath) return true;
  const value = textAt(body, answer.bodyPath)?.toLowerCase();
  return value !== undefined && (answer.bodyValues ?? []).some((v) => v.toLowerCase() === value);
}

function referenceAt(body: unknown, dotPath: string): string | undefined {
  const reference = readPath(body, dotPath);
  return typeof reference === 'string' || typeof reference === 'number' ? String(reference) : undefined;
}

/**
 * One request to the supplier's API with its authentication; a cached OAuth2 token the API no longer takes
 * (revoked, rotated) is fetched again and the request tried once more. Failures map to the contract's errors.
 */
async function exchange(
  ctx: ConnectorContext<RestJsonSettings>,
  request: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    url: string;
    data?: unknown;
    /** For requests that change something: a retry carries the same key. */
    idempotencyKey?: string;
    /** Error replies the caller reads itself instead of having them thrown (a duplicate answer). */
    keep?: (status: number, body: unknown) => boolean;
  },
): Promise<{ status: number; body: unknown }> {
  const { settings } = ctx;
  const send = async (): Promise<{ status: number; body: unknown }> => {
    const config: AxiosRequestConfig = {
      method: request.method,
      url: request.url,
      timeout: settings.timeoutMs ?? 10_000,
      headers: {
        ...settings.headers,
        ...(request.data === undefined ? {} : { 'Content-Type': 'application/json' }),
        Accept: 'application/json',
        ...(request.idempotencyKey ? { 'Idempotency-Key': request.idempotencyKey } : {}),
        ...(await authHeaders(settings, ctx.credentials, ctx.clock.now())),
      },
      data: request.data,
      signal: ctx.signal,
      maxRedirects: 0,
      validateStatus: (status) => status >= 200 && status < 300,
    };
    const response = await axios.request(config);
    return { status: response.status, body: response.data as unknown };
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
    const response = err instanceof AxiosError ? err.response : undefined;
    if (response && request.keep?.(response.status, response.data))
      return { status: response.status, body: response.data as unknown };
    throw httpFailure(err, ctx.clock.now(), (body) => supplierWords(body, settings));
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

/** GETs one order's status with the supplier's authentication; failures map as a send's do. */
function statusGetter(ctx: ConnectorContext<RestJsonSettings>): (url: string) => Promise<unknown> {
  return async (url) => (await exchange(ctx, { method: 'GET', url })).body;
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

/** A cancel request's body: the cancel template, else the built-in one (with the cancelled units when partial). */
function cancelBody(request: CancelRequest, ctx: ConnectorContext<RestJsonSettings>): unknown {
  const po = request.purchaseOrder;
  if (ctx.settings.cancelTemplate !== undefined)
    return renderTemplate(ctx.settings.cancelTemplate, cancelScope(request, ctx.supplierId));
  return {
    poNumber: po.number,
    supplierReference: po.supplierReference,
    reason: request.reason,
    ...(request.lines
      ? {
          lines: request.lines.map((line) => ({
            sku: line.supplierSku ?? line.sku,
            quantity: line.quantity,
          })),
        }
      : {}),
  };
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

  settingsProblems(settings) {
    return [
      ...(settings.requestTemplate === undefined ? [] : templateProblems(settings.requestTemplate)),
      ...changeTemplateProblems(settings),
    ];
  },

  async sendPurchaseOrder(request, ctx: ConnectorContext<RestJsonSettings>): Promise<DispatchResult> {
    const { settings } = ctx;
    const po = request.purchaseOrder;
    const data =
      settings.requestTemplate === undefined
        ? purchaseOrderDocument(request)
        : renderTemplate(settings.requestTemplate, templateScope(request, ctx.supplierId));
    ctx.log.debug(`${settings.method ?? 'POST'} ${po.number} to supplier ${ctx.supplierId}`);
    const { status, body: reply } = await exchange(ctx, {
      method: settings.method ?? 'POST',
      url: settings.url,
      data,
      idempotencyKey: po.number,
      keep: (status, body) => isDuplicateAnswer(status, body, settings.duplicateAnswer),
    });
    if (isDuplicateAnswer(status, reply, settings.duplicateAnswer)) {
      // The supplier holds this PO from an earlier send whose answer was lost: the same as accepting it.
      ctx.log.debug(`PO ${po.number}: supplier ${ctx.supplierId} already has it (HTTP ${status})`);
      return {
        outcome: 'accepted',
        supplierReference: referenceAt(
          reply,
          settings.duplicateAnswer?.referencePath ?? settings.referencePath ?? 'id',
        ),
        reason: `the supplier already had this purchase order (HTTP ${status})`,
      };
    }
    const lines = lineAcknowledgements(reply, settings);
    let outcome = classify(readPath(reply, settings.statusPath ?? 'status'), settings) ?? 'sent';
    if (lines && new Set(lines.map((l) => l.status)).size > 1) outcome = 'partial';
    const words = supplierWords(reply, settings);
    // Debug, not info: at a REST supplier's rate (hundreds a second) a log line per PO cost a twentieth of the
    // pipeline's CPU, and the outcome is in the order's events already.
    ctx.log.debug(`PO ${po.number} sent to supplier ${ctx.supplierId}: ${outcome}`);
    return {
      outcome,
      supplierReference: referenceAt(reply, settings.referencePath ?? 'id'),
      lines,
      reason: textAt(reply, settings.reasonPath ?? 'reason'),
      ...(outcome === 'rejected' && words.code ? { code: words.code } : {}),
    };
  },

  async *readAcknowledgements(ctx) {
    // Dispatch reads every deployed supplier: one that is not polled has nothing to say.
    if (ctx.settings.statusPolling) yield* pollAcknowledgements(ctx, statusGetter(ctx));
  },

  readsShipments: (settings) => settings.statusPolling !== undefined,

  async *readShipments(ctx) {
    if (!ctx.settings.statusPolling)
      throw new DropshipError(
        'configuration',
        `supplier ${ctx.supplierId} has no status polling set up: fill in its Status polling settings to read shipments from its API`,
        [{ path: '/statusPolling', message: 'is required to read shipments' }],
      );
    yield* pollShipments(ctx, statusGetter(ctx));
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
    const { body: reply } = await exchange(ctx, {
      method,
      url: cancelUrlFor(settings.cancelUrl, po, ctx.supplierId),
      data: method === 'DELETE' ? undefined : cancelBody(request, ctx),
      // Not the PO number itself: an API that keys idempotency on the header alone would replay the order's reply.
      idempotencyKey: request.changeId ?? `cancel-${po.number}`,
    });
    return { outcome: 'cancelled', supplierReference: referenceAt(reply, settings.referencePath ?? 'id') };
  },

  async changePurchaseOrder(request, ctx): Promise<ChangeResult> {
    const { settings } = ctx;
    const po = request.purchaseOrder;
    if (!settings.changeUrl)
      throw new CancelUnsupportedError(
        `supplier ${ctx.supplierId} has no change URL configured: its API cannot be asked to change a purchase order`,
      );
    const method = settings.changeMethod ?? 'PATCH';
    ctx.log.debug(`${method} change ${request.changeId} of ${po.number} to supplier ${ctx.supplierId}`);
    const { body: reply } = await exchange(ctx, {
      method,
      url: cancelUrlFor(settings.changeUrl, po, ctx.supplierId),
      data:
        settings.changeTemplate === undefined
          ? changeDocument(request)
          : renderTemplate(settings.changeTemplate, changeScope(request, ctx.supplierId)),
      idempotencyKey: request.changeId,
    });
    return { outcome: 'changed', supplierReference: referenceAt(reply, settings.referencePath ?? 'id') };
  },
};
