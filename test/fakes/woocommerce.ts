import { randomBytes } from 'node:crypto';
import { basicCredentials, startHttpFake, type FakeReply, type HttpFake } from './http-fake';

/**
 * A WooCommerce store with the Shipment Tracking extension, on 127.0.0.1: the wc-shipment-tracking/v3 tracking
 * items (tracking_id, tracking_provider, tracking_link, tracking_number, date_shipped) and the wc/v3 order
 * status update, with WordPress REST error bodies. Keys are checked as HTTP Basic credentials.
 */
export interface FakeWooCommerce extends HttpFake {
  consumerKey: string;
  consumerSecret: string;
  /** `total`: what the customer paid, in cents (refunds cannot exceed it). */
  addOrder(status?: string, total?: number): string;
  order(id: string): FakeWooOrder | undefined;
}

/** An order refund as the wc/v3 order refunds API shows it. */
export interface FakeWooRefund {
  id: number;
  date_created_gmt: string;
  amount: string;
  reason: string;
  refunded_payment: boolean;
  meta_data: { id: number; key: string; value: unknown }[];
  line_items: { id: number; quantity: number; refund_total: string }[];
}

interface FakeWooOrder {
  status: string;
  trackings: Record<string, string>[];
  /** Cents. */
  total: number;
  refunds: FakeWooRefund[];
}

/** Part of the extension's United States provider list, with its link formats. */
const PROVIDERS: Record<string, string> = {
  Fedex: 'https://www.fedex.com/apps/fedextrack/?action=track&action=track&tracknumbers=%1$s',
  UPS: 'https://www.ups.com/track?loc=en_US&tracknum=%1$s',
  USPS: 'https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s',
  'DHL US': 'https://www.logistics.dhl/us-en/home/tracking/tracking-ecommerce.html?tracking-id=%1$s',
};

const ORDER_STATUSES = [
  'pending',
  'processing',
  'on-hold',
  'completed',
  'cancelled',
  'refunded',
  'failed',
  'trash',
];

export function wpError(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FakeReply {
  return { status, body: { code, message, data: { status, ...extra } } };
}

export async function startFakeWooCommerce(): Promise<FakeWooCommerce> {
  const consumerKey = `ck_${randomBytes(20).toString('hex')}`;
  const consumerSecret = `cs_${randomBytes(20).toString('hex')}`;
  const orders = new Map<string, FakeWooOrder>();
  let nextOrder = 645;
  let nextRefund = 730;

  /**
   * POST …/orders/{id}/refunds as WooCommerce answers it: `amount` (a decimal string) takes precedence over the
   * lines and must be more than zero and within what is left of the order's total; meta data is kept; with
   * `api_refund` (default true) the payment is refunded through the gateway (`refunded_payment`). An order refunded
   * in full becomes `refunded`.
   */
  const createRefund = (order: FakeWooOrder, raw: string): FakeReply => {
    const body = JSON.parse(raw || '{}') as {
      amount?: string;
      reason?: string;
      api_refund?: boolean;
      line_items?: { id: number; quantity: number; refund_total: string }[];
      meta_data?: { key: string; value: unknown }[];
    };
    const amount = Math.round(Number(body.amount ?? '0') * 100);
    const refunded = order.refunds.reduce((sum, r) => sum + Math.round(Number(r.amount) * 100), 0);
    if (!(amount > 0))
      return wpError(
        400,
        'woocommerce_rest_invalid_order_refund',
        'Refund amount must be greater than zero.',
      );
    if (amount > order.total - refunded)
      return wpError(500, 'woocommerce_rest_cannot_create_order_refund', 'Invalid refund amount.');
    const refund: FakeWooRefund = {
      id: nextRefund++,
      date_created_gmt: new Date().toISOString().slice(0, 19),
      amount: (amount / 100).toFixed(2),
      reason: body.reason ?? '',
      refunded_payment: body.api_refund !== false,
      meta_data: (body.meta_data ?? []).map((m, i) => ({ id: 900 + i, key: m.key, value: m.value })),
      line_items: body.line_items ?? [],
    };
    order.refunds.push(refund);
    if (refunded + amount === order.total) order.status = 'refunded';
    return { status: 201, body: refund };
  };

  const fake = await startHttpFake((request) => {
    const credentials = basicCredentials(request);
    if (!credentials || credentials.user !== consumerKey || credentials.password !== consumerSecret) {
      return wpError(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
    }
    const trackings = /^\/wp-json\/wc-shipment-tracking\/v3\/orders\/(\d+)\/shipment-trackings$/.exec(
      request.path,
    );
    const orderPath = /^\/wp-json\/wc\/v3\/orders\/(\d+)$/.exec(request.path);
    const refundsPath = /^\/wp-json\/wc\/v3\/orders\/(\d+)\/refunds$/.exec(request.path);
    const orderId = (trackings ?? orderPath ?? refundsPath)?.[1];
    if (!orderId)
      return wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    const order = orders.get(orderId);
    if (!order) return wpError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');

    if (trackings && request.method === 'GET') return { status: 200, body: order.trackings };
    if (refundsPath && request.method === 'GET') return { status: 200, body: [...order.refunds].reverse() };
    if (refundsPath && request.method === 'POST') return createRefund(order, request.body);
    if (trackings && request.method === 'POST') {
      const body = JSON.parse(request.body || '{}') as Record<string, string | undefined>;
      if (!body.tracking_number) {
        return wpError(400, 'rest_missing_callback_param', 'Missing parameter(s): tracking_number', {
          params: ['tracking_number'],
        });
      }
      const provider = body.tracking_provider ?? '';
      const custom = body.custom_tracking_provider;
      const link = (PROVIDERS[provider] ?? body.custom_tracking_link ?? '').replace(
        '%1$s',
        body.tracking_number,
      );
      const item = {
        tracking_id: randomBytes(16).toString('hex'),
        tracking_provider: custom ?? provider,
        tracking_link: link,
        tracking_number: body.tracking_number,
        date_shipped: body.date_shipped ?? new Date().toISOString().slice(0, 10),
      };
      order.trackings.push(item);
      return { status: 201, body: item };
    }
    if (orderPath && request.method === 'PUT') {
      const body = JSON.parse(request.body || '{}') as { status?: string };
      if (body.status !== undefined && !ORDER_STATUSES.includes(body.status)) {
        return wpError(400, 'rest_invalid_param', 'Invalid parameter(s): status', {
          params: { status: `status is not one of ${ORDER_STATUSES.join(', ')}.` },
        });
      }
      if (body.status) order.status = body.status;
      return { status: 200, body: { id: Number(orderId), status: order.status } };
    }
    return wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
  });

  return {
    ...fake,
    consumerKey,
    consumerSecret,
    addOrder(status = 'processing', total = 10_000) {
      const id = String(nextOrder++);
      orders.set(id, { status, trackings: [], total, refunds: [] });
      return id;
    },
    order: (id) => orders.get(id),
  };
}
