import { randomBytes } from 'node:crypto';
import { basicCredentials, startHttpFake, type FakeReply, type HttpFake } from './http-fake';
import { wpError } from './woocommerce';

/**
 * The WooCommerce REST API order listing on 127.0.0.1: `GET /wp-json/wc/v3/orders` with status, modified_after
 * (read as UTC when dates_are_gmt=true, else as the site's local time), orderby/order, page and per_page (1 to
 * 100, default 10), answering the orders as a JSON array with X-WP-Total, X-WP-TotalPages and a Link header, as
 * WordPress's REST collections do. Consumer key and secret are checked as HTTP Basic credentials.
 */
export interface FakeWooCommerceOrders extends HttpFake {
  consumerKey: string;
  consumerSecret: string;
  /** Adds or replaces (by id) an order in the REST v3 order JSON. */
  putOrder(order: Record<string, unknown>): void;
  /** Runs after each listing page is computed, before it is answered (to change the store mid-read). */
  onPage?: (page: number) => void;
}

const DEFAULT_PER_PAGE = 10;
const MAX_PER_PAGE = 100;
const STATUSES = ['any', 'pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed'];
/** The fake site's time zone offset: local dates are this far ahead of GMT. */
const SITE_OFFSET_MS = -8 * 3_600_000;

function parseWpDate(value: string, gmt: boolean): number {
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value);
  const ms = Date.parse(zoned ? value : `${value}Z`);
  return zoned || gmt ? ms : ms - SITE_OFFSET_MS;
}

export async function startFakeWooCommerceOrders(): Promise<FakeWooCommerceOrders> {
  const consumerKey = `ck_${randomBytes(20).toString('hex')}`;
  const consumerSecret = `cs_${randomBytes(20).toString('hex')}`;
  const orders = new Map<number, Record<string, unknown>>();
  const self: { onPage?: (page: number) => void } = {};
  let url = '';

  const fake = await startHttpFake((request): FakeReply => {
    const credentials = basicCredentials(request);
    if (!credentials) {
      return wpError(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    }
    if (credentials.user !== consumerKey || credentials.password !== consumerSecret) {
      return wpError(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
    }
    if (request.method !== 'GET' || request.path !== '/wp-json/wc/v3/orders') {
      return wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    const query = request.query;
    const perPage = Number(query.get('per_page') ?? DEFAULT_PER_PAGE);
    const page = Number(query.get('page') ?? 1);
    const statuses = (query.get('status') ?? 'any').split(',');
    const invalid: Record<string, string> = {};
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE)
      invalid.per_page = `per_page must be between 1 (inclusive) and ${MAX_PER_PAGE} (inclusive)`;
    if (!Number.isInteger(page) || page < 1) invalid.page = 'page must be greater than or equal to 1';
    if (statuses.some((s) => !STATUSES.includes(s)))
      invalid.status = `status[0] is not one of ${STATUSES.join(', ')}.`;
    const modifiedAfter = query.get('modified_after');
    const gmt = query.get('dates_are_gmt') === 'true';
    const after = modifiedAfter ? parseWpDate(modifiedAfter, gmt) : undefined;
    if (after !== undefined && Number.isNaN(after)) invalid.modified_after = 'Invalid date.';
    if (Object.keys(invalid).length > 0) {
      return wpError(400, 'rest_invalid_param', `Invalid parameter(s): ${Object.keys(invalid).join(', ')}`, {
        params: invalid,
      });
    }
    const descending = (query.get('order') ?? 'desc') === 'desc';
    const byId = query.get('orderby') === 'id';
    const all = [...orders.values()]
      .filter((o) => statuses.includes('any') || statuses.includes(String(o.status)))
      .filter((o) => after === undefined || Date.parse(`${String(o.date_modified_gmt)}Z`) > after)
      .sort((a, b) => {
        const key = (o: Record<string, unknown>) =>
          byId ? Number(o.id) : Date.parse(`${String(o.date_created_gmt)}Z`);
        return (key(a) - key(b)) * (descending ? -1 : 1);
      });
    const totalPages = Math.ceil(all.length / perPage);
    const body = all.slice((page - 1) * perPage, page * perPage);
    self.onPage?.(page);
    const link = (p: number, rel: string) => {
      const params = new URLSearchParams(query);
      params.set('page', String(p));
      return `<${url}${request.path}?${params.toString()}>; rel="${rel}"`;
    };
    const links = [
      ...(page > 1 ? [link(page - 1, 'prev')] : []),
      ...(page < totalPages ? [link(page + 1, 'next')] : []),
    ];
    return {
      status: 200,
      headers: {
        'X-WP-Total': String(all.length),
        'X-WP-TotalPages': String(totalPages),
        ...(links.length > 0 ? { Link: links.join(', ') } : {}),
      },
      body,
    };
  });
  url = fake.url;

  return Object.assign(self, {
    ...fake,
    consumerKey,
    consumerSecret,
    putOrder(order: Record<string, unknown>) {
      orders.set(Number(order.id), order);
    },
  });
}
