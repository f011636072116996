import type { Clock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { shopifyAdminClient, type ShopifyAdminClient } from './shopify-admin';
import { LOOPBACK_HOSTS } from './woocommerce-orders-api';
import { wooCommerceListAll, wooCommerceRest, type WooCommerceRestAccess } from './woocommerce-rest';

/** One webhook the shop sends: what about, where to, and whether this call made it. */
export interface WebhookSubscription {
  id: string;
  topic: string;
  address: string;
  created: boolean;
}

/**
 * The order topics the Shopify intake reads: orders/paid, and orders/create because orders/paid does not fire for
 * an order created already paid. GraphQL enum names.
 */
export const SHOPIFY_ORDER_TOPICS = ['ORDERS_CREATE', 'ORDERS_PAID'] as const;
/** The order topics the WooCommerce intake reads. */
export const WOOCOMMERCE_ORDER_TOPICS = ['order.created', 'order.updated'] as const;

/** The address the shop is to deliver to: absolute, and HTTPS unless it is this machine (a sandbox shop). */
function checkedAddress(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new DropshipError('invalid_input', `"${address.slice(0, 200)}" is not a web address`, [
      { path: 'webhookUrl', message: 'must be the full address of the order in node, https://…' },
    ]);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new DropshipError('invalid_input', `the webhook address ${url.origin} is not HTTPS`, [
      { path: 'webhookUrl', message: 'shops deliver webhooks only to https:// addresses' },
    ]);
  }
  return url.toString();
}

const SHOPIFY_LIST_QUERY = `query DropshipWebhooks($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    nodes { id topic uri }
    pageInfo { hasNextPage endCursor }
  }
}`;

const SHOPIFY_CREATE_MUTATION = `mutation DropshipWebhookCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`;

/** Every webhook subscription of the app on the shop (`webhookSubscriptions`, page by page). */
export async function shopifyWebhookSubscriptions(
  client: ShopifyAdminClient,
  signal?: AbortSignal,
): Promise<WebhookSubscription[]> {
  const found: WebhookSubscription[] = [];
  let after: string | null = null;
  do {
    const data = await client.graphql(SHOPIFY_LIST_QUERY, { after }, { signal, estimatedCost: 102 });
    const page = data.webhookSubscriptions as {
      nodes: { id: string; topic: string; uri: string }[];
      pageInfo: { hasNextPage: boolean; endCursor?: string | null };
    };
    found.push(...page.nodes.map((n) => ({ id: n.id, topic: n.topic, address: n.uri, created: false })));
    after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null;
  } while (after);
  return found;
}

/**
 * Subscribes the shop's order webhooks to `address`, idempotently: the app's subscriptions are listed first and
 * only a topic not yet sent to this address is created (`webhookSubscriptionCreate`, JSON). Shopify signs what it
 * sends with the app's client secret, which the storefront already checks.
 */
export async function subscribeShopifyWebhooks(
  client: ShopifyAdminClient,
  address: string,
  signal?: AbortSignal,
): Promise<WebhookSubscription[]> {
  const uri = checkedAddress(address);
  const existing = await shopifyWebhookSubscriptions(client, signal);
  const result: WebhookSubscription[] = [];
  for (const topic of SHOPIFY_ORDER_TOPICS) {
    const there = existing.find((s) => s.topic === topic && s.address === uri);
    if (there) {
      result.push(there);
      continue;
    }
    const data = await client.graphql(
      SHOPIFY_CREATE_MUTATION,
      { topic, webhookSubscription: { uri, format: 'JSON' } },
      { signal, estimatedCost: 10 },
    );
    const payload = data.webhookSubscriptionCreate as {
      webhookSubscription?: { id: string; topic: string; uri: string } | null;
      userErrors?: { message: string }[];
    } | null;
    const made = payload?.webhookSubscription;
    if (!made) {
      throw new DropshipError(
        'configuration',
        `Shopify refused the ${topic} webhook: ${(payload?.userErrors ?? []).map((e) => e.message).join('; ') || 'no reason given'}`,
      );
    }
    result.push({ id: made.id, topic: made.topic, address: made.uri, created: true });
  }
  return result;
}

const WEBHOOKS_PURPOSE = 'to manage webhooks';
const WEBHOOKS_BY_HAND = 'add the webhooks in WooCommerce > Settings > Advanced > Webhooks';

interface RawWooWebhook {
  id: number;
  topic: string;
  delivery_url: string;
  status?: string;
}

/** Every webhook of the store (`GET webhooks`, 100 a page). */
export async function wooCommerceWebhooks(
  access: WooCommerceRestAccess,
  signal?: AbortSignal,
): Promise<WebhookSubscription[]> {
  const webhooks = await wooCommerceListAll<RawWooWebhook>(access, 'webhooks', WEBHOOKS_PURPOSE, signal);
  return webhooks.map((w) => ({ id: String(w.id), topic: w.topic, address: w.delivery_url, created: false }));
}

/**
 * Creates the store's order webhooks to `address`, signed with `secret` (the storefront's webhook secret), for
 * each topic not yet delivered there. Needs a REST API key with Read/Write access.
 */
export async function subscribeWooCommerceWebhooks(
  access: WooCommerceRestAccess,
  address: string,
  secret: string,
  signal?: AbortSignal,
): Promise<WebhookSubscription[]> {
  const deliveryUrl = checkedAddress(address);
  if (!secret) {
    throw new DropshipError(
      'configuration',
      'set the webhook secret first: WooCommerce signs each webhook with it',
      [{ path: 'webhookSecret', message: 'is required to subscribe webhooks' }],
    );
  }
  const existing = await wooCommerceWebhooks(access, signal);
  const result: WebhookSubscription[] = [];
  for (const topic of WOOCOMMERCE_ORDER_TOPICS) {
    const there = existing.find((w) => w.topic === topic && w.address === deliveryUrl);
    if (there) {
      result.push(there);
      continue;
    }
    const { body } = await wooCommerceRest(
      access,
      {
        method: 'POST',
        resource: 'webhooks',
        data: { name: `Drop-ship ${topic}`, topic, delivery_url: deliveryUrl, secret, status: 'active' },
        purpose: WEBHOOKS_PURPOSE,
        byHand: WEBHOOKS_BY_HAND,
      },
      signal,
    );
    const made = body as RawWooWebhook;
    result.push({ id: String(made.id), topic: made.topic, address: made.delivery_url, created: true });
  }
  return result;
}

/** The subscriptions in words, for the storefront dialog. */
export function describeWebhooks(subscriptions: WebhookSubscription[]): string {
  if (subscriptions.length === 0) return 'The shop sends no webhooks to this app yet.';
  return subscriptions
    .map((s) => `${s.topic} → ${s.address} (${s.created ? 'subscribed now' : 'already subscribed'})`)
    .join('; ');
}

export interface StorefrontWebhookSettings {
  platform: 'shopify' | 'woocommerce' | 'generic';
  shopDomain?: string;
  /** WooCommerce: the store's address; Shopify: replaces https://{shopDomain}. */
  baseUrl?: string;
  /** The public address of the order in node the shop is to deliver to. */
  webhookUrl?: string;
  /** WooCommerce: the secret its webhooks are signed with (the storefront's webhook secret). */
  webhookSecret?: string;
}

/**
 * The storefront dialog's webhook buttons: lists the shop's webhooks, or subscribes the order webhooks to
 * `webhookUrl` (creating only what is missing), and says what the shop now sends, in words.
 */
export async function storefrontWebhooks(
  action: 'list' | 'subscribe',
  settings: StorefrontWebhookSettings,
  credentials: Record<string, string | undefined>,
  clock: Clock,
  signal?: AbortSignal,
): Promise<string> {
  if (action === 'subscribe' && !settings.webhookUrl) {
    throw new DropshipError(
      'configuration',
      'enter the webhook address (the order in node, as the shop reaches it)',
      [{ path: 'webhookUrl', message: 'is required to subscribe webhooks' }],
    );
  }
  if (settings.platform === 'shopify' && settings.shopDomain) {
    const client = shopifyAdminClient(
      { shopDomain: settings.shopDomain, ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}) },
      credentials,
      { clock },
    );
    return describeWebhooks(
      action === 'list'
        ? await shopifyWebhookSubscriptions(client, signal)
        : await subscribeShopifyWebhooks(client, settings.webhookUrl!, signal),
    );
  }
  if (settings.platform === 'woocommerce' && settings.baseUrl) {
    const access = { storeUrl: settings.baseUrl, credentials, clock };
    return describeWebhooks(
      action === 'list'
        ? await wooCommerceWebhooks(access, signal)
        : await subscribeWooCommerceWebhooks(
            access,
            settings.webhookUrl!,
            settings.webhookSecret ?? '',
            signal,
          ),
    );
  }
  throw new DropshipError(
    'configuration',
    'webhooks are subscribed for a Shopify shop with its domain or a WooCommerce shop with its address; ' +
      'another system is told the address by hand',
  );
}
