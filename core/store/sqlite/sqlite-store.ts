import { closeSync, fdatasync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
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
import type { Clock } from '../../clock';
import { systemClock } from '../../clock';
import { newId } from '../ids';
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
import { SQLITE_MIGRATIONS } from './migrations';
import { withStock } from './inventory-queries';
import { withWatchdog } from './watchdog-queries';
import { withReturns } from './returns-queries';
import { withMetrics, type MetricsRefreshChunks } from './metrics-queries';
import { withNotifications } from './notification-queries';
import { withFunctionalGroups } from './functional-group-queries';
import type { NoticeInput } from '../../returns/return-authorisation';
import { withParcelWatch } from './tracking-queries';
import { withSupplierStatusPolls } from './status-poll-queries';
import { withPortal } from './portal-queries';
import { withRefunds } from './refund-queries';
import { withRiskSignals } from './risk-signal-queries';
import { withStorefrontSync } from './storefront-sync-queries';
import { withOrderChanges } from './order-change-queries';
import { heldUntil } from '../order-change-rows';

export interface SqliteStoreOptions {
  /** Path of the database file, or ':memory:'. */
  filename: string;
  /** FULL survives power loss; NORMAL (with WAL) survives process crashes and is faster. */
  synchronous?: 'FULL' | 'NORMAL';
  clock?: Clock;
  /** How much work each step of a metric refresh takes (metrics-queries.ts); the defaults suit production. */
  metricsRefreshChunks?: MetricsRefreshChunks;
}

/** What became of one write of a group commit. */
type WriteOutcome = { result: unknown } | { error: unknown };

/**
 * The SQLite engine's connection, group commit and the writers every area shares (order events, notices,
 * sequences), with the pipeline's core: orders, purchase orders and shipments, whose moves follow one another.
 * The other areas are mixins (`*-queries.ts`) that SqliteOrderStore is built from.
 */
export abstract class SqliteStoreBase
  implements OrdersStore, SequenceStore, PurchaseOrderStore, ShipmentStore
{
  readonly engine = 'sqlite' as const;
  protected readonly db: Database.Database;
  protected readonly metricsRefreshChunks?: MetricsRefreshChunks;
  private readonly statements = new Map<string, Database.Statement>();
  /** Writes waiting for the group commit at the end of this turn of the event loop (see grouped()). */
  private readonly waitingWrites: {
    write: () => unknown;
    resolve: (result: unknown) => void;
    reject: (error: unknown) => void;
  }[] = [];
  /** FULL on a file: group commits are made durable by an fdatasync of the log off the event loop (see syncLog). */
  private readonly syncLogOffLoop: boolean;
  /** The write-ahead log, opened for syncing at the first group commit. */
  private logFd: number | undefined;
  /** Log syncs under way; close() waits for them. */
  private readonly logSyncs = new Set<Promise<void>>();
  private readonly clock: Clock;

  constructor(options: SqliteStoreOptions) {
    this.clock = options.clock ?? systemClock;
    this.metricsRefreshChunks = options.metricsRefreshChunks;
    this.db = new Database(options.filename);
    // A file that cannot take WAL (or ':memory:') keeps its journal mode, and FULL syncs at each COMMIT there.
    const journal: unknown = this.db.pragma('journal_mode = WAL', { simple: true });
    this.syncLogOffLoop = options.synchronous !== 'NORMAL' && journal === 'wal';
    this.db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    // Several Node-RED processes may share the file: wait for the writer instead of failing at once.
    this.db.pragma('busy_timeout = 5000');
    // The page cache is resident memory for as long as the store is open, and a big store fills whatever it is
    // allowed, so it is set here rather than left to the build (better-sqlite3's is 16 MB, SQLite's own 2 MB).
    // 16 MB keeps the hot index pages in it (a smaller cache re-reads them from the OS file cache: see
    // docs/scaling.md). The rest of the file comes from the OS file cache, which is not this process's memory;
    // mmap stays off, so the file is never mapped in either.
    this.db.pragma('cache_size = -16384');
  }

  /**
   * The compiled statement for `sql`, compiled once: better-sqlite3 compiles on every prepare(), and compiling the
   * same few dozen statements on every call took an eighth of the pipeline's time. (Statements here are used
   * in their default mode; a caller switching one to pluck/raw/expand would change it for every caller.)
   */
  protected statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** For store-level extensions (metrics, inventory) that need their own queries inside this engine. */
  get database(): Database.Database {
    return this.db;
  }

  async migrate(): Promise<void> {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    const apply = this.db.transaction((migration: (typeof SQLITE_MIGRATIONS)[number]) => {
      const done = this.statement('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
      if (done) return;
      this.db.exec(migration.sql);
      this.statement('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
    });
    for (const migration of SQLITE_MIGRATIONS) apply.immediate(migration);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.logSyncs]);
    if (this.db.open) this.db.close();
    // After SQLite is done with the log: this descriptor never held a lock SQLite relies on.
    if (this.logFd !== undefined) {
      closeSync(this.logFd);
      this.logFd = undefined;
    }
  }

  protected now(): number {
    return this.clock.now().getTime();
  }

  protected insertEvent(
    orderId: string,
    event: OrderEventInput,
    states?: { from?: string; to?: string },
    poNumber?: string,
  ): void {
    this.statement(
      `INSERT INTO order_events (order_id, po_number, type, from_state, to_state, actor, reason, data, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      orderId,
      event.poNumber ?? poNumber ?? null,
      event.type,
      states?.from ?? null,
      states?.to ?? null,
      event.actor,
      event.reason ?? null,
      event.data ? JSON.stringify(event.data) : null,
      event.at ? new Date(event.at).getTime() : this.now(),
    );
  }

  protected orderRow(id: string): Row | undefined {
    return this.statement('SELECT * FROM orders WHERE id = ?').get(id) as Row | undefined;
  }

  /**
   * Group commit: writes that arrive together (webhooks, the routing, claims and settlements of purchase orders,
   * shipment events and outbox updates handled in the same turn of the event loop) are committed in one
   * transaction, so one write to the log, one fsync with synchronous=FULL, serves them all: at FULL a commit per
   * write blocked the event loop for an fsync each (four per order end to end).
   * `write` is synchronous and runs inside the group's transaction: it opens no transaction of its own, the group
   * commit makes it atomic (see runGroup), so one that fails undoes only itself; each caller hears back only after
   * the commit, so nothing is reported done (a webhook answered, a notification called sent) before it is on disk.
   * A write may run twice (see runGroup): it changes nothing but the database.
   */
  protected grouped<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiting = { write, resolve: resolve as (result: unknown) => void, reject };
      if (this.waitingWrites.push(waiting) === 1) setImmediate(() => this.commitWrites());
    });
  }

  private commitWrites(): void {
    const group = this.waitingWrites.splice(0);
    let outcomes: WriteOutcome[];
    try {
      // Under FULL, COMMIT would fsync the log on the event loop; the group's sync runs on the thread pool instead.
      if (this.syncLogOffLoop) this.statement('PRAGMA synchronous = NORMAL').run();
      try {
        outcomes = this.runGroup(group, 'together') ?? this.runGroup(group, 'each in a savepoint')!;
      } finally {
        if (this.syncLogOffLoop) this.statement('PRAGMA synchronous = FULL').run();
      }
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
      return;
    }
    const answer = (): void =>
      group.forEach((waiting, i) => {
        const outcome = outcomes[i]!;
        if ('result' in outcome) waiting.resolve(outcome.result);
        else waiting.reject(outcome.error);
      });
    if (!this.syncLogOffLoop) {
      answer();
      return;
    }
    this.syncLog().then(answer, (error: unknown) => {
      for (const waiting of group) waiting.reject(error);
    });
  }

  /**
   * Runs a group's writes in one transaction and commits it. `together` runs them one after the other with
   * nothing between: a savepoint per write makes SQLite copy every page the write touches into its statement
   * journal first (docs/reliability.md, Speed). If a write throws, the whole group is rolled back and
   * undefined returned, and the caller runs the group again `each in a savepoint`, where a failing write undoes
   * only itself and the others commit. Writes fail rarely (a missing order, a broken constraint), so groups almost
   * always commit on the first run. Errors of the transaction itself (BEGIN, COMMIT) are thrown.
   */
  private runGroup(
    group: readonly { write: () => unknown }[],
    mode: 'together' | 'each in a savepoint',
  ): WriteOutcome[] | undefined {
    const outcomes: WriteOutcome[] = [];
    let writeFailed = false;
    try {
      this.db
        .transaction(() => {
          for (const { write } of group) {
            if (mode === 'together') {
              try {
                outcomes.push({ result: write() });
              } catch (error) {
                writeFailed = true;
                throw error;
              }
            } else {
              try {
                outcomes.push({ result: this.db.transaction(write)() });
              } catch (error) {
                outcomes.push({ error });
              }
            }
          }
        })
        .immediate();
    } catch (error) {
      if (writeFailed) return undefined;
      throw error;
    }
    return outcomes;
  }

  /**
   * Makes every commit so far durable, as synchronous=FULL would have at each COMMIT, without blocking the event
   * loop: an fdatasync of the write-ahead log on libuv's thread pool (SQLite syncs the WAL with fdatasync too).
   * Meanwhile the event loop takes the next requests and commits the next group, whose own sync covers this one's
   * frames as well. Callers hear back only after the sync, so a webhook is still answered only once its order is
   * on disk. Checkpoints still sync the log and the database themselves before the log is reused (WAL mode does so
   * under NORMAL too), and writes outside the group commit keep FULL's sync at their COMMIT. Syncs of successive
   * groups may overlap on the thread pool rather than being serialised (one in flight, the groups committed
   * meanwhile sharing the next): the kernel already lets concurrent syncs of one file share work.
   */
  private syncLog(): Promise<void> {
    this.logFd ??= openSync(`${this.db.name}-wal`, 'r');
    const fd = this.logFd;
    const synced = new Promise<void>((resolve, reject) =>
      fdatasync(fd, (error) => (error ? reject(error) : resolve())),
    );
    this.logSyncs.add(synced);
    const forget = (): void => void this.logSyncs.delete(synced);
    synced.then(forget, forget);
    return synced;
  }

  async receiveOrder(draft: OrderDraft, meta: IntakeMeta): Promise<IntakeResult> {
    return this.grouped(() => this.receiveOne(draft, meta));
  }

  /** One intake, inside its group's transaction. */
  private receiveOne(draft: OrderDraft, meta: IntakeMeta): IntakeResult {
    if (meta.deliveryId) {
      const seen = this.statement(
        'SELECT order_id FROM webhook_deliveries WHERE channel = ? AND delivery_id = ?',
      ).get(draft.channel, meta.deliveryId) as Row | undefined;
      if (seen) {
        return {
          order: orderFromRow(this.orderRow(String(seen.order_id))!),
          created: false,
          duplicateOf: 'delivery',
        };
      }
    }
    const now = this.now();
    const id = newId('ord');
    const document = JSON.stringify(draft);
    // New orders are the common case: the INSERT finds the duplicate itself (no row comes back on the conflict),
    // and returns the stored columns without copying the document back out of SQLite.
    const inserted = this.statement(
      `INSERT INTO orders (id, channel, external_id, order_number, state, currency, total, ship_country, placed_at, data, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, external_id) DO NOTHING
           RETURNING id, state, version, created_at, updated_at`,
    ).get(
      id,
      draft.channel,
      draft.externalId,
      draft.orderNumber ?? null,
      draft.currency,
      draft.totals.total,
      draft.shipTo.country,
      new Date(draft.placedAt).getTime(),
      document,
      now,
      now,
    ) as Row | undefined;
    let result: IntakeResult;
    if (!inserted) {
      const existing = this.statement('SELECT * FROM orders WHERE channel = ? AND external_id = ?').get(
        draft.channel,
        draft.externalId,
      ) as Row;
      result = { order: orderFromRow(existing), created: false, duplicateOf: 'order' };
    } else {
      const insertLine = this.statement(
        'INSERT INTO order_lines (order_id, line_id, sku, quantity, unit_price, requires_shipping) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const line of draft.lines) {
        insertLine.run(
          id,
          line.lineId,
          line.sku,
          line.quantity,
          line.unitPrice,
          line.requiresShipping ? 1 : 0,
        );
      }
      this.insertEvent(
        id,
        {
          type: 'order.received',
          actor: meta.actor,
          data: { channel: draft.channel, externalId: draft.externalId },
        },
        { to: 'received' },
      );
      // The draft as given: parsing back the document just written would cost every intake for nothing.
      result = { order: orderFromRow({ ...inserted, data: draft }), created: true };
    }
    if (meta.deliveryId) {
      this.statement(
        'INSERT INTO webhook_deliveries (channel, delivery_id, order_id, received_at) VALUES (?, ?, ?, ?)',
      ).run(draft.channel, meta.deliveryId, result.order.id, now);
    }
    return result;
  }

  async getOrder(id: string): Promise<Order | undefined> {
    const row = this.orderRow(id);
    return row ? orderFromRow(row) : undefined;
  }

  async findOrder(ref: string): Promise<Order | undefined> {
    let row = this.orderRow(ref);
    const separator = ref.indexOf(':');
    if (!row && separator > 0) {
      row = this.statement('SELECT * FROM orders WHERE channel = ? AND external_id = ?').get(
        ref.slice(0, separator),
        ref.slice(separator + 1),
      ) as Row | undefined;
    }
    return row ? orderFromRow(row) : undefined;
  }

  async listOrders(query: OrderQuery): Promise<Order[]> {
    const limit = Math.min(query.limit ?? 100, 10_000);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.states?.length) {
      where.push(`state IN (${query.states.map(() => '?').join(',')})`);
      params.push(...query.states);
    }
    if (query.updatedSince) {
      where.push('updated_at >= ?');
      params.push(query.updatedSince.getTime());
    }
    // Filtered lists are worked through oldest first; the plain list shows the latest orders.
    const order = where.length > 0 ? 'ORDER BY updated_at' : 'ORDER BY updated_at DESC';
    const rows = this.statement(
      `SELECT * FROM orders ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT ?`,
    ).all(...params, limit);
    return (rows as Row[]).map(orderFromRow);
  }

  /** The CAS at the heart of every order move; must run inside a transaction. */
  private moveOrder(id: string, expected: OrderState[], to: OrderState, event: OrderEventInput): boolean {
    // The state alone: parsing the whole order document here, for callers that only need to know, was a cost
    // paid at every step of every order.
    const row = this.statement('SELECT state FROM orders WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new DropshipError('not_found', `order ${id} does not exist`);
    const from = row.state as OrderState;
    if (!expected.includes(from)) return false;
    assertOrderMoveAllowed(id, from, to);
    const changed = this.statement(
      'UPDATE orders SET state = ?, version = version + 1, updated_at = ? WHERE id = ? AND state = ?',
    ).run(to, this.now(), id, from);
    if (changed.changes === 0) return false;
    this.insertEvent(id, event, { from, to });
    return true;
  }

  async transitionOrder(
    id: string,
    expected: OrderState[],
    to: OrderState,
    event: OrderEventInput,
  ): Promise<Order | undefined> {
    return this.grouped(() =>
      this.moveOrder(id, expected, to, event) ? orderFromRow(this.orderRow(id)!) : undefined,
    );
  }

  async recordEvent(orderId: string, event: OrderEventInput): Promise<void> {
    this.insertEvent(orderId, event);
  }

  async listEvents(orderId: string): Promise<OrderEvent[]> {
    const rows = this.statement('SELECT * FROM order_events WHERE order_id = ? ORDER BY id').all(
      orderId,
    ) as Row[];
    return rows.map(eventFromRow);
  }

  private insertPurchaseOrders(
    orderId: string,
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): PurchaseOrder[] {
    const now = this.now();
    const insert = this.statement(
      `INSERT INTO purchase_orders (number, order_id, supplier_id, attempt, state, data, created_at, updated_at,
         next_attempt_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?) ON CONFLICT (number) DO NOTHING RETURNING *`,
    );
    return drafts.map((draft) => {
      if (draft.orderId !== orderId)
        throw new DropshipError('conflict', 'purchase order belongs to another order');
      const number = purchaseOrderNumber(orderId, draft.supplierId, draft.attempt);
      // The new row comes back from the INSERT; a PO created before (a repeated routing) is read as it stands.
      const inserted = insert.get(
        number,
        orderId,
        draft.supplierId,
        draft.attempt,
        purchaseOrderData(draft),
        now,
        now,
        heldUntil(draft),
      );
      if (!inserted) return purchaseOrderFromRow(this.purchaseOrderRow(number)!);
      this.insertEvent(orderId, purchaseOrderCreatedEvent(event, number, draft), { to: 'pending' }, number);
      return purchaseOrderFromRow(inserted as Row);
    });
  }

  async assignPurchaseOrders(
    orderId: string,
    expected: OrderState[],
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder[] | undefined> {
    return this.grouped(() => {
      const moved = this.moveOrder(orderId, expected, 'routed', event);
      if (!moved) return undefined;
      return this.insertPurchaseOrders(orderId, drafts, event);
    });
  }

  async addPurchaseOrders(
    orderId: string,
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder[]> {
    return this.grouped(() => {
      const added = this.insertPurchaseOrders(orderId, drafts, event);
      // New POs waiting to go out take the order back to routed until a supplier has them.
      this.followPurchaseOrders(orderId, event);
      return added;
    });
  }

  private purchaseOrderRow(number: string): Row | undefined {
    return this.statement('SELECT * FROM purchase_orders WHERE number = ?').get(number) as Row | undefined;
  }

  async getPurchaseOrder(number: string): Promise<PurchaseOrder | undefined> {
    const row = this.purchaseOrderRow(number);
    return row ? purchaseOrderFromRow(row) : undefined;
  }

  async findPurchaseOrdersBySupplierReference(
    supplierId: string,
    reference: string,
  ): Promise<PurchaseOrder[]> {
    const rows = this.statement(
      'SELECT * FROM purchase_orders WHERE supplier_id = ? AND supplier_reference = ? ORDER BY created_at, number',
    ).all(supplierId, reference) as Row[];
    return rows.map(purchaseOrderFromRow);
  }

  async listPurchaseOrders(orderId: string): Promise<PurchaseOrder[]> {
    const rows = this.statement(
      'SELECT * FROM purchase_orders WHERE order_id = ? ORDER BY created_at, number',
    ).all(orderId) as Row[];
    return rows.map(purchaseOrderFromRow);
  }

  /** A PO waiting to be sent whose time has come; a PO whose sender's lease ran out (it died mid-send). */
  private static readonly DUE = `state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= @now)`;
  private static readonly LEASE_EXPIRED = `state = 'sending' AND lease_until < @now`;
  private static readonly CLAIMABLE = `((${SqliteStoreBase.DUE}) OR (${SqliteStoreBase.LEASE_EXPIRED}))`;

  /**
   * The numbers of the @limit oldest claimable POs (due or lease expired, each on its own), read from the
   * purchase_orders_claim index in creation order and stopping at @limit: one query over both states sorted every
   * due PO on every sweep, all of them while a supplier is down, so a backlog cost memory and time in proportion
   * to its size. POs deferred to later are skipped inside the index.
   */
  private static oldestClaimable(suppliers: string): string {
    const oldest = (due: string) =>
      `SELECT * FROM (SELECT number, created_at FROM purchase_orders WHERE ${due} ${suppliers}
         ORDER BY created_at LIMIT @limit)`;
    return `SELECT number FROM (${oldest(SqliteStoreBase.DUE)} UNION ALL ${oldest(SqliteStoreBase.LEASE_EXPIRED)}
        ORDER BY created_at LIMIT @limit)`;
  }

  async claimPurchaseOrder(number: string, lease: Lease): Promise<PurchaseOrder | undefined> {
    const now = lease.now.getTime();
    // One statement, atomic on its own inside the group's transaction; the claimant hears back after the commit.
    const row = await this.grouped(
      () =>
        this.statement(
          `UPDATE purchase_orders SET state = 'sending', lease_owner = @owner, lease_until = @until,
               send_attempts = send_attempts + 1, version = version + 1, updated_at = @now
             WHERE number = @number AND ${SqliteStoreBase.CLAIMABLE} RETURNING *`,
        ).get({ number, owner: lease.owner, until: now + lease.durationMs, now }) as Row | undefined,
    );
    return row ? purchaseOrderFromRow(row) : undefined;
  }

  async claimDuePurchaseOrders(
    lease: Lease,
    limit: number,
    supplierIds?: string[],
  ): Promise<PurchaseOrder[]> {
    const now = lease.now.getTime();
    const suppliers = supplierIds ? `AND supplier_id IN (SELECT value FROM json_each(@suppliers))` : '';
    const rows = await this.grouped(
      () =>
        this.statement(
          `UPDATE purchase_orders SET state = 'sending', lease_owner = @owner, lease_until = @until,
               send_attempts = send_attempts + 1, version = version + 1, updated_at = @now
             WHERE number IN (${SqliteStoreBase.oldestClaimable(suppliers)})
             RETURNING *`,
        ).all({
          owner: lease.owner,
          until: now + lease.durationMs,
          now,
          limit,
          ...(supplierIds ? { suppliers: JSON.stringify(supplierIds) } : {}),
        }) as Row[],
    );
    return rows.map(purchaseOrderFromRow);
  }

  async claimStrandedPurchaseOrders(
    lease: Lease,
    limit: number,
    supplierIds: string[],
    strandedForMs: number,
  ): Promise<PurchaseOrder[]> {
    const now = lease.now.getTime();
    const rows = await this.grouped(
      () =>
        this.statement(
          `UPDATE purchase_orders SET state = 'sending', lease_owner = @owner, lease_until = @until,
               version = version + 1, updated_at = @now
             WHERE number IN (SELECT number FROM purchase_orders
               WHERE ((state = 'pending' AND COALESCE(next_attempt_at, created_at) <= @since)
                   OR (state = 'sending' AND lease_until <= @since))
                 AND supplier_id NOT IN (SELECT value FROM json_each(@suppliers))
               ORDER BY created_at LIMIT @limit)
             RETURNING *`,
        ).all({
          owner: lease.owner,
          until: now + lease.durationMs,
          now,
          since: now - strandedForMs,
          suppliers: JSON.stringify(supplierIds),
          limit,
        }) as Row[],
    );
    return rows.map(purchaseOrderFromRow);
  }

  /** A pending withdrawal nobody holds: its lease_until is when it became free (the cancel, or a lease's end). */
  private static readonly WITHDRAWAL_FREE = `withdrawal = 'pending' AND lease_until <= @now`;
  /**
   * The @limit withdrawals free longest, of the suppliers in @suppliers or free since @othersFreeSince: read from
   * the partial index purchase_orders_withdrawal, which holds the pending withdrawals and nothing else.
   */
  private static readonly DUE_WITHDRAWALS = `SELECT number FROM purchase_orders
    WHERE ${SqliteStoreBase.WITHDRAWAL_FREE}
      AND (supplier_id IN (SELECT value FROM json_each(@suppliers)) OR lease_until <= @othersFreeSince)
    ORDER BY lease_until LIMIT @limit`;

  async claimWithdrawal(number: string, lease: Lease): Promise<PurchaseOrder | undefined> {
    const now = lease.now.getTime();
    const row = await this.grouped(
      () =>
        this.statement(
          `UPDATE purchase_orders SET lease_owner = @owner, lease_until = @until
             WHERE number = @number AND ${SqliteStoreBase.WITHDRAWAL_FREE} RETURNING *`,
        ).get({ number, owner: lease.owner, until: now + lease.durationMs, now }) as Row | undefined,
    );
    return row ? purchaseOrderFromRow(row) : undefined;
  }

  async claimDueWithdrawals(
    lease: Lease,
    limit: number,
    supplierIds: string[],
    othersAfterMs: number,
  ): Promise<PurchaseOrder[]> {
    const now = lease.now.getTime();
    const rows = await this.grouped(
      () =>
        this.statement(
          `UPDATE purchase_orders SET lease_owner = @owner, lease_until = @until
             WHERE number IN (${SqliteStoreBase.DUE_WITHDRAWALS}) RETURNING *`,
        ).all({
          owner: lease.owner,
          until: now + lease.durationMs,
          now,
          suppliers: JSON.stringify(supplierIds),
          othersFreeSince: now - othersAfterMs,
          limit,
        }) as Row[],
    );
    return rows.map(purchaseOrderFromRow);
  }

  async completeWithdrawal(
    number: string,
    claim: PurchaseOrderClaim,
    event: OrderEventInput,
  ): Promise<boolean> {
    return this.grouped(() => {
      const done = this.statement(
        `UPDATE purchase_orders SET withdrawal = 'done', lease_owner = NULL, lease_until = NULL
           WHERE number = ? AND withdrawal = 'pending' AND lease_owner = ? RETURNING order_id`,
      ).get(number, claim.leaseOwner) as Row | undefined;
      if (!done) return false;
      this.insertEvent(String(done.order_id), event, undefined, number);
      return true;
    });
  }

  /** Brings the order's state in line with its POs and parcels; inside a transaction. */
  private followPurchaseOrders(orderId: string, event: OrderEventInput): void {
    const order = this.statement('SELECT state FROM orders WHERE id = ?').get(orderId) as Row | undefined;
    if (!order) return;
    const current = order.state as OrderState;
    // Numbers and states only: the documents are not needed to decide the order's state.
    const pos = this.statement('SELECT number, state FROM purchase_orders WHERE order_id = ?').all(
      orderId,
    ) as { number: string; state: PurchaseOrderState }[];
    const parcels = this.statement('SELECT po_number FROM shipments WHERE order_id = ?').all(orderId) as {
      po_number: string | null;
    }[];
    const target = orderStateFollowingPurchaseOrders(
      current,
      pos,
      parcels.map((p) => p.po_number ?? undefined),
    );
    if (target) this.moveOrder(orderId, [current], target, { ...event, type: 'order.state' });
  }

  async transitionPurchaseOrder(
    number: string,
    expected: PurchaseOrderState[],
    to: PurchaseOrderState,
    update: PurchaseOrderUpdate,
    event: OrderEventInput,
    claim?: PurchaseOrderClaim,
  ): Promise<PurchaseOrder | undefined> {
    const run = () => {
      const row = this.purchaseOrderRow(number);
      if (!row) throw new DropshipError('not_found', `purchase order ${number} does not exist`);
      const from = row.state as PurchaseOrderState;
      if (!expected.includes(from)) return undefined;
      assertPurchaseOrderMoveAllowed(number, from, to);
      if (claim && row.lease_owner !== claim.leaseOwner) return undefined;
      const orderId = String(row.order_id);
      // The document is rewritten only when the lines change; the updated row comes back from the UPDATE itself.
      const updated = this.statement(
        `UPDATE purchase_orders SET state = @to, version = version + 1, updated_at = @now,
             supplier_reference = COALESCE(@reference, supplier_reference),
             next_attempt_at = @nextAttemptAt, last_error = @lastError, data = COALESCE(@data, data),
             lease_owner = CASE WHEN @to = 'sending' THEN lease_owner ELSE NULL END,
             lease_until = CASE WHEN @to = 'sending' THEN lease_until WHEN @withdraw THEN @now ELSE NULL END,
             withdrawal = CASE WHEN @withdraw THEN 'pending' ELSE withdrawal END
           WHERE number = @number AND state = @from RETURNING *`,
      ).get({
        to,
        withdraw: cancelNeedsWithdrawal(from, to) ? 1 : 0,
        now: this.now(),
        reference: update.supplierReference ?? null,
        nextAttemptAt:
          update.nextAttemptAt === undefined
            ? (row.next_attempt_at ?? null)
            : (update.nextAttemptAt?.getTime() ?? null),
        lastError: update.lastError === undefined ? (row.last_error ?? null) : update.lastError,
        data: update.lines ? purchaseOrderData({ ...purchaseOrderFromRow(row), lines: update.lines }) : null,
        number,
        from,
      }) as Row | undefined;
      if (!updated) return undefined;
      if (from !== to || event.reason) this.insertEvent(orderId, event, { from, to }, number);
      this.followPurchaseOrders(orderId, event);
      return purchaseOrderFromRow(updated);
    };
    return this.grouped(run);
  }

  private shipmentRows(orderId: string): Row[] {
    return this.statement('SELECT * FROM shipments WHERE order_id = ? ORDER BY id').all(orderId) as Row[];
  }

  protected shipmentFromRow(row: Row): Shipment {
    return shipmentFromRows(
      row,
      this.statement('SELECT * FROM tracking_events WHERE shipment_id = ? ORDER BY occurred_at, id').all(
        row.id,
      ) as Row[],
    );
  }

  async recordShipmentEvent(
    event: ShipmentEvent & { orderId: string },
    actor: string,
  ): Promise<ShipmentResult> {
    const run = (): ShipmentResult => {
      if (!this.orderRow(event.orderId))
        throw new DropshipError('not_found', `order ${event.orderId} does not exist`);
      const now = this.now();
      const occurredAt = new Date(event.occurredAt).getTime();
      const estimatedDelivery = event.estimatedDelivery ? new Date(event.estimatedDelivery).getTime() : null;
      let shipment = this.statement('SELECT * FROM shipments WHERE order_id = ? AND tracking_number = ?').get(
        event.orderId,
        event.trackingNumber,
      ) as Row | undefined;
      if (!shipment) {
        shipment = this.statement(
          `INSERT INTO shipments (order_id, po_number, carrier, tracking_number, tracking_url, status, raw_status,
               last_event_at, estimated_delivery, first_estimated_delivery, lines, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        ).get(
          event.orderId,
          event.poNumber ?? null,
          event.carrier ?? null,
          event.trackingNumber,
          event.trackingUrl ?? null,
          event.status,
          event.rawStatus ?? null,
          occurredAt,
          estimatedDelivery,
          estimatedDelivery,
          event.lines ? JSON.stringify(event.lines) : null,
          now,
          now,
        ) as Row;
      }
      const inserted = this.statement(
        `INSERT INTO tracking_events (shipment_id, status, raw_status, occurred_at, location, source, recorded_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ).run(
        shipment.id,
        event.status,
        event.rawStatus ?? null,
        occurredAt,
        event.location ?? null,
        event.source,
        now,
      );
      const created = inserted.changes > 0;
      if (created) {
        // Events can arrive out of order; the parcel's status is that of its latest event.
        if (occurredAt >= Number(shipment.last_event_at)) {
          this.statement(
            `UPDATE shipments SET status = ?, raw_status = ?, last_event_at = ?, updated_at = ?,
                 carrier = COALESCE(?, carrier), tracking_url = COALESCE(?, tracking_url),
                 estimated_delivery = COALESCE(?, estimated_delivery), lines = COALESCE(?, lines),
                 first_estimated_delivery = COALESCE(first_estimated_delivery, ?),
                 po_number = COALESCE(po_number, ?)
               WHERE id = ?`,
          ).run(
            event.status,
            event.rawStatus ?? null,
            occurredAt,
            now,
            event.carrier ?? null,
            event.trackingUrl ?? null,
            estimatedDelivery,
            event.lines ? JSON.stringify(event.lines) : null,
            estimatedDelivery,
            event.poNumber ?? null,
            shipment.id,
          );
        }
        this.insertEvent(event.orderId, {
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
        this.advancePurchaseOrdersFromParcels(event.orderId, actor);
      }
      const row = this.statement('SELECT * FROM shipments WHERE id = ?').get(shipment.id) as Row;
      return {
        shipment: this.shipmentFromRow(row),
        created,
        order: orderFromRow(this.orderRow(event.orderId)!),
      };
    };
    return this.grouped(run);
  }

  /** Parcels move their POs to shipped and delivered; the order then follows its POs. */
  private advancePurchaseOrdersFromParcels(orderId: string, actor: string): void {
    const parcels = this.shipmentRows(orderId).map((row) => this.shipmentFromRow(row));
    const pos = (
      this.statement('SELECT * FROM purchase_orders WHERE order_id = ?').all(orderId) as Row[]
    ).map(purchaseOrderFromRow);
    for (const move of purchaseOrderMovesFromParcels(pos, parcels)) {
      this.statement(
        'UPDATE purchase_orders SET state = ?, version = version + 1, updated_at = ? WHERE number = ?',
      ).run(move.to, this.now(), move.number);
      this.insertEvent(orderId, { type: 'po.state', actor }, { from: move.from, to: move.to }, move.number);
    }
    this.followPurchaseOrders(orderId, { type: 'order.state', actor });
  }

  async listShipments(orderId: string): Promise<Shipment[]> {
    return this.shipmentRows(orderId).map((row) => this.shipmentFromRow(row));
  }

  async findOrdersByNumber(orderNumber: string): Promise<Order[]> {
    const rows = this.statement(
      'SELECT * FROM orders WHERE order_number = ? ORDER BY created_at DESC, id LIMIT 20',
    ).all(orderNumber) as Row[];
    return rows.map(orderFromRow);
  }

  async searchOrders(term: string, limit: number): Promise<Order[]> {
    // Each arm reads one index (the schema has those on the e-mail, the external id and the tracking number).
    const rows = this.statement(
      `SELECT * FROM orders WHERE id IN (
           SELECT id FROM orders WHERE id = @term
           UNION SELECT id FROM orders WHERE order_number IN (@term, @numbered)
           UNION SELECT id FROM orders WHERE external_id = @term
           UNION SELECT id FROM orders WHERE lower(json_extract(data, '$.customer.email')) = lower(@term)
           UNION SELECT order_id FROM purchase_orders WHERE number = @term
           UNION SELECT order_id FROM shipments WHERE tracking_number = @term)
         ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ).all({ term, numbered: otherOrderNumberForm(term), limit }) as Row[];
    return rows.map(orderFromRow);
  }

  /** Queues a notice once per (order, milestone, channel); also inside other transactions (returns). */
  protected insertNotification(orderId: string, notice: NoticeInput): boolean {
    const now = this.now();
    const inserted = this.statement(
      `INSERT INTO notifications (order_id, milestone, channel, state, payload, created_at, next_attempt_at)
         VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (order_id, milestone, channel) DO NOTHING`,
    ).run(orderId, notice.milestone, notice.channel, JSON.stringify(notice.payload), now, now);
    return inserted.changes > 0;
  }

  async nextSequenceValue(scope: string): Promise<number> {
    return this.nextSequence(scope);
  }

  protected nextSequence(scope: string): number {
    const row = this.statement(
      `INSERT INTO sequences (scope, value) VALUES (?, 1)
         ON CONFLICT (scope) DO UPDATE SET value = value + 1 RETURNING value`,
    ).get(scope) as Row;
    return Number(row.value);
  }
}

/**
 * The embedded store: one file in the Node-RED user directory. better-sqlite3 is synchronous, so every
 * method runs its whole transaction without yielding; the async signatures match the PostgreSQL store.
 */
export class SqliteOrderStore
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
                      withFunctionalGroups(withParcelWatch(withSupplierStatusPolls(SqliteStoreBase))),
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
