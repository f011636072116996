import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import type { StorefrontOrderSource } from '../../core/intake/reconcile';
import { ChannelDeliveryError, channelUnavailable } from '../messaging/delivery-error';
import { httpExchange } from '../messaging/http-exchange';
import { shopifyAdminClient, type ShopifyAdminClient, type ShopifyAdminCredentials } from './shopify-admin';

export interface ShopifyOrdersApiSettings {
  /** The shop's permanent domain, e.g. "acme-goods.myshopify.com". */
  shopDomain: string;
  /** Overrides https://{shopDomain} (a proxy, or a local fake in tests). */
  baseUrl?: string;
  /** Admin API version; SHOPIFY_ADMIN_API_VERSION when absent. */
  apiVersion?: string;
  /** Orders per page: 1 to 250 (Shopify's maximum, the default). */
  pageSize?: number;
  timeoutMs?: number;
  /** Longest Retry-After to sit out when Shopify throttles a page; longer, and the poll fails until next time. */
  maxThrottleWaitMs?: number;
}

const MAX_PAGE_SIZE = 250;
const MAX_THROTTLE_RETRIES = 3;

/** The URL of a Link header entry with rel="next" (RFC 8288), as Shopify's cursor pagination sends it. */
export function nextPageUrl(link: unknown): string | undefined {
  if (typeof link !== 'string') return undefined;
  for (const entry of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]+)>\s*;(.*)$/.exec(entry);
    if (match && /(?:^|;)\s*rel="?next"?\s*(?:;|$)/i.test(match[2]!)) return match[1];
  }
  return undefined;
}

/**
 * Paid orders from Shopify's REST Admin API: `GET /admin/api/{version}/orders.json?status=any&financial_status=paid
 * &updated_at_min=...`, authenticated with the admin client's X-Shopify-Access-Token (a granted token is renewed
 * once on a 401), following the Link header's rel="next" URL (a
 * page_info cursor that carries the filters, so it is used exactly as given). Throttled pages (429 with
 * Retry-After) are retried after the wait.
 */
export function shopifyOrderSource(
  settings: ShopifyOrdersApiSettings,
  credentials: ShopifyAdminCredentials,
  clock: Clock = systemClock,
): StorefrontOrderSource {
  const base = (settings.baseUrl || `https://${settings.shopDomain}`).replace(/\/+$/, '');
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, settings.pageSize ?? MAX_PAGE_SIZE));

  async function fetchPage(
    url: string,
    client: ShopifyAdminClient,
    signal: AbortSignal | undefined,
  ): Promise<{ orders: unknown[]; next?: string }> {
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const token = await client.accessToken(signal);
        const reply = await httpExchange(
          'Shopify',
          {
            method: 'GET',
            url,
            headers: { 'X-Shopify-Access-Token': token, Accept: 'application/json' },
            // Order ids pass 2^53; the intake reads the exact ones from admin_graphql_api_id.
            responseType: 'json',
          },
          { timeoutMs: settings.timeoutMs, signal, now: clock.now(), unavailable: channelUnavailable },
        );
        if (reply.status === 401 && !renewed && client.renewAfterRefusal()) {
          renewed = true;
          continue;
        }
        if (reply.status === 401 || reply.status === 403 || reply.status === 404) {
          throw new DropshipError(
            'configuration',
            `Shopify refused the orders API call (HTTP ${reply.status}): check the shop domain and the ` +
              'app credentials (the app needs the read_orders scope)',
            [{ path: 'clientId', message: `refused with HTTP ${reply.status}` }],
          );
        }
        const orders = (reply.data as { orders?: unknown } | undefined)?.orders;
        if (reply.status !== 200 || !Array.isArray(orders)) {
          throw new DropshipError(
            'invalid_input',
            `Shopify answered the orders API call with HTTP ${reply.status} and no order list`,
          );
        }
        return { orders, next: nextPageUrl(reply.headers.link) };
      } catch (err) {
        const waitMs = err instanceof ChannelDeliveryError && err.retryable ? err.retryAfterMs : undefined;
        if (
          waitMs === undefined ||
          attempt >= MAX_THROTTLE_RETRIES ||
          waitMs > (settings.maxThrottleWaitMs ?? 10_000)
        )
          throw err;
        await sleep(waitMs, undefined, { signal });
      }
    }
  }

  return {
    channel: 'shopify',
    async *paidOrdersChangedSince(since, signal) {
      const client = shopifyAdminClient(settings, credentials, { clock });
      const query = new URLSearchParams({
        status: 'any',
        financial_status: 'paid',
        updated_at_min: since.toISOString(),
        limit: String(limit),
      });
      let url: string | undefined = `${client.apiBase}/orders.json?${query.toString()}`;
      while (url) {
        const page = await fetchPage(url, client, signal);
        yield page.orders;
        // The token goes only where it went first: a next link to another origin is refused, not followed.
        if (page.next && new URL(page.next).origin !== new URL(base).origin) {
          throw new DropshipError(
            'invalid_input',
            `Shopify's next-page link points to ${new URL(page.next).origin}, not ${new URL(base).origin}`,
          );
        }
        url = page.next;
      }
    },
    orderReference(raw) {
      const order = (raw ?? {}) as { name?: unknown; admin_graphql_api_id?: unknown; id?: unknown };
      return [order.name, order.admin_graphql_api_id, order.id]
        .find((value) => typeof value === 'string' || typeof value === 'number')
        ?.toString();
    },
  };
}
