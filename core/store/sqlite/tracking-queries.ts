import type { OrderEventInput } from '../../model/order-event';
import type { Shipment } from '../../model/shipment';
import { FINAL_TRACKING_STATUSES } from '../../tracking/poll-schedule';
import type { Lease } from '../lease';
import { parcelPollFromRow, type StoreRow as Row } from '../row-mapping';
import type { ParcelPoll, ParcelPollOutcome, ParcelWatchStore } from '../shipment-store';
import type { StoreClass } from '../store-class';
import type { SqliteStoreBase } from './sqlite-store';

const FINAL_SQL = FINAL_TRACKING_STATUSES.map((status) => `'${status}'`).join(', ');

/** The parcel watch of the SQLite store: carrier poll schedule and label-without-scan flags. */
export function withParcelWatch<T extends StoreClass<SqliteStoreBase>>(
  Base: T,
): T & StoreClass<ParcelWatchStore> {
  abstract class SqliteParcelWatch extends Base implements ParcelWatchStore {
    async claimParcelPolls(carriers: string[], lease: Lease, limit: number): Promise<ParcelPoll[]> {
      const now = lease.now.getTime();
      const claim = this.db.transaction((): ParcelPoll[] => {
        const claimed = this.statement(
          `INSERT INTO shipment_watch (shipment_id, next_poll_at, lease_owner)
           SELECT s.id, @until, @owner FROM shipments s LEFT JOIN shipment_watch w ON w.shipment_id = s.id
           WHERE s.carrier IN (SELECT value FROM json_each(@carriers)) AND s.status NOT IN (${FINAL_SQL})
             AND w.poll_stopped_at IS NULL AND (w.next_poll_at IS NULL OR w.next_poll_at <= @now)
           ORDER BY COALESCE(w.next_poll_at, 0), s.id LIMIT @limit
           ON CONFLICT (shipment_id) DO UPDATE SET next_poll_at = excluded.next_poll_at,
             lease_owner = excluded.lease_owner
           RETURNING shipment_id`,
        ).all({
          until: now + lease.durationMs,
          owner: lease.owner,
          carriers: JSON.stringify(carriers),
          now,
          limit,
        }) as Row[];
        if (claimed.length === 0) return [];
        const rows = this.statement(
          `SELECT s.*, w.last_polled_at, w.polls FROM shipments s JOIN shipment_watch w ON w.shipment_id = s.id
           WHERE s.id IN (SELECT value FROM json_each(?)) ORDER BY s.id`,
        ).all(JSON.stringify(claimed.map((row) => Number(row.shipment_id)))) as Row[];
        return rows.map(parcelPollFromRow);
      });
      return claim.immediate();
    }

    async recordParcelPoll(shipmentId: number, outcome: ParcelPollOutcome): Promise<void> {
      const estimate = outcome.estimatedDelivery ? Date.parse(outcome.estimatedDelivery) : null;
      const polledAt = outcome.polledAt.getTime();
      this.db
        .transaction(() => {
          this.statement(
            `INSERT INTO shipment_watch (shipment_id, next_poll_at, last_polled_at, polls, poll_stopped_at, last_error)
             VALUES (@id, @next, @polledAt, 1, @stopped, @error)
             ON CONFLICT (shipment_id) DO UPDATE SET next_poll_at = excluded.next_poll_at,
               last_polled_at = excluded.last_polled_at, polls = shipment_watch.polls + 1,
               poll_stopped_at = excluded.poll_stopped_at, last_error = excluded.last_error, lease_owner = NULL`,
          ).run({
            id: shipmentId,
            next: outcome.nextPollAt?.getTime() ?? null,
            polledAt,
            stopped: outcome.nextPollAt ? null : polledAt,
            error: outcome.error ?? null,
          });
          if (estimate !== null && !Number.isNaN(estimate)) {
            this.statement(
              `UPDATE shipments SET estimated_delivery = @estimate, updated_at = @now,
                 first_estimated_delivery = COALESCE(first_estimated_delivery, @estimate)
               WHERE id = @id`,
            ).run({ estimate, now: this.now(), id: shipmentId });
          }
        })
        .immediate();
    }

    async listLabelsWithoutScan(reportedBefore: Date, limit: number): Promise<Shipment[]> {
      const rows = this.statement(
        `SELECT s.* FROM shipments s LEFT JOIN shipment_watch w ON w.shipment_id = s.id
         WHERE s.status = 'info_received' AND w.label_flagged_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM tracking_events e WHERE e.shipment_id = s.id AND e.status <> 'info_received')
           AND (SELECT MIN(e.occurred_at) FROM tracking_events e WHERE e.shipment_id = s.id) <= ?
         ORDER BY s.id LIMIT ?`,
      ).all(reportedBefore.getTime(), limit) as Row[];
      return rows.map((row) => this.shipmentFromRow(row));
    }

    /** Sets the flag once and writes the order event in the same transaction. */
    async flagLabelWithoutScan(shipmentId: number, event: OrderEventInput): Promise<boolean> {
      return this.db
        .transaction((): boolean => {
          const shipment = this.statement('SELECT order_id FROM shipments WHERE id = ?').get(shipmentId) as
            Row | undefined;
          if (!shipment) return false;
          const flagged = this.statement(
            `INSERT INTO shipment_watch (shipment_id, label_flagged_at) VALUES (?, ?)
             ON CONFLICT (shipment_id) DO UPDATE SET label_flagged_at = excluded.label_flagged_at
             WHERE shipment_watch.label_flagged_at IS NULL`,
          ).run(shipmentId, this.now());
          if (flagged.changes === 0) return false;
          this.insertEvent(String(shipment.order_id), event);
          return true;
        })
        .immediate();
    }
  }
  return SqliteParcelWatch;
}
