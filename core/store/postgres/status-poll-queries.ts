import type { PurchaseOrderState } from '../../model/purchase-order';
import type { Lease } from '../lease';
import { supplierStatusPollFromRow, type StoreRow as Row } from '../row-mapping';
import type {
  SupplierStatusPoll,
  SupplierStatusPollOutcome,
  SupplierStatusPollStore,
} from '../status-poll-store';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';

/** The status poll schedule of REST suppliers in the PostgreSQL store. */
export function withSupplierStatusPolls<T extends StoreClass<PostgresStoreBase>>(
  Base: T,
): T & StoreClass<SupplierStatusPollStore> {
  abstract class PostgresSupplierStatusPolls extends Base implements SupplierStatusPollStore {
    async claimSupplierStatusPolls(
      supplierId: string,
      purpose: string,
      states: PurchaseOrderState[],
      lease: Lease,
      limit: number,
    ): Promise<SupplierStatusPoll[]> {
      const now = lease.now.getTime();
      return this.transaction(async (db) => {
        // The due POs are locked and skipped by other pollers until this claim has moved their next poll on.
        const due = (
          await db.query<Row>(
            `SELECT p.number FROM purchase_orders p
             LEFT JOIN supplier_status_polls w ON w.po_number = p.number AND w.purpose = $2
           WHERE p.supplier_id = $1 AND p.state = ANY($3) AND (w.next_poll_at IS NULL OR w.next_poll_at <= $4)
           ORDER BY w.next_poll_at NULLS FIRST, p.created_at LIMIT $5 FOR UPDATE OF p SKIP LOCKED`,
            [supplierId, purpose, states, now, limit],
          )
        ).rows;
        if (due.length === 0) return [];
        const numbers = due.map((row) => String(row.number));
        await db.query(
          `INSERT INTO supplier_status_polls (po_number, purpose, next_poll_at, lease_owner)
         SELECT number, $2, $3, $4 FROM unnest($1::text[]) AS number
         ON CONFLICT (po_number, purpose) DO UPDATE SET next_poll_at = excluded.next_poll_at,
           lease_owner = excluded.lease_owner`,
          [numbers, purpose, now + lease.durationMs, lease.owner],
        );
        const claimed = await db.query<Row>(
          `SELECT p.*, w.failures AS poll_failures, w.last_answer AS poll_last_answer,
             w.last_polled_at AS poll_last_polled_at
           FROM purchase_orders p JOIN supplier_status_polls w ON w.po_number = p.number AND w.purpose = $2
           WHERE p.number = ANY($1) ORDER BY p.created_at, p.number COLLATE "C"`,
          [numbers, purpose],
        );
        return claimed.rows.map(supplierStatusPollFromRow);
      });
    }

    async recordSupplierStatusPoll(
      poNumber: string,
      purpose: string,
      outcome: SupplierStatusPollOutcome,
    ): Promise<void> {
      await this.transaction((db) =>
        db.query(
          `INSERT INTO supplier_status_polls (po_number, purpose, next_poll_at, last_polled_at, failures, last_answer,
             last_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (po_number, purpose) DO UPDATE SET next_poll_at = excluded.next_poll_at,
           last_polled_at = excluded.last_polled_at, failures = excluded.failures,
           last_answer = excluded.last_answer, last_error = excluded.last_error, lease_owner = NULL`,
          [
            poNumber,
            purpose,
            outcome.nextPollAt.getTime(),
            outcome.polledAt.getTime(),
            outcome.failures,
            outcome.lastAnswer ?? null,
            outcome.error ?? null,
          ],
        ),
      );
    }
  }
  return PostgresSupplierStatusPolls;
}
