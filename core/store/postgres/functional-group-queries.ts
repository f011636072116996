import type { FunctionalGroupSent, FunctionalGroupStore } from '../functional-group-store';
import { functionalGroupFromRow } from '../row-mapping';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';
import { rows } from './queryable';

/** The X12 functional groups sent to partners, awaiting their 997, in the PostgreSQL store. */
export function withFunctionalGroups<T extends StoreClass<PostgresStoreBase>>(
  Base: T,
): T & StoreClass<FunctionalGroupStore> {
  abstract class PostgresFunctionalGroups extends Base implements FunctionalGroupStore {
    async recordFunctionalGroupSent(
      group: Omit<FunctionalGroupSent, 'acknowledgedAt' | 'acknowledgement' | 'overdueReportedAt'>,
    ): Promise<void> {
      await this.pool.query(
        `INSERT INTO functional_groups_sent (supplier_id, functional_id, group_control_number, document, po_number,
           sent_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (supplier_id, functional_id, group_control_number) DO NOTHING`,
        [
          group.supplierId,
          group.functionalId,
          group.groupControlNumber,
          group.document,
          group.poNumber ?? null,
          Date.parse(group.sentAt),
        ],
      );
    }

    async recordFunctionalGroupAcknowledged(
      supplierId: string,
      functionalId: string,
      groupControlNumber: string,
      acknowledgement: string,
      at: Date,
    ): Promise<boolean> {
      const result = await this.pool.query(
        `UPDATE functional_groups_sent SET acknowledged_at = $1, acknowledgement = $2
         WHERE supplier_id = $3 AND functional_id = $4 AND group_control_number = $5`,
        [at.getTime(), acknowledgement, supplierId, functionalId, groupControlNumber],
      );
      return (result.rowCount ?? 0) > 0;
    }

    async claimOverdueFunctionalGroups(
      supplierId: string,
      sentBefore: Date,
      now: Date,
    ): Promise<FunctionalGroupSent[]> {
      const claimed = await rows(
        this.pool,
        `UPDATE functional_groups_sent SET overdue_reported_at = $1
         WHERE supplier_id = $2 AND acknowledged_at IS NULL AND overdue_reported_at IS NULL AND sent_at <= $3
         RETURNING *`,
        [now.getTime(), supplierId, sentBefore.getTime()],
      );
      return claimed.map(functionalGroupFromRow);
    }

    async listUnacknowledgedFunctionalGroups(limit: number): Promise<FunctionalGroupSent[]> {
      return (
        await rows(
          this.pool,
          `SELECT * FROM functional_groups_sent WHERE acknowledged_at IS NULL ORDER BY sent_at LIMIT $1`,
          [limit],
        )
      ).map(functionalGroupFromRow);
    }
  }
  return PostgresFunctionalGroups;
}
