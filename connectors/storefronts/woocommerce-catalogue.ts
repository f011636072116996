import type { Clock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import type {
  StorefrontCatalogue,
  StorefrontVariant,
  StorefrontVariantPush,
  StorefrontVariantPushOutcome,
} from '../../core/ports/storefront-catalogue';
import {
  WOOCOMMERCE_PAGE_LIMIT,
  wooCommerceListAll,
  wooCommerceRest,
  type WooCommerceRestAccess,
} from './woocommerce-rest';

export interface WooCommerceCatalogueSettings {
  /** The store's address, e.g. "https://shop.example.com". */
  storeUrl: string;
  timeoutMs?: number;
}

const PURPOSE = 'to sync stock and prices';

interface RawItem {
  id: number;
  name?: string;
  type?: string;
  sku?: string;
  global_unique_id?: string;
  price?: string;
  regular_price?: string;
  sale_price?: string;
  on_sale?: boolean;
  manage_stock?: boolean | 'parent';
  stock_quantity?: number | null;
  categories?: { name?: string }[];
  brands?: { name?: string }[];
  attributes?: { name?: string; option?: string }[];
}

interface BatchReply {
  update?: (RawItem & { error?: { code?: string; message?: string } })[];
}

/**
 * Variant ids: a simple product is its product id ("42"), a variation its product and variation ids ("42:57"),
 * because a variation is written through its parent's variations endpoint.
 */
function variantKey(productId: number, variationId?: number): string {
  return variationId === undefined ? String(productId) : `${productId}:${variationId}`;
}

function parseVariantId(variantId: string): { productId: number; variationId?: number } {
  const match = /^(\d+)(?::(\d+))?$/.exec(variantId);
  if (!match) {
    throw new DropshipError('invalid_input', `"${variantId}" is not a WooCommerce product or variation id`, [
      { path: '/variantId', message: 'must be "<product id>" or "<product id>:<variation id>"' },
    ]);
  }
  return { productId: Number(match[1]), ...(match[2] ? { variationId: Number(match[2]) } : {}) };
}

function variantOf(item: RawItem, parent?: RawItem): StorefrontVariant {
  const product = parent ?? item;
  const options = (item.attributes ?? []).map((a) => a.option).filter(Boolean);
  const quantity = item.manage_stock === true ? (item.stock_quantity ?? undefined) : undefined;
  const onSale = Boolean(item.on_sale && item.sale_price);
  return {
    variantId: variantKey(product.id, parent ? item.id : undefined),
    productId: String(product.id),
    title: [product.name ?? String(product.id), ...options].join(' - '),
    ...(item.sku ? { sku: item.sku } : {}),
    ...(item.global_unique_id ? { barcode: item.global_unique_id } : {}),
    ...(product.brands?.[0]?.name ? { vendor: product.brands[0].name } : {}),
    ...(product.categories?.[0]?.name ? { productType: product.categories[0].name } : {}),
    ...(quantity !== undefined ? { quantity } : {}),
    ...(item.price ? { price: item.price } : {}),
    compareAtPrice: onSale ? (item.regular_price ?? null) : null,
  };
}

/** The REST fields that set a push: the stock it manages, and the price (a compare-at price is the regular one). */
function updateOf(push: StorefrontVariantPush, id: number): Record<string, unknown> {
  const update: Record<string, unknown> = { id };
  if (push.quantity) {
    update.manage_stock = true;
    update.stock_quantity = push.quantity.to;
  }
  if (push.price) {
    if (push.price.compareAtPrice) {
      update.regular_price = push.price.compareAtPrice;
      update.sale_price = push.price.price;
    } else {
      update.regular_price = push.price.price;
      update.sale_price = '';
    }
  }
  return update;
}

/**
 * A WooCommerce store's products and variations through the REST API v3. Variants are read a product page at a
 * time (`products`, 100 per page, X-WP-TotalPages), each variable product's variations with it
 * (`products/<id>/variations`). Pushes go in `products/batch` and `products/<id>/variations/batch` (100 items per
 * call) with `manage_stock`, `stock_quantity` and `regular_price`; an item the store refuses fails alone, with its
 * words. WooCommerce has no compare-and-set: the stock of the batch's items is read just before the write, and an
 * item that no longer holds `quantity.from` is answered `stale` and not written (a sale in the instant between the
 * read and the write can still be overwritten; the next sync sees it).
 */
export function wooCommerceCatalogue(
  settings: WooCommerceCatalogueSettings,
  credentials: { consumerKey?: string; consumerSecret?: string },
  deps: { clock: Clock },
): StorefrontCatalogue {
  const access: WooCommerceRestAccess = {
    storeUrl: settings.storeUrl,
    credentials,
    clock: deps.clock,
    timeoutMs: settings.timeoutMs,
  };
  const listAll = (resource: string, signal?: AbortSignal): Promise<RawItem[]> =>
    wooCommerceListAll<RawItem>(access, resource, PURPOSE, signal);

  /** Stock now, by variant id, of the items the pushes set a quantity on. */
  async function stockNow(
    pushes: StorefrontVariantPush[],
    signal?: AbortSignal,
  ): Promise<Map<string, number>> {
    const stock = new Map<string, number>();
    const ids = pushes.filter((p) => p.quantity).map((p) => parseVariantId(p.variantId));
    const simple = ids.filter((id) => id.variationId === undefined).map((id) => id.productId);
    if (simple.length > 0) {
      for (const item of await listAll(`products?include=${simple.join(',')}`, signal)) {
        if (item.manage_stock === true && typeof item.stock_quantity === 'number')
          stock.set(variantKey(item.id), item.stock_quantity);
      }
    }
    const parents = [...new Set(ids.filter((id) => id.variationId !== undefined).map((id) => id.productId))];
    for (const parent of parents) {
      const wanted = ids.filter((id) => id.productId === parent).map((id) => id.variationId);
      for (const item of await listAll(`products/${parent}/variations?include=${wanted.join(',')}`, signal)) {
        if (item.manage_stock === true && typeof item.stock_quantity === 'number')
          stock.set(variantKey(parent, item.id), item.stock_quantity);
      }
    }
    return stock;
  }

  return {
    channel: 'woocommerce',
    batchLimit: WOOCOMMERCE_PAGE_LIMIT,

    async listVariants(cursor, signal) {
      const page = cursor === undefined ? 1 : Number(cursor);
      if (!Number.isInteger(page) || page < 1) {
        throw new DropshipError('invalid_input', `"${cursor}" is not a WooCommerce listing page`, [
          { path: '/cursor', message: 'must be a page number from 1' },
        ]);
      }
      const { body, totalPages } = await wooCommerceRest(
        access,
        {
          method: 'GET',
          resource: `products?per_page=${WOOCOMMERCE_PAGE_LIMIT}&page=${page}&orderby=id&order=asc`,
          purpose: PURPOSE,
        },
        signal,
      );
      const variants: StorefrontVariant[] = [];
      for (const product of body as RawItem[]) {
        if (product.type === 'variable') {
          for (const variation of await listAll(`products/${product.id}/variations`, signal))
            variants.push(variantOf(variation, product));
        } else {
          variants.push(variantOf(product));
        }
      }
      return { variants, ...(page < (totalPages ?? page) ? { nextCursor: String(page + 1) } : {}) };
    },

    async pushVariants(pushes, signal) {
      if (pushes.length > WOOCOMMERCE_PAGE_LIMIT) {
        throw new DropshipError(
          'invalid_input',
          `${pushes.length} pushes in one call; WooCommerce takes at most ${WOOCOMMERCE_PAGE_LIMIT}`,
          [{ path: '/pushes', message: `at most ${WOOCOMMERCE_PAGE_LIMIT}` }],
        );
      }
      const outcomes = new Map<string, StorefrontVariantPushOutcome>();
      const stock = await stockNow(pushes, signal);
      const batches = new Map<string, { push: StorefrontVariantPush; id: number }[]>();
      for (const push of pushes) {
        const { productId, variationId } = parseVariantId(push.variantId);
        if (push.quantity && push.quantity.from !== null) {
          const now = stock.get(push.variantId);
          if (now !== push.quantity.from) {
            outcomes.set(push.variantId, {
              variantId: push.variantId,
              outcome: 'stale',
              ...(now !== undefined ? { currentQuantity: now } : {}),
            });
            continue;
          }
        }
        const resource =
          variationId === undefined ? 'products/batch' : `products/${productId}/variations/batch`;
        batches.set(resource, [...(batches.get(resource) ?? []), { push, id: variationId ?? productId }]);
      }
      for (const [resource, items] of batches) {
        const { body } = await wooCommerceRest(
          access,
          {
            method: 'POST',
            resource,
            data: { update: items.map(({ push, id }) => updateOf(push, id)) },
            purpose: PURPOSE,
          },
          signal,
        );
        const answered = (body as BatchReply).update ?? [];
        items.forEach(({ push, id }, index) => {
          const reply = answered.find((item) => item.id === id) ?? answered[index];
          outcomes.set(
            push.variantId,
            reply?.error
              ? {
                  variantId: push.variantId,
                  outcome: 'failed',
                  error: reply.error.message ?? reply.error.code ?? 'refused',
                }
              : reply
                ? { variantId: push.variantId, outcome: 'applied' }
                : {
                    variantId: push.variantId,
                    outcome: 'failed',
                    error: 'WooCommerce did not answer for it',
                  },
          );
        });
      }
      return pushes.map((push) => outcomes.get(push.variantId)!);
    },
  };
}
