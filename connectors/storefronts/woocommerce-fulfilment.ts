import type { Clock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { carrierFromDeclaration, type CarrierCode } from '../../core/tracking/carrier-detection';
import type { ConnectorLog } from '../../core/ports/connector';
import { ChannelDeliveryError, channelUnavailable } from '../messaging/delivery-error';
import { httpExchange, type HttpReply } from '../messaging/http-exchange';
import type { FulfilmentParcel } from './shopify-fulfilment';

export interface WooCommerceFulfilmentSettings {
  /** The store's address, e.g. "https://shop.example.com" (HTTPS: keys travel by HTTP Basic auth). */
  storeUrl: string;
  /** Shipment Tracking provider names by carrier code, where the store's country list differs from the default. */
  providerNames?: Partial<Record<CarrierCode, string>>;
  timeoutMs?: number;
}

export const wooCommerceFulfilmentSettingsSchema = {
  type: 'object',
  required: ['storeUrl'],
  properties: {
    storeUrl: { type: 'string', format: 'uri', pattern: '^https?://', title: 'Store URL' },
    providerNames: {
      type: 'object',
      properties: Object.fromEntries(
        ['ups', 'fedex', 'usps', 'dhl'].map((c) => [c, { type: 'string', minLength: 1 }]),
      ),
      additionalProperties: false,
      title: 'Shipment Tracking provider names',
    },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, default: 15000, title: 'Timeout (ms)' },
  },
  additionalProperties: false,
} as const;

export const wooCommerceFulfilmentCredentialFields = [
  { name: 'consumerKey', label: 'Consumer key' },
  { name: 'consumerSecret', label: 'Consumer secret' },
];

export interface WooCommerceContext {
  settings: WooCommerceFulfilmentSettings;
  credentials: Record<string, string | undefined>;
  clock: Clock;
  log: ConnectorLog;
  signal?: AbortSignal;
}

export interface WooCommerceTrackingResult {
  trackingId: string;
  /** False when the order carried this tracking number already (a resend after a crash). */
  created: boolean;
  /** The order status after the call, when it was changed. */
  orderStatus?: string;
}

/** Predefined providers of the Shipment Tracking extension's United States list. */
const DEFAULT_PROVIDERS: Record<CarrierCode, string> = {
  ups: 'UPS',
  fedex: 'Fedex',
  usps: 'USPS',
  dhl: 'DHL US',
};

interface TrackingItem {
  tracking_id: string;
  tracking_number: string;
}

/** WordPress REST errors: {"code": "...", "message": "...", "data": {"status": 404}}. */
function wooMessage(data: unknown): string {
  const body = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  return [body.code, body.message].filter((v) => typeof v === 'string').join(': ') || 'no message';
}

export function refusal(reply: HttpReply, what: string): Error {
  const summary = `WooCommerce refused ${what} (HTTP ${reply.status}: ${wooMessage(reply.data)})`;
  return reply.status === 401 || reply.status === 403
    ? new DropshipError('configuration', summary)
    : new ChannelDeliveryError(summary, false);
}

/** A REST call to the store: method, path under the store URL, optional JSON body. */
export type WooCommerceCall = (method: string, path: string, data?: unknown) => Promise<HttpReply>;

/**
 * Calls to the WooCommerce REST API about one order, authenticated with the consumer key and secret (HTTP Basic);
 * refuses at once, naming the field, without keys or with an order id that is not a WooCommerce number.
 */
export function wooCommerceApi(ctx: WooCommerceContext, orderId: string): WooCommerceCall {
  const { consumerKey, consumerSecret } = ctx.credentials;
  if (!consumerKey || !consumerSecret) {
    throw new DropshipError('configuration', 'WooCommerce REST API keys missing', [
      ...(consumerKey ? [] : [{ path: '/credentials/consumerKey', message: 'is required' }]),
      ...(consumerSecret ? [] : [{ path: '/credentials/consumerSecret', message: 'is required' }]),
    ]);
  }
  if (!/^\d+$/.test(orderId)) {
    throw new DropshipError('invalid_input', `WooCommerce order id "${orderId}" is not a number`, [
      { path: '/orderId', message: 'must be a WooCommerce order id' },
    ]);
  }
  const base = ctx.settings.storeUrl.replace(/\/+$/, '');
  return (method, path, data) =>
    httpExchange(
      'WooCommerce',
      {
        method,
        url: `${base}${path}`,
        auth: { username: consumerKey, password: consumerSecret },
        headers: { Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json' } : {}) },
        data,
      },
      {
        timeoutMs: ctx.settings.timeoutMs,
        signal: ctx.signal,
        now: ctx.clock.now(),
        unavailable: channelUnavailable,
      },
    );
}

/**
 * Reports a parcel to WooCommerce: adds it with the Shipment Tracking extension's REST API
 * (POST /wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings), then, when `completeOrder` is set
 * (the order's last parcel), sets the order status to completed (PUT /wp-json/wc/v3/orders/{id}), which sends
 * WooCommerce's completed-order e-mail with the tracking. Safe to repeat: a tracking number already on the order
 * is not added again.
 */
export async function addWooCommerceTracking(
  parcel: Pick<FulfilmentParcel, 'orderId' | 'trackingNumber' | 'carrier' | 'trackingUrl'> & {
    shippedAt?: string;
  },
  options: { completeOrder: boolean },
  ctx: WooCommerceContext,
): Promise<WooCommerceTrackingResult> {
  const call = wooCommerceApi(ctx, parcel.orderId);

  const trackingsPath = `/wp-json/wc-shipment-tracking/v3/orders/${parcel.orderId}/shipment-trackings`;
  const listed = await call('GET', trackingsPath);
  if (listed.status !== 200) throw refusal(listed, `the tracking list of order ${parcel.orderId}`);
  const known = (Array.isArray(listed.data) ? (listed.data as TrackingItem[]) : []).find(
    (item) => item.tracking_number === parcel.trackingNumber,
  );

  let trackingId = known?.tracking_id;
  if (!trackingId) {
    const code = carrierFromDeclaration(parcel.carrier);
    const provider = code ? (ctx.settings.providerNames?.[code] ?? DEFAULT_PROVIDERS[code]) : undefined;
    const created = await call('POST', trackingsPath, {
      tracking_number: parcel.trackingNumber,
      ...(provider
        ? { tracking_provider: provider }
        : {
            custom_tracking_provider: parcel.carrier ?? 'Carrier',
            custom_tracking_link: parcel.trackingUrl ?? '',
          }),
      ...(parcel.shippedAt ? { date_shipped: parcel.shippedAt.slice(0, 10) } : {}),
    });
    if (created.status !== 201 && created.status !== 200)
      throw refusal(created, `the tracking of order ${parcel.orderId}`);
    trackingId = (created.data as TrackingItem).tracking_id;
  }

  let orderStatus: string | undefined;
  if (options.completeOrder) {
    const updated = await call('PUT', `/wp-json/wc/v3/orders/${parcel.orderId}`, { status: 'completed' });
    if (updated.status !== 200) throw refusal(updated, `to complete order ${parcel.orderId}`);
    orderStatus = (updated.data as { status?: string }).status;
  }
  ctx.log.debug(
    `WooCommerce order ${parcel.orderId}: tracking ${trackingId}${orderStatus ? `, ${orderStatus}` : ''}`,
  );
  return { trackingId, created: !known, orderStatus };
}
