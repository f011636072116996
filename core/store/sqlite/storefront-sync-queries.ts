import type { StorefrontVariant } from '../../ports/storefront-catalogue';
import type { SupplierItem } from '../../storefront-sync/catalogue-mapping';
import { OpenLinesBySupplierSku, type OpenLineRow } from '../inventory-rows';
import { OPEN_LINES_SQL } from './inventory-queries';
import type { SqliteStoreBase } from './sqlite-store';
import type { StoreClass } from '../store-class';
import type { DesiredVariant, KnownVariant, PendingPush } from '../../storefront-sync/sync-diff';
import {
  knownVariantFromRow,
  mergedPushState,
  SUPPLIER_STOCK_SQL,
  supplierStockFromRow,
  type SupplierItemRow,
  type SupplierStock,
  type KnownVariantRow,
  type OversellCount,
  type PushOutcomeRecord,
  type StorefrontSyncStore,
} from '../storefront-sync-store';

const KNOWN_SQL = `SELECT v.variant_id, json_extract(v.variant, '$.quantity') AS variant_quantity,
    json_extract(v.variant, '$.price') AS variant_price, json_extract(v.variant, '$.compareAtPrice') AS variant_compare_at, v.imported_at, p.shop, p.shop_at, p.target, p.pending
  FROM storefront_variants v LEFT JOIN storefront_pushed p ON p.channel = v.channel AND p.variant_id = v.variant_id
  WHERE v.channel = ?`;

/** Storefront sync's tables in the SQLite store: imported variants, supplier item details, desired and pushed state. */
export function withStorefrontSync<T extends StoreClass<SqliteStoreBase>>(
  Base: T,
): T & StoreClass<StorefrontSyncStore> {
  abstract class SqliteStorefrontSync extends Base implements StorefrontSyncStore {
    async replaceStorefrontVariants(
      channel: string,
      variants: StorefrontVariant[],
      importedAt: Date,
    ): Promise<void> {
      const at = importedAt.getTime();
      this.db
        .transaction(() => {
          const upsert = this.statement(
            `INSERT INTO storefront_variants (channel, variant_id, sku, variant, imported_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (channel, variant_id) DO UPDATE SET sku = excluded.sku, variant = excluded.variant,
           imported_at = excluded.imported_at`,
          );
          for (const variant of variants) {
            upsert.run(channel, variant.variantId, variant.sku ?? null, JSON.stringify(variant), at);
          }
          // Variants this import did not see are gone from the shop.
          this.statement('DELETE FROM storefront_variants WHERE channel = ? AND imported_at < ?').run(
            channel,
            at,
          );
        })
        .immediate();
    }

    async listStorefrontVariants(channel: string): Promise<StorefrontVariant[]> {
      return (
        this.statement('SELECT variant FROM storefront_variants WHERE channel = ? ORDER BY variant_id').all(
          channel,
        ) as { variant: string }[]
      ).map((row) => JSON.parse(row.variant) as StorefrontVariant);
    }

    async recordSupplierItems(items: SupplierItem[], at: Date): Promise<void> {
      const upsert = this.statement(
        `INSERT INTO supplier_items (supplier_id, sku, identifiers, cost, map_price, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (supplier_id, sku) DO UPDATE SET identifiers = excluded.identifiers, cost = excluded.cost,
         map_price = excluded.map_price, updated_at = excluded.updated_at`,
      );
      this.db
        .transaction(() => {
          for (const item of items) {
            upsert.run(
              item.supplierId,
              item.sku,
              item.identifiers ? JSON.stringify(item.identifiers) : null,
              item.cost ?? null,
              item.mapPrice ?? null,
              at.getTime(),
            );
          }
        })
        .immediate();
    }

    async listSupplierStock(): Promise<SupplierStock[]> {
      const open = new OpenLinesBySupplierSku(this.statement(OPEN_LINES_SQL).all() as OpenLineRow[]);
      const rows: SupplierStock[] = [];
      // iterate: the rows of a 500,000-row inventory are mapped as they come, not held twice.
      for (const row of this.statement(SUPPLIER_STOCK_SQL).iterate() as IterableIterator<SupplierItemRow>) {
        rows.push(supplierStockFromRow(row, open));
      }
      return rows;
    }

    async saveDesiredVariants(channel: string, desired: DesiredVariant[], at: Date): Promise<void> {
      const upsert = this.statement(
        `INSERT INTO storefront_desired (channel, variant_id, sku, quantity, desired, computed_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (channel, variant_id) DO UPDATE SET sku = excluded.sku, quantity = excluded.quantity,
         desired = excluded.desired, computed_at = excluded.computed_at`,
      );
      this.db
        .transaction(() => {
          for (const want of desired) {
            upsert.run(
              channel,
              want.variantId,
              want.sku ?? null,
              want.quantity,
              JSON.stringify(want),
              at.getTime(),
            );
          }
        })
        .immediate();
    }

    async storedDesiredVariants(channel: string): Promise<Map<string, string>> {
      const rows = this.statement('SELECT variant_id, desired FROM storefront_desired WHERE channel = ?')
        .raw(true)
        .all(channel) as [string, string][];
      return new Map(rows);
    }

    async desiredQuantities(channel: string, skus: string[]): Promise<Map<string, number>> {
      const rows = this.statement(
        `SELECT sku, quantity FROM storefront_desired
       WHERE channel = ? AND sku IN (SELECT value FROM json_each(?))`,
      ).all(channel, JSON.stringify(skus)) as { sku: string; quantity: number }[];
      return new Map(rows.map((row) => [row.sku, row.quantity]));
    }

    async oversellCounts(from: Date, to: Date): Promise<OversellCount[]> {
      const rows = this.statement(
        `SELECT o.channel, l.sku, COUNT(*) AS lines,
           SUM(EXISTS (SELECT 1 FROM order_events e, json_each(e.data, '$.skus') s
             WHERE e.order_id = o.id AND e.type = 'order.oversold' AND s.value = l.sku)) AS oversold
         FROM orders o JOIN order_lines l ON l.order_id = o.id
         WHERE o.placed_at >= ? AND o.placed_at < ?
         GROUP BY o.channel, l.sku ORDER BY o.channel, l.sku`,
      ).all(from.getTime(), to.getTime()) as OversellCount[];
      return rows.map((row) => ({ ...row, lines: Number(row.lines), oversold: Number(row.oversold) }));
    }

    async listKnownVariants(channel: string): Promise<KnownVariant[]> {
      return (this.statement(KNOWN_SQL).all(channel) as KnownVariantRow[]).map(knownVariantFromRow);
    }

    async beginVariantPushes(channel: string, pushes: PendingPush[], at: Date): Promise<void> {
      const upsert = this.statement(
        `INSERT INTO storefront_pushed (channel, variant_id, pending_key, pending, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (channel, variant_id) DO UPDATE SET pending_key = excluded.pending_key,
         pending = excluded.pending, updated_at = excluded.updated_at`,
      );
      this.db
        .transaction(() => {
          for (const pending of pushes) {
            upsert.run(
              channel,
              pending.push.variantId,
              pending.push.idempotencyKey,
              JSON.stringify(pending),
              at.getTime(),
            );
          }
        })
        .immediate();
    }

    async recordVariantPushOutcomes(channel: string, outcomes: PushOutcomeRecord[], at: Date): Promise<void> {
      const read = this.statement(`${KNOWN_SQL} AND v.variant_id = ? AND p.pending_key = ?`);
      const update = this.statement(
        `UPDATE storefront_pushed SET shop = ?, shop_at = ?, target = ?, pending_key = NULL, pending = NULL,
         last_error = ?, updated_at = ?
       WHERE channel = ? AND variant_id = ? AND pending_key = ?`,
      );
      this.db
        .transaction(() => {
          for (const outcome of outcomes) {
            const row = read.get(channel, outcome.variantId, outcome.idempotencyKey) as
              KnownVariantRow | undefined;
            if (!row) continue;
            const { shop, target } = mergedPushState(row, outcome);
            update.run(
              JSON.stringify(shop),
              at.getTime(),
              JSON.stringify(target),
              outcome.error ?? null,
              at.getTime(),
              channel,
              outcome.variantId,
              outcome.idempotencyKey,
            );
          }
        })
        .immediate();
    }
  }
  return SqliteStorefrontSync;
}
