import type { OrderEventInput } from '../../model/order-event';
import type { Shipment } from '../../model/shipment';
import { FINAL_TRACKING_STATUSES } from '../../tracking/poll-schedule';
import type { Lease } from '../lease';
import { parcelPollFromRow, shipmentFromRows } from '../row-mapping';
import type { ParcelPoll, ParcelPollOutcome, ParcelWatchStore } from '../shipment-store';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';
import { firstRow, rows } from './queryable';

/** The parcel watch of the PostgreSQL store: carrier poll schedule and label-without-scan flags. */
export function withParcelWatch<T extends StoreClass<PostgresStoreBase>>(
  Base: T,
): T & StoreClass<ParcelWatchStore> {
  abstract class PostgresParcelWatch extends Base implements ParcelWatchStore {
    async claimParcelPolls(carriers: string[], lease: Lease, limit: number): Promise<ParcelPoll[]> {
      const now = lease.now.getTime();
      return this.transaction(async (db) => {
        // The due parcels are locked and skipped by other pollers until this claim has moved their next poll on.
        const due = await rows(
          db,
          `SELECT s.id FROM shipments s LEFT JOIN shipment_watch w ON w.shipment_id = s.id
         WHERE s.carrier = ANY($1) AND s.status <> ALL($2) AND w.poll_stopped_at IS NULL
           AND (w.next_poll_at IS NULL OR w.next_poll_at <= $3)
         ORDER BY w.next_poll_at NULLS FIRST, s.id LIMIT $4 FOR UPDATE OF s SKIP LOCKED`,
          [carriers, FINAL_TRACKING_STATUSES, now, limit],
        );
        if (due.length === 0) return [];
        const ids = due.map((row) => Number(row.id));
        await db.query(
          `INSERT INTO shipment_watch (shipment_id, next_poll_at, lease_owner)
         SELECT id, $2, $3 FROM unnest($1::bigint[]) AS id
         ON CONFLICT (shipment_id) DO UPDATE SET next_poll_at = excluded.next_poll_at,
           lease_owner = excluded.lease_owner`,
          [ids, now + lease.durationMs, lease.owner],
        );
        const claimed = await rows(
          db,
          `SELECT s.*, w.last_polled_at, w.polls FROM shipments s JOIN shipment_watch w ON w.shipment_id = s.id
         WHERE s.id = ANY($1) ORDER BY s.id`,
          [ids],
        );
        return claimed.map(parcelPollFromRow);
      });
    }

    async recordParcelPoll(shipmentId: number, outcome: ParcelPollOutcome): Promise<void> {
      const estimate = outcome.estimatedDelivery ? Date.parse(outcome.estimatedDelivery) : NaN;
      const polledAt = outcome.polledAt.getTime();
      await this.transaction(async (db) => {
        await db.query(
          `INSERT INTO shipment_watch (shipment_id, next_poll_at, last_polled_at, polls, poll_stopped_at, last_error)
         VALUES ($1, $2, $3, 1, $4, $5)
         ON CONFLICT (shipment_id) DO UPDATE SET next_poll_at = excluded.next_poll_at,
           last_polled_at = excluded.last_polled_at, polls = shipment_watch.polls + 1,
           poll_stopped_at = excluded.poll_stopped_at, last_error = excluded.last_error, lease_owner = NULL`,
          [
            shipmentId,
            outcome.nextPollAt?.getTime() ?? null,
            polledAt,
            outcome.nextPollAt ? null : polledAt,
            outcome.error ?? null,
          ],
        );
        if (!Number.isNaN(estimate)) {
          await db.query(
            `UPDATE shipments SET estimated_delivery = $1, updated_at = $2,
             first_estimated_delivery = COALESCE(first_estimated_delivery, $1)
           WHERE id = $3`,
            [estimate, this.now(), shipmentId],
          );
        }
      });
    }

    async listLabelsWithoutScan(reportedBefore: Date, limit: number): Promise<Shipment[]> {
      const labels = await rows(
        this.pool,
        `SELECT s.* FROM shipments s LEFT JOIN shipment_watch w ON w.shipment_id = s.id
       WHERE s.status = 'info_received' AND w.label_flagged_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM tracking_events e WHERE e.shipment_id = s.id AND e.status <> 'info_received')
         AND (SELECT MIN(e.occurred_at) FROM tracking_events e WHERE e.shipment_id = s.id) <= $1
       ORDER BY s.id LIMIT $2`,
        [reportedBefore.getTime(), limit],
      );
      if (labels.length === 0) return [];
      const events = await rows(
        this.pool,
        'SELECT * FROM tracking_events WHERE shipment_id = ANY($1) ORDER BY occurred_at, id',
        [labels.map((row) => row.id)],
      );
      return labels.map((row) =>
        shipmentFromRows(
          row,
          events.filter((e) => String(e.shipment_id) === String(row.id)),
        ),
      );
    }

    async flagLabelWithoutScan(shipmentId: number, event: OrderEventInput): Promise<boolean> {
      return this.transaction(async (db) => {
        const flagged = await firstRow(
          db,
          `INSERT INTO shipment_watch (shipment_id, label_flagged_at) SELECT id, $2 FROM shipments WHERE id = $1
         ON CONFLICT (shipment_id) DO UPDATE SET label_flagged_at = excluded.label_flagged_at
         WHERE shipment_watch.label_flagged_at IS NULL
         RETURNING (SELECT order_id FROM shipments WHERE id = $1) AS order_id`,
          [shipmentId, this.now()],
        );
        if (!flagged) return false;
        await this.insertEvent(db, String(flagged.order_id), event);
        return true;
      });
    }
  }
  return PostgresParcelWatch;
}
