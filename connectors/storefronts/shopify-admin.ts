import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import type { ConnectorLog } from '../../core/ports/connector';
import { ChannelDeliveryError, channelUnavailable } from '../messaging/delivery-error';
import { httpExchange } from '../messaging/http-exchange';
import { AccessTokenCache } from '../oauth-token-cache';

/** The Admin API version every Shopify call uses (Shopify supports each version for twelve months). */
export const SHOPIFY_ADMIN_API_VERSION = '2026-10';

/** Shopify's limit on one query's calculated cost, whatever the plan. */
export const SHOPIFY_MAX_QUERY_COST = 1000;

export interface ShopifyAdminSettings {
  /** The shop's permanent domain, e.g. "acme-goods.myshopify.com". */
  shopDomain: string;
  /** Admin API version; SHOPIFY_ADMIN_API_VERSION when absent. */
  apiVersion?: string;
  /** Overrides https://{shopDomain} (a proxy, the demo's sandbox shop, a local fake in tests). */
  baseUrl?: string;
  timeoutMs?: number;
  /** Longest throttle wait to sit out inside one call; longer waits fail the call as retryable. */
  maxThrottleWaitMs?: number;
}

/**
 * How the app proves itself: a Dev Dashboard app's client id and secret (the client credentials grant, a token
 * that lasts 24 hours), or a token created in the shop admin before 2026 (`accessToken`, which does not expire).
 */
export interface ShopifyAdminCredentials {
  clientId?: string;
  clientSecret?: string;
  accessToken?: string;
}

export interface ShopifyThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface GraphqlReply {
  data?: Record<string, unknown> | null;
  errors?: { message?: string; extensions?: { code?: string } }[] | string | Record<string, unknown>;
  extensions?: {
    cost?: { requestedQueryCost?: number; throttleStatus?: Partial<ShopifyThrottleStatus> };
  };
}

export interface ShopifyAdminDeps {
  clock: Clock;
  log?: ConnectorLog;
}

const SILENT: ConnectorLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export interface ShopifyGraphqlOptions {
  signal?: AbortSignal;
  /** What the query is expected to cost: the call waits for the bucket to hold that much before sending. */
  estimatedCost?: number;
}

/** One client for every Shopify Admin API call: token, version, throttle. */
export interface ShopifyAdminClient {
  readonly shopDomain: string;
  /** The Admin API's base: {origin}/admin/api/{version}. */
  readonly apiBase: string;
  /** POST {apiBase}/graphql.json; resolves the `data` of an answer without top-level errors. */
  graphql(
    query: string,
    variables: Record<string, unknown>,
    options?: ShopifyGraphqlOptions,
  ): Promise<Record<string, unknown>>;
  /** The token to send as X-Shopify-Access-Token (REST calls use it too). */
  accessToken(signal?: AbortSignal): Promise<string>;
  /** After a 401: drops a granted token so the next call is granted a fresh one; false for a fixed token. */
  renewAfterRefusal(): boolean;
}

const MAX_THROTTLE_RETRIES = 8;

/** Granted tokens by shop and app, shared by every client of the process. */
const grantedTokens = new AccessTokenCache();
/** A grant under way, by shop and app: calls that need a token meanwhile wait for it instead of asking again. */
const pendingGrants = new Map<string, Promise<string>>();
/** What each shop's bucket held when it last answered, so the next call can wait before it is throttled. */
const lastThrottleStatus = new Map<string, { status: ShopifyThrottleStatus; at: number }>();

function shopOrigin(settings: ShopifyAdminSettings): string {
  return (settings.baseUrl || `https://${settings.shopDomain}`).replace(/\/+$/, '');
}

/** How long the bucket needs to refill to `needed` points, from what it held at `at`. */
function refillWaitMs(status: ShopifyThrottleStatus, at: number, now: number, needed: number): number {
  const rate = status.restoreRate > 0 ? status.restoreRate : 50;
  const available = Math.min(status.maximumAvailable, status.currentlyAvailable + ((now - at) / 1000) * rate);
  if (available >= needed) return 0;
  return Math.ceil(((needed - available) / rate) * 1000);
}

function readThrottleStatus(reply: GraphqlReply): ShopifyThrottleStatus | undefined {
  const status = reply.extensions?.cost?.throttleStatus;
  if (
    typeof status?.currentlyAvailable !== 'number' ||
    typeof status.maximumAvailable !== 'number' ||
    typeof status.restoreRate !== 'number'
  )
    return undefined;
  return {
    maximumAvailable: status.maximumAvailable,
    currentlyAvailable: status.currentlyAvailable,
    restoreRate: status.restoreRate,
  };
}

function errorText(errors: GraphqlReply['errors']): string {
  if (Array.isArray(errors)) return errors.map((e) => e.message ?? '').join('; ');
  return JSON.stringify(errors ?? '').slice(0, 200);
}

export function shopifyAdminClient(
  settings: ShopifyAdminSettings,
  credentials: ShopifyAdminCredentials,
  deps: ShopifyAdminDeps,
): ShopifyAdminClient {
  const origin = shopOrigin(settings);
  const apiBase = `${origin}/admin/api/${settings.apiVersion || SHOPIFY_ADMIN_API_VERSION}`;
  const granted = Boolean(credentials.clientId && credentials.clientSecret);
  // The secret is part of the key (as a digest): a secret changed in the dialog is granted its own token.
  const tokenKey = `${origin}|${credentials.clientId ?? ''}|${createHash('sha256')
    .update(credentials.clientSecret ?? '')
    .digest('base64')}`;
  const maxWaitMs = settings.maxThrottleWaitMs ?? 10_000;
  const log = deps.log ?? SILENT;

  if (!granted && !credentials.accessToken) {
    throw new DropshipError(
      'configuration',
      "the Shopify storefront has no Admin API credentials: give the app's client id and client secret " +
        '(Dev Dashboard) or an Admin API access token',
      [{ path: '/credentials/clientId', message: 'is required (with the client secret)' }],
    );
  }

  async function requestGrant(signal?: AbortSignal): Promise<unknown> {
    const reply = await httpExchange(
      'Shopify',
      {
        method: 'POST',
        url: `${origin}/admin/oauth/access_token`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        data: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: credentials.clientId ?? '',
          client_secret: credentials.clientSecret ?? '',
        }).toString(),
      },
      { timeoutMs: settings.timeoutMs, signal, now: deps.clock.now(), unavailable: channelUnavailable },
    );
    if (reply.status !== 200) {
      const body = (reply.data ?? {}) as { error?: unknown; error_description?: unknown };
      throw new DropshipError(
        'configuration',
        `Shopify refused the app's client credentials for ${settings.shopDomain} (HTTP ${reply.status}` +
          `${typeof body.error === 'string' ? `, ${body.error}` : ''}): check the client id and secret in the ` +
          'Dev Dashboard and that the app is installed on this shop',
        [{ path: '/credentials/clientSecret', message: `refused with HTTP ${reply.status}` }],
      );
    }
    return reply.data;
  }

  async function accessToken(signal?: AbortSignal): Promise<string> {
    if (!granted) return credentials.accessToken ?? '';
    const pending = pendingGrants.get(tokenKey);
    if (pending) return pending;
    const grant = grantedTokens
      .token(
        tokenKey,
        deps.clock.now(),
        () => requestGrant(signal),
        (reason) => new DropshipError('configuration', `Shopify's token endpoint: ${reason}`),
        86_399,
      )
      .finally(() => pendingGrants.delete(tokenKey));
    pendingGrants.set(tokenKey, grant);
    return grant;
  }

  function renewAfterRefusal(): boolean {
    if (!granted) return false;
    grantedTokens.forget(tokenKey);
    return true;
  }

  async function waitForBucket(cost: number, signal?: AbortSignal): Promise<void> {
    const last = lastThrottleStatus.get(origin);
    if (!last) return;
    const waitMs = refillWaitMs(last.status, last.at, deps.clock.now().getTime(), cost);
    if (waitMs <= 0) return;
    log.debug(`Shopify's cost bucket holds too little for a ${cost}-point query; waiting ${waitMs} ms`);
    await sleep(Math.min(waitMs, maxWaitMs), undefined, { signal });
  }

  async function graphql(
    query: string,
    variables: Record<string, unknown>,
    options: ShopifyGraphqlOptions = {},
  ): Promise<Record<string, unknown>> {
    const { signal } = options;
    if (options.estimatedCost !== undefined) await waitForBucket(options.estimatedCost, signal);
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await accessToken(signal);
      const reply = await httpExchange(
        'Shopify',
        {
          method: 'POST',
          url: `${apiBase}/graphql.json`,
          headers: {
            'X-Shopify-Access-Token': token,
            'Content-Type': 'application/json',
            Accept: 'application/json',
          },
          data: { query, variables },
        },
        { timeoutMs: settings.timeoutMs, signal, now: deps.clock.now(), unavailable: channelUnavailable },
      );
      const body = (reply.data ?? {}) as GraphqlReply;
      if (reply.status === 401 && !renewed && renewAfterRefusal()) {
        renewed = true;
        log.debug(`Shopify refused the access token of ${settings.shopDomain}; asking for a new one`);
        continue;
      }
      if (reply.status === 401 || reply.status === 403 || reply.status === 404) {
        throw new DropshipError(
          'configuration',
          `Shopify refused the Admin API call (HTTP ${reply.status}): ${errorText(body.errors)}`,
          [{ path: '/credentials', message: `refused with HTTP ${reply.status}` }],
        );
      }
      if (reply.status !== 200) {
        throw new ChannelDeliveryError(
          `Shopify answered HTTP ${reply.status}: ${errorText(body.errors)}`,
          false,
        );
      }
      const status = readThrottleStatus(body);
      if (status) lastThrottleStatus.set(origin, { status, at: deps.clock.now().getTime() });
      const errors = Array.isArray(body.errors) ? body.errors : [];
      if (errors.some((e) => e.extensions?.code === 'THROTTLED')) {
        const needed = body.extensions?.cost?.requestedQueryCost ?? 50;
        const waitMs = Math.max(
          100,
          status
            ? refillWaitMs(status, deps.clock.now().getTime(), deps.clock.now().getTime(), needed)
            : 1000,
        );
        if (attempt >= MAX_THROTTLE_RETRIES || waitMs > maxWaitMs) {
          throw new ChannelDeliveryError('Shopify throttled the Admin API call', true, waitMs);
        }
        log.debug(`Shopify throttled a ${needed}-point query; waiting ${waitMs} ms`);
        await sleep(waitMs, undefined, { signal });
        continue;
      }
      if (errors.length > 0 || !body.data) {
        throw new ChannelDeliveryError(`Shopify rejected the query: ${errorText(body.errors)}`, false);
      }
      return body.data;
    }
  }

  return { shopDomain: settings.shopDomain, apiBase, graphql, accessToken, renewAfterRefusal };
}
