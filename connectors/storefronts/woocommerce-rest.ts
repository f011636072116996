import type { Clock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { channelUnavailable } from '../messaging/delivery-error';
import { httpExchange } from '../messaging/http-exchange';
import { headerNumber, wooCommerceAuthorization } from './woocommerce-orders-api';

/** WooCommerce's limit on one listing page and on one batch request. */
export const WOOCOMMERCE_PAGE_LIMIT = 100;

/** A store's REST API v3 with a key: the store's address, the consumer key and secret. */
export interface WooCommerceRestAccess {
  storeUrl: string;
  credentials: { consumerKey?: string; consumerSecret?: string };
  clock: Clock;
  timeoutMs?: number;
}

/**
 * One call to `/wp-json/wc/v3/{resource}` with the key as HTTP Basic credentials (HTTPS only). `purpose` says what
 * the key is used for, in the refusal sentence ("to sync stock and prices"); a 401 or 403 is a configuration
 * problem that says the key needs Read/Write access, and `byHand` where to do it instead when there is a way.
 */
export async function wooCommerceRest(
  access: WooCommerceRestAccess,
  call: { method: 'GET' | 'POST'; resource: string; data?: unknown; purpose: string; byHand?: string },
  signal?: AbortSignal,
): Promise<{ body: unknown; totalPages?: number }> {
  const base = access.storeUrl.replace(/\/+$/, '');
  const { method, resource, data } = call;
  const reply = await httpExchange(
    'WooCommerce',
    {
      method,
      url: `${base}/wp-json/wc/v3/${resource}`,
      headers: {
        Authorization: wooCommerceAuthorization(base, access.credentials, call.purpose),
        Accept: 'application/json',
        ...(data ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(data ? { data } : {}),
    },
    { timeoutMs: access.timeoutMs, signal, now: access.clock.now(), unavailable: channelUnavailable },
  );
  const body = reply.data as { code?: string; message?: string } | undefined;
  const what = `${method} ${resource.split('?')[0]}`;
  if (reply.status === 401 || reply.status === 403) {
    throw new DropshipError(
      'configuration',
      `WooCommerce refused ${what} (HTTP ${reply.status}: ${body?.message ?? body?.code ?? ''}): the REST API key ` +
        `needs Read/Write access ${call.purpose}${call.byHand ? `, or ${call.byHand}` : ''}`,
      [{ path: 'consumerKey', message: `refused with HTTP ${reply.status}` }],
    );
  }
  if (reply.status !== 200 && reply.status !== 201) {
    throw new DropshipError(
      'invalid_input',
      `WooCommerce answered ${what} with HTTP ${reply.status}: ${body?.message ?? ''}`,
    );
  }
  return { body: reply.data, totalPages: headerNumber(reply.headers['x-wp-totalpages']) };
}

/** Every item of a collection, 100 a page, as many pages as X-WP-TotalPages says. */
export async function wooCommerceListAll<T>(
  access: WooCommerceRestAccess,
  resource: string,
  purpose: string,
  signal?: AbortSignal,
): Promise<T[]> {
  const items: T[] = [];
  const separator = resource.includes('?') ? '&' : '?';
  for (let page = 1, pages = 1; page <= pages; page++) {
    const { body, totalPages } = await wooCommerceRest(
      access,
      {
        method: 'GET',
        resource: `${resource}${separator}per_page=${WOOCOMMERCE_PAGE_LIMIT}&page=${page}`,
        purpose,
      },
      signal,
    );
    items.push(...(body as T[]));
    pages = totalPages ?? page;
  }
  return items;
}
