import axios from 'axios';
import { DropshipError } from '../../../core/errors';
import {
  OutcomeUnknownError,
  SupplierPermanentError,
  SupplierTransientError,
} from '../../../core/ports/supplier-connector';
import type {
  CancelResult,
  ChangeResult,
  ConnectorContext,
  DispatchRequest,
  DispatchResult,
  SupplierConnector,
} from '../../../core/ports/supplier-connector';
import {
  buildCxmlResponse,
  buildOrderRequest,
  buildProfileRequest,
  newPayloadId,
  parseCxmlResponse,
  type CxmlBillTo,
  type CxmlCredential,
  type CxmlStatus,
  type OrderRevision,
} from '../../cxml/documents';
import { parseCxmlInbound, type CxmlInboundDocument, type CxmlInboundOptions } from '../../cxml/inbound';
import { httpFailure } from '../../transports/http-failure';

export interface CxmlSettings {
  /** The supplier's cXML endpoint for OrderRequests. */
  url: string;
  timeoutMs?: number;
  from: CxmlCredential;
  to: CxmlCredential;
  sender: CxmlCredential;
  deploymentMode?: 'production' | 'test';
  /** Host part of our payloadIDs, e.g. "shop.example.com". */
  payloadDomain?: string;
  billTo: CxmlBillTo;
  classificationDomain?: string;
  classificationCode?: string;
}

const CREDENTIAL = {
  type: 'object',
  required: ['domain', 'identity'],
  properties: {
    domain: { type: 'string', minLength: 1, maxLength: 64 },
    identity: { type: 'string', minLength: 1, maxLength: 128 },
  },
  additionalProperties: false,
} as const;

export const cxmlSettingsSchema = {
  type: 'object',
  required: ['url', 'from', 'to', 'sender', 'billTo'],
  properties: {
    url: { type: 'string', format: 'uri', pattern: '^https?://', title: 'cXML OrderRequest URL' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, default: 30000, title: 'Timeout (ms)' },
    from: { ...CREDENTIAL, title: 'From credential (us)' },
    to: { ...CREDENTIAL, title: 'To credential (supplier)' },
    sender: { ...CREDENTIAL, title: 'Sender credential' },
    deploymentMode: { enum: ['production', 'test'], default: 'production', title: 'Deployment mode' },
    payloadDomain: {
      type: 'string',
      pattern: '^[A-Za-z0-9.-]+$',
      default: 'dropship.invalid',
      title: 'payloadID domain',
    },
    billTo: {
      type: 'object',
      title: 'Bill-to (our company)',
      required: ['name', 'street', 'city', 'country'],
      properties: {
        name: { type: 'string', minLength: 1 },
        street: { type: 'string', minLength: 1 },
        city: { type: 'string', minLength: 1 },
        state: { type: 'string' },
        postalCode: { type: 'string' },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
      additionalProperties: false,
    },
    classificationDomain: { type: 'string', default: 'UNSPSC', title: 'Item classification domain' },
    classificationCode: { type: 'string', default: '00000000', title: 'Item classification code' },
  },
  additionalProperties: false,
} as const;

/**
 * cXML status codes (cXML User's Guide, "Status"): 2xx success, 4xx the request is wrong and resending it will
 * not help, 5xx a transient server problem worth a retry.
 */
function statusFailure(code: number, text: string): Error | undefined {
  if (code >= 200 && code < 300) return undefined;
  const message = `cXML supplier answered status ${code} ${text}`.trim();
  if (code >= 500) return new SupplierTransientError(message);
  return new SupplierPermanentError(message);
}

export interface CxmlConnector extends SupplierConnector<CxmlSettings> {
  /**
   * For the HTTP endpoint a supplier posts ConfirmationRequest / ShipNoticeRequest to: the parsed document
   * and the cXML Response to send back (200, or 400/401 with the reason). Never throws for bad input.
   */
  receive(
    body: string,
    ctx: ConnectorContext<CxmlSettings>,
    purchaseOrderLines?: CxmlInboundOptions['purchaseOrderLines'],
  ): { document?: CxmlInboundDocument; httpStatus: number; response: string; error?: DropshipError };
}

export const cxmlConnector: CxmlConnector = {
  kind: 'cxml',
  title: 'cXML (OrderRequest)',
  description:
    'POSTs a cXML 1.2 OrderRequest with the shared secret and reads the synchronous Response/Status; cancels with an OrderRequest of type "delete" and changes lines with one of type "update"; receives ConfirmationRequest and ShipNoticeRequest.',
  settingsSchema: cxmlSettingsSchema,
  credentialFields: [
    { name: 'sharedSecret', label: 'Shared secret (sent to the supplier)', type: 'password' },
    { name: 'inboundSharedSecret', label: 'Shared secret the supplier sends us', type: 'password' },
  ],

  /** A ProfileRequest with our credentials: every cXML server answers it, and it orders nothing. */
  async testConnection(ctx) {
    const body = buildProfileRequest(
      {
        ...ctx.settings,
        sharedSecret: sharedSecretOf(ctx),
        payloadDomain: ctx.settings.payloadDomain ?? 'dropship.invalid',
      },
      ctx.clock.now(),
    );
    const status = await exchangeCxml(ctx, body, 'cXML ProfileRequest');
    return `The cXML endpoint answered a ProfileRequest with ${status.code} ${status.text}: the shared secret was accepted.`;
  },

  async sendPurchaseOrder(request, ctx): Promise<DispatchResult> {
    const status = await postOrderRequest(request, ctx);
    return { outcome: 'sent', supplierReference: status.payloadId, reason: status.message };
  },

  /** A whole PO: an OrderRequest type="delete". Some lines: type="update" with the lines the supplier keeps. */
  async cancelPurchaseOrder(request, ctx): Promise<CancelResult> {
    const status = await postOrderRequest(
      request,
      ctx,
      request.lines
        ? { type: 'update', reason: request.reason, id: request.changeId }
        : { type: 'delete', reason: request.reason },
    );
    return { outcome: 'cancelled', supplierReference: status.payloadId, reason: status.message };
  },

  /** An OrderRequest type="update": the whole PO again with its lines as they now stand. */
  async changePurchaseOrder(request, ctx): Promise<ChangeResult> {
    const status = await postOrderRequest(request, ctx, {
      type: 'update',
      reason: request.reason,
      id: request.changeId,
    });
    return { outcome: 'changed', supplierReference: status.payloadId, reason: status.message };
  },

  receive(body, ctx, purchaseOrderLines) {
    const now = ctx.clock.now();
    const payloadId = newPayloadId(now, ctx.settings.payloadDomain ?? 'dropship.invalid');
    try {
      const document = parseCxmlInbound(body, {
        sharedSecret: ctx.credentials.inboundSharedSecret ?? '',
        supplierId: ctx.supplierId,
        receivedAt: now.toISOString(),
        purchaseOrderLines,
      });
      return { document, httpStatus: 200, response: buildCxmlResponse(200, 'OK', payloadId, now) };
    } catch (err) {
      if (!(err instanceof DropshipError)) throw err;
      const unauthorized = err.code === 'bad_signature';
      ctx.log.warn(`cXML document from supplier ${ctx.supplierId} refused: ${err.message}`);
      return {
        httpStatus: unauthorized ? 401 : 400,
        response: buildCxmlResponse(
          unauthorized ? 401 : 400,
          unauthorized ? 'Unauthorized' : 'Bad Request',
          payloadId,
          now,
          err.message,
        ),
        error: err,
      };
    }
  },
};

/**
 * POSTs the OrderRequest of a PO (a new order, or with `cancel` its withdrawal) and returns the supplier's 2xx
 * Status; any other answer is thrown as the contract's error.
 */
async function postOrderRequest(
  request: DispatchRequest,
  ctx: ConnectorContext<CxmlSettings>,
  revision?: OrderRevision,
): Promise<CxmlStatus> {
  const { settings } = ctx;
  const secret = sharedSecretOf(ctx);
  const payloadDomain = settings.payloadDomain ?? 'dropship.invalid';
  const body = buildOrderRequest(
    request,
    { ...settings, sharedSecret: secret, payloadDomain },
    ctx.clock.now(),
    revision,
  );
  const po = request.purchaseOrder;
  const what = `cXML OrderRequest ${revision ? `type="${revision.type}" ` : ''}${po.number}`;
  const status = await exchangeCxml(ctx, body, what);
  ctx.log.info(`${what} delivered (status ${status.code} ${status.text})`);
  return status;
}

/** The shared secret the supplier expects, or a configuration error naming the credential. */
function sharedSecretOf(ctx: ConnectorContext<CxmlSettings>): string {
  const secret = ctx.credentials.sharedSecret;
  if (!secret)
    throw new DropshipError(
      'configuration',
      'cXML needs the shared secret in the credentials (sharedSecret)',
    );
  return secret;
}

/**
 * POSTs one cXML request (`what` names it in errors and logs) and returns the supplier's 2xx Status; any other
 * answer is thrown as the contract's error.
 */
async function exchangeCxml(
  ctx: ConnectorContext<CxmlSettings>,
  body: string,
  what: string,
): Promise<CxmlStatus> {
  const { settings } = ctx;
  ctx.log.debug(`${what} to supplier ${ctx.supplierId}`);
  let reply: string;
  try {
    const response = await axios.request<string>({
      method: 'POST',
      url: settings.url,
      timeout: settings.timeoutMs ?? 30_000,
      headers: { 'Content-Type': 'text/xml; charset=UTF-8', Accept: 'text/xml' },
      data: body,
      responseType: 'text',
      transformResponse: (data: string) => data,
      signal: ctx.signal,
      maxRedirects: 0,
      validateStatus: (status) => status >= 200 && status < 300,
    });
    reply = response.data;
  } catch (err) {
    // A cXML server may carry its Status in a non-2xx reply; prefer its words when it does.
    const data = (err as { response?: { data?: unknown } }).response?.data;
    const status = typeof data === 'string' ? safeStatus(data) : undefined;
    const failure = status && statusFailure(status.code, status.text);
    throw (
      failure ??
      httpFailure(err, ctx.clock.now(), (d) => (typeof d === 'string' ? safeStatus(d)?.text : undefined))
    );
  }
  const status = safeStatus(reply);
  if (!status) {
    // The supplier answered 2xx but not in cXML: it may well have the request.
    throw new OutcomeUnknownError(`cXML supplier reply to ${what} is not a cXML Response`);
  }
  const failure = statusFailure(status.code, status.text);
  if (failure) throw failure;
  return status;
}

function safeStatus(xml: string): ReturnType<typeof parseCxmlResponse> | undefined {
  try {
    return parseCxmlResponse(xml);
  } catch {
    return undefined;
  }
}
