import { randomBytes } from 'node:crypto';
import { basicCredentials, startHttpFake, type FakeReply, type HttpFake } from './http-fake';
import { wpError } from './woocommerce';

/**
 * A WooCommerce store's catalogue on 127.0.0.1 (REST API v3): `GET products` and `GET products/<id>/variations`
 * (per_page 1 to 100, default 10, page, include, answered with X-WP-Total and X-WP-TotalPages),
 * `POST products/batch` and `POST products/<id>/variations/batch` (at most 100 items; an item that cannot be
 * updated is answered in place with its WP error, as WC_REST_Controller::batch_items does), and the `webhooks`
 * collection (GET, POST). Keys are checked as HTTP Basic credentials; a read-only key cannot write.
 */
export interface FakeWooProduct {
  id: number;
  name: string;
  type: 'simple' | 'variable';
  sku: string;
  global_unique_id: string;
  regular_price: string;
  sale_price: string;
  manage_stock: boolean;
  stock_quantity: number | null;
  categories: { id: number; name: string; slug: string }[];
  variations: FakeWooVariation[];
}

export interface FakeWooVariation {
  id: number;
  sku: string;
  global_unique_id: string;
  regular_price: string;
  sale_price: string;
  manage_stock: boolean | 'parent';
  stock_quantity: number | null;
  attributes: { id: number; name: string; option: string }[];
}

export interface FakeWooWebhook {
  id: number;
  name: string;
  status: string;
  topic: string;
  delivery_url: string;
  secret: string;
}

export interface FakeWooCommerceCatalogue extends HttpFake {
  consumerKey: string;
  consumerSecret: string;
  /** A key with read access only: listings answer, writes are refused with 401. */
  readOnlyKey: string;
  products: FakeWooProduct[];
  webhooks: FakeWooWebhook[];
}

const MAX_PER_PAGE = 100;
const MAX_BATCH = 100;

function priceView(item: { regular_price: string; sale_price: string }) {
  const onSale = item.sale_price !== '';
  return {
    price: onSale ? item.sale_price : item.regular_price,
    regular_price: item.regular_price,
    sale_price: item.sale_price,
    on_sale: onSale,
  };
}

function productView(product: FakeWooProduct) {
  return {
    id: product.id,
    name: product.name,
    type: product.type,
    sku: product.sku,
    global_unique_id: product.global_unique_id,
    ...priceView(product),
    manage_stock: product.manage_stock,
    stock_quantity: product.stock_quantity,
    stock_status: (product.stock_quantity ?? 1) > 0 ? 'instock' : 'outofstock',
    categories: product.categories,
    variations: product.variations.map((v) => v.id),
  };
}

function variationView(variation: FakeWooVariation) {
  return {
    id: variation.id,
    sku: variation.sku,
    global_unique_id: variation.global_unique_id,
    ...priceView(variation),
    manage_stock: variation.manage_stock,
    stock_quantity: variation.stock_quantity,
    attributes: variation.attributes,
  };
}

function listing<T>(items: T[], query: URLSearchParams, view: (item: T) => unknown): FakeReply {
  const perPage = Number(query.get('per_page') ?? 10);
  const page = Number(query.get('page') ?? 1);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    return wpError(400, 'rest_invalid_param', 'Invalid parameter(s): per_page', {
      params: { per_page: `per_page must be between 1 (inclusive) and ${MAX_PER_PAGE} (inclusive)` },
    });
  }
  const include = query.get('include');
  const ids = include ? include.split(',').map(Number) : undefined;
  const chosen = ids ? items.filter((item) => ids.includes((item as { id: number }).id)) : items;
  return {
    status: 200,
    headers: {
      'X-WP-Total': String(chosen.length),
      'X-WP-TotalPages': String(Math.ceil(chosen.length / perPage)),
    },
    body: chosen.slice((page - 1) * perPage, page * perPage).map(view),
  };
}

/** Applies one batch `update` item, as WooCommerce's REST controllers set these fields. */
function applyUpdate(
  target: {
    regular_price: string;
    sale_price: string;
    manage_stock: boolean | 'parent';
    stock_quantity: number | null;
  },
  update: Record<string, unknown>,
): string | undefined {
  if ('regular_price' in update) {
    if (typeof update.regular_price !== 'string' || !/^(\d+(\.\d+)?)?$/.test(update.regular_price))
      return 'regular_price is not of type string.';
    target.regular_price = update.regular_price;
  }
  if ('sale_price' in update && typeof update.sale_price === 'string') target.sale_price = update.sale_price;
  if ('manage_stock' in update) target.manage_stock = update.manage_stock === true;
  if ('stock_quantity' in update) {
    if (!Number.isInteger(update.stock_quantity)) return 'stock_quantity is not of type integer.';
    target.stock_quantity = update.stock_quantity as number;
  }
  return undefined;
}

export async function startFakeWooCommerceCatalogue(
  products: FakeWooProduct[],
): Promise<FakeWooCommerceCatalogue> {
  const consumerKey = `ck_${randomBytes(20).toString('hex')}`;
  const consumerSecret = `cs_${randomBytes(20).toString('hex')}`;
  const readOnlyKey = `ck_${randomBytes(20).toString('hex')}`;
  const webhooks: FakeWooWebhook[] = [];

  function batch(
    body: string,
    find: (id: number) => FakeWooProduct | FakeWooVariation | undefined,
    view: (item: never) => unknown,
    kind: string,
  ): FakeReply {
    const request = JSON.parse(body) as { update?: Record<string, unknown>[] };
    const updates = request.update ?? [];
    if (updates.length > MAX_BATCH) {
      return wpError(
        413,
        'woocommerce_rest_request_entity_too_large',
        `Unable to accept more than ${MAX_BATCH} items for this request.`,
      );
    }
    return {
      status: 200,
      body: {
        update: updates.map((update) => {
          const id = Number(update.id);
          const item = find(id);
          if (!item) {
            return {
              id,
              error: {
                code: `woocommerce_rest_${kind}_invalid_id`,
                message: 'Invalid ID.',
                data: { status: 400 },
              },
            };
          }
          const problem = applyUpdate(item, update);
          if (problem) {
            return {
              id,
              error: {
                code: 'rest_invalid_param',
                message: `Invalid parameter(s): ${problem}`,
                data: { status: 400 },
              },
            };
          }
          return view(item as never);
        }),
      },
    };
  }

  const fake = await startHttpFake((request): FakeReply => {
    const credentials = basicCredentials(request);
    if (!credentials)
      return wpError(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    const readOnly = credentials.user === readOnlyKey && credentials.password === consumerSecret;
    if (!readOnly && (credentials.user !== consumerKey || credentials.password !== consumerSecret)) {
      return wpError(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
    }
    const path = request.path.replace(/^\/wp-json\/wc\/v3\//, '');
    if (request.method === 'POST' && readOnly) {
      return wpError(
        401,
        'woocommerce_rest_cannot_edit',
        'Sorry, you are not allowed to edit this resource.',
      );
    }
    if (request.method === 'GET' && path === 'products') return listing(products, request.query, productView);
    const variations = /^products\/(\d+)\/variations(\/batch)?$/.exec(path);
    if (variations) {
      const parent = products.find((p) => p.id === Number(variations[1]));
      if (!parent) return wpError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
      if (request.method === 'GET' && !variations[2])
        return listing(parent.variations, request.query, variationView);
      if (request.method === 'POST' && variations[2])
        return batch(
          request.body,
          (id) => parent.variations.find((v) => v.id === id),
          variationView,
          'product_variation',
        );
    }
    if (request.method === 'POST' && path === 'products/batch')
      return batch(
        request.body,
        (id) => products.find((p) => p.id === id && p.type === 'simple'),
        productView,
        'product',
      );
    if (path === 'webhooks') {
      if (request.method === 'GET') return listing(webhooks, request.query, (w) => w);
      if (request.method === 'POST') {
        const input = JSON.parse(request.body) as Partial<FakeWooWebhook>;
        if (!input.topic || !input.delivery_url || !/^https?:\/\//.test(input.delivery_url)) {
          return wpError(
            400,
            'woocommerce_rest_webhook_invalid_delivery_url',
            'Webhook delivery URL must be a valid URL starting with http:// or https://.',
          );
        }
        const webhook: FakeWooWebhook = {
          id: 100 + webhooks.length,
          name: input.name ?? input.topic,
          status: input.status ?? 'active',
          topic: input.topic,
          delivery_url: input.delivery_url,
          secret: input.secret ?? '',
        };
        webhooks.push(webhook);
        return { status: 201, body: webhook };
      }
    }
    return wpError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
  });
  return { ...fake, consumerKey, consumerSecret, readOnlyKey, products, webhooks };
}
