import type { PurchaseOrderState } from '../../model/purchase-order';
import type { Lease } from '../lease';
import { supplierStatusPollFromRow, type StoreRow as Row } from '../row-mapping';
import type { StoreClass } from '../store-class';
import type {
  SupplierStatusPoll,
  SupplierStatusPollOutcome,
  SupplierStatusPollStore,
} from '../status-poll-store';
import type { SqliteStoreBase } from './sqlite-store';

/** The status poll schedule of REST suppliers in the SQLite store. */
export function withSupplierStatusPolls<T extends StoreClass<SqliteStoreBase>>(
  Base: T,
): T & StoreClass<SupplierStatusPollStore> {
  abstract class SqliteSupplierStatusPolls extends Base implements SupplierStatusPollStore {
    async claimSupplierStatusPolls(
      supplierId: string,
      purpose: string,
      states: PurchaseOrderState[],
      lease: Lease,
      limit: number,
    ): Promise<SupplierStatusPoll[]> {
      const now = lease.now.getTime();
      const claim = this.db.transaction((): SupplierStatusPoll[] => {
        const claimed = this.statement(
          `INSERT INTO supplier_status_polls (po_number, purpose, next_poll_at, lease_owner)
           SELECT p.number, @purpose, @until, @owner FROM purchase_orders p
             LEFT JOIN supplier_status_polls w ON w.po_number = p.number AND w.purpose = @purpose
           WHERE p.supplier_id = @supplierId AND p.state IN (SELECT value FROM json_each(@states))
             AND (w.next_poll_at IS NULL OR w.next_poll_at <= @now)
           ORDER BY COALESCE(w.next_poll_at, 0), p.created_at LIMIT @limit
           ON CONFLICT (po_number, purpose) DO UPDATE SET next_poll_at = excluded.next_poll_at,
             lease_owner = excluded.lease_owner
           RETURNING po_number`,
        ).all({
          purpose,
          until: now + lease.durationMs,
          owner: lease.owner,
          supplierId,
          states: JSON.stringify(states),
          now,
          limit,
        }) as Row[];
        if (claimed.length === 0) return [];
        const rows = this.statement(
          `SELECT p.*, w.failures AS poll_failures, w.last_answer AS poll_last_answer,
             w.last_polled_at AS poll_last_polled_at
           FROM purchase_orders p JOIN supplier_status_polls w ON w.po_number = p.number AND w.purpose = ?
           WHERE p.number IN (SELECT value FROM json_each(?)) ORDER BY p.created_at, p.number`,
        ).all(purpose, JSON.stringify(claimed.map((row) => String(row.po_number)))) as Row[];
        return rows.map(supplierStatusPollFromRow);
      });
      return claim.immediate();
    }

    async recordSupplierStatusPoll(
      poNumber: string,
      purpose: string,
      outcome: SupplierStatusPollOutcome,
    ): Promise<void> {
      this.statement(
        `INSERT INTO supplier_status_polls (po_number, purpose, next_poll_at, last_polled_at, failures, last_answer,
           last_error)
         VALUES (@poNumber, @purpose, @next, @polledAt, @failures, @answer, @error)
         ON CONFLICT (po_number, purpose) DO UPDATE SET next_poll_at = excluded.next_poll_at,
           last_polled_at = excluded.last_polled_at, failures = excluded.failures,
           last_answer = excluded.last_answer, last_error = excluded.last_error, lease_owner = NULL`,
      ).run({
        poNumber,
        purpose,
        next: outcome.nextPollAt.getTime(),
        polledAt: outcome.polledAt.getTime(),
        failures: outcome.failures,
        answer: outcome.lastAnswer ?? null,
        error: outcome.error ?? null,
      });
    }
  }
  return SqliteSupplierStatusPolls;
}
