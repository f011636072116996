import { DropshipError } from '../../errors';
import type { OrderLine } from '../../model/order';
import type { StoredOrderChange } from '../../model/order-change';
import type { OrderEventInput } from '../../model/order-event';
import type { PurchaseOrder, PurchaseOrderLine, PurchaseOrderState } from '../../model/purchase-order';
import { CHANGE_FREE, orderChangeData, orderChangeFromRow } from '../order-change-rows';
import type { OrderChangeDraft, OrderChangeStore, RecordedOrderChange } from '../order-change-store';
import type { Lease, PurchaseOrderClaim } from '../order-store';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';
import { firstRow } from './queryable';
import { purchaseOrderData, purchaseOrderFromRow, type StoreRow as Row } from '../row-mapping';

const FREE = CHANGE_FREE.replaceAll(':now', '$1');

/** Storefront changes to paid orders in the PostgreSQL store (their own migration). */
export function withOrderChanges<T extends StoreClass<PostgresStoreBase>>(
  Base: T,
): T & StoreClass<OrderChangeStore> {
  abstract class PostgresOrderChanges extends Base implements OrderChangeStore {
    recordOrderChange(draft: OrderChangeDraft, event: OrderEventInput): Promise<RecordedOrderChange> {
      return this.transaction(async (db) => {
        await this.lockOrder(db, draft.orderId);
        const inserted = await firstRow(
          db,
          `INSERT INTO order_changes (order_id, change_key, kind, state, data, received_at)
           VALUES ($1, $2, $3, 'pending', $4, $5) ON CONFLICT (order_id, change_key) DO NOTHING RETURNING *`,
          [draft.orderId, draft.key, draft.kind, orderChangeData(draft), this.now()],
        );
        if (inserted) {
          await this.insertEvent(db, draft.orderId, {
            ...event,
            data: { ...event.data, changeId: Number(inserted.id) },
          });
          return { change: orderChangeFromRow(inserted), created: true };
        }
        const existing = await firstRow(
          db,
          'SELECT * FROM order_changes WHERE order_id = $1 AND change_key = $2',
          [draft.orderId, draft.key],
        );
        return { change: orderChangeFromRow(existing!), created: false };
      });
    }

    protected claimChanges(lease: Lease, limit: number, id?: number): Promise<StoredOrderChange[]> {
      return this.transaction(async (db) => {
        const claimed = await db.query<Row>(
          `UPDATE order_changes SET lease_owner = $2, lease_until = $3
           WHERE id IN (SELECT c.id FROM order_changes c WHERE ${FREE}
             AND ($4::bigint IS NULL OR c.id = $4) ORDER BY c.id LIMIT $5 FOR UPDATE SKIP LOCKED)
           RETURNING *`,
          [lease.now.getTime(), lease.owner, lease.now.getTime() + lease.durationMs, id ?? null, limit],
        );
        return claimed.rows.map(orderChangeFromRow).sort((a, b) => a.id - b.id);
      });
    }

    async claimOrderChange(id: number, lease: Lease): Promise<StoredOrderChange | undefined> {
      return (await this.claimChanges(lease, 1, id))[0];
    }

    claimDueOrderChanges(lease: Lease, limit: number): Promise<StoredOrderChange[]> {
      return this.claimChanges(lease, limit);
    }

    completeOrderChange(
      id: number,
      claim: PurchaseOrderClaim,
      lines: OrderLine[],
      event: OrderEventInput,
    ): Promise<boolean> {
      return this.transaction(async (db) => {
        const owner = await firstRow(db, 'SELECT order_id FROM order_changes WHERE id = $1', [id]);
        if (!owner) return false;
        const orderId = String(owner.order_id);
        await this.lockOrder(db, orderId);
        const now = this.now();
        const done = await firstRow(
          db,
          `UPDATE order_changes SET state = 'applied', applied_at = $1, lease_owner = NULL, lease_until = NULL
           WHERE id = $2 AND state = 'pending' AND lease_owner = $3 RETURNING id`,
          [now, id, claim.leaseOwner],
        );
        if (!done) return false;
        await db.query(
          `UPDATE orders SET data = jsonb_set(
             data || jsonb_build_object('paidLines', COALESCE(data->'paidLines', data->'lines')), '{lines}', $1::jsonb
           ), version = version + 1, updated_at = $2
           WHERE id = $3`,
          [JSON.stringify(lines), now, orderId],
        );
        await db.query(
          `UPDATE order_lines l SET quantity = COALESCE((SELECT (k->>'quantity')::int
             FROM jsonb_array_elements($2::jsonb) k WHERE k->>'lineId' = l.line_id), 0)
           WHERE l.order_id = $1`,
          [orderId, JSON.stringify(lines)],
        );
        await this.insertEvent(db, orderId, { ...event, data: { ...event.data, changeId: id } });
        return true;
      });
    }

    async listOrderChanges(orderId: string): Promise<StoredOrderChange[]> {
      return this.transaction(async (db) =>
        (
          await db.query<Row>('SELECT * FROM order_changes WHERE order_id = $1 ORDER BY id', [orderId])
        ).rows.map(orderChangeFromRow),
      );
    }

    changePurchaseOrderLines(
      number: string,
      expected: PurchaseOrderState[],
      version: number,
      lines: PurchaseOrderLine[],
      event: OrderEventInput,
    ): Promise<PurchaseOrder | undefined> {
      return this.transaction(async (db) => {
        const owner = await firstRow(db, 'SELECT order_id FROM purchase_orders WHERE number = $1', [number]);
        if (!owner) throw new DropshipError('not_found', `purchase order ${number} does not exist`);
        await this.lockOrder(db, String(owner.order_id));
        const row = await firstRow(db, 'SELECT * FROM purchase_orders WHERE number = $1 FOR UPDATE', [
          number,
        ]);
        const current = purchaseOrderFromRow(row!);
        if (!expected.includes(current.state) || current.version !== version) return undefined;
        const updated = await firstRow(
          db,
          `UPDATE purchase_orders SET data = $1, version = version + 1, updated_at = $2 WHERE number = $3
           RETURNING *`,
          [purchaseOrderData({ ...current, lines }), this.now(), number],
        );
        await this.insertEvent(db, current.orderId, event, undefined, number);
        return purchaseOrderFromRow(updated!);
      });
    }
  }
  return PostgresOrderChanges;
}
