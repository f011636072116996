import type {
  StorefrontCatalogue,
  StorefrontVariant,
  StorefrontVariantPush,
  StorefrontVariantPushOutcome,
} from '../../core/ports/storefront-catalogue';

/**
 * An in-memory shop behind the StorefrontCatalogue port, with the semantics the port promises: pages of variants,
 * compare-and-set quantities (a `from` that is not the shop's quantity answers `stale` with the current one and
 * writes nothing) and idempotency keys (a key seen before answers its first outcome again and writes nothing).
 */
export class FakeStorefrontCatalogue implements StorefrontCatalogue {
  readonly variants = new Map<string, StorefrontVariant>();
  /** Every push received, in order, retries included. */
  readonly received: StorefrontVariantPush[] = [];
  /** How many times each key changed the shop (an idempotent shop: at most once). */
  readonly applications = new Map<string, number>();
  private readonly answered = new Map<string, StorefrontVariantPushOutcome>();
  /** Variant ids whose pushes fail with the storefront's words. */
  readonly refuse = new Map<string, string>();
  /** Called before each push is applied (a test sells units in the shop meanwhile). */
  beforePush?: (push: StorefrontVariantPush) => void;

  constructor(
    readonly channel = 'shopify',
    readonly batchLimit = 50,
    private readonly pageSize = 100,
  ) {}

  add(...variants: StorefrontVariant[]): this {
    for (const variant of variants) this.variants.set(variant.variantId, { ...variant });
    return this;
  }

  async listVariants(
    cursor: string | undefined,
  ): Promise<{ variants: StorefrontVariant[]; nextCursor?: string }> {
    const all = [...this.variants.values()];
    const start = cursor === undefined ? 0 : Number(cursor);
    const end = start + this.pageSize;
    return {
      variants: all.slice(start, end).map((variant) => ({ ...variant })),
      ...(end < all.length ? { nextCursor: String(end) } : {}),
    };
  }

  async pushVariants(pushes: StorefrontVariantPush[]): Promise<StorefrontVariantPushOutcome[]> {
    if (pushes.length > this.batchLimit) throw new Error(`${pushes.length} pushes exceed the batch limit`);
    return pushes.map((push) => this.apply(push));
  }

  private apply(push: StorefrontVariantPush): StorefrontVariantPushOutcome {
    this.received.push(push);
    const earlier = this.answered.get(push.idempotencyKey);
    if (earlier) return earlier;
    this.beforePush?.(push);
    const variant = this.variants.get(push.variantId);
    let outcome: StorefrontVariantPushOutcome;
    const refusal = this.refuse.get(push.variantId);
    if (!variant) outcome = { variantId: push.variantId, outcome: 'failed', error: 'Variant not found' };
    else if (refusal) outcome = { variantId: push.variantId, outcome: 'failed', error: refusal };
    else if (push.quantity && push.quantity.from !== (variant.quantity ?? null)) {
      outcome = { variantId: push.variantId, outcome: 'stale', currentQuantity: variant.quantity };
    } else {
      if (push.quantity) variant.quantity = push.quantity.to;
      if (push.price) {
        variant.price = push.price.price;
        if (push.price.compareAtPrice !== undefined) variant.compareAtPrice = push.price.compareAtPrice;
      }
      this.applications.set(push.idempotencyKey, (this.applications.get(push.idempotencyKey) ?? 0) + 1);
      outcome = { variantId: push.variantId, outcome: 'applied' };
    }
    this.answered.set(push.idempotencyKey, outcome);
    return outcome;
  }
}
