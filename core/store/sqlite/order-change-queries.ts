import { DropshipError } from '../../errors';
import type { OrderLine } from '../../model/order';
import type { StoredOrderChange } from '../../model/order-change';
import type { OrderEventInput } from '../../model/order-event';
import type { PurchaseOrder, PurchaseOrderLine, PurchaseOrderState } from '../../model/purchase-order';
import { CHANGE_FREE, orderChangeData, orderChangeFromRow } from '../order-change-rows';
import type { OrderChangeDraft, OrderChangeStore, RecordedOrderChange } from '../order-change-store';
import type { Lease, PurchaseOrderClaim } from '../order-store';
import type { StoreClass } from '../store-class';
import type { SqliteStoreBase } from './sqlite-store';
import { purchaseOrderData, purchaseOrderFromRow, type StoreRow as Row } from '../row-mapping';

const FREE = CHANGE_FREE.replaceAll(':now', '@now');

/** Storefront changes to paid orders in the SQLite store (their own migration). */
export function withOrderChanges<T extends StoreClass<SqliteStoreBase>>(
  Base: T,
): T & StoreClass<OrderChangeStore> {
  abstract class SqliteOrderChanges extends Base implements OrderChangeStore {
    async recordOrderChange(draft: OrderChangeDraft, event: OrderEventInput): Promise<RecordedOrderChange> {
      const record = this.db.transaction((): RecordedOrderChange => {
        const inserted = this.statement(
          `INSERT INTO order_changes (order_id, change_key, kind, state, data, received_at)
             VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (order_id, change_key) DO NOTHING RETURNING *`,
        ).get(draft.orderId, draft.key, draft.kind, orderChangeData(draft), this.now()) as Row | undefined;
        if (inserted) {
          this.insertEvent(draft.orderId, { ...event, data: { ...event.data, changeId: inserted.id } });
          return { change: orderChangeFromRow(inserted), created: true };
        }
        const existing = this.statement(
          'SELECT * FROM order_changes WHERE order_id = ? AND change_key = ?',
        ).get(draft.orderId, draft.key) as Row;
        return { change: orderChangeFromRow(existing), created: false };
      });
      return record.immediate();
    }

    protected claimChanges(lease: Lease, limit: number, id?: number): StoredOrderChange[] {
      const claim = this.db.transaction((): StoredOrderChange[] => {
        const rows = this.statement(
          `UPDATE order_changes SET lease_owner = @owner, lease_until = @until
             WHERE id IN (SELECT c.id FROM order_changes c WHERE ${FREE}
               AND (@id IS NULL OR c.id = @id) ORDER BY c.id LIMIT @limit)
             RETURNING *`,
        ).all({
          owner: lease.owner,
          until: lease.now.getTime() + lease.durationMs,
          now: lease.now.getTime(),
          id: id ?? null,
          limit,
        }) as Row[];
        return rows.map(orderChangeFromRow).sort((a, b) => a.id - b.id);
      });
      return claim.immediate();
    }

    async claimOrderChange(id: number, lease: Lease): Promise<StoredOrderChange | undefined> {
      return this.claimChanges(lease, 1, id)[0];
    }

    async claimDueOrderChanges(lease: Lease, limit: number): Promise<StoredOrderChange[]> {
      return this.claimChanges(lease, limit);
    }

    async completeOrderChange(
      id: number,
      claim: PurchaseOrderClaim,
      lines: OrderLine[],
      event: OrderEventInput,
    ): Promise<boolean> {
      const complete = this.db.transaction((): boolean => {
        const now = this.now();
        const done = this.statement(
          `UPDATE order_changes SET state = 'applied', applied_at = ?, lease_owner = NULL, lease_until = NULL
             WHERE id = ? AND state = 'pending' AND lease_owner = ? RETURNING order_id`,
        ).get(now, id, claim.leaseOwner) as Row | undefined;
        if (!done) return false;
        const orderId = String(done.order_id);
        const row = this.statement('SELECT data FROM orders WHERE id = ?').get(orderId) as Row;
        const data = JSON.parse(String(row.data)) as Record<string, unknown>;
        const document = { ...data, paidLines: data.paidLines ?? data.lines, lines };
        this.statement('UPDATE orders SET data = ?, version = version + 1, updated_at = ? WHERE id = ?').run(
          JSON.stringify(document),
          now,
          orderId,
        );
        const setQuantity = this.statement(
          'UPDATE order_lines SET quantity = ? WHERE order_id = ? AND line_id = ?',
        );
        const kept = new Map(lines.map((line) => [line.lineId, line.quantity]));
        const stored = this.statement('SELECT line_id FROM order_lines WHERE order_id = ?').all(
          orderId,
        ) as Row[];
        for (const line of stored) {
          const lineId = String(line.line_id);
          setQuantity.run(kept.get(lineId) ?? 0, orderId, lineId);
        }
        this.insertEvent(orderId, { ...event, data: { ...event.data, changeId: id } });
        return true;
      });
      return complete.immediate();
    }

    async listOrderChanges(orderId: string): Promise<StoredOrderChange[]> {
      const rows = this.statement('SELECT * FROM order_changes WHERE order_id = ? ORDER BY id').all(
        orderId,
      ) as Row[];
      return rows.map(orderChangeFromRow);
    }

    async changePurchaseOrderLines(
      number: string,
      expected: PurchaseOrderState[],
      version: number,
      lines: PurchaseOrderLine[],
      event: OrderEventInput,
    ): Promise<PurchaseOrder | undefined> {
      const change = this.db.transaction((): PurchaseOrder | undefined => {
        const row = this.statement('SELECT * FROM purchase_orders WHERE number = ?').get(number) as
          Row | undefined;
        if (!row) throw new DropshipError('not_found', `purchase order ${number} does not exist`);
        const current = purchaseOrderFromRow(row);
        if (!expected.includes(current.state) || current.version !== version) return undefined;
        const updated = this.statement(
          `UPDATE purchase_orders SET data = ?, version = version + 1, updated_at = ?
             WHERE number = ? AND version = ? RETURNING *`,
        ).get(purchaseOrderData({ ...current, lines }), this.now(), number, version) as Row | undefined;
        if (!updated) return undefined;
        this.insertEvent(current.orderId, event, undefined, number);
        return purchaseOrderFromRow(updated);
      });
      return change.immediate();
    }
  }
  return SqliteOrderChanges;
}
