import { Pool, type PoolClient } from 'pg';
import type { Order, OrderDraft, OrderState } from '../../model/order';
import { purchaseOrderCreatedEvent, type OrderEvent, type OrderEventInput } from '../../model/order-event';
import {
  purchaseOrderNumber,
  type PurchaseOrder,
  type PurchaseOrderDraft,
  type PurchaseOrderState,
} from '../../model/purchase-order';
import type { Shipment, ShipmentEvent } from '../../model/shipment';
import { DropshipError } from '../../errors';
import { systemClock, type Clock } from '../../clock';
import type { Lease } from '../lease';
import type { OrderStore } from '../order-store';
import {
  otherOrderNumberForm,
  type IntakeMeta,
  type IntakeResult,
  type OrderQuery,
  type OrdersStore,
  type SequenceStore,
} from '../orders-store';
import type { PurchaseOrderClaim, PurchaseOrderStore, PurchaseOrderUpdate } from '../purchase-order-store';
import type { ShipmentResult, ShipmentStore } from '../shipment-store';
import {
  eventFromRow,
  orderFromRow,
  purchaseOrderData,
  purchaseOrderFromRow,
  shipmentFromRows,
  type StoreRow as Row,
} from '../row-mapping';
import { cancelNeedsWithdrawal } from '../../model/lifecycle';
import {
  assertOrderMoveAllowed,
  assertPurchaseOrderMoveAllowed,
  orderStateFollowingPurchaseOrders,
  purchaseOrderMovesFromParcels,
} from '../order-following';
import { POSTGRES_MIGRATIONS } from './migrations';
import { withWatchdog } from './watchdog-queries';
import { withReturns } from './returns-queries';
import { withMetrics } from './metrics-queries';
import { withNotifications } from './notification-queries';
import { withFunctionalGroups } from './functional-group-queries';
import { withSupplierStatusPolls } from './status-poll-queries';
import { withPortal } from './portal-queries';
import { withStorefrontSync } from './storefront-sync-queries';
import { withOrderChanges } from './order-change-queries';
import { heldUntil } from '../order-change-rows';
import { withStock } from './inventory-queries';
import { withParcelWatch } from './tracking-queries';
import { firstRow, renewPreparedStatementsIfStale, prepared, rows, type Queryable } from './queryable';
import { PostgresOrderIntake } from './order-intake';
import { withRefunds } from './refund-queries';
import { withRiskSignals } from './risk-signal-queries';
import type { NoticeInput } from '../../returns/return-authorisation';

export interface PostgresStoreOptions {
  /** `postgres://user@host:5432/database` (TLS and other settings as query parameters). */
  connectionString: string;
  /** Kept apart from the connection string so it can live in Node-RED credentials. */
  password?: string;
  /** The schema holding the tables (created by migrate()); `public` when omitted. */
  schema?: string;
  /** Connections per instance; each Node-RED instance has its own pool. */
  poolSize?: number;
  clock?: Clock;
}

/** Unquoted PostgreSQL identifiers only, so the name can go into search_path and DDL as it is. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** First key of the migration advisory lock ("DROP" in ASCII); the second is the schema's hash. */
const MIGRATION_LOCK_CLASS = 0x44524f50;
/** serialization_failure and deadlock_detected: the transaction did nothing and can simply run again. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const TRANSACTION_ATTEMPTS = 3;

/** Binary text order, as SQLite sorts and as `COLLATE "C"` makes PostgreSQL sort, whatever the locale. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The pool's settings: the password goes into the URL because `pg` lets the URL override a separate one. */
function connectionSettings(options: PostgresStoreOptions, schema: string) {
  let connectionString = options.connectionString;
  if (options.password !== undefined) {
    let url: URL;
    try {
      url = new URL(connectionString);
    } catch (err) {
      throw new DropshipError(
        'configuration',
        'PostgreSQL connection string must be a postgres:// URL when a password is given separately',
        [{ path: '/connectionString', message: 'is not a postgres:// URL' }],
        { cause: err },
      );
    }
    // `pg` percent-decodes the URL's password; the setter alone would leave a literal `%` undecodable.
    url.password = encodeURIComponent(options.password);
    connectionString = url.toString();
  }
  return {
    connectionString,
    max: options.poolSize ?? 10,
    options: `-c search_path=${schema}`,
    application_name: 'node-red-contrib-dropship',
    // Fail a start-up against an unreachable server instead of waiting forever.
    connectionTimeoutMillis: 10_000,
  };
}

/**
 * The PostgreSQL engine's pool, transactions and the writers every area shares (order events, notices,
 * sequences), with the pipeline's core: orders, purchase orders and shipments, whose moves follow one another.
 * The other areas are mixins (`*-queries.ts`) that PostgresOrderStore is built from.
 */
export abstract class PostgresStoreBase
  implements OrdersStore, SequenceStore, PurchaseOrderStore, ShipmentStore
{
  readonly engine = 'postgres' as const;
  readonly schema: string;
  private readonly connections: Pool;
  private readonly clock: Clock;
  private readonly intake: PostgresOrderIntake;

  constructor(options: PostgresStoreOptions) {
    const schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) {
      throw new DropshipError('configuration', `PostgreSQL schema name "${schema}" is not allowed`, [
        {
          path: '/schema',
          message: 'must be lower-case letters, digits and underscores, not starting with a digit',
        },
      ]);
    }
    if (options.poolSize !== undefined && !(Number.isInteger(options.poolSize) && options.poolSize >= 1)) {
      throw new DropshipError('configuration', 'PostgreSQL pool size must be a whole number of at least 1', [
        { path: '/poolSize', message: 'must be an integer >= 1' },
      ]);
    }
    this.schema = schema;
    this.clock = options.clock ?? systemClock;
    this.connections = new Pool(connectionSettings(options, schema));
    // An idle connection dropped by the server (restart, failover) is removed by the pool and the next query
    // opens a new one; without a listener the 'error' event would end the Node-RED process.
    this.connections.on('error', () => undefined);
    this.intake = new PostgresOrderIntake(this.connections, () => this.now());
  }

  /** For store-level extensions (metrics, reports) that need their own queries in this database. */
  get pool(): Pool {
    return this.connections;
  }

  /** Applies the missing migrations; instances starting together wait on an advisory lock, so each runs once. */
  async migrate(): Promise<void> {
    await this.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, this.schema]);
      const exists = await firstRow(db, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
      if (!exists) await db.query(`CREATE SCHEMA ${this.schema}`);
      await db.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const applied = new Set(
        (await rows(db, 'SELECT version FROM schema_migrations')).map((row) => Number(row.version)),
      );
      for (const migration of POSTGRES_MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await db.query(migration.sql);
        await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          Date.now(),
        ]);
      }
    });
  }

  async close(): Promise<void> {
    if (!this.connections.ended) await this.connections.end();
  }

  protected now(): number {
    return this.clock.now().getTime();
  }

  /** Runs `work` in one transaction, again when PostgreSQL resolved a deadlock or conflict by aborting it. */
  protected async transaction<T>(work: (db: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connections.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        const retryable = RETRYABLE_SQLSTATES.has(sqlState(err) ?? '') || renewPreparedStatementsIfStale(err);
        if (attempt < TRANSACTION_ATTEMPTS && retryable) continue;
        throw err;
      } finally {
        // A connection that cannot even roll back is discarded rather than handed to the next caller.
        client.release(broken);
      }
    }
  }

  protected async insertEvent(
    db: Queryable,
    orderId: string,
    event: OrderEventInput,
    states?: { from?: string; to?: string },
    poNumber?: string,
  ): Promise<void> {
    await db.query(
      prepared(
        `INSERT INTO order_events (order_id, po_number, type, from_state, to_state, actor, reason, data, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          orderId,
          event.poNumber ?? poNumber ?? null,
          event.type,
          states?.from ?? null,
          states?.to ?? null,
          event.actor,
          event.reason ?? null,
          event.data ? JSON.stringify(event.data) : null,
          event.at ? new Date(event.at).getTime() : this.now(),
        ],
      ),
    );
  }

  private async orderRow(db: Queryable, id: string): Promise<Row | undefined> {
    return firstRow(db, 'SELECT * FROM orders WHERE id = $1', [id]);
  }

  /** Locks the order row for the rest of the transaction (NO KEY: inserts referencing the order still pass). */
  protected async lockOrder(db: Queryable, id: string): Promise<Row> {
    const row = await firstRow(db, 'SELECT * FROM orders WHERE id = $1 FOR NO KEY UPDATE', [id]);
    if (!row) throw new DropshipError('not_found', `order ${id} does not exist`);
    return row;
  }

  async receiveOrder(draft: OrderDraft, meta: IntakeMeta): Promise<IntakeResult> {
    return this.intake.receive(draft, meta);
  }

  async getOrder(id: string): Promise<Order | undefined> {
    const row = await this.orderRow(this.connections, id);
    return row ? orderFromRow(row) : undefined;
  }

  async findOrder(ref: string): Promise<Order | undefined> {
    const separator = ref.indexOf(':');
    const row = await firstRow(
      this.connections,
      `SELECT * FROM orders WHERE id = $1 OR (channel = $2 AND external_id = $3)
       ORDER BY (id = $1) DESC LIMIT 1`,
      [ref, separator > 0 ? ref.slice(0, separator) : null, separator > 0 ? ref.slice(separator + 1) : null],
    );
    return row ? orderFromRow(row) : undefined;
  }

  async listOrders(query: OrderQuery): Promise<Order[]> {
    const limit = Math.min(query.limit ?? 100, 10_000);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.states?.length) {
      params.push(query.states);
      where.push(`state = ANY($${params.length})`);
    }
    if (query.updatedSince) {
      params.push(query.updatedSince.getTime());
      where.push(`updated_at >= $${params.length}`);
    }
    // Filtered lists are worked through oldest first; the plain list shows the latest orders.
    const order = where.length > 0 ? 'ORDER BY updated_at' : 'ORDER BY updated_at DESC';
    params.push(limit);
    const found = await rows(
      this.connections,
      `SELECT * FROM orders ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT $${params.length}`,
      params,
    );
    return found.map(orderFromRow);
  }

  /**
   * The CAS at the heart of every order move; inside a transaction, takes the order's row lock, unless the caller
   * holds it already and passes the row it read under it (`locked`).
   */
  private async moveOrder(
    db: Queryable,
    id: string,
    expected: OrderState[],
    to: OrderState,
    event: OrderEventInput,
    locked?: Row,
  ): Promise<Order | undefined> {
    const row = locked ?? (await this.lockOrder(db, id));
    const from = row.state as OrderState;
    if (!expected.includes(from)) return undefined;
    assertOrderMoveAllowed(id, from, to);
    const moved = await firstRow(
      db,
      'UPDATE orders SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 RETURNING *',
      [to, this.now(), id],
    );
    await this.insertEvent(db, id, event, { from, to });
    return orderFromRow(moved!);
  }

  async transitionOrder(
    id: string,
    expected: OrderState[],
    to: OrderState,
    event: OrderEventInput,
  ): Promise<Order | undefined> {
    return this.transaction((db) => this.moveOrder(db, id, expected, to, event));
  }

  async recordEvent(orderId: string, event: OrderEventInput): Promise<void> {
    await this.insertEvent(this.connections, orderId, event);
  }

  async listEvents(orderId: string): Promise<OrderEvent[]> {
    return (
      await rows(this.connections, 'SELECT * FROM order_events WHERE order_id = $1 ORDER BY id', [orderId])
    ).map(eventFromRow);
  }

  private async purchaseOrdersByNumber(db: Queryable, numbers: string[]): Promise<PurchaseOrder[]> {
    const found = new Map(
      (await rows(db, 'SELECT * FROM purchase_orders WHERE number = ANY($1)', [numbers])).map((row) => [
        String(row.number),
        purchaseOrderFromRow(row),
      ]),
    );
    return numbers.map((number) => found.get(number)!);
  }

  /** Inside a transaction that holds the order's lock. */
  private async insertPurchaseOrders(
    db: Queryable,
    orderId: string,
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder[]> {
    const now = this.now();
    const numbers: string[] = [];
    const inserted = new Map<string, PurchaseOrder>();
    for (const draft of drafts) {
      if (draft.orderId !== orderId)
        throw new DropshipError('conflict', 'purchase order belongs to another order');
      const number = purchaseOrderNumber(orderId, draft.supplierId, draft.attempt);
      const row = await firstRow(
        db,
        `INSERT INTO purchase_orders (number, order_id, supplier_id, attempt, state, data, created_at, updated_at,
           next_attempt_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $6, $7) ON CONFLICT (number) DO NOTHING RETURNING *`,
        [number, orderId, draft.supplierId, draft.attempt, purchaseOrderData(draft), now, heldUntil(draft)],
      );
      if (row) {
        inserted.set(number, purchaseOrderFromRow(row));
        await this.insertEvent(
          db,
          orderId,
          purchaseOrderCreatedEvent(event, number, draft),
          { to: 'pending' },
          number,
        );
      }
      numbers.push(number);
    }
    // Only the POs that existed already are read back.
    const existing = numbers.filter((number) => !inserted.has(number));
    const read = existing.length > 0 ? await this.purchaseOrdersByNumber(db, existing) : [];
    const known = new Map([...inserted, ...read.map((po): [string, PurchaseOrder] => [po.number, po])]);
    return numbers.map((number) => known.get(number)!);
  }

  async assignPurchaseOrders(
    orderId: string,
    expected: OrderState[],
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder[] | undefined> {
    return this.transaction(async (db) => {
      const moved = await this.moveOrder(db, orderId, expected, 'routed', event);
      if (!moved) return undefined;
      return this.insertPurchaseOrders(db, orderId, drafts, event);
    });
  }

  async addPurchaseOrders(
    orderId: string,
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder[]> {
    return this.transaction(async (db) => {
      const order = await this.lockOrder(db, orderId);
      const added = await this.insertPurchaseOrders(db, orderId, drafts, event);
      // New POs waiting to go out take the order back to routed until a supplier has them.
      await this.followPurchaseOrders(db, order, event);
      return added;
    });
  }

  async getPurchaseOrder(number: string): Promise<PurchaseOrder | undefined> {
    const row = await firstRow(this.connections, 'SELECT * FROM purchase_orders WHERE number = $1', [number]);
    return row ? purchaseOrderFromRow(row) : undefined;
  }

  async findPurchaseOrdersBySupplierReference(
    supplierId: string,
    reference: string,
  ): Promise<PurchaseOrder[]> {
    return (
      await rows(
        this.connections,
        'SELECT * FROM purchase_orders WHERE supplier_id = $1 AND supplier_reference = $2 ORDER BY created_at, number',
        [supplierId, reference],
      )
    ).map(purchaseOrderFromRow);
  }

  async listPurchaseOrders(orderId: string): Promise<PurchaseOrder[]> {
    return (
      await rows(
        this.connections,
        'SELECT * FROM purchase_orders WHERE order_id = $1 ORDER BY created_at, number COLLATE "C"',
        [orderId],
      )
    ).map(purchaseOrderFromRow);
  }

  /**
   * Claims up to `limit` due POs matching `filter` (SQL over purchase_orders; its value is $5). SKIP LOCKED
   * passes over rows another instance is claiming right now; a row claimed and committed meanwhile is
   * re-checked by PostgreSQL after locking and dropped, so no PO is ever claimed twice.
   */
  private async claimPurchaseOrders(
    lease: Lease,
    limit: number,
    filter: string,
    filterValue?: unknown,
  ): Promise<PurchaseOrder[]> {
    const now = lease.now.getTime();
    const params: unknown[] = [now, limit, lease.owner, now + lease.durationMs];
    if (filterValue !== undefined) params.push(filterValue);
    const claimed = await rows(
      this.connections,
      `WITH claimable AS (
         SELECT number FROM purchase_orders
         WHERE ${filter}
           AND ((state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $1))
             OR (state = 'sending' AND lease_until < $1))
         ORDER BY created_at, number COLLATE "C" LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE purchase_orders po SET state = 'sending', lease_owner = $3, lease_until = $4,
         send_attempts = po.send_attempts + 1, version = po.version + 1, updated_at = $1
       FROM claimable WHERE po.number = claimable.number
       RETURNING po.*`,
      params,
    );
    return claimed
      .map(purchaseOrderFromRow)
      .sort((a, b) => compareText(a.createdAt, b.createdAt) || compareText(a.number, b.number));
  }

  async claimPurchaseOrder(number: string, lease: Lease): Promise<PurchaseOrder | undefined> {
    const [claimed] = await this.claimPurchaseOrders(lease, 1, 'number = $5', number);
    return claimed;
  }

  async claimDuePurchaseOrders(
    lease: Lease,
    limit: number,
    supplierIds?: string[],
  ): Promise<PurchaseOrder[]> {
    return supplierIds
      ? this.claimPurchaseOrders(lease, limit, 'supplier_id = ANY($5)', supplierIds)
      : this.claimPurchaseOrders(lease, limit, 'TRUE');
  }

  async claimStrandedPurchaseOrders(
    lease: Lease,
    limit: number,
    supplierIds: string[],
    strandedForMs: number,
  ): Promise<PurchaseOrder[]> {
    const now = lease.now.getTime();
    const claimed = await rows(
      this.connections,
      `WITH stranded AS (
         SELECT number FROM purchase_orders
         WHERE NOT (supplier_id = ANY($5))
           AND ((state = 'pending' AND COALESCE(next_attempt_at, created_at) <= $6)
             OR (state = 'sending' AND lease_until <= $6))
         ORDER BY created_at, number COLLATE "C" LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE purchase_orders po SET state = 'sending', lease_owner = $3, lease_until = $4,
         version = po.version + 1, updated_at = $1
       FROM stranded WHERE po.number = stranded.number
       RETURNING po.*`,
      [now, limit, lease.owner, now + lease.durationMs, supplierIds, now - strandedForMs],
    );
    return claimed
      .map(purchaseOrderFromRow)
      .sort((a, b) => compareText(a.createdAt, b.createdAt) || compareText(a.number, b.number));
  }

  /** The sweep's withdrawals: of the suppliers in $5 as soon as free, or any free since $6. */
  private static readonly DUE_WITHDRAWAL = 'supplier_id = ANY($5) OR lease_until <= $6';

  async claimWithdrawal(number: string, lease: Lease): Promise<PurchaseOrder | undefined> {
    const [claimed] = await this.claimWithdrawals(lease, 1, 'number = $5', number);
    return claimed;
  }

  async claimDueWithdrawals(
    lease: Lease,
    limit: number,
    supplierIds: string[],
    othersAfterMs: number,
  ): Promise<PurchaseOrder[]> {
    return this.claimWithdrawals(
      lease,
      limit,
      PostgresStoreBase.DUE_WITHDRAWAL,
      supplierIds,
      lease.now.getTime() - othersAfterMs,
    );
  }

  /**
   * Claims up to `limit` pending withdrawals nobody holds (lease_until is when each became free: the cancel, or
   * the end of a lease) that match `filter` (SQL over purchase_orders; its values are $5 and on), longest free
   * first, from the partial index purchase_orders_withdrawal. SKIP LOCKED passes over rows another instance is
   * claiming; one claimed and committed meanwhile is re-checked after locking and dropped.
   */
  private async claimWithdrawals(
    lease: Lease,
    limit: number,
    filter: string,
    ...filterValues: unknown[]
  ): Promise<PurchaseOrder[]> {
    const now = lease.now.getTime();
    const claimed = await rows(this.connections, PostgresStoreBase.claimWithdrawalsSql(filter), [
      now,
      limit,
      lease.owner,
      now + lease.durationMs,
      ...filterValues,
    ]);
    return claimed.map(purchaseOrderFromRow);
  }

  private static claimWithdrawalsSql(filter: string): string {
    return `WITH claimable AS (
         SELECT number FROM purchase_orders
         WHERE withdrawal = 'pending' AND lease_until <= $1 AND (${filter})
         ORDER BY lease_until LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE purchase_orders po SET lease_owner = $3, lease_until = $4
       FROM claimable WHERE po.number = claimable.number
       RETURNING po.*`;
  }

  async completeWithdrawal(
    number: string,
    claim: PurchaseOrderClaim,
    event: OrderEventInput,
  ): Promise<boolean> {
    return this.transaction(async (db) => {
      // Only the PO row is locked: the event's reference to the order takes a key-share lock, which the order
      // lock of other transactions (FOR NO KEY UPDATE) does not block, so the usual order-first rule is not needed.
      const done = await firstRow(
        db,
        `UPDATE purchase_orders SET withdrawal = 'done', lease_owner = NULL, lease_until = NULL
         WHERE number = $1 AND withdrawal = 'pending' AND lease_owner = $2 RETURNING order_id`,
        [number, claim.leaseOwner],
      );
      if (!done) return false;
      await this.insertEvent(db, String(done.order_id), event, undefined, number);
      return true;
    });
  }

  /**
   * Brings the order's state in line with its POs and parcels; inside a transaction holding the order's lock,
   * `order` being its row as read under that lock (the caller's writes since then touched only POs and parcels).
   */
  private async followPurchaseOrders(db: Queryable, order: Row, event: OrderEventInput): Promise<void> {
    const orderId = String(order.id);
    const current = order.state as OrderState;
    // The parcels' PO numbers ride along on every PO row: they only matter for an order that has POs.
    const found = await rows(
      db,
      `SELECT *, ARRAY(SELECT po_number FROM shipments WHERE order_id = $1) AS parcel_po_numbers
       FROM purchase_orders WHERE order_id = $1`,
      [orderId],
    );
    const parcelPoNumbers = ((found[0]?.parcel_po_numbers ?? []) as (string | null)[]).map(
      (number) => number ?? undefined,
    );
    const target = orderStateFollowingPurchaseOrders(
      current,
      found.map(purchaseOrderFromRow),
      parcelPoNumbers,
    );
    if (target)
      await this.moveOrder(db, orderId, [current], target, { ...event, type: 'order.state' }, order);
  }

  async transitionPurchaseOrder(
    number: string,
    expected: PurchaseOrderState[],
    to: PurchaseOrderState,
    update: PurchaseOrderUpdate,
    event: OrderEventInput,
    claim?: PurchaseOrderClaim,
  ): Promise<PurchaseOrder | undefined> {
    return this.transaction(async (db) => {
      // The order first, then the PO: the lock order every transaction here follows.
      const order = await firstRow(
        db,
        'SELECT * FROM orders WHERE id = (SELECT order_id FROM purchase_orders WHERE number = $1) FOR NO KEY UPDATE',
        [number],
      );
      if (!order) throw new DropshipError('not_found', `purchase order ${number} does not exist`);
      const row = (await firstRow(db, 'SELECT * FROM purchase_orders WHERE number = $1 FOR UPDATE', [
        number,
      ]))!;
      const from = row.state as PurchaseOrderState;
      if (!expected.includes(from)) return undefined;
      assertPurchaseOrderMoveAllowed(number, from, to);
      // The row is locked: no claim can take the PO over between this check and the update.
      if (claim && row.lease_owner !== claim.leaseOwner) return undefined;
      const current = purchaseOrderFromRow(row);
      const keepsLease = to === 'sending';
      const updated = await firstRow(
        db,
        `UPDATE purchase_orders SET state = $1, version = version + 1, updated_at = $2,
           supplier_reference = COALESCE($3, supplier_reference),
           next_attempt_at = $4, last_error = $5, data = $6,
           lease_owner = CASE WHEN $7 THEN lease_owner END,
           lease_until = CASE WHEN $7 THEN lease_until WHEN $9 THEN $2 END,
           withdrawal = CASE WHEN $9 THEN 'pending' ELSE withdrawal END
         WHERE number = $8 RETURNING *`,
        [
          to,
          this.now(),
          update.supplierReference ?? null,
          update.nextAttemptAt === undefined
            ? (row.next_attempt_at ?? null)
            : (update.nextAttemptAt?.getTime() ?? null),
          update.lastError === undefined ? (row.last_error ?? null) : update.lastError,
          purchaseOrderData(update.lines ? { ...current, lines: update.lines } : current),
          keepsLease,
          number,
          cancelNeedsWithdrawal(from, to),
        ],
      );
      if (from !== to || event.reason)
        await this.insertEvent(db, current.orderId, event, { from, to }, number);
      await this.followPurchaseOrders(db, order, event);
      return purchaseOrderFromRow(updated!);
    });
  }

  private async shipmentsOf(db: Queryable, orderId: string): Promise<Shipment[]> {
    const parcels = await rows(db, 'SELECT * FROM shipments WHERE order_id = $1 ORDER BY id', [orderId]);
    if (parcels.length === 0) return [];
    const events = await rows(
      db,
      'SELECT * FROM tracking_events WHERE shipment_id = ANY($1) ORDER BY occurred_at, id',
      [parcels.map((row) => row.id)],
    );
    return parcels.map((row) =>
      shipmentFromRows(
        row,
        events.filter((e) => String(e.shipment_id) === String(row.id)),
      ),
    );
  }

  async recordShipmentEvent(
    event: ShipmentEvent & { orderId: string },
    actor: string,
  ): Promise<ShipmentResult> {
    return this.transaction(async (db): Promise<ShipmentResult> => {
      const order = await this.lockOrder(db, event.orderId);
      const now = this.now();
      const occurredAt = new Date(event.occurredAt).getTime();
      const estimatedDelivery = event.estimatedDelivery ? new Date(event.estimatedDelivery).getTime() : null;
      const lines = event.lines ? JSON.stringify(event.lines) : null;
      // The order's lock serialises every writer of its parcels, so a plain read-then-insert is safe here.
      const shipment =
        (await firstRow(db, 'SELECT * FROM shipments WHERE order_id = $1 AND tracking_number = $2', [
          event.orderId,
          event.trackingNumber,
        ])) ??
        (await firstRow(
          db,
          `INSERT INTO shipments (order_id, po_number, carrier, tracking_number, tracking_url, status, raw_status,
             last_event_at, estimated_delivery, first_estimated_delivery, lines, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $11) RETURNING *`,
          [
            event.orderId,
            event.poNumber ?? null,
            event.carrier ?? null,
            event.trackingNumber,
            event.trackingUrl ?? null,
            event.status,
            event.rawStatus ?? null,
            occurredAt,
            estimatedDelivery,
            lines,
            now,
          ],
        ))!;
      const inserted = await firstRow(
        db,
        `INSERT INTO tracking_events (shipment_id, status, raw_status, occurred_at, location, source, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
        [
          shipment.id,
          event.status,
          event.rawStatus ?? null,
          occurredAt,
          event.location ?? null,
          event.source,
          now,
        ],
      );
      const created = inserted !== undefined;
      if (created) {
        // Events can arrive out of order; the parcel's status is that of its latest event.
        if (occurredAt >= Number(shipment.last_event_at)) {
          await db.query(
            `UPDATE shipments SET status = $1, raw_status = $2, last_event_at = $3, updated_at = $4,
               carrier = COALESCE($5, carrier), tracking_url = COALESCE($6, tracking_url),
               estimated_delivery = COALESCE($7, estimated_delivery), lines = COALESCE($8, lines),
               first_estimated_delivery = COALESCE(first_estimated_delivery, $7),
               po_number = COALESCE(po_number, $9)
             WHERE id = $10`,
            [
              event.status,
              event.rawStatus ?? null,
              occurredAt,
              now,
              event.carrier ?? null,
              event.trackingUrl ?? null,
              estimatedDelivery,
              lines,
              event.poNumber ?? null,
              shipment.id,
            ],
          );
        }
        await this.insertEvent(db, event.orderId, {
          type: 'shipment.event',
          actor,
          poNumber: event.poNumber,
          data: {
            carrier: event.carrier,
            trackingNumber: event.trackingNumber,
            status: event.status,
            rawStatus: event.rawStatus,
            source: event.source,
          },
          at: event.occurredAt,
        });
        await this.advancePurchaseOrdersFromParcels(db, order, actor);
      }
      const parcel = (await this.shipmentsOf(db, event.orderId)).find((p) => p.id === Number(shipment.id))!;
      return { shipment: parcel, created, order: orderFromRow((await this.orderRow(db, event.orderId))!) };
    });
  }

  /** Parcels move their POs to shipped and delivered; the order then follows its POs. */
  private async advancePurchaseOrdersFromParcels(db: Queryable, order: Row, actor: string): Promise<void> {
    const orderId = String(order.id);
    const parcels = await this.shipmentsOf(db, orderId);
    const pos = (
      await rows(db, 'SELECT * FROM purchase_orders WHERE order_id = $1 FOR UPDATE', [orderId])
    ).map(purchaseOrderFromRow);
    for (const move of purchaseOrderMovesFromParcels(pos, parcels)) {
      await db.query(
        'UPDATE purchase_orders SET state = $1, version = version + 1, updated_at = $2 WHERE number = $3',
        [move.to, this.now(), move.number],
      );
      await this.insertEvent(
        db,
        orderId,
        { type: 'po.state', actor },
        { from: move.from, to: move.to },
        move.number,
      );
    }
    await this.followPurchaseOrders(db, order, { type: 'order.state', actor });
  }

  async listShipments(orderId: string): Promise<Shipment[]> {
    return this.shipmentsOf(this.connections, orderId);
  }

  async findOrdersByNumber(orderNumber: string): Promise<Order[]> {
    return (
      await rows(
        this.connections,
        'SELECT * FROM orders WHERE order_number = $1 ORDER BY created_at DESC, id LIMIT 20',
        [orderNumber],
      )
    ).map(orderFromRow);
  }

  async searchOrders(term: string, limit: number): Promise<Order[]> {
    // Each arm reads one index (the schema has those on the e-mail, the external id and the tracking number).
    return (
      await rows(
        this.connections,
        `SELECT * FROM orders WHERE id IN (
             SELECT id FROM orders WHERE id = $1
             UNION SELECT id FROM orders WHERE order_number IN ($1, $2)
             UNION SELECT id FROM orders WHERE external_id = $1
             UNION SELECT id FROM orders WHERE lower(data->'customer'->>'email') = lower($1)
             UNION SELECT order_id FROM purchase_orders WHERE number = $1
             UNION SELECT order_id FROM shipments WHERE tracking_number = $1)
           ORDER BY created_at DESC, id DESC LIMIT $3`,
        [term, otherOrderNumberForm(term), limit],
      )
    ).map(orderFromRow);
  }

  /** Queues a notice once per (order, milestone, channel); also inside other transactions (returns). */
  protected async insertNotification(db: Queryable, orderId: string, notice: NoticeInput): Promise<boolean> {
    const now = this.now();
    const inserted = await firstRow(
      db,
      `INSERT INTO notifications (order_id, milestone, channel, state, payload, created_at, next_attempt_at)
       VALUES ($1, $2, $3, 'pending', $4, $5, $5) ON CONFLICT (order_id, milestone, channel) DO NOTHING RETURNING id`,
      [orderId, notice.milestone, notice.channel, JSON.stringify(notice.payload), now],
    );
    return inserted !== undefined;
  }

  async nextSequenceValue(scope: string): Promise<number> {
    return this.nextSequence(this.connections, scope);
  }

  protected async nextSequence(db: Queryable, scope: string): Promise<number> {
    const row = await firstRow(
      db,
      `INSERT INTO sequences (scope, value) VALUES ($1, 1)
       ON CONFLICT (scope) DO UPDATE SET value = sequences.value + 1 RETURNING value`,
      [scope],
    );
    return Number(row!.value);
  }
}

/**
 * The store for several Node-RED instances sharing one database. Every method is one transaction; rows that a
 * decision depends on are locked first (always the order before its POs and parcels, so two transactions
 * never wait on each other in a cycle), and work is claimed with `FOR UPDATE SKIP LOCKED` so instances never
 * wait for, nor take, each other's claims.
 */
export class PostgresOrderStore
  extends withPortal(
    withRiskSignals(
      withRefunds(
        withStorefrontSync(
          withOrderChanges(
            withMetrics(
              withReturns(
                withWatchdog(
                  withStock(
                    withNotifications(
                      withFunctionalGroups(withParcelWatch(withSupplierStatusPolls(PostgresStoreBase))),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  )
  implements OrderStore {}
