/**
 * One storefront sync run in its own process, so a test can kill it with SIGKILL mid-push: opens the SQLite store
 * at argv[2], reaches the test's shop at argv[3] through the StorefrontCatalogue port over HTTP, prints the run's
 * report as JSON and exits.
 */
import { systemClock } from '../../../core/clock';
import type {
  StorefrontCatalogue,
  StorefrontVariantPage,
  StorefrontVariantPush,
  StorefrontVariantPushOutcome,
} from '../../../core/ports/storefront-catalogue';
import { SqliteOrderStore } from '../../../core/store/sqlite/sqlite-store';
import { importCatalogue, runSync } from '../../../core/storefront-sync/sync-storefront';

const [, , filename, shopUrl] = process.argv as [string, string, string, string];

async function call<T>(operation: string, body: unknown): Promise<T> {
  const response = await fetch(`${shopUrl}/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`shop answered ${response.status}`);
  return (await response.json()) as T;
}

const catalogue: StorefrontCatalogue = {
  channel: 'shopify',
  batchLimit: 5,
  listVariants: (cursor) => call<StorefrontVariantPage>('list', { cursor }),
  pushVariants: (pushes: StorefrontVariantPush[]) => call<StorefrontVariantPushOutcome[]>('push', { pushes }),
};

void (async () => {
  const store = new SqliteOrderStore({ filename });
  await store.migrate();
  const deps = {
    catalogue,
    store,
    clock: systemClock,
    settings: {
      matchBy: ['sku' as const],
      explicitMap: [],
      combine: 'sum' as const,
      limits: {},
      variantLimits: [],
      priceRules: [],
      pushPrices: false,
    },
  };
  await importCatalogue(deps);
  const report = await runSync(deps);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await store.close();
})();
