import { createHash, timingSafeEqual } from 'node:crypto';
import { DEFAULT_LINK_DAYS, linkExpired, trackingPageView } from '../../core/notify/tracking-page-view';
import type { OrderStore } from '../../core/store/order-store';
import { ordersNamed } from '../../core/store/orders-named';
import type { Order } from '../../core/model/order';
import {
  renderTrackingLookupPage,
  renderTrackingPage,
  type Branding,
} from '../../core/tracking-page/tracking-page';
import { createTrackingToken, verifyTrackingToken } from '../../core/tracking-page/tracking-token';
import { mountEndpoint, type EndpointReply } from '../adapter/http-endpoint';
import type { Node, NodeAPI } from '../adapter/node-red';

export interface TrackingPageOptions {
  /** Where the page is served, e.g. /dropship/track (the lookup form) and /dropship/track/<token>. */
  path: string;
  branding: Branding;
  /** The current link secret first; older ones still open links during a rotation. */
  secrets: string[];
  store: () => Promise<OrderStore>;
  /** Lookups allowed per client address per minute, so order numbers cannot be tried one after another. */
  lookupsPerMinute?: number;
  /** Days a link keeps working after its order is delivered or cancelled (DEFAULT_LINK_DAYS). */
  linkDays?: number;
}

const NO_MATCH =
  'We could not find an order with that number and e-mail address. Please check both and try again.';
const TOO_MANY = 'Too many attempts. Please wait a minute and try again.';
const EXPIRED_LINK = 'This tracking link has expired.';
const BAD_LINK =
  'This tracking link is not valid. Enter your order number and e-mail address to find your order.';

/**
 * Headers of every tracking page answer: never cached (it shows an order), no referrer to the carriers' sites
 * (the link is the key to the page), and a content security policy that allows the page's own inline style
 * (by its hash), https images (a logo), the page's data: icon and posting the form to this site, nothing else: no script at all.
 */
function pageHeaders(html: string): Record<string, string> {
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
  const styleSource = style ? `'sha256-${createHash('sha256').update(style).digest('base64')}'` : "'none'";
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': `default-src 'none'; style-src ${styleSource}; img-src https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  };
}

function page(status: number, html: string, extra: Record<string, string> = {}): EndpointReply {
  return { status, body: html, headers: { ...pageHeaders(html), ...extra } };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text.trim().toLowerCase()).digest();
}

/** Counts lookups per client address over the last minute. */
class LookupLimiter {
  private readonly attempts = new Map<string, number[]>();
  constructor(private readonly perMinute: number) {}
  allow(client: string, now: number): boolean {
    const recent = (this.attempts.get(client) ?? []).filter((at) => now - at < 60_000);
    if (recent.length >= this.perMinute) {
      this.attempts.set(client, recent);
      return false;
    }
    recent.push(now);
    this.attempts.set(client, recent);
    // Forget idle clients so the map does not grow with every address that ever asked.
    if (this.attempts.size > 10_000)
      for (const [key, times] of this.attempts)
        if (times.every((at) => now - at >= 60_000)) this.attempts.delete(key);
    return true;
  }
}

/**
 * The customer's tracking page on Node-RED's HTTP server, for the life of `node`:
 * GET <path> shows the lookup form; POST <path> (order number + e-mail) redirects to the order's signed link when
 * both match, and answers every other case with the same form and the same words, so the page cannot be used to
 * find out which order numbers exist; GET <path>/<token> shows the order, when the token was signed with the
 * secret. The page holds no address and no e-mail, only what the customer needs to follow the parcels.
 */
export function mountTrackingPage(RED: NodeAPI, node: Node, options: TrackingPageOptions): void {
  const { branding, path } = options;
  const limiter = new LookupLimiter(options.lookupsPerMinute ?? 10);
  const nodeRoot = ((RED.settings as { httpNodeRoot?: string | false }).httpNodeRoot || '/').replace(
    /\/$/,
    '',
  );
  const form = (status: number, error?: string, orderNumber?: string): EndpointReply =>
    page(status, renderTrackingLookupPage(branding, { action: `${nodeRoot}${path}`, orderNumber, error }));

  mountEndpoint(RED, node, 'get', path, async () => form(200));

  mountEndpoint(
    RED,
    node,
    'post',
    path,
    async (req) => {
      const fields = new URLSearchParams(req.rawBody.toString('utf8'));
      const orderNumber = (fields.get('orderNumber') ?? '').slice(0, 64);
      const email = fields.get('email') ?? '';
      if (!limiter.allow(req.ip ?? 'unknown', Date.now())) return form(429, TOO_MANY, orderNumber);
      const candidates = await ordersNamed(await options.store(), orderNumber);
      const typed = digest(email);
      // Every candidate is compared, in constant time, so a wrong e-mail and an unknown number take alike.
      let match: Order | undefined;
      for (const order of candidates) {
        if (timingSafeEqual(digest(order.customer.email ?? ''), typed) && email.trim() !== '')
          match ??= order;
      }
      if (!match) return form(200, NO_MATCH, orderNumber);
      const token = createTrackingToken(match.id, options.secrets[0]!);
      return page(303, '', { Location: `${nodeRoot}${path}/${token}` });
    },
    { bodyLimit: 4096 },
  );

  mountEndpoint(RED, node, 'get', `${path}/:token`, async (req) => {
    const orderId = verifyTrackingToken(req.params.token ?? '', options.secrets);
    const store = await options.store();
    const order = orderId ? await store.getOrder(orderId) : undefined;
    if (!order) return form(404, BAD_LINK);
    const [purchaseOrders, shipments] = await Promise.all([
      store.listPurchaseOrders(order.id),
      store.listShipments(order.id),
    ]);
    if (linkExpired(order, shipments, options.linkDays ?? DEFAULT_LINK_DAYS, new Date()))
      return form(404, EXPIRED_LINK);
    return page(200, renderTrackingPage(trackingPageView(order, purchaseOrders, shipments), branding));
  });
}
