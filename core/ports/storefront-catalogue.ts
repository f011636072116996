/**
 * What storefront sync needs from a shop's admin API: its variants, read page by page, and pushes of quantity and
 * price. Core decides what each variant should show; a connector (Shopify GraphQL, WooCommerce REST) only reads
 * and writes.
 */

/** One sellable variant as the storefront holds it. Money is a decimal string in the shop's currency. */
export interface StorefrontVariant {
  /** The storefront's id of the variant (Shopify `gid://shopify/ProductVariant/…`, WooCommerce `product:variation`). */
  variantId: string;
  productId: string;
  title: string;
  sku?: string;
  /** GTIN/UPC/EAN as the shop records it. */
  barcode?: string;
  vendor?: string;
  productType?: string;
  /** Shopify's inventory item behind the variant (quantities are set on it, not on the variant). */
  inventoryItemId?: string;
  /** Available quantity the shop shows now at the synced location; absent when the shop does not track it. */
  quantity?: number;
  price?: string;
  compareAtPrice?: string | null;
}

export interface StorefrontVariantPage {
  variants: StorefrontVariant[];
  /** Absent on the last page. */
  nextCursor?: string;
}

/**
 * One change to one variant. `quantity.from` is what the shop is believed to hold (compare-and-set: a shop that
 * holds something else answers `stale`, and nothing is written). `idempotencyKey` is stored with the push before
 * it is sent, so a retry after a crash sends the same key and the shop applies it once.
 */
export interface StorefrontVariantPush {
  variantId: string;
  productId: string;
  inventoryItemId?: string;
  quantity?: { from: number | null; to: number };
  price?: { price: string; compareAtPrice?: string | null };
  idempotencyKey: string;
}

export interface StorefrontVariantPushOutcome {
  variantId: string;
  /** `applied`: the shop now shows the change; `stale`: the shop held another quantity (see `currentQuantity`). */
  outcome: 'applied' | 'stale' | 'failed';
  currentQuantity?: number;
  /** The storefront's own words for a failure (its userErrors message or REST error), no secrets. */
  error?: string;
}

export interface StorefrontCatalogue {
  channel: string;
  /** Most pushes one `pushVariants` call may carry (Shopify: what fits the query cost limit; WooCommerce: 100). */
  batchLimit: number;
  listVariants(cursor: string | undefined, signal?: AbortSignal): Promise<StorefrontVariantPage>;
  pushVariants(
    pushes: StorefrontVariantPush[],
    signal?: AbortSignal,
  ): Promise<StorefrontVariantPushOutcome[]>;
}
