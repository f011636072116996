import type { StorefrontVariantPush } from '../ports/storefront-catalogue';

/** What a variant should show, as computed from supplier stock and the price rules. */
export interface DesiredVariant {
  variantId: string;
  productId: string;
  inventoryItemId?: string;
  sku?: string;
  quantity: number;
  /** Absent when no price rule prices the variant (its price is left alone). */
  price?: string;
  /** Absent: left alone; null: cleared. */
  compareAtPrice?: string | null;
  quantityExplanation: string;
  priceExplanation?: string;
}

/** A push stored before it was sent, whose outcome is not recorded yet. */
export interface PendingPush {
  push: StorefrontVariantPush;
  /** What the push was computed for (recorded as the target once the shop applied it). */
  target: { quantity?: number; price?: string; compareAtPrice?: string | null };
}

/**
 * What the shop holds of a variant as far as the store knows (its last import, or a push it applied), and the
 * values sync last set on purpose (its targets): a change is pushed when the desired value moves away from the
 * target, so units the shop sold since are not pushed back.
 */
export interface KnownVariant {
  variantId: string;
  shopQuantity?: number | null;
  shopPrice?: string;
  shopCompareAtPrice?: string | null;
  targetQuantity?: number;
  targetPrice?: string;
  targetCompareAtPrice?: string | null;
  pending?: PendingPush;
}

/** One variant to change, with the words that explain it. */
export interface VariantChange {
  variantId: string;
  sku?: string;
  push: Omit<StorefrontVariantPush, 'idempotencyKey'>;
  target: PendingPush['target'];
  /** E.g. `MUG-1: quantity 10 → 4 (4 = acme 4); price 19.99 → 24.99 (24.99 = …)`. */
  description: string;
}

export interface DiffOptions {
  pushPrices: boolean;
}

/**
 * The variants whose desired quantity or price differs from what sync last set (or, never set, from what the shop
 * shows). Variants with a push still pending are left to its resumption.
 */
export function diffVariants(
  desired: Iterable<DesiredVariant>,
  known: ReadonlyMap<string, KnownVariant>,
  options: DiffOptions,
): VariantChange[] {
  const changes: VariantChange[] = [];
  for (const want of desired) {
    const have = known.get(want.variantId);
    if (have?.pending) continue;
    const push: VariantChange['push'] = {
      variantId: want.variantId,
      productId: want.productId,
      ...(want.inventoryItemId === undefined ? {} : { inventoryItemId: want.inventoryItemId }),
    };
    const target: VariantChange['target'] = {};
    const words: string[] = [];
    const shopQuantity = have?.shopQuantity ?? null;
    const setQuantity = have?.targetQuantity ?? shopQuantity;
    if (setQuantity !== want.quantity) {
      push.quantity = { from: shopQuantity, to: want.quantity };
      target.quantity = want.quantity;
      words.push(`quantity ${shopQuantity ?? 'untracked'} → ${want.quantity} (${want.quantityExplanation})`);
    }
    if (options.pushPrices && want.price !== undefined) {
      const setPrice = have?.targetPrice ?? have?.shopPrice;
      const setCompareAt =
        have?.targetCompareAtPrice !== undefined ? have.targetCompareAtPrice : have?.shopCompareAtPrice;
      const compareAtMoves =
        want.compareAtPrice !== undefined && want.compareAtPrice !== (setCompareAt ?? null);
      if (setPrice !== want.price || compareAtMoves) {
        push.price = {
          price: want.price,
          ...(want.compareAtPrice === undefined ? {} : { compareAtPrice: want.compareAtPrice }),
        };
        target.price = want.price;
        if (want.compareAtPrice !== undefined) target.compareAtPrice = want.compareAtPrice;
        words.push(`price ${have?.shopPrice ?? 'unset'} → ${want.price} (${want.priceExplanation ?? ''})`);
      }
    }
    if (words.length === 0) continue;
    changes.push({
      variantId: want.variantId,
      sku: want.sku,
      push,
      target,
      description: `${want.sku ?? want.variantId}: ${words.join('; ')}`,
    });
  }
  return changes;
}

/**
 * The retry of a quantity push the shop found stale: the same change applied to what the shop holds now, so
 * units sold since the push was computed stay sold (10 → 20 computed, shop at 9: 9 → 19).
 */
export function restaleQuantity(
  quantity: { from: number | null; to: number },
  current: number,
): { from: number; to: number } {
  const sold = quantity.from === null ? 0 : quantity.from - current;
  return { from: current, to: Math.max(0, quantity.to - Math.max(0, sold)) };
}
