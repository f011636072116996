import type { StorefrontVariant } from '../ports/storefront-catalogue';
import type { StockSnapshot } from '../routing/route-order';
import type { OpenLinesBySupplierSku } from './inventory-rows';
import type { SupplierItem } from '../storefront-sync/catalogue-mapping';
import type { DesiredVariant, KnownVariant, PendingPush } from '../storefront-sync/sync-diff';

/** What a push did to one variant, recorded only if its key is still the variant's pending one. */
export interface PushOutcomeRecord {
  variantId: string;
  idempotencyKey: string;
  /** What the shop now holds (absent fields: unknown). */
  shop?: { quantity?: number; price?: string; compareAtPrice?: string | null };
  /** The values sync set on purpose (recorded when the shop applied the push). */
  target?: PendingPush['target'];
  error?: string;
}

/**
 * Storefront sync's durable state in the order store, per storefront channel: the variants last imported from
 * the shop, the extra details of supplier items (identifiers, cost, MAP), the desired state per variant and the
 * pushed state (what the shop holds as far as sync knows, its targets, and the push pending with its key).
 */
export interface StorefrontSyncStore {
  /** Replaces the channel's imported variants with these (variants gone from the shop are dropped). */
  replaceStorefrontVariants(channel: string, variants: StorefrontVariant[], importedAt: Date): Promise<void>;
  listStorefrontVariants(channel: string): Promise<StorefrontVariant[]>;
  /** Upserts identifiers, cost and MAP of items a stock feed reported. */
  recordSupplierItems(items: SupplierItem[], at: Date): Promise<void>;
  /**
   * Every item a stock feed reported (the inventory's supplier and SKU), with its recorded details and its stock:
   * one pass over the inventory and the open PO lines, for the whole catalogue at once.
   */
  listSupplierStock(): Promise<SupplierStock[]>;
  /** Upserts the desired state of these variants. */
  saveDesiredVariants(channel: string, desired: DesiredVariant[], at: Date): Promise<void>;
  /** Each variant's stored desired state, as the JSON text saveDesiredVariants wrote, by variant id. */
  storedDesiredVariants(channel: string): Promise<Map<string, string>>;
  /** The desired quantity of each of these SKUs on the channel (the oversell guard's "available at the time"). */
  desiredQuantities(channel: string, skus: string[]): Promise<Map<string, number>>;
  /** Per channel and SKU, the order lines placed in [from, to) and those whose order was flagged oversold. */
  oversellCounts(from: Date, to: Date): Promise<OversellCount[]>;
  /** What the store knows of each imported variant's shop state, with any pending push. */
  listKnownVariants(channel: string): Promise<KnownVariant[]>;
  /** Stores each push with its idempotency key before it is sent (one transaction). */
  beginVariantPushes(channel: string, pushes: PendingPush[], at: Date): Promise<void>;
  /** Records outcomes and clears the pending pushes whose key matches; a push whose outcome is unknown stays. */
  recordVariantPushOutcomes(channel: string, outcomes: PushOutcomeRecord[], at: Date): Promise<void>;
}

/** Order lines per channel and SKU placed in a window, and how many of them were flagged oversold. */
export interface OversellCount {
  channel: string;
  sku: string;
  lines: number;
  oversold: number;
}

/** A row of the join of `storefront_variants` with `storefront_pushed`, as both engines read it. */
export interface KnownVariantRow {
  variant_id: string;
  /** The imported variant's quantity, price and compare-at price (read from its JSON by the engine). */
  variant_quantity: number | string | null;
  variant_price: string | null;
  variant_compare_at: string | null;
  imported_at: number | string;
  shop: string | KnownShopState | null;
  shop_at: number | string | null;
  target: string | PendingPush['target'] | null;
  pending: string | PendingPush | null;
}

interface KnownShopState {
  quantity?: number;
  price?: string;
  compareAtPrice?: string | null;
}

const parsed = <T>(value: string | T | null): T | undefined =>
  value === null ? undefined : typeof value === 'string' ? (JSON.parse(value) as T) : value;

/** The known state of a variant: the later of its import and the last push the shop applied. */
export function knownVariantFromRow(row: KnownVariantRow): KnownVariant {
  const pushed = parsed<KnownShopState>(row.shop);
  // A push recorded in the same millisecond as the import came after it: a run imports first.
  const pushedIsNewer = pushed !== undefined && Number(row.shop_at) >= Number(row.imported_at);
  const known: KnownVariant = {
    variantId: row.variant_id,
    shopQuantity:
      pushedIsNewer && pushed.quantity !== undefined
        ? pushed.quantity
        : row.variant_quantity === null
          ? null
          : Number(row.variant_quantity),
    shopPrice: pushedIsNewer && pushed.price !== undefined ? pushed.price : (row.variant_price ?? undefined),
    shopCompareAtPrice:
      pushedIsNewer && pushed.compareAtPrice !== undefined ? pushed.compareAtPrice : row.variant_compare_at,
  };
  const target = parsed<PendingPush['target']>(row.target);
  if (target?.quantity !== undefined) known.targetQuantity = target.quantity;
  if (target?.price !== undefined) known.targetPrice = target.price;
  if (target?.compareAtPrice !== undefined) known.targetCompareAtPrice = target.compareAtPrice;
  const pending = parsed<PendingPush>(row.pending);
  if (pending) known.pending = pending;
  return known;
}

/**
 * The shop state and targets to store after an outcome: the variant's known state (import or last push, whichever
 * is later) with what the outcome says on top.
 */
export function mergedPushState(
  row: KnownVariantRow,
  outcome: PushOutcomeRecord,
): { shop: KnownShopState; target: PendingPush['target'] } {
  const known = knownVariantFromRow(row);
  const shop: KnownShopState = { price: known.shopPrice, compareAtPrice: known.shopCompareAtPrice };
  if (known.shopQuantity !== null && known.shopQuantity !== undefined) shop.quantity = known.shopQuantity;
  return {
    shop: { ...shop, ...outcome.shop },
    target: { ...parsed<PendingPush['target']>(row.target), ...outcome.target },
  };
}

/** A supplier item with its stock as the router sees it (feed quantity, units on open POs, feed time). */
export interface SupplierStock extends SupplierItem {
  stock: StockSnapshot;
}

/** A row of `inventory` joined with `supplier_items`. */
export interface SupplierItemRow {
  supplier_id: string;
  sku: string;
  quantity: number | string;
  feed_at: number | string;
  identifiers: unknown;
  cost: number | string | null;
  map_price: number | string | null;
}

/** The SELECT both engines run for listSupplierStock. */
export const SUPPLIER_STOCK_SQL = `SELECT i.supplier_id, i.sku, i.quantity, i.feed_at, s.identifiers, s.cost, s.map_price
  FROM inventory i LEFT JOIN supplier_items s ON s.supplier_id = i.supplier_id AND s.sku = i.sku
  ORDER BY i.supplier_id, i.sku`;

export function supplierStockFromRow(row: SupplierItemRow, open: OpenLinesBySupplierSku): SupplierStock {
  const feedAt = Number(row.feed_at);
  const item: SupplierStock = {
    supplierId: row.supplier_id,
    sku: row.sku,
    stock: {
      quantity: Number(row.quantity),
      committed: open.committed(row.supplier_id, row.sku, feedAt),
      feedAt,
    },
  };
  if (row.identifiers !== null) {
    item.identifiers = (
      typeof row.identifiers === 'string' ? JSON.parse(row.identifiers) : row.identifiers
    ) as SupplierItem['identifiers'];
  }
  if (row.cost !== null) item.cost = Number(row.cost);
  if (row.map_price !== null) item.mapPrice = Number(row.map_price);
  return item;
}
