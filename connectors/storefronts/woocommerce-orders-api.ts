import { systemClock, type Clock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import type { StorefrontOrderSource } from '../../core/intake/reconcile';
import { channelUnavailable } from '../messaging/delivery-error';
import { httpExchange } from '../messaging/http-exchange';

export interface WooCommerceOrdersApiSettings {
  /** The store's address, e.g. "https://shop.example.com". */
  storeUrl: string;
  /** Orders per page: 1 to 100 (the REST API's maximum, the default). */
  pageSize?: number;
  timeoutMs?: number;
}

const MAX_PAGE_SIZE = 100;
/** A listing whose total changes while it is read is read again from page 1, at most this often. */
const MAX_RESTARTS = 3;
/** Hosts the API keys may reach over plain HTTP (a local test shop); anything else needs HTTPS. */
export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The HTTP Basic header of the REST API keys, refused unless the store is reached over HTTPS (or on this machine):
 * WooCommerce takes keys this way only over HTTPS, and they would travel in clear text otherwise.
 */
export function wooCommerceAuthorization(
  base: string,
  credentials: { consumerKey?: string; consumerSecret?: string },
  purpose: string,
): string {
  const { consumerKey, consumerSecret } = credentials;
  if (!consumerKey || !consumerSecret) {
    throw new DropshipError('configuration', 'the WooCommerce consumer key and secret are missing', [
      { path: consumerKey ? 'consumerSecret' : 'consumerKey', message: `is required ${purpose}` },
    ]);
  }
  const url = new URL(base);
  if (url.protocol !== 'https:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new DropshipError('configuration', `the store address ${url.origin} is not HTTPS`, [
      { path: 'baseUrl', message: 'must start with https:// so the API keys are not sent in clear text' },
    ]);
  }
  return `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`;
}

/** WooCommerce's `*_after` filters read a date without a zone as the site's; with dates_are_gmt it is UTC. */
function gmtDate(at: Date): string {
  return at.toISOString().slice(0, 19);
}

export function headerNumber(value: unknown): number | undefined {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Paid orders from the WooCommerce REST API: `GET /wp-json/wc/v3/orders?status=processing&modified_after=...
 * &dates_are_gmt=true&page=N&per_page=100`, authenticated with the consumer key and secret as HTTP Basic
 * credentials (WooCommerce accepts them only over HTTPS), paged through X-WP-TotalPages. An order that leaves the
 * listing while it is read would shift the pages under the reader, so a changed X-WP-Total starts it again.
 */
export function wooCommerceOrderSource(
  settings: WooCommerceOrdersApiSettings,
  credentials: { consumerKey?: string; consumerSecret?: string },
  clock: Clock = systemClock,
): StorefrontOrderSource {
  const base = settings.storeUrl.replace(/\/+$/, '');
  const perPage = Math.min(MAX_PAGE_SIZE, Math.max(1, settings.pageSize ?? MAX_PAGE_SIZE));

  async function fetchPage(
    since: Date,
    page: number,
    auth: string,
    signal: AbortSignal | undefined,
  ): Promise<{ orders: unknown[]; total?: number; totalPages: number }> {
    const query = new URLSearchParams({
      status: 'processing',
      modified_after: gmtDate(since),
      dates_are_gmt: 'true',
      orderby: 'id',
      order: 'asc',
      page: String(page),
      per_page: String(perPage),
    });
    const reply = await httpExchange(
      'WooCommerce',
      {
        method: 'GET',
        url: `${base}/wp-json/wc/v3/orders?${query.toString()}`,
        headers: { Authorization: auth, Accept: 'application/json' },
      },
      { timeoutMs: settings.timeoutMs, signal, now: clock.now(), unavailable: channelUnavailable },
    );
    const body = reply.data as { code?: string; message?: string } | unknown[] | undefined;
    if (reply.status === 401 || reply.status === 403 || reply.status === 404) {
      const words = Array.isArray(body) ? '' : `: ${body?.message ?? body?.code ?? ''}`;
      throw new DropshipError(
        'configuration',
        `WooCommerce refused the orders API call (HTTP ${reply.status})${words}; check the store address ` +
          'and that the API key has read access',
        [{ path: 'consumerKey', message: `refused with HTTP ${reply.status}` }],
      );
    }
    if (reply.status !== 200 || !Array.isArray(body)) {
      throw new DropshipError(
        'invalid_input',
        `WooCommerce answered the orders API call with HTTP ${reply.status} and no order list`,
      );
    }
    return {
      orders: body,
      total: headerNumber(reply.headers['x-wp-total']),
      totalPages: headerNumber(reply.headers['x-wp-totalpages']) ?? page,
    };
  }

  return {
    channel: 'woocommerce',
    async *paidOrdersChangedSince(since, signal) {
      const auth = wooCommerceAuthorization(base, credentials, 'to poll the orders API');
      for (let pass = 0; ; pass++) {
        let total: number | undefined;
        let changed = false;
        for (let page = 1, pages = 1; page <= pages; page++) {
          const result = await fetchPage(since, page, auth, signal);
          if (page === 1) total = result.total;
          else if (result.total !== total) {
            changed = true;
            break;
          }
          pages = result.totalPages;
          yield result.orders;
        }
        if (!changed) return;
        if (pass >= MAX_RESTARTS) {
          throw new DropshipError(
            'conflict',
            `WooCommerce's order listing kept changing while it was read (${MAX_RESTARTS + 1} passes)`,
          );
        }
      }
    },
    orderReference(raw) {
      const order = (raw ?? {}) as { number?: unknown; id?: unknown };
      return [order.number, order.id]
        .find((value) => typeof value === 'string' || typeof value === 'number')
        ?.toString();
    },
  };
}
