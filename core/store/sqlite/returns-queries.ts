import { DropshipError } from '../../errors';
import type { OrderEventInput } from '../../model/order-event';
import type {
  NoticeInput,
  ReturnAuthorisation,
  ReturnDraft,
  ReturnQuery,
  ReturnState,
  ReturnUpdate,
  SupplierInvoiceInput,
} from '../../returns/return-authorisation';
import { returnData, returnFromRow, rmaNumber } from '../operations-rows';
import type { ReturnsStore } from '../returns-store';
import type { StoreRow as Row } from '../row-mapping';
import type { StoreClass } from '../store-class';
import type { SqliteStoreBase } from './sqlite-store';

/** Return authorisations and supplier invoices in the SQLite store. */
export function withReturns<T extends StoreClass<SqliteStoreBase>>(Base: T): T & StoreClass<ReturnsStore> {
  abstract class SqliteReturns extends Base implements ReturnsStore {
    private returnRow(rma: string): Row | undefined {
      return this.db.prepare('SELECT * FROM return_authorisations WHERE rma_number = ?').get(rma) as
        Row | undefined;
    }

    async createReturn(
      draft: ReturnDraft,
      event: OrderEventInput,
      notice?: (rma: ReturnAuthorisation) => NoticeInput,
    ): Promise<ReturnAuthorisation> {
      const run = this.db.transaction((): ReturnAuthorisation => {
        if (!this.db.prepare('SELECT 1 FROM orders WHERE id = ?').get(draft.orderId))
          throw new DropshipError('not_found', `order ${draft.orderId} does not exist`);
        const number = rmaNumber(this.nextSequence('rma'));
        const now = this.now();
        this.db
          .prepare(
            `INSERT INTO return_authorisations (rma_number, order_id, supplier_id, po_number, state, data, requested_at, updated_at)
           VALUES (?, ?, ?, ?, 'requested', ?, ?, ?)`,
          )
          .run(number, draft.orderId, draft.supplierId, draft.poNumber ?? null, returnData(draft), now, now);
        const created = returnFromRow(this.returnRow(number)!);
        this.insertEvent(
          draft.orderId,
          { ...event, data: { ...event.data, rmaNumber: number } },
          { to: 'requested' },
          draft.poNumber,
        );
        if (notice) this.insertNotification(draft.orderId, notice(created));
        return created;
      });
      return run.immediate();
    }

    async transitionReturn(
      rma: string,
      expected: ReturnState[],
      to: ReturnState,
      update: ReturnUpdate,
      event: OrderEventInput,
      notice?: (rma: ReturnAuthorisation) => NoticeInput,
    ): Promise<ReturnAuthorisation | undefined> {
      const run = this.db.transaction((): ReturnAuthorisation | undefined => {
        const row = this.returnRow(rma);
        if (!row) throw new DropshipError('not_found', `return ${rma} does not exist`);
        const current = returnFromRow(row);
        if (!expected.includes(current.state)) return undefined;
        const changed = this.db
          .prepare(
            `UPDATE return_authorisations SET state = ?, data = ?, version = version + 1, updated_at = ?
           WHERE rma_number = ? AND state = ?`,
          )
          .run(to, returnData({ ...current, ...update }), this.now(), rma, current.state);
        if (changed.changes === 0) return undefined;
        const moved = returnFromRow(this.returnRow(rma)!);
        this.insertEvent(
          current.orderId,
          { ...event, data: { ...event.data, rmaNumber: rma } },
          { from: current.state, to },
          current.poNumber,
        );
        if (notice) this.insertNotification(current.orderId, notice(moved));
        return moved;
      });
      return run.immediate();
    }

    async getReturn(rma: string): Promise<ReturnAuthorisation | undefined> {
      const row = this.returnRow(rma);
      return row ? returnFromRow(row) : undefined;
    }

    async listReturns(query: ReturnQuery): Promise<ReturnAuthorisation[]> {
      const rows = this.db
        .prepare(
          `SELECT * FROM return_authorisations
         WHERE (@orderId IS NULL OR order_id = @orderId)
           AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
         ORDER BY requested_at, rma_number LIMIT @limit`,
        )
        .all({
          orderId: query.orderId ?? null,
          states: query.states ? JSON.stringify(query.states) : null,
          limit: Math.min(query.limit ?? 1000, 10_000),
        }) as Row[];
      return rows.map(returnFromRow);
    }

    /** Records the invoice once per (supplier, invoice number); the PO's order gets a `po.invoiced` event. */
    async recordSupplierInvoice(invoice: SupplierInvoiceInput, actor: string): Promise<boolean> {
      const run = this.db.transaction((): boolean => {
        const po = this.db
          .prepare('SELECT order_id FROM purchase_orders WHERE number = ?')
          .get(invoice.poNumber) as Row | undefined;
        if (!po) throw new DropshipError('not_found', `purchase order ${invoice.poNumber} does not exist`);
        const inserted = this.db
          .prepare(
            `INSERT INTO supplier_invoices (supplier_id, invoice_number, po_number, total, currency, invoiced_at, lines, recorded_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          )
          .run(
            invoice.supplierId,
            invoice.invoiceNumber,
            invoice.poNumber,
            invoice.total,
            invoice.currency ?? null,
            invoice.invoicedAt.getTime(),
            invoice.lines ? JSON.stringify(invoice.lines) : null,
            this.now(),
          );
        if (inserted.changes === 0) return false;
        this.insertEvent(
          String(po.order_id),
          {
            type: 'po.invoiced',
            actor,
            data: {
              invoiceNumber: invoice.invoiceNumber,
              total: invoice.total,
              supplierId: invoice.supplierId,
            },
          },
          undefined,
          invoice.poNumber,
        );
        return true;
      });
      return run.immediate();
    }
  }
  return SqliteReturns;
}
