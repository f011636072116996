import type { Clock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { carrierFromDeclaration, type CarrierCode } from '../../core/tracking/carrier-detection';
import type { ConnectorLog } from '../../core/ports/connector';
import { ChannelDeliveryError } from '../messaging/delivery-error';
import { SHOPIFY_ADMIN_API_VERSION, shopifyAdminClient } from './shopify-admin';

export interface ShopifyFulfilmentSettings {
  /** The shop's permanent domain, e.g. "acme-goods.myshopify.com". */
  shopDomain: string;
  /** Admin API version; SHOPIFY_ADMIN_API_VERSION when absent. */
  apiVersion?: string;
  /** Overrides https://{shopDomain} (a local fake in tests). */
  baseUrl?: string;
  /** Let Shopify e-mail the customer about the fulfilment (off when the package sends its own notices). */
  notifyCustomer?: boolean;
  timeoutMs?: number;
  /** Longest throttle wait to sit out inside one call; longer waits are handed back to the outbox as retryable. */
  maxThrottleWaitMs?: number;
}

export const shopifyFulfilmentSettingsSchema = {
  type: 'object',
  required: ['shopDomain'],
  properties: {
    shopDomain: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$', title: 'Shop domain' },
    apiVersion: {
      type: 'string',
      pattern: '^\\d{4}-(01|04|07|10)$',
      default: SHOPIFY_ADMIN_API_VERSION,
      title: 'Admin API version',
    },
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', title: 'API base URL (tests)' },
    notifyCustomer: { type: 'boolean', default: false, title: 'Shopify notifies the customer' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, default: 15000, title: 'Timeout (ms)' },
    maxThrottleWaitMs: {
      type: 'integer',
      minimum: 0,
      maximum: 60000,
      default: 10000,
      title: 'Longest throttle wait (ms)',
    },
  },
  additionalProperties: false,
} as const;

export const shopifyFulfilmentCredentialFields = [
  { name: 'clientId', label: 'Client ID (Dev Dashboard app)' },
  { name: 'clientSecret', label: 'Client secret (Dev Dashboard app)' },
  { name: 'accessToken', label: 'Admin API access token (app created in the shop admin before 2026)' },
];

export interface ShopifyContext {
  settings: ShopifyFulfilmentSettings;
  credentials: Record<string, string | undefined>;
  clock: Clock;
  log: ConnectorLog;
  signal?: AbortSignal;
}

/** One parcel to report to the storefront. */
export interface FulfilmentParcel {
  /** The storefront's order id (Shopify: numeric id or gid://shopify/Order/...). */
  orderId: string;
  trackingNumber: string;
  /** Carrier code or name ("ups", "UPSN", "FedEx Ground"...). */
  carrier?: string;
  trackingUrl?: string;
  /** What the parcel holds; everything still unfulfilled when absent. */
  lines?: { sku: string; quantity: number }[];
}

export interface ShopifyFulfilmentResult {
  fulfillmentIds: string[];
  /** False when a fulfilment with this tracking number existed already (a resend after a crash). */
  created: boolean;
  /** Requested SKUs and quantities that had nothing left to fulfil. */
  unfulfilled: { sku: string; quantity: number }[];
}

/** Company names Shopify recognises, so its order page links to the carrier itself. */
const SHOPIFY_COMPANIES: Record<CarrierCode, string> = {
  ups: 'UPS',
  fedex: 'FedEx',
  usps: 'USPS',
  dhl: 'DHL Express',
};

const FULFILLABLE = new Set(['OPEN', 'IN_PROGRESS']);

/**
 * One GraphQL Admin API call through the shop's admin client (token, version, throttle). Throttle waits longer
 * than maxThrottleWaitMs, 429 and 5xx go back to the outbox as a retryable ChannelDeliveryError.
 */
export async function adminGraphql(
  query: string,
  variables: Record<string, unknown>,
  ctx: ShopifyContext,
): Promise<Record<string, unknown>> {
  const client = shopifyAdminClient(ctx.settings, ctx.credentials, { clock: ctx.clock, log: ctx.log });
  return client.graphql(query, variables, { signal: ctx.signal });
}

interface UserError {
  field?: string[] | null;
  message: string;
}

/** userErrors are Shopify saying no to this input: final, with each field named. */
export function assertNoUserErrors(payload: unknown, what: string): Record<string, unknown> {
  const record = (payload ?? {}) as { userErrors?: UserError[] };
  const userErrors = record.userErrors ?? [];
  if (userErrors.length > 0) {
    throw new ChannelDeliveryError(
      `Shopify refused ${what}: ${userErrors.map((e) => e.message).join('; ')}`,
      false,
      undefined,
      {
        details: userErrors.map((e) => ({ path: `/${(e.field ?? []).join('/')}`, message: e.message })),
      },
    );
  }
  return record;
}

export function orderGid(orderId: string): string {
  if (/^gid:\/\/shopify\/Order\/\d+$/.test(orderId)) return orderId;
  if (/^\d+$/.test(orderId)) return `gid://shopify/Order/${orderId}`;
  throw new DropshipError(
    'invalid_input',
    `Shopify order id "${orderId}" is neither a number nor an Order gid`,
    [{ path: '/orderId', message: 'must be a Shopify order id' }],
  );
}

export function shopifyTrackingInfo(
  parcel: Pick<FulfilmentParcel, 'trackingNumber' | 'carrier' | 'trackingUrl'>,
): {
  number: string;
  company?: string;
  url?: string;
} {
  const code = carrierFromDeclaration(parcel.carrier);
  return {
    number: parcel.trackingNumber,
    company: code ? SHOPIFY_COMPANIES[code] : parcel.carrier,
    url: parcel.trackingUrl,
  };
}

const ORDER_QUERY = `query DropshipFulfillmentOrders($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 250) { id trackingInfo(first: 10) { number } }
    fulfillmentOrders(first: 50) {
      nodes {
        id
        status
        assignedLocation { location { id } name }
        lineItems(first: 250) { nodes { id remainingQuantity lineItem { sku } } }
      }
    }
  }
}`;

const CREATE_MUTATION = `mutation DropshipFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}`;

const UPDATE_MUTATION = `mutation DropshipTrackingUpdate($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!, $notifyCustomer: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId, trackingInfoInput: $trackingInfoInput, notifyCustomer: $notifyCustomer) {
    fulfillment { id }
    userErrors { field message }
  }
}`;

interface OpenLine {
  fulfillmentOrderId: string;
  locationKey: string;
  id: string;
  sku?: string;
  remaining: number;
}

interface OrderView {
  fulfillments: { id: string; numbers: string[] }[];
  openLines: OpenLine[];
}

function readOrder(data: Record<string, unknown>, orderId: string): OrderView {
  type Raw = {
    fulfillments?: { id: string; trackingInfo?: { number?: string | null }[] }[];
    fulfillmentOrders?: {
      nodes?: {
        id: string;
        status: string;
        assignedLocation?: { location?: { id?: string } | null; name?: string | null };
        lineItems?: {
          nodes?: { id: string; remainingQuantity: number; lineItem?: { sku?: string | null } }[];
        };
      }[];
    };
  };
  const order = data.order as Raw | null;
  if (!order) {
    throw new ChannelDeliveryError(`Shopify has no order ${orderId}`, false);
  }
  return {
    fulfillments: (order.fulfillments ?? []).map((f) => ({
      id: f.id,
      numbers: (f.trackingInfo ?? []).map((t) => t.number ?? '').filter(Boolean),
    })),
    openLines: (order.fulfillmentOrders?.nodes ?? [])
      .filter((fo) => FULFILLABLE.has(fo.status))
      .flatMap((fo) =>
        (fo.lineItems?.nodes ?? [])
          .filter((line) => line.remainingQuantity > 0)
          .map((line) => ({
            fulfillmentOrderId: fo.id,
            locationKey: fo.assignedLocation?.location?.id ?? fo.assignedLocation?.name ?? fo.id,
            id: line.id,
            sku: line.lineItem?.sku ?? undefined,
            remaining: line.remainingQuantity,
          })),
      ),
  };
}

/** Which fulfilment-order lines the parcel covers: the requested SKUs up to what remains, or all that remains. */
function allocate(
  openLines: OpenLine[],
  requested: FulfilmentParcel['lines'],
): { picked: (OpenLine & { quantity: number })[]; unfulfilled: { sku: string; quantity: number }[] } {
  if (!requested)
    return { picked: openLines.map((line) => ({ ...line, quantity: line.remaining })), unfulfilled: [] };
  const left = new Map(openLines.map((line) => [line.id, line.remaining]));
  const picked: (OpenLine & { quantity: number })[] = [];
  const unfulfilled: { sku: string; quantity: number }[] = [];
  for (const want of requested) {
    let needed = want.quantity;
    for (const line of openLines.filter((l) => l.sku === want.sku)) {
      const take = Math.min(needed, left.get(line.id) ?? 0);
      if (take <= 0) continue;
      left.set(line.id, (left.get(line.id) ?? 0) - take);
      const existing = picked.find((p) => p.id === line.id);
      if (existing) existing.quantity += take;
      else picked.push({ ...line, quantity: take });
      needed -= take;
    }
    if (needed > 0) unfulfilled.push({ sku: want.sku, quantity: needed });
  }
  return { picked, unfulfilled };
}

/**
 * Reports a parcel to Shopify: reads the order's fulfilment orders, then `fulfillmentCreate` with the tracking
 * number, company and URL for the lines the parcel holds (one fulfilment per location, as Shopify requires).
 * Safe to repeat: a fulfilment that already carries this tracking number is returned instead of creating another.
 */
export async function createShopifyFulfilment(
  parcel: FulfilmentParcel,
  ctx: ShopifyContext,
): Promise<ShopifyFulfilmentResult> {
  const id = orderGid(parcel.orderId);
  const order = readOrder(await adminGraphql(ORDER_QUERY, { id }, ctx), parcel.orderId);
  const existing = order.fulfillments.find((f) => f.numbers.includes(parcel.trackingNumber));
  if (existing) return { fulfillmentIds: [existing.id], created: false, unfulfilled: [] };

  const { picked, unfulfilled } = allocate(order.openLines, parcel.lines);
  if (picked.length === 0) {
    throw new ChannelDeliveryError(
      `Shopify order ${parcel.orderId} has nothing left to fulfil${parcel.lines ? ` for ${parcel.lines.map((l) => l.sku).join(', ')}` : ''}`,
      false,
    );
  }
  const fulfillmentIds: string[] = [];
  for (const locationKey of [...new Set(picked.map((p) => p.locationKey))]) {
    const atLocation = picked.filter((p) => p.locationKey === locationKey);
    const byOrder = [...new Set(atLocation.map((p) => p.fulfillmentOrderId))].map((fulfillmentOrderId) => ({
      fulfillmentOrderId,
      fulfillmentOrderLineItems: atLocation
        .filter((p) => p.fulfillmentOrderId === fulfillmentOrderId)
        .map((p) => ({ id: p.id, quantity: p.quantity })),
    }));
    const data = await adminGraphql(
      CREATE_MUTATION,
      {
        fulfillment: {
          lineItemsByFulfillmentOrder: byOrder,
          trackingInfo: shopifyTrackingInfo(parcel),
          notifyCustomer: ctx.settings.notifyCustomer ?? false,
        },
      },
      ctx,
    );
    const payload = assertNoUserErrors(data.fulfillmentCreate, `the fulfilment of order ${parcel.orderId}`);
    const fulfillment = payload.fulfillment as { id?: string } | null;
    if (!fulfillment?.id)
      throw new ChannelDeliveryError('Shopify created no fulfilment and gave no reason', false);
    fulfillmentIds.push(fulfillment.id);
  }
  ctx.log.debug(`Shopify order ${parcel.orderId}: fulfilment ${fulfillmentIds.join(', ')} created`);
  return { fulfillmentIds, created: true, unfulfilled };
}

/** Changes the tracking of an existing fulfilment (`fulfillmentTrackingInfoUpdate`), e.g. after a relabel. */
export async function updateShopifyTracking(
  fulfillmentId: string,
  tracking: Pick<FulfilmentParcel, 'trackingNumber' | 'carrier' | 'trackingUrl'>,
  ctx: ShopifyContext,
): Promise<void> {
  const data = await adminGraphql(
    UPDATE_MUTATION,
    {
      fulfillmentId,
      trackingInfoInput: shopifyTrackingInfo(tracking),
      notifyCustomer: ctx.settings.notifyCustomer ?? false,
    },
    ctx,
  );
  assertNoUserErrors(data.fulfillmentTrackingInfoUpdate, `the tracking update of ${fulfillmentId}`);
}
