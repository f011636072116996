import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { errorText } from '../errors';
import type {
  StorefrontCatalogue,
  StorefrontVariant,
  StorefrontVariantPush,
  StorefrontVariantPushOutcome,
} from '../ports/storefront-catalogue';
import { compiledRules } from '../routing/compiled-rules';
import type { RoutingRules } from '../routing/routing-rules';
import { compileSkuPattern } from '../routing/sku-pattern';
import { resolveStockPolicy } from '../routing/stock-policy';
import type { PushOutcomeRecord, StorefrontSyncStore, SupplierStock } from '../store/storefront-sync-store';
import {
  mapCatalogue,
  type CatalogueMapping,
  type ExplicitMapping,
  type MatchKey,
} from './catalogue-mapping';
import { compilePriceRules, type CostCandidate, type PriceRule } from './price-rules';
import {
  diffVariants,
  restaleQuantity,
  type DesiredVariant,
  type KnownVariant,
  type PendingPush,
  type VariantChange,
} from './sync-diff';
import {
  supplierAvailability,
  variantQuantity,
  type QuantityCombine,
  type QuantityLimits,
  type SupplierAvailability,
} from './variant-quantity';

export interface StorefrontSyncSettings {
  matchBy: MatchKey[];
  explicitMap: ExplicitMapping[];
  combine: QuantityCombine;
  /** Floor and ceiling of every variant, unless a row of `variantLimits` fits its SKU. */
  limits: QuantityLimits;
  /** Per SKU (exact or `*` pattern), first fit wins. */
  variantLimits: ({ sku: string } & QuantityLimits)[];
  priceRules: PriceRule[];
  pushPrices: boolean;
}

export interface StorefrontSyncDependencies {
  catalogue: StorefrontCatalogue;
  store: StorefrontSyncStore;
  /** The router's rules: stock buffers, staleness, paused suppliers and catalogue costs. */
  rules?: RoutingRules;
  settings: StorefrontSyncSettings;
  clock: Clock;
  signal?: AbortSignal;
  /** A new idempotency key (tests pass a predictable one). */
  newKey?: () => string;
}

/** A variant whose push the shop refused (or whose outcome could not be learnt), with the storefront's words. */
export interface SyncFailure {
  variantId: string;
  sku?: string;
  error: string;
}

export interface SyncPlan {
  mapping: CatalogueMapping<SupplierStock>;
  desired: DesiredVariant[];
  known: Map<string, KnownVariant>;
  changes: VariantChange[];
}

export interface SyncReport {
  /** Variants the shop now shows as desired (pushes applied, stale ones after their retry). */
  pushed: number;
  unchanged: number;
  failed: SyncFailure[];
  /** Pushes left pending by an earlier run (a crash) and sent again with their key. */
  resumed: number;
  unmatchedVariants: number;
  unmappedItems: number;
}

/** A push the shop finds stale is retried at most this many times in one run. */
const STALE_RETRIES = 3;

/** Reads every page of the shop's variants into the store; returns how many there are. */
export async function importCatalogue(deps: StorefrontSyncDependencies): Promise<number> {
  const variants: StorefrontVariant[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.catalogue.listVariants(cursor, deps.signal);
    variants.push(...page.variants);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  await deps.store.replaceStorefrontVariants(deps.catalogue.channel, variants, deps.clock.now());
  return variants.length;
}

/** What a plan reads from the store: the imported variants, every supplier item with its stock, the pushed state. */
export interface SyncInputs {
  variants: StorefrontVariant[];
  items: SupplierStock[];
  known: KnownVariant[];
}

export async function readSyncInputs(deps: StorefrontSyncDependencies): Promise<SyncInputs> {
  const sync = deps.store;
  const channel = deps.catalogue.channel;
  const [variants, items, known] = await Promise.all([
    sync.listStorefrontVariants(channel),
    sync.listSupplierStock(),
    sync.listKnownVariants(channel),
  ]);
  return { variants, items, known };
}

/** What each variant should show and what differs from what the shop holds, from what the store holds. */
export function planFromInputs(deps: StorefrontSyncDependencies, inputs: SyncInputs): SyncPlan {
  const { settings } = deps;
  const mapping = mapCatalogue(inputs.variants, inputs.items, {
    matchBy: settings.matchBy,
    explicit: settings.explicitMap,
  });
  const desired = desiredVariants(deps, inputs.variants, mapping);
  const known = new Map(inputs.known.map((entry) => [entry.variantId, entry]));
  const changes = diffVariants(desired, known, { pushPrices: settings.pushPrices });
  return { mapping, desired, known, changes };
}

/** The work of a run before it pushes, and all of a preview. */
export async function planSync(deps: StorefrontSyncDependencies): Promise<SyncPlan> {
  return planFromInputs(deps, await readSyncInputs(deps));
}

function desiredVariants(
  deps: StorefrontSyncDependencies,
  variants: StorefrontVariant[],
  mapping: CatalogueMapping<SupplierStock>,
): DesiredVariant[] {
  const { settings, rules } = deps;
  const compiled = rules ? compiledRules(rules) : undefined;
  const noRulesPolicy = resolveStockPolicy(undefined, undefined);
  const prices = compilePriceRules(settings.priceRules);
  const limitRows = settings.variantLimits.map((row) => ({ row, matches: compileSkuPattern(row.sku) }));
  const nowMs = deps.clock.now().getTime();
  const desired: DesiredVariant[] = [];
  for (const variant of variants) {
    // A variant no supplier carries is reported, not managed: the merchant may stock it himself.
    const sources = mapping.sources.get(variant.variantId);
    if (!sources) continue;
    const availability: SupplierAvailability[] = [];
    const candidates: CostCandidate[] = [];
    for (const source of sources) {
      const supplier = compiled?.supplier(source.supplierId);
      const item = source.item;
      const found =
        supplier && !supplier.active
          ? { supplierId: source.supplierId, sellable: 0, note: `${source.supplierId} 0 (paused)` }
          : supplierAvailability(source, item?.stock, supplier?.stock ?? noRulesPolicy, nowMs);
      availability.push(found);
      const entry =
        supplier && compiled
          ? compiled.catalogueEntry(supplier, {
              lineId: '1',
              sku: source.sku,
              quantity: 1,
              unitPrice: 0,
              requiresShipping: true,
              vendor: variant.vendor,
              brand: variant.vendor,
              category: variant.productType,
            })
          : undefined;
      const catalogueCost =
        entry?.unitCost === undefined ? undefined : entry.unitCost + (entry.dropshipFee ?? 0);
      candidates.push({
        supplierId: source.supplierId,
        cost: item?.cost ?? catalogueCost,
        mapPrice: item?.mapPrice,
        sellable: found.sellable,
      });
    }
    const own =
      variant.sku === undefined ? undefined : limitRows.find(({ matches }) => matches(variant.sku!));
    const quantity = variantQuantity(availability, settings.combine, own?.row ?? settings.limits);
    const price = prices.priceOf(variant, candidates);
    const want: DesiredVariant = {
      variantId: variant.variantId,
      productId: variant.productId,
      quantity: quantity.quantity,
      quantityExplanation: quantity.explanation,
    };
    if (variant.inventoryItemId !== undefined) want.inventoryItemId = variant.inventoryItemId;
    if (variant.sku !== undefined) want.sku = variant.sku;
    if (price) {
      want.price = price.price;
      if (price.compareAtPrice !== undefined) want.compareAtPrice = price.compareAtPrice;
      want.priceExplanation = price.explanation;
    }
    desired.push(want);
  }
  return desired;
}

/**
 * One sync run: resumes pushes a crash left pending (same keys), computes and stores the desired state, and
 * pushes what changed in batches, each push stored with its key before it is sent. A push the shop finds stale is
 * applied again on top of what the shop holds now, so a sale made meanwhile stays sold.
 */
export async function runSync(deps: StorefrontSyncDependencies): Promise<SyncReport> {
  const sync = deps.store;
  const channel = deps.catalogue.channel;
  const report: SyncReport = {
    pushed: 0,
    unchanged: 0,
    failed: [],
    resumed: 0,
    unmatchedVariants: 0,
    unmappedItems: 0,
  };
  const skuOf = new Map<string, string | undefined>();

  const pending = (await sync.listKnownVariants(channel)).flatMap((known) =>
    known.pending ? [known.pending] : [],
  );
  if (pending.length > 0) {
    report.resumed = pending.length;
    await pushAll(deps, pending, report, skuOf);
  }

  const plan = await planSync(deps);
  report.unmatchedVariants = plan.mapping.unmatchedVariants.length;
  report.unmappedItems = plan.mapping.unmappedItems.length;
  // Compared as the text the store keeps, so 100,000 stored variants are not parsed to find the few that moved.
  const stored = await sync.storedDesiredVariants(channel);
  const moved = plan.desired.filter((want) => stored.get(want.variantId) !== JSON.stringify(want));
  if (moved.length > 0) await sync.saveDesiredVariants(channel, moved, deps.clock.now());

  const newKey = deps.newKey ?? randomUUID;
  const pushes: PendingPush[] = plan.changes.map((change) => {
    skuOf.set(change.variantId, change.sku);
    return { push: { ...change.push, idempotencyKey: newKey() }, target: change.target };
  });
  report.unchanged = plan.desired.length - pushes.length;
  await pushAll(deps, pushes, report, skuOf);
  return report;
}

/** Stores, sends and settles pushes batch by batch; stale ones are retried on top of the shop's quantity. */
async function pushAll(
  deps: StorefrontSyncDependencies,
  pushes: PendingPush[],
  report: SyncReport,
  skuOf: Map<string, string | undefined>,
): Promise<void> {
  const { catalogue } = deps;
  const sync = deps.store;
  const newKey = deps.newKey ?? randomUUID;
  let round = pushes;
  for (let attempt = 0; round.length > 0; attempt++) {
    const stale: { pending: PendingPush; outcome: StorefrontVariantPushOutcome }[] = [];
    for (let start = 0; start < round.length; start += catalogue.batchLimit) {
      deps.signal?.throwIfAborted();
      const batch = round.slice(start, start + catalogue.batchLimit);
      await sync.beginVariantPushes(catalogue.channel, batch, deps.clock.now());
      let outcomes: StorefrontVariantPushOutcome[];
      try {
        outcomes = await catalogue.pushVariants(
          batch.map((entry) => entry.push),
          deps.signal,
        );
      } catch (err) {
        // The shop may or may not have applied them: they stay pending and the next run sends the same keys.
        for (const entry of batch) {
          report.failed.push({
            variantId: entry.push.variantId,
            sku: skuOf.get(entry.push.variantId),
            error: errorText(err),
          });
        }
        continue;
      }
      const byVariant = new Map(outcomes.map((outcome) => [outcome.variantId, outcome]));
      const records: PushOutcomeRecord[] = [];
      for (const entry of batch) {
        const { push } = entry;
        const outcome = byVariant.get(push.variantId);
        if (!outcome) {
          report.failed.push({
            variantId: push.variantId,
            sku: skuOf.get(push.variantId),
            error: 'the storefront did not answer for this variant',
          });
          continue;
        }
        if (outcome.outcome === 'applied') {
          report.pushed++;
          records.push({
            variantId: push.variantId,
            idempotencyKey: push.idempotencyKey,
            shop: shopAfter(push),
            target: entry.target,
          });
        } else if (outcome.outcome === 'stale') {
          stale.push({ pending: entry, outcome });
          records.push({
            variantId: push.variantId,
            idempotencyKey: push.idempotencyKey,
            ...(outcome.currentQuantity === undefined ? {} : { shop: { quantity: outcome.currentQuantity } }),
          });
        } else {
          const error = outcome.error ?? 'the storefront refused the change';
          report.failed.push({ variantId: push.variantId, sku: skuOf.get(push.variantId), error });
          records.push({ variantId: push.variantId, idempotencyKey: push.idempotencyKey, error });
        }
      }
      await sync.recordVariantPushOutcomes(catalogue.channel, records, deps.clock.now());
    }
    round = [];
    if (stale.length === 0) break;
    const current = await currentQuantities(deps, stale);
    for (const { pending, outcome } of stale) {
      const { push } = pending;
      const now = current.get(push.variantId);
      if (attempt >= STALE_RETRIES || now === undefined || !push.quantity) {
        report.failed.push({
          variantId: push.variantId,
          sku: skuOf.get(push.variantId),
          error: outcome.error ?? `the shop's quantity kept changing (${STALE_RETRIES + 1} stale answers)`,
        });
        continue;
      }
      round.push({
        push: { ...push, quantity: restaleQuantity(push.quantity, now), idempotencyKey: newKey() },
        target: pending.target,
      });
    }
  }
}

function shopAfter(push: StorefrontVariantPush): PushOutcomeRecord['shop'] {
  const shop: NonNullable<PushOutcomeRecord['shop']> = {};
  if (push.quantity) shop.quantity = push.quantity.to;
  if (push.price) {
    shop.price = push.price.price;
    if (push.price.compareAtPrice !== undefined) shop.compareAtPrice = push.price.compareAtPrice;
  }
  return shop;
}

/** The shop's quantity of each stale variant: from its answer, else read again from the shop. */
async function currentQuantities(
  deps: StorefrontSyncDependencies,
  stale: { pending: PendingPush; outcome: StorefrontVariantPushOutcome }[],
): Promise<Map<string, number>> {
  const current = new Map<string, number>();
  for (const { outcome } of stale) {
    if (outcome.currentQuantity !== undefined) current.set(outcome.variantId, outcome.currentQuantity);
  }
  if (current.size === stale.length) return current;
  const wanted = new Set(stale.map(({ outcome }) => outcome.variantId).filter((id) => !current.has(id)));
  let cursor: string | undefined;
  do {
    const page = await deps.catalogue.listVariants(cursor, deps.signal);
    for (const variant of page.variants) {
      if (wanted.has(variant.variantId) && variant.quantity !== undefined)
        current.set(variant.variantId, variant.quantity);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return current;
}
