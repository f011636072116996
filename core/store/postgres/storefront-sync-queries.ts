import type { StorefrontVariant } from '../../ports/storefront-catalogue';
import type { SupplierItem } from '../../storefront-sync/catalogue-mapping';
import { OPEN_PURCHASE_ORDER_STATES } from '../../inventory/committed-units';
import { OpenLinesBySupplierSku, type OpenLineRow } from '../inventory-rows';
import { OPEN_LINES_SQL } from './inventory-queries';
import type { PostgresStoreBase } from './postgres-store';
import type { StoreClass } from '../store-class';
import type { DesiredVariant, KnownVariant, PendingPush } from '../../storefront-sync/sync-diff';
import {
  knownVariantFromRow,
  mergedPushState,
  SUPPLIER_STOCK_SQL,
  supplierStockFromRow,
  type KnownVariantRow,
  type OversellCount,
  type PushOutcomeRecord,
  type StorefrontSyncStore,
  type SupplierItemRow,
  type SupplierStock,
} from '../storefront-sync-store';

const KNOWN_SQL = `SELECT v.variant_id, v.variant->>'quantity' AS variant_quantity, v.variant->>'price' AS variant_price,
    v.variant->>'compareAtPrice' AS variant_compare_at, v.imported_at, p.shop, p.shop_at, p.target, p.pending
  FROM storefront_variants v LEFT JOIN storefront_pushed p ON p.channel = v.channel AND p.variant_id = v.variant_id
  WHERE v.channel = $1`;

/** Rows per statement: each row is a few parameters, well under PostgreSQL's 65,535. */
const CHUNK = 5_000;

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < list.length; start += CHUNK) out.push(list.slice(start, start + CHUNK));
  return out;
}

/** Storefront sync's tables in the PostgreSQL store: imported variants, supplier item details, desired and pushed state. */
export function withStorefrontSync<T extends StoreClass<PostgresStoreBase>>(
  Base: T,
): T & StoreClass<StorefrontSyncStore> {
  abstract class PostgresStorefrontSync extends Base implements StorefrontSyncStore {
    replaceStorefrontVariants(
      channel: string,
      variants: StorefrontVariant[],
      importedAt: Date,
    ): Promise<void> {
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

    listStorefrontVariants(channel: string): Promise<StorefrontVariant[]> {
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

    listSupplierStock(): Promise<SupplierStock[]> {
      return this.transaction(async (db) => {
        const open = await db.query<OpenLineRow>(OPEN_LINES_SQL, [OPEN_PURCHASE_ORDER_STATES]);
        const lines = new OpenLinesBySupplierSku(open.rows);
        const { rows } = await db.query<SupplierItemRow>(SUPPLIER_STOCK_SQL);
        return rows.map((row) => supplierStockFromRow(row, lines));
      });
    }

    saveDesiredVariants(channel: string, desired: DesiredVariant[], at: Date): Promise<void> {
      return this.transaction(async (db) => {
        for (const chunk of chunks(desired)) {
          // Each state as a JSON string inside the array, so the column keeps the text JSON.stringify gave.
          await db.query(
            `INSERT INTO storefront_desired (channel, variant_id, sku, quantity, desired, computed_at)
           SELECT $1, d::jsonb->>'variantId', d::jsonb->>'sku', (d::jsonb->>'quantity')::int, d, $3
           FROM jsonb_array_elements_text($2::jsonb) AS d
           ON CONFLICT (channel, variant_id) DO UPDATE SET sku = excluded.sku, quantity = excluded.quantity,
             desired = excluded.desired, computed_at = excluded.computed_at`,
            [channel, JSON.stringify(chunk.map((want) => JSON.stringify(want))), at.getTime()],
          );
        }
      });
    }

    storedDesiredVariants(channel: string): Promise<Map<string, string>> {
      return this.transaction(async (db) => {
        const { rows } = await db.query<{ variant_id: string; desired: string }>(
          'SELECT variant_id, desired FROM storefront_desired WHERE channel = $1',
          [channel],
        );
        return new Map(rows.map((row) => [row.variant_id, row.desired]));
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

    oversellCounts(from: Date, to: Date): Promise<OversellCount[]> {
      return this.transaction(async (db) => {
        const { rows } = await db.query<OversellCount>(
          `SELECT o.channel, l.sku, COUNT(*) AS lines,
             COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM order_events e
               WHERE e.order_id = o.id AND e.type = 'order.oversold' AND e.data->'skus' ? l.sku)) AS oversold
           FROM orders o JOIN order_lines l ON l.order_id = o.id
           WHERE o.placed_at >= $1 AND o.placed_at < $2
           GROUP BY o.channel, l.sku ORDER BY o.channel, l.sku`,
          [from.getTime(), to.getTime()],
        );
        return rows.map((row) => ({ ...row, lines: Number(row.lines), oversold: Number(row.oversold) }));
      });
    }

    listKnownVariants(channel: string): Promise<KnownVariant[]> {
      return this.transaction(async (db) => {
        const { rows } = await db.query<KnownVariantRow>(KNOWN_SQL, [channel]);
        return rows.map(knownVariantFromRow);
      });
    }

    beginVariantPushes(channel: string, pushes: PendingPush[], at: Date): Promise<void> {
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

    recordVariantPushOutcomes(channel: string, outcomes: PushOutcomeRecord[], at: Date): Promise<void> {
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
  return PostgresStorefrontSync;
}
