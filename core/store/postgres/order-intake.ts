import type { Pool } from 'pg';
import type { OrderDraft } from '../../model/order';
import { newId } from '../ids';
import type { IntakeMeta, IntakeResult } from '../orders-store';
import { orderFromRow, type StoreRow as Row } from '../row-mapping';
import { rows } from './queryable';

interface WaitingIntake {
  draft: OrderDraft;
  meta: IntakeMeta;
  resolve: (result: IntakeResult) => void;
  reject: (error: unknown) => void;
}

/** Orders per statement: a flash sale's queue is taken in statements of a bounded size. */
const MOST_PER_STATEMENT = 500;
/** Statements in flight at once; what arrives meanwhile waits and goes out in the next, larger one. */
const MOST_IN_FLIGHT = 2;
/** Runs of one order that lost a race to another instance, or a deadlock, before its error is reported. */
const ATTEMPTS = 3;
/** deadlock_detected and serialization_failure: the statement did nothing and can simply run again. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/**
 * One statement takes in a whole group of orders, and commits them: the delivery check, the orders, their lines,
 * their `order.received` events and the delivery records are data-modifying CTEs over unnest()ed arrays, one
 * round trip and one commit (one WAL flush) for all the webhooks of a turn of the event loop, where a
 * transaction per order took seven round trips and a commit each.
 * `k` is each order's place in the group. An order the statement could not see (another instance inserted the
 * same order and committed while this statement waited on its unique key; the statement's snapshot predates
 * it) comes back without a row and is run again.
 */
const INTAKE_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::text[],
      $8::bigint[], $9::jsonb[], $10::text[], $11::text[])
    WITH ORDINALITY AS i (id, channel, external_id, order_number, currency, total, ship_country, placed_at, data,
      delivery_id, actor, k)
),
seen AS (
  SELECT i.k, d.order_id FROM input i
  JOIN webhook_deliveries d ON d.channel = i.channel AND d.delivery_id = i.delivery_id
),
inserted AS (
  INSERT INTO orders (id, channel, external_id, order_number, state, currency, total, ship_country, placed_at,
    data, created_at, updated_at)
  SELECT id, channel, external_id, order_number, 'received', currency, total, ship_country, placed_at, data, $12, $12
  FROM input WHERE k NOT IN (SELECT k FROM seen) ORDER BY k
  ON CONFLICT (channel, external_id) DO NOTHING RETURNING *
),
lines AS (
  INSERT INTO order_lines (order_id, line_id, sku, quantity, unit_price, requires_shipping)
  SELECT o.id, l.line_id, l.sku, l.quantity, l.unit_price, l.requires_shipping
  FROM unnest($13::bigint[], $14::text[], $15::text[], $16::int[], $17::numeric[], $18::boolean[])
    AS l (k, line_id, sku, quantity, unit_price, requires_shipping)
  JOIN input i ON i.k = l.k JOIN inserted o ON o.id = i.id
),
events AS (
  INSERT INTO order_events (order_id, type, to_state, actor, data, at)
  SELECT o.id, 'order.received', 'received', i.actor,
    jsonb_build_object('channel', i.channel, 'externalId', i.external_id), $12
  FROM input i JOIN inserted o ON o.id = i.id ORDER BY i.k
),
found AS (
  SELECT * FROM inserted
  UNION ALL SELECT * FROM orders
  WHERE (channel, external_id) IN (SELECT channel, external_id FROM input) OR id IN (SELECT order_id FROM seen)
),
target AS (
  SELECT i.k, i.channel, i.delivery_id, s.k IS NOT NULL AS seen,
    COALESCE(s.order_id, (SELECT f.id FROM found f WHERE f.channel = i.channel AND f.external_id = i.external_id))
      AS order_id,
    -- Of the same delivery twice in the group, the first records it.
    i.k = min(i.k) OVER (PARTITION BY i.channel, i.delivery_id) AS first_of_delivery
  FROM input i LEFT JOIN seen s ON s.k = i.k
),
recorded AS (
  INSERT INTO webhook_deliveries (channel, delivery_id, order_id, received_at)
  SELECT channel, delivery_id, order_id, $12 FROM target
  WHERE delivery_id IS NOT NULL AND order_id IS NOT NULL AND NOT seen AND first_of_delivery ORDER BY k
  ON CONFLICT DO NOTHING RETURNING channel, delivery_id
)
SELECT t.k AS intake_k, t.seen AS intake_seen, f.id = i.id AS intake_created,
  t.first_of_delivery AND EXISTS (
    SELECT 1 FROM recorded r WHERE r.channel = t.channel AND r.delivery_id = t.delivery_id) AS intake_recorded,
  f.*
FROM target t JOIN input i ON i.k = t.k LEFT JOIN found f ON f.id = t.order_id`;

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The statement's parameters: one array per column, the orders' lines flattened with their order's `k`. */
function intakeParameters(group: readonly WaitingIntake[], now: number): unknown[] {
  const column = <T>(pick: (w: WaitingIntake) => T): T[] => group.map(pick);
  const lines = group.flatMap((w, i) => w.draft.lines.map((line) => ({ k: i + 1, line })));
  return [
    column(() => newId('ord')),
    column((w) => w.draft.channel),
    column((w) => w.draft.externalId),
    column((w) => w.draft.orderNumber ?? null),
    column((w) => w.draft.currency),
    column((w) => w.draft.totals.total),
    column((w) => w.draft.shipTo.country),
    column((w) => new Date(w.draft.placedAt).getTime()),
    column((w) => JSON.stringify(w.draft)),
    column((w) => w.meta.deliveryId ?? null),
    column((w) => w.meta.actor),
    now,
    lines.map((l) => l.k),
    lines.map((l) => l.line.lineId),
    lines.map((l) => l.line.sku),
    lines.map((l) => l.line.quantity),
    lines.map((l) => l.line.unitPrice),
    lines.map((l) => l.line.requiresShipping),
  ];
}

/** What one row of the statement says about its order; undefined when the order was not visible to it. */
function intakeResult(row: Row, withDelivery: boolean): IntakeResult | undefined {
  if (row.id === null || row.id === undefined) return undefined;
  const order = orderFromRow(row);
  if (row.intake_seen === true) return { order, created: false, duplicateOf: 'delivery' };
  if (row.intake_created === true) return { order, created: true };
  // The same delivery reached another instance (or came twice in this group) and was recorded there.
  return {
    order,
    created: false,
    duplicateOf: withDelivery && row.intake_recorded !== true ? 'delivery' : 'order',
  };
}

/**
 * The PostgreSQL group commit for webhooks: the orders received in one turn of the event loop are taken in by
 * one statement (INTAKE_SQL). Each caller hears back only once the statement has committed. If the statement
 * fails (one order breaks a constraint), each order of the group runs in a statement of its own, so one bad
 * order fails alone.
 */
export class PostgresOrderIntake {
  private waiting: WaitingIntake[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Pool,
    private readonly now: () => number,
  ) {}

  receive(draft: OrderDraft, meta: IntakeMeta): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ draft, meta, resolve, reject }) === 1) setImmediate(() => this.send());
    });
  }

  private send(): void {
    while (this.waiting.length > 0 && this.inFlight < MOST_IN_FLIGHT) {
      const group = this.waiting.splice(0, MOST_PER_STATEMENT);
      this.inFlight++;
      void this.takeIn(group).finally(() => {
        this.inFlight--;
        this.send();
      });
    }
  }

  private async takeIn(group: WaitingIntake[]): Promise<void> {
    try {
      await this.run(group);
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      await Promise.all(group.map((waiting) => this.run([waiting]).catch(waiting.reject)));
    }
  }

  /** Runs the group's statement, again for the orders it could not see or after a deadlock, and answers them. */
  private async run(group: WaitingIntake[]): Promise<void> {
    let pending = group;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let found: Row[];
      try {
        found = await rows(this.db, INTAKE_SQL, intakeParameters(pending, this.now()));
      } catch (error) {
        if (attempt < ATTEMPTS && RETRYABLE_SQLSTATES.has(sqlState(error) ?? '')) continue;
        throw error;
      }
      const unseen: WaitingIntake[] = [];
      for (const row of found) {
        const waiting = pending[Number(row.intake_k) - 1]!;
        const result = intakeResult(row, waiting.meta.deliveryId !== undefined);
        if (result) waiting.resolve(result);
        else unseen.push(waiting);
      }
      if (unseen.length > 0 && attempt >= ATTEMPTS)
        throw new Error(`${unseen.length} order(s) taken in by another instance could not be read back`);
      pending = unseen;
    }
  }
}
