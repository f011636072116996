import type { FunctionalGroupSent, FunctionalGroupStore } from '../functional-group-store';
import { functionalGroupFromRow, type StoreRow as Row } from '../row-mapping';
import type { StoreClass } from '../store-class';
import type { SqliteStoreBase } from './sqlite-store';

/** The X12 functional groups sent to partners, awaiting their 997, in the SQLite store. */
export function withFunctionalGroups<T extends StoreClass<SqliteStoreBase>>(
  Base: T,
): T & StoreClass<FunctionalGroupStore> {
  abstract class SqliteFunctionalGroups extends Base implements FunctionalGroupStore {
    async recordFunctionalGroupSent(
      group: Omit<FunctionalGroupSent, 'acknowledgedAt' | 'acknowledgement' | 'overdueReportedAt'>,
    ): Promise<void> {
      this.statement(
        `INSERT INTO functional_groups_sent (supplier_id, functional_id, group_control_number, document, po_number,
           sent_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (supplier_id, functional_id, group_control_number) DO NOTHING`,
      ).run(
        group.supplierId,
        group.functionalId,
        group.groupControlNumber,
        group.document,
        group.poNumber ?? null,
        Date.parse(group.sentAt),
      );
    }

    async recordFunctionalGroupAcknowledged(
      supplierId: string,
      functionalId: string,
      groupControlNumber: string,
      acknowledgement: string,
      at: Date,
    ): Promise<boolean> {
      const result = this.statement(
        `UPDATE functional_groups_sent SET acknowledged_at = ?, acknowledgement = ?
         WHERE supplier_id = ? AND functional_id = ? AND group_control_number = ?`,
      ).run(at.getTime(), acknowledgement, supplierId, functionalId, groupControlNumber);
      return result.changes > 0;
    }

    async claimOverdueFunctionalGroups(
      supplierId: string,
      sentBefore: Date,
      now: Date,
    ): Promise<FunctionalGroupSent[]> {
      const claimed = this.statement(
        `UPDATE functional_groups_sent SET overdue_reported_at = ?
         WHERE supplier_id = ? AND acknowledged_at IS NULL AND overdue_reported_at IS NULL AND sent_at <= ?
         RETURNING *`,
      ).all(now.getTime(), supplierId, sentBefore.getTime()) as Row[];
      return claimed.map(functionalGroupFromRow);
    }

    async listUnacknowledgedFunctionalGroups(limit: number): Promise<FunctionalGroupSent[]> {
      return (
        this.statement(
          `SELECT * FROM functional_groups_sent WHERE acknowledged_at IS NULL ORDER BY sent_at LIMIT ?`,
        ).all(limit) as Row[]
      ).map(functionalGroupFromRow);
    }
  }
  return SqliteFunctionalGroups;
}
