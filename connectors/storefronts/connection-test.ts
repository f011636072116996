import { systemClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { channelUnavailable } from '../messaging/delivery-error';
import { httpExchange } from '../messaging/http-exchange';
import { shopifyAdminClient } from './shopify-admin';
import { LOOPBACK_HOSTS } from './woocommerce-orders-api';

export interface StorefrontConnectionSettings {
  platform: 'shopify' | 'woocommerce' | 'generic';
  shopDomain?: string;
  /** WooCommerce: the store's address; Shopify: replaces https://<shop domain> (a proxy, a local API). */
  baseUrl?: string;
  timeoutMs?: number;
}

function refused(platform: string, status: number, field: string): DropshipError {
  return new DropshipError(
    'configuration',
    `${platform} refused the API credentials (HTTP ${status}): check the ${field}`,
    [{ path: field, message: `refused with HTTP ${status}` }],
  );
}

/**
 * The storefront node's "Test connection": one read-only Admin API call with the node's API credentials, Shopify's
 * `GET /admin/api/{version}/shop.json` (the shop's own record) or WooCommerce's `GET /wp-json/wc/v3/system_status`.
 * Nothing in the shop changes. Webhook secrets cannot be tested from here: the shop uses them, not us.
 */
export async function testStorefrontConnection(
  settings: StorefrontConnectionSettings,
  credentials: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<string> {
  const options = {
    timeoutMs: settings.timeoutMs ?? 10_000,
    signal,
    now: new Date(),
    unavailable: channelUnavailable,
  };
  if (settings.platform === 'shopify') {
    if (!settings.shopDomain && !settings.baseUrl)
      throw new DropshipError('configuration', 'enter the shop domain (my-shop.myshopify.com) to test');
    if (!(credentials.clientId && credentials.clientSecret) && !credentials.accessToken)
      throw new DropshipError(
        'configuration',
        "enter the app's client id and client secret (or a legacy Admin API access token) to test the API",
      );
    const client = shopifyAdminClient(
      { shopDomain: settings.shopDomain ?? '', baseUrl: settings.baseUrl, timeoutMs: options.timeoutMs },
      credentials,
      { clock: systemClock },
    );
    const data = await client.graphql('query DropshipConnectionTest { shop { name } }', {}, { signal });
    const name = (data.shop as { name?: unknown } | null)?.name;
    if (typeof name !== 'string')
      throw new DropshipError(
        'configuration',
        "Shopify answered without the shop's record: check the shop domain",
      );
    return `Shopify answered for the shop "${name}": the app credentials work.`;
  }
  if (settings.platform === 'woocommerce') {
    if (!settings.baseUrl) throw new DropshipError('configuration', 'enter the shop address to test');
    if (!credentials.consumerKey || !credentials.consumerSecret)
      throw new DropshipError('configuration', 'enter the consumer key and secret to test the API');
    const base = settings.baseUrl.replace(/\/+$/, '');
    const url = new URL(base);
    if (url.protocol !== 'https:' && !LOOPBACK_HOSTS.has(url.hostname))
      throw new DropshipError(
        'configuration',
        `the shop address ${url.origin} is not HTTPS: the API keys would travel in clear text`,
      );
    const reply = await httpExchange(
      'WooCommerce',
      {
        method: 'GET',
        url: `${base}/wp-json/wc/v3/system_status`,
        headers: {
          Authorization: `Basic ${Buffer.from(`${credentials.consumerKey}:${credentials.consumerSecret}`).toString('base64')}`,
          Accept: 'application/json',
        },
      },
      options,
    );
    if (reply.status === 401 || reply.status === 403)
      throw refused('WooCommerce', reply.status, 'consumerKey');
    const version = (reply.data as { environment?: { version?: unknown } } | undefined)?.environment?.version;
    if (reply.status !== 200)
      throw new DropshipError(
        'configuration',
        `WooCommerce answered HTTP ${reply.status}: check the shop address`,
      );
    return `WooCommerce${typeof version === 'string' ? ` ${version}` : ''} answered: the REST API keys work.`;
  }
  throw new DropshipError(
    'configuration',
    'a generic storefront has no API to test: it only sends signed webhooks, checked as they arrive',
  );
}
