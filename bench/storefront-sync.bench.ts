/**
 * Storefront sync (issue 16): 100,000 shop variants, each carried by 5 suppliers (500,000 stock rows in SQLite),
 * after a feed that changes 5% of one supplier's quantities. Figures: the store read a plan starts with (variants,
 * every supplier item with its stock and open POs, the pushed state), reported without a target; variants diffed
 * per second (matched to suppliers, quantities and prices worked out, diffed against the pushed state), target
 * >= 50,000/s; and the pushes that feed causes against an in-memory shop that answers at
 * once, as variants per second and as a ratio to Shopify's documented GraphQL Admin rate limit on the Standard
 * plan (100 cost points/s; a mutation costs 10 points; one inventorySetQuantities call carries up to 250
 * quantities: 2,500 variants/s). A ratio above 1 means the push is bound by the shop, not by this package.
 * Run alone with `npx tsx bench/storefront-sync.bench.ts` (DROPSHIP_BENCH_VARIANTS=10000 for a quicker run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../core/clock';
import type { StorefrontVariant, StorefrontVariantPush } from '../core/ports/storefront-catalogue';
import { SqliteOrderStore } from '../core/store/sqlite/sqlite-store';
import {
  importCatalogue,
  planFromInputs,
  readSyncInputs,
  runSync,
  type StorefrontSyncDependencies,
} from '../core/storefront-sync/sync-storefront';
import { FakeStorefrontCatalogue } from '../test/fakes/storefront-catalogue';
import { formatBenchFigures, type BenchFigure } from './figures';

const VARIANTS = Number(process.env.DROPSHIP_BENCH_VARIANTS) || 100_000;
const SUPPLIERS = 5;
const CHANGED_SHARE = 0.05;
/** Shopify GraphQL Admin, Standard plan: 100 points/s, 10 points a mutation, 250 quantities a call. */
const SHOPIFY_STANDARD_VARIANTS_PER_SECOND = (100 / 10) * 250;

/** The in-memory shop, noting when the first push of a run was stored and the last outcome recorded. */
class TimedShop extends FakeStorefrontCatalogue {
  firstPushAt = 0;
  override async pushVariants(pushes: StorefrontVariantPush[]) {
    if (this.firstPushAt === 0) this.firstPushAt = performance.now();
    return super.pushVariants(pushes);
  }
}

export async function runStorefrontSyncBench(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dropship-bench-sync-'));
  const store = new SqliteOrderStore({ filename: path.join(dir, 'orders.sqlite'), synchronous: 'NORMAL' });
  try {
    await store.migrate();
    const shop = new TimedShop('shopify', 250, 250);
    for (let i = 0; i < VARIANTS; i++) {
      shop.add({
        variantId: `gid://shopify/ProductVariant/${i}`,
        productId: `gid://shopify/Product/${i}`,
        inventoryItemId: `gid://shopify/InventoryItem/${i}`,
        title: `Item ${i}`,
        sku: `SKU-${i}`,
        quantity: 0,
        price: '1.00',
      });
    }
    const feedAt = new Date();
    for (let s = 0; s < SUPPLIERS; s++) {
      await store.applyStockFeed(
        `supplier-${s}`,
        feedAt,
        Array.from({ length: VARIANTS }, (_, i) => ({ sku: `SKU-${i}`, quantity: (i * (s + 3)) % 40 })),
      );
    }
    const deps: StorefrontSyncDependencies = {
      catalogue: shop,
      store,
      clock: systemClock,
      settings: {
        matchBy: ['sku', 'barcode'],
        explicitMap: [],
        combine: 'sum',
        limits: { ceiling: 100 },
        variantLimits: [],
        priceRules: [],
        pushPrices: false,
      },
    };
    await importCatalogue(deps);
    await runSync(deps); // the shop in step with the suppliers: what a running sync finds
    const changed = Math.round(VARIANTS * CHANGED_SHARE);
    await store.applyStockFeed(
      'supplier-0',
      new Date(feedAt.getTime() + 60_000),
      Array.from({ length: changed }, (_, k) => ({ sku: `SKU-${k * 20}`, quantity: 41 + (k % 7) })),
    );

    // Baseline: the variants through JSON, the cheapest thing any plan must at least do once.
    const variants: StorefrontVariant[] = [...shop.variants.values()];
    let started = performance.now();
    JSON.parse(JSON.stringify(variants));
    const baselineRate = VARIANTS / ((performance.now() - started) / 1000);

    started = performance.now();
    const inputs = await readSyncInputs(deps);
    const readRate = VARIANTS / ((performance.now() - started) / 1000);
    started = performance.now();
    const plan = planFromInputs(deps, inputs);
    const diffRate = VARIANTS / ((performance.now() - started) / 1000);
    if (plan.changes.length !== changed)
      throw new Error(`${plan.changes.length} changes, ${changed} expected`);

    shop.firstPushAt = 0;
    const report = await runSync(deps);
    // From the first batch handed to the shop to the last outcome recorded (keys stored, sent, settled).
    const pushRate = changed / ((performance.now() - shop.firstPushAt) / 1000);
    if (report.pushed !== changed) throw new Error(`${report.pushed} pushed, ${changed} expected`);
    return [
      {
        name: `storefront sync store read: ${VARIANTS.toLocaleString('en-US')} variants, ${(VARIANTS * SUPPLIERS).toLocaleString('en-US')} supplier stock rows, pushed state (variants/s)`,
        value: readRate,
        unit: 'variants/s',
        baseline: { name: 'JSON round trip of the variants', value: baselineRate },
        ratio: readRate / baselineRate,
      },
      {
        name: `storefront sync diff: ${VARIANTS.toLocaleString('en-US')} variants × ${SUPPLIERS} suppliers mapped, quantities and prices computed, diffed (variants/s)`,
        value: diffRate,
        unit: 'variants/s',
        baseline: { name: 'JSON round trip of the variants', value: baselineRate },
        ratio: diffRate / baselineRate,
        target: '>= 50,000 variants/s',
        pass: diffRate >= 50_000,
      },
      {
        name: `storefront sync pushes after a feed changing ${CHANGED_SHARE * 100}% (${changed.toLocaleString('en-US')} variants), shop answering at once (variants/s)`,
        value: pushRate,
        unit: 'variants/s',
        baseline: { name: 'Shopify Standard plan limit', value: SHOPIFY_STANDARD_VARIANTS_PER_SECOND },
        ratio: pushRate / SHOPIFY_STANDARD_VARIANTS_PER_SECOND,
        target: '>= 1 × the shop limit',
        pass: pushRate >= SHOPIFY_STANDARD_VARIANTS_PER_SECOND,
      },
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runStorefrontSyncBench().then(
    (figures) => console.log(formatBenchFigures(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
