import axios, { AxiosError, type AxiosRequestConfig } from 'axios';
import type { ConnectorContext, DispatchResult, LineAcknowledgement, SupplierConnector } from '../../contract';
import { OutcomeUnknownError, SupplierPermanentError, SupplierTransientError } from '../../contract';
import { purchaseOrderDocument } from './purchase-order-document';

export interface RestJsonSettings {
  /** Full URL the PO is POSTed to. */
  url: string;
  timeoutMs?: number;
  auth?: 'none' | 'api-key' | 'bearer' | 'basic';
  /** Header that carries the API key when auth is "api-key". */
  apiKeyHeader?: string;
  /** Dot path of the supplier's status in the reply, e.g. "status" or "data.state". */
  statusPath?: string;
  /** Dot path of the supplier's own order reference in the reply. */
  referencePath?: string;
  acceptedValues?: string[];
  backorderedValues?: string[];
  rejectedValues?: string[];
}

export const restJsonSettingsSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string', format: 'uri', pattern: '^https?://', title: 'Order endpoint URL' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, default: 10000, title: 'Timeout (ms)' },
    auth: { enum: ['none', 'api-key', 'bearer', 'basic'], default: 'none', title: 'Authentication' },
    apiKeyHeader: { type: 'string', pattern: '^[A-Za-z0-9-]+$', default: 'X-Api-Key', title: 'API key header' },
    statusPath: { type: 'string', default: 'status', title: 'Status field in the reply' },
    referencePath: { type: 'string', default: 'id', title: 'Supplier reference field in the reply' },
    acceptedValues: { type: 'array', items: { type: 'string' }, title: 'Status values meaning accepted' },
    backorderedValues: { type: 'array', items: { type: 'string' }, title: 'Status values meaning backordered' },
    rejectedValues: { type: 'array', items: { type: 'string' }, title: 'Status values meaning rejected' },
  },
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

/** Retry-After is either seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function parseRetryAfter(header: unknown, now: Date): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

function authHeaders(settings: RestJsonSettings, credentials: Record<string, string | undefined>): Record<string, string> {
  switch (settings.auth ?? 'none') {
    case 'api-key':
      return { [settings.apiKeyHeader ?? 'X-Api-Key']: credentials.apiKey ?? '' };
    case 'bearer':
      return { Authorization: `Bearer ${credentials.token ?? ''}` };
    case 'basic':
      return {
        Authorization: `Basic ${Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64')}`,
      };
    default:
      return {};
  }
}

function classify(value: unknown, settings: RestJsonSettings): DispatchResult['outcome'] | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.toLowerCase();
  if ((settings.acceptedValues ?? DEFAULT_ACCEPTED).some((a) => a.toLowerCase() === v)) return 'accepted';
  if ((settings.backorderedValues ?? DEFAULT_BACKORDERED).some((a) => a.toLowerCase() === v)) return 'backordered';
  if ((settings.rejectedValues ?? DEFAULT_REJECTED).some((a) => a.toLowerCase() === v)) return 'rejected';
  return undefined;
}

function lineAcknowledgements(reply: unknown, settings: RestJsonSettings): LineAcknowledgement[] | undefined {
  const lines = readPath(reply, 'lines');
  if (!Array.isArray(lines)) return undefined;
  const acks: LineAcknowledgement[] = [];
  for (const line of lines as Record<string, unknown>[]) {
    const status = classify(line.status, settings);
    if (typeof line.sku !== 'string' || !status || status === 'sent' || status === 'partial') continue;
    acks.push({
      sku: line.sku,
      status,
      quantity: typeof line.quantity === 'number' ? line.quantity : 0,
      expectedShipDate: typeof line.expectedShipDate === 'string' ? line.expectedShipDate : undefined,
      reason: typeof line.reason === 'string' ? line.reason : undefined,
    });
  }
  return acks.length > 0 ? acks : undefined;
}

/** Maps an HTTP failure to the contract's error types: what may be retried, what may not, what is unknown. */
function failure(err: unknown, now: Date): Error {
  if (!(err instanceof AxiosError)) return new OutcomeUnknownError(String(err), { cause: err });
  const status = err.response?.status;
  if (status === undefined) {
    // No reply: a refused connection never reached the supplier; anything else may have.
    if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
      return new SupplierTransientError(`supplier unreachable (${err.code})`, undefined, { cause: err });
    }
    return new OutcomeUnknownError(`no reply from supplier (${err.code ?? err.message})`, { cause: err });
  }
  if (status === 429 || status === 503) {
    return new SupplierTransientError(
      `supplier answered HTTP ${status}`,
      parseRetryAfter(err.response?.headers['retry-after'], now),
      { cause: err },
    );
  }
  if (status === 408 || status === 504) return new OutcomeUnknownError(`supplier answered HTTP ${status}`, { cause: err });
  if (status >= 500) return new SupplierTransientError(`supplier answered HTTP ${status}`, undefined, { cause: err });
  const reason = readPath(err.response?.data, 'error') ?? readPath(err.response?.data, 'message');
  return new SupplierPermanentError(
    `supplier refused the PO with HTTP ${status}${typeof reason === 'string' ? `: ${reason.slice(0, 200)}` : ''}`,
    { cause: err },
  );
}

export const restJsonConnector: SupplierConnector<RestJsonSettings> = {
  kind: 'rest-json',
  title: 'REST API (JSON)',
  description: 'POSTs the purchase order as JSON with an Idempotency-Key header and reads the reply status.',
  settingsSchema: restJsonSettingsSchema,
  credentialFields: [
    { name: 'apiKey', label: 'API key' },
    { name: 'token', label: 'Bearer token' },
    { name: 'username', label: 'User name' },
    { name: 'password', label: 'Password' },
  ],

  async sendPurchaseOrder(request, ctx: ConnectorContext<RestJsonSettings>): Promise<DispatchResult> {
    const { settings } = ctx;
    const po = request.purchaseOrder;
    const config: AxiosRequestConfig = {
      method: 'POST',
      url: settings.url,
      timeout: settings.timeoutMs ?? 10_000,
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'Idempotency-Key': po.number,
        ...authHeaders(settings, ctx.credentials),
      },
      data: purchaseOrderDocument(request),
      signal: ctx.signal,
      maxRedirects: 0,
      validateStatus: (status) => status >= 200 && status < 300,
    };
    ctx.log.debug(`POST ${po.number} to supplier ${ctx.supplierId}`);
    let reply: unknown;
    try {
      reply = (await axios.request(config)).data;
    } catch (err) {
      throw failure(err, ctx.clock.now());
    }
    const lines = lineAcknowledgements(reply, settings);
    let outcome = classify(readPath(reply, settings.statusPath ?? 'status'), settings) ?? 'sent';
    if (lines && new Set(lines.map((l) => l.status)).size > 1) outcome = 'partial';
    const reference = readPath(reply, settings.referencePath ?? 'id');
    const reason = readPath(reply, 'reason');
    return {
      outcome,
      supplierReference: typeof reference === 'string' || typeof reference === 'number' ? String(reference) : undefined,
      lines,
      reason: typeof reason === 'string' ? reason : undefined,
    };
  },
};
