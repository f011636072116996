import { SHOPIFY_ADMIN_API_VERSION } from '../../connectors/storefronts/shopify-admin';
import { randomBytes } from 'node:crypto';
import { startHttpFake, type FakeReply, type HttpFake } from './http-fake';

/**
 * Shopify's REST Admin API order listing on 127.0.0.1: `GET /admin/api/{version}/orders.json` with the filters the
 * reconciliation poll uses (status, financial_status, updated_at_min) and cursor pagination as Shopify documents
 * it: at most 250 per page (default 50), the next and previous pages as `Link: <url>; rel="next"` entries whose
 * opaque page_info carries the filters, and a request with page_info may add nothing but limit and fields.
 * X-Shopify-Access-Token is checked: the legacy `accessToken`, or one the client credentials grant
 * (`POST /admin/oauth/access_token` with `clientId`/`clientSecret`) issued; `throttleNext` answers 429 with
 * Retry-After as Shopify's REST bucket does.
 */
export interface FakeShopifyOrders extends HttpFake {
  accessToken: string;
  /** The Dev Dashboard app whose client credentials grant issues tokens. */
  clientId: string;
  clientSecret: string;
  /** Ends every granted token, as their 24 hours running out would: the next call with one is answered 401. */
  revokeGrantedTokens(): void;
  shopDomain: string;
  /** Adds (or replaces, by id) an order in the REST order JSON; `updated_at` decides which filters it passes. */
  putOrder(order: Record<string, unknown>): void;
  throttleNext(count: number, retryAfterSeconds?: string): void;
}

interface Cursor {
  filters: Record<string, string>;
  /** Index in the filtered, id-ordered listing where the page starts. */
  offset: number;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 250;
const FILTERS = ['status', 'financial_status', 'updated_at_min'];

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(pageInfo: string): Cursor | undefined {
  try {
    return JSON.parse(Buffer.from(pageInfo, 'base64url').toString('utf8')) as Cursor;
  } catch {
    return undefined;
  }
}

/** Shopify's status filter: open (default), closed, cancelled or any. */
function statusMatches(order: Record<string, unknown>, status: string): boolean {
  if (status === 'any') return true;
  if (status === 'cancelled') return Boolean(order.cancelled_at);
  if (status === 'closed') return Boolean(order.closed_at);
  return !order.closed_at && !order.cancelled_at;
}

export async function startFakeShopifyOrders(
  apiVersion = SHOPIFY_ADMIN_API_VERSION,
): Promise<FakeShopifyOrders> {
  const accessToken = `shpat_${randomBytes(16).toString('hex')}`;
  const clientId = randomBytes(16).toString('hex');
  const clientSecret = `shpss_${randomBytes(16).toString('hex')}`;
  const granted = new Set<string>();
  const orders = new Map<string, Record<string, unknown>>();
  const throttles: string[] = [];
  let url = '';

  function listing(filters: Record<string, string>): Record<string, unknown>[] {
    const updatedMin = filters.updated_at_min ? Date.parse(filters.updated_at_min) : undefined;
    return [...orders.values()]
      .filter((o) => statusMatches(o, filters.status ?? 'open'))
      .filter((o) => !filters.financial_status || o.financial_status === filters.financial_status)
      .filter((o) => updatedMin === undefined || Date.parse(String(o.updated_at)) >= updatedMin)
      .sort((a, b) => String(a.admin_graphql_api_id).localeCompare(String(b.admin_graphql_api_id)));
  }

  function pageLink(cursor: Cursor, limit: number, rel: 'next' | 'previous'): string {
    return `<${url}/admin/api/${apiVersion}/orders.json?limit=${limit}&page_info=${encodeCursor(cursor)}>; rel="${rel}"`;
  }

  const fake = await startHttpFake((request): FakeReply => {
    if (request.method === 'POST' && request.path === '/admin/oauth/access_token') {
      const form = new URLSearchParams(request.body);
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== clientId ||
        form.get('client_secret') !== clientSecret
      ) {
        return {
          status: 400,
          body: { error: 'invalid_client', error_description: 'Client authentication failed' },
        };
      }
      const token = `shpat_${randomBytes(16).toString('hex')}`;
      granted.add(token);
      return { status: 200, body: { access_token: token, scope: 'read_orders', expires_in: 86399 } };
    }
    const presented = request.headers['x-shopify-access-token'];
    if (presented !== accessToken && !granted.has(String(presented))) {
      return {
        status: 401,
        body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
      };
    }
    if (request.method !== 'GET' || request.path !== `/admin/api/${apiVersion}/orders.json`) {
      return { status: 404, body: { errors: 'Not Found' } };
    }
    const throttled = throttles.shift();
    if (throttled !== undefined) {
      return {
        status: 429,
        headers: { 'Retry-After': throttled, 'X-Shopify-Shop-Api-Call-Limit': '40/40' },
        body: {
          errors:
            'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        },
      };
    }
    const limit = Number(request.query.get('limit') ?? DEFAULT_LIMIT);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return { status: 400, body: { errors: { limit: [`must be between 1 and ${MAX_LIMIT}`] } } };
    }
    let cursor: Cursor;
    const pageInfo = request.query.get('page_info');
    if (pageInfo) {
      const extra = [...request.query.keys()].filter((k) => !['page_info', 'limit', 'fields'].includes(k));
      const decoded = decodeCursor(pageInfo);
      if (extra.length > 0 || !decoded) {
        return { status: 400, body: { errors: { page_info: ['Invalid value.'] } } };
      }
      cursor = decoded;
    } else {
      const filters = Object.fromEntries(
        FILTERS.filter((f) => request.query.has(f)).map((f) => [f, request.query.get(f)!]),
      );
      cursor = { filters, offset: 0 };
    }
    const all = listing(cursor.filters);
    const page = all.slice(cursor.offset, cursor.offset + limit);
    const links: string[] = [];
    if (cursor.offset > 0) {
      links.push(pageLink({ ...cursor, offset: Math.max(0, cursor.offset - limit) }, limit, 'previous'));
    }
    if (cursor.offset + limit < all.length) {
      links.push(pageLink({ ...cursor, offset: cursor.offset + limit }, limit, 'next'));
    }
    return {
      status: 200,
      headers: {
        'X-Shopify-Shop-Api-Call-Limit': '1/40',
        ...(links.length > 0 ? { Link: links.join(', ') } : {}),
      },
      body: { orders: page },
    };
  });
  url = fake.url;

  return {
    ...fake,
    accessToken,
    clientId,
    clientSecret,
    revokeGrantedTokens: () => granted.clear(),
    shopDomain: 'quiet-harbour.myshopify.com',
    putOrder(order) {
      orders.set(String(order.admin_graphql_api_id ?? order.id), order);
    },
    throttleNext(count, retryAfterSeconds = '1.0') {
      for (let i = 0; i < count; i++) throttles.push(retryAfterSeconds);
    },
  };
}
