import type { PoolClient } from 'pg';
import type { StorefrontVariant } from '../../ports/storefront-catalogue';
import type { SupplierItem } from '../../storefront-sync/catalogue-mapping';
import type { DesiredVariant, KnownVariant, PendingPush } from '../../storefront-sync/sync-diff';
import {
  knownVariantFromRow,
  mergedPushState,
  supplierItemFromRow,
  type KnownVariantRow,
  type PushOutcomeRecord,
  type StorefrontSyncStore,
  type SupplierItemRow,
} from '../storefront-sync-store';

const KNOWN_SQL = `SELECT v.variant_id, v.variant, v.imported_at, p.shop, p.shop_at, p.target, p.pending
  FROM storefront_variants v LEFT JOIN storefront_pushed p ON p.channel = v.channel AND p.variant_id = v.variant_id
  WHERE v.channel = $1`;

/** Rows per statement: each row is a few parameters, well under PostgreSQL's 65,535. */
const CHUNK = 5_000;

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < list.length; start += CHUNK) out.push(list.slice(start, start + CHUNK));
  return out;
}

/** Storefront sync's tables in the PostgreSQL store (its own migration); the store delegates to it. */
export class PostgresStorefrontSyncQueries implements StorefrontSyncStore {
  constructor(
    /** The store's transaction runner (retried on serialisation failures and deadlocks). */
    private readonly transaction: <T>(work: (db: PoolClient) => Promise<T>) => Promise<T>,
  ) {}

  replaceVariants(channel: string, variants: StorefrontVariant[], importedAt: Date): Promise<void> {
    const at = importedAt.getTime();
    return this.transaction(async (db) => {
      for (const chunk of chunks(variants)) {
        await db.query(
          `INSERT INTO storefront_variants (channel, variant_id, sku, variant, imported_at)
           SELECT $1, v->>'variantId', v->>'sku', v, $3 FROM jsonb_array_elements($2::jsonb) AS v
           ON CONFLICT (channel, variant_id) DO UPDATE SET sku = excluded.sku, variant = excluded.variant,
             imported_at = excluded.imported_at`,
          [channel, JSON.stringify(chunk), at],
        );
      }
      // Variants this import did not see are gone from the shop.
      await db.query('DELETE FROM storefront_variants WHERE channel = $1 AND imported_at < $2', [
        channel,
        at,
      ]);
    });
  }

  listVariants(channel: string): Promise<StorefrontVariant[]> {
    return this.transaction(async (db) => {
      const { rows } = await db.query<{ variant: StorefrontVariant }>(
        'SELECT variant FROM storefront_variants WHERE channel = $1 ORDER BY variant_id',
        [channel],
      );
      return rows.map((row) => row.variant);
    });
  }

  recordSupplierItems(items: SupplierItem[], at: Date): Promise<void> {
    return this.transaction(async (db) => {
      for (const chunk of chunks(items)) {
        await db.query(
          `INSERT INTO supplier_items (supplier_id, sku, identifiers, cost, map_price, updated_at)
           SELECT i->>'supplierId', i->>'sku', i->'identifiers', (i->>'cost')::numeric, (i->>'mapPrice')::numeric, $2
           FROM jsonb_array_elements($1::jsonb) AS i
           ON CONFLICT (supplier_id, sku) DO UPDATE SET identifiers = excluded.identifiers, cost = excluded.cost,
             map_price = excluded.map_price, updated_at = excluded.updated_at`,
          [JSON.stringify(chunk), at.getTime()],
        );
      }
    });
  }

  listSupplierItems(): Promise<SupplierItem[]> {
    return this.transaction(async (db) => {
      const { rows } = await db.query<SupplierItemRow>(
        `SELECT i.supplier_id, i.sku, s.identifiers, s.cost, s.map_price FROM inventory i
           LEFT JOIN supplier_items s ON s.supplier_id = i.supplier_id AND s.sku = i.sku
         ORDER BY i.supplier_id, i.sku`,
      );
      return rows.map(supplierItemFromRow);
    });
  }

  saveDesired(channel: string, desired: DesiredVariant[], at: Date): Promise<void> {
    return this.transaction(async (db) => {
      for (const chunk of chunks(desired)) {
        await db.query(
          `INSERT INTO storefront_desired (channel, variant_id, sku, quantity, desired, computed_at)
           SELECT $1, d->>'variantId', d->>'sku', (d->>'quantity')::int, d, $3 FROM jsonb_array_elements($2::jsonb) AS d
           ON CONFLICT (channel, variant_id) DO UPDATE SET sku = excluded.sku, quantity = excluded.quantity,
             desired = excluded.desired, computed_at = excluded.computed_at`,
          [channel, JSON.stringify(chunk), at.getTime()],
        );
      }
    });
  }

  listDesired(channel: string): Promise<DesiredVariant[]> {
    return this.transaction(async (db) => {
      const { rows } = await db.query<{ desired: DesiredVariant }>(
        'SELECT desired FROM storefront_desired WHERE channel = $1 ORDER BY variant_id',
        [channel],
      );
      return rows.map((row) => row.desired);
    });
  }

  desiredQuantities(channel: string, skus: string[]): Promise<Map<string, number>> {
    return this.transaction(async (db) => {
      const { rows } = await db.query<{ sku: string; quantity: number }>(
        'SELECT sku, quantity FROM storefront_desired WHERE channel = $1 AND sku = ANY($2)',
        [channel, skus],
      );
      return new Map(rows.map((row) => [row.sku, Number(row.quantity)]));
    });
  }

  listKnown(channel: string): Promise<KnownVariant[]> {
    return this.transaction(async (db) => {
      const { rows } = await db.query<KnownVariantRow>(KNOWN_SQL, [channel]);
      return rows.map(knownVariantFromRow);
    });
  }

  beginPushes(channel: string, pushes: PendingPush[], at: Date): Promise<void> {
    return this.transaction(async (db) => {
      for (const chunk of chunks(pushes)) {
        await db.query(
          `INSERT INTO storefront_pushed (channel, variant_id, pending_key, pending, updated_at)
           SELECT $1, p->'push'->>'variantId', p->'push'->>'idempotencyKey', p, $3
           FROM jsonb_array_elements($2::jsonb) AS p
           ON CONFLICT (channel, variant_id) DO UPDATE SET pending_key = excluded.pending_key,
             pending = excluded.pending, updated_at = excluded.updated_at`,
          [channel, JSON.stringify(chunk), at.getTime()],
        );
      }
    });
  }

  recordPushOutcomes(channel: string, outcomes: PushOutcomeRecord[], at: Date): Promise<void> {
    return this.transaction(async (db) => {
      for (const outcome of outcomes) {
        // Locked, so an instance resuming the same push records after this one, and finds no key left.
        const { rows } = await db.query<KnownVariantRow>(
          `${KNOWN_SQL} AND v.variant_id = $2 AND p.pending_key = $3 FOR UPDATE OF p`,
          [channel, outcome.variantId, outcome.idempotencyKey],
        );
        const row = rows[0];
        if (!row) continue;
        const { shop, target } = mergedPushState(row, outcome);
        await db.query(
          `UPDATE storefront_pushed SET shop = $1, shop_at = $2, target = $3, pending_key = NULL, pending = NULL,
             last_error = $4, updated_at = $2
           WHERE channel = $5 AND variant_id = $6 AND pending_key = $7`,
          [
            JSON.stringify(shop),
            at.getTime(),
            JSON.stringify(target),
            outcome.error ?? null,
            channel,
            outcome.variantId,
            outcome.idempotencyKey,
          ],
        );
      }
    });
  }
}
