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
import type { PostgresStoreBase } from './postgres-store';
import { firstRow } from './queryable';

/** Return authorisations and supplier invoices in the PostgreSQL store. */
export function withReturns<T extends StoreClass<PostgresStoreBase>>(Base: T): T & StoreClass<ReturnsStore> {
  abstract class PostgresReturns extends Base implements ReturnsStore {
    async createReturn(
      draft: ReturnDraft,
      event: OrderEventInput,
      notice?: (rma: ReturnAuthorisation) => NoticeInput,
    ): Promise<ReturnAuthorisation> {
      return this.transaction(async (db) => {
        await this.lockOrder(db, draft.orderId);
        const number = rmaNumber(await this.nextSequence(db, 'rma'));
        const now = this.now();
        const created = returnFromRow(
          (await firstRow(
            db,
            `INSERT INTO return_authorisations (rma_number, order_id, supplier_id, po_number, state, data, requested_at, updated_at)
           VALUES ($1, $2, $3, $4, 'requested', $5, $6, $6) RETURNING *`,
            [number, draft.orderId, draft.supplierId, draft.poNumber ?? null, returnData(draft), now],
          ))!,
        );
        await this.insertEvent(
          db,
          draft.orderId,
          { ...event, data: { ...event.data, rmaNumber: number } },
          { to: 'requested' },
          draft.poNumber,
        );
        if (notice) await this.insertNotification(db, draft.orderId, notice(created));
        return created;
      });
    }

    async transitionReturn(
      rma: string,
      expected: ReturnState[],
      to: ReturnState,
      update: ReturnUpdate,
      event: OrderEventInput,
      notice?: (rma: ReturnAuthorisation) => NoticeInput,
    ): Promise<ReturnAuthorisation | undefined> {
      return this.transaction(async (db) => {
        const owner = await firstRow(db, 'SELECT order_id FROM return_authorisations WHERE rma_number = $1', [
          rma,
        ]);
        if (!owner) throw new DropshipError('not_found', `return ${rma} does not exist`);
        await this.lockOrder(db, String(owner.order_id));
        const current = returnFromRow(
          (await firstRow(db, 'SELECT * FROM return_authorisations WHERE rma_number = $1 FOR UPDATE', [
            rma,
          ]))!,
        );
        if (!expected.includes(current.state)) return undefined;
        const moved = returnFromRow(
          (await firstRow(
            db,
            `UPDATE return_authorisations SET state = $1, data = $2, version = version + 1, updated_at = $3
           WHERE rma_number = $4 RETURNING *`,
            [to, returnData({ ...current, ...update }), this.now(), rma],
          ))!,
        );
        await this.insertEvent(
          db,
          current.orderId,
          { ...event, data: { ...event.data, rmaNumber: rma } },
          { from: current.state, to },
          current.poNumber,
        );
        if (notice) await this.insertNotification(db, current.orderId, notice(moved));
        return moved;
      });
    }

    async getReturn(rma: string): Promise<ReturnAuthorisation | undefined> {
      const row = await firstRow(this.pool, 'SELECT * FROM return_authorisations WHERE rma_number = $1', [
        rma,
      ]);
      return row ? returnFromRow(row) : undefined;
    }

    async listReturns(query: ReturnQuery): Promise<ReturnAuthorisation[]> {
      const { rows } = await this.pool.query<Row>(
        `SELECT * FROM return_authorisations
       WHERE ($1::text IS NULL OR order_id = $1) AND ($2::text[] IS NULL OR state = ANY($2))
       ORDER BY requested_at, rma_number COLLATE "C" LIMIT $3`,
        [query.orderId ?? null, query.states ?? null, Math.min(query.limit ?? 1000, 10_000)],
      );
      return rows.map(returnFromRow);
    }

    async recordSupplierInvoice(invoice: SupplierInvoiceInput, actor: string): Promise<boolean> {
      return this.transaction(async (db) => {
        const po = await firstRow(db, 'SELECT order_id FROM purchase_orders WHERE number = $1', [
          invoice.poNumber,
        ]);
        if (!po) throw new DropshipError('not_found', `purchase order ${invoice.poNumber} does not exist`);
        await this.lockOrder(db, String(po.order_id));
        const inserted = await firstRow(
          db,
          `INSERT INTO supplier_invoices (supplier_id, invoice_number, po_number, total, currency, invoiced_at, lines, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING invoice_number`,
          [
            invoice.supplierId,
            invoice.invoiceNumber,
            invoice.poNumber,
            invoice.total,
            invoice.currency ?? null,
            invoice.invoicedAt.getTime(),
            invoice.lines ? JSON.stringify(invoice.lines) : null,
            this.now(),
          ],
        );
        if (!inserted) return false;
        await this.insertEvent(
          db,
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
    }
  }
  return PostgresReturns;
}
