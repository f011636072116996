import type { PoolClient } from 'pg';
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
import type { StoreRow as Row } from '../row-mapping';

type Queryable = Pick<PoolClient, 'query'>;

/** What the returns queries borrow from the store so events and notices join the same transaction. */
export interface PostgresStoreWriters {
  now(): number;
  transaction<T>(work: (db: PoolClient) => Promise<T>): Promise<T>;
  /** Takes the order's row lock: the lock order every store transaction follows (order first). */
  lockOrder(db: Queryable, orderId: string): Promise<Row>;
  insertEvent(
    db: Queryable,
    orderId: string,
    event: OrderEventInput,
    states?: { from?: string; to?: string },
    poNumber?: string,
  ): Promise<void>;
  insertNotification(db: Queryable, orderId: string, notice: NoticeInput): Promise<boolean>;
  nextSequenceValue(db: Queryable, scope: string): Promise<number>;
}

async function firstRow(db: Queryable, sql: string, params: unknown[]): Promise<Row | undefined> {
  return (await db.query<Row>(sql, params)).rows[0];
}

/** Return authorisations and supplier invoices in the PostgreSQL store (migration 3); the store delegates here. */
export class PostgresReturnsQueries {
  constructor(
    private readonly pool: Queryable,
    private readonly writers: PostgresStoreWriters,
  ) {}

  async create(
    draft: ReturnDraft,
    event: OrderEventInput,
    notice?: (rma: ReturnAuthorisation) => NoticeInput,
  ): Promise<ReturnAuthorisation> {
    return this.writers.transaction(async (db) => {
      await this.writers.lockOrder(db, draft.orderId);
      const number = rmaNumber(await this.writers.nextSequenceValue(db, 'rma'));
      const now = this.writers.now();
      const created = returnFromRow(
        (await firstRow(
          db,
          `INSERT INTO return_authorisations (rma_number, order_id, supplier_id, po_number, state, data, requested_at, updated_at)
           VALUES ($1, $2, $3, $4, 'requested', $5, $6, $6) RETURNING *`,
          [number, draft.orderId, draft.supplierId, draft.poNumber ?? null, returnData(draft), now],
        ))!,
      );
      await this.writers.insertEvent(
        db,
        draft.orderId,
        { ...event, data: { ...event.data, rmaNumber: number } },
        { to: 'requested' },
        draft.poNumber,
      );
      if (notice) await this.writers.insertNotification(db, draft.orderId, notice(created));
      return created;
    });
  }

  async transition(
    rma: string,
    expected: ReturnState[],
    to: ReturnState,
    update: ReturnUpdate,
    event: OrderEventInput,
    notice?: (rma: ReturnAuthorisation) => NoticeInput,
  ): Promise<ReturnAuthorisation | undefined> {
    return this.writers.transaction(async (db) => {
      const owner = await firstRow(db, 'SELECT order_id FROM return_authorisations WHERE rma_number = $1', [
        rma,
      ]);
      if (!owner) throw new DropshipError('not_found', `return ${rma} does not exist`);
      await this.writers.lockOrder(db, String(owner.order_id));
      const current = returnFromRow(
        (await firstRow(db, 'SELECT * FROM return_authorisations WHERE rma_number = $1 FOR UPDATE', [rma]))!,
      );
      if (!expected.includes(current.state)) return undefined;
      const moved = returnFromRow(
        (await firstRow(
          db,
          `UPDATE return_authorisations SET state = $1, data = $2, version = version + 1, updated_at = $3
           WHERE rma_number = $4 RETURNING *`,
          [to, returnData({ ...current, ...update }), this.writers.now(), rma],
        ))!,
      );
      await this.writers.insertEvent(
        db,
        current.orderId,
        { ...event, data: { ...event.data, rmaNumber: rma } },
        { from: current.state, to },
        current.poNumber,
      );
      if (notice) await this.writers.insertNotification(db, current.orderId, notice(moved));
      return moved;
    });
  }

  async get(rma: string): Promise<ReturnAuthorisation | undefined> {
    const row = await firstRow(this.pool, 'SELECT * FROM return_authorisations WHERE rma_number = $1', [rma]);
    return row ? returnFromRow(row) : undefined;
  }

  async list(query: ReturnQuery): Promise<ReturnAuthorisation[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM return_authorisations
       WHERE ($1::text IS NULL OR order_id = $1) AND ($2::text[] IS NULL OR state = ANY($2))
       ORDER BY requested_at, rma_number COLLATE "C" LIMIT $3`,
      [query.orderId ?? null, query.states ?? null, Math.min(query.limit ?? 1000, 10_000)],
    );
    return rows.map(returnFromRow);
  }

  async recordInvoice(invoice: SupplierInvoiceInput, actor: string): Promise<boolean> {
    return this.writers.transaction(async (db) => {
      const po = await firstRow(db, 'SELECT order_id FROM purchase_orders WHERE number = $1', [
        invoice.poNumber,
      ]);
      if (!po) throw new DropshipError('not_found', `purchase order ${invoice.poNumber} does not exist`);
      await this.writers.lockOrder(db, String(po.order_id));
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
          this.writers.now(),
        ],
      );
      if (!inserted) return false;
      await this.writers.insertEvent(
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
