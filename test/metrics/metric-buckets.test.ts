import assert from 'node:assert/strict';
import {
  DAY_MS,
  type MetricDimension,
  type MetricSums,
  type MetricsQuery,
} from '../../core/metrics/metric-facts';
import { percentileInPlace } from '../../core/store/metric-buckets';
import type { MetricsRefreshChunks } from '../../core/store/sqlite/metrics-queries';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';

/** The day the generated orders start on: they are placed over the ten days from here. */
const T0 = Date.parse('2026-11-10T00:00:00.000Z');
const HOUR_MS = 3_600_000;

/** A seeded generator (mulberry32): the same dataset on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Orders with every kind of outcome the facts distinguish (accepted and shipped with or without a scan, in
 * flight, backordered, partial, rejected, cancelled after acceptance, failed sends, no answer yet), with and
 * without promises, unit costs, carriers and storefront notices, written straight into the store's tables.
 */
class OrderWriter {
  private readonly random: () => number;
  private orders = 0;
  private shipments = 0;

  constructor(
    private readonly store: SqliteOrderStore,
    seed: number,
  ) {
    this.random = seeded(seed);
  }

  private pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)]!;
  }

  /** Writes `count` orders placed at random times in [start, start + days). */
  write(count: number, start: number, days: number): string[] {
    const db = this.store.database;
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < count; i++)
        ids.push(this.writeOrder(start + Math.floor(this.random() * days * DAY_MS)));
    })();
    return ids;
  }

  private writeOrder(placedAt: number): string {
    const db = this.store.database;
    const id = `ord_${++this.orders}`;
    const promised =
      this.random() < 0.7 ? placedAt + Math.floor((1 + this.random() * 3) * DAY_MS) : undefined;
    const lines = Array.from({ length: this.random() < 0.4 ? 2 : 1 }, (_, i) => ({
      orderLineId: String(i + 1),
      sku: `SKU-${Math.floor(this.random() * 8)}`,
      quantity: 1 + Math.floor(this.random() * 3),
      unitPrice: this.pick([9.99, 25.5, 14.25]),
      unitCost: this.random() < 0.9 ? this.pick([4.1, 11.35]) : undefined,
    }));
    db.prepare(
      `INSERT INTO orders (id, channel, external_id, order_number, state, currency, total, ship_country, placed_at, data, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'routed', 'USD', 50, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      this.pick(['shopify', 'woocommerce', 'generic']),
      id,
      `#${id}`,
      this.pick(['US', 'CA', 'DE']),
      placedAt,
      JSON.stringify({ shipping: promised ? { promisedShipBy: new Date(promised).toISOString() } : {} }),
      placedAt,
      placedAt,
    );
    for (const line of lines)
      db.prepare(
        'INSERT INTO order_lines (order_id, line_id, sku, quantity, unit_price, requires_shipping) VALUES (?, ?, ?, ?, ?, 1)',
      ).run(id, line.orderLineId, line.sku, line.quantity, line.unitPrice);
    const suppliers =
      this.random() < 0.1 ? ['acme', 'beta'] : [this.pick(['acme', 'beta', 'cargo', 'delta', 'echo'])];
    for (const supplier of suppliers) this.writePurchaseOrder(id, supplier, placedAt, lines);
    return id;
  }

  private writePurchaseOrder(
    orderId: string,
    supplier: string,
    placedAt: number,
    lines: { orderLineId: string; sku: string; quantity: number; unitCost?: number }[],
  ): void {
    const db = this.store.database;
    const po = `PO-${orderId}-${supplier}`;
    const outcome = this.pick([
      'scanned',
      'scanned',
      'scanned',
      'shipped',
      'in_flight',
      'backordered',
      'partial',
      'rejected',
      'cancelled',
      'failed',
      'unanswered',
    ] as const);
    const state = {
      scanned: 'delivered',
      shipped: 'shipped',
      in_flight: 'accepted',
      backordered: 'backordered',
      partial: 'shipped',
      rejected: 'rejected',
      cancelled: 'cancelled',
      failed: 'failed',
      unanswered: 'sending',
    }[outcome];
    const kept = outcome === 'partial' ? lines.slice(0, 1) : lines;
    db.prepare(
      `INSERT INTO purchase_orders (number, order_id, supplier_id, attempt, state, send_attempts, data, created_at, updated_at)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)`,
    ).run(
      po,
      orderId,
      supplier,
      state,
      outcome === 'failed' ? 3 : 1,
      JSON.stringify({ lines: kept }),
      placedAt,
      placedAt,
    );
    const event = (
      type: string,
      from: string | null,
      to: string | null,
      at: number,
      data?: unknown,
    ): void => {
      db.prepare(
        `INSERT INTO order_events (order_id, po_number, type, from_state, to_state, actor, data, at)
         VALUES (?, ?, ?, ?, ?, 'test', ?, ?)`,
      ).run(orderId, po, type, from, to, data === undefined ? null : JSON.stringify(data), at);
    };
    event('po.created', null, 'pending', placedAt, { lines: lines.length });
    const answeredAt = placedAt + Math.floor(this.random() * 30 * HOUR_MS);
    if (outcome === 'failed') {
      event('po.retry', 'sending', 'sending', answeredAt);
      event('po.failed', 'sending', 'failed', answeredAt + HOUR_MS);
      return;
    }
    if (outcome === 'unanswered') return;
    const answer = { rejected: 'rejected', backordered: 'backordered' }[outcome as string] ?? 'accepted';
    event(outcome === 'partial' ? 'po.partial' : `po.${answer}`, 'sending', answer, answeredAt);
    if (outcome === 'cancelled') event('po.state', 'accepted', 'cancelled', answeredAt + 2 * HOUR_MS);
    if (outcome === 'shipped' || outcome === 'partial')
      event('po.state', 'accepted', 'shipped', answeredAt + Math.floor(this.random() * 72 * HOUR_MS));
    if (outcome === 'scanned') this.writeParcel(orderId, po, answeredAt);
  }

  private writeParcel(orderId: string, po: string, answeredAt: number): void {
    const db = this.store.database;
    const id = ++this.shipments;
    const labelAt = answeredAt + Math.floor(this.random() * 24 * HOUR_MS);
    const scannedAt = labelAt + Math.floor(this.random() * 48 * HOUR_MS);
    db.prepare(
      `INSERT INTO shipments (id, order_id, po_number, carrier, tracking_number, status, last_event_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'in_transit', ?, ?, ?)`,
    ).run(id, orderId, po, this.random() < 0.1 ? null : 'ups', `1Z${id}`, scannedAt, labelAt, labelAt);
    const scan = (status: string, at: number): void => {
      db.prepare(
        `INSERT INTO tracking_events (shipment_id, status, occurred_at, source, recorded_at) VALUES (?, ?, ?, 'test', ?)`,
      ).run(id, status, at, at);
    };
    scan('info_received', labelAt);
    if (this.random() < 0.8) scan('in_transit', scannedAt);
    if (this.random() < 0.6)
      db.prepare(
        `INSERT INTO notifications (order_id, milestone, channel, state, payload, created_at, sent_at)
         VALUES (?, ?, ?, 'sent', '{}', ?, ?)`,
      ).run(
        orderId,
        `shipped:${po}`,
        this.pick(['shopify', 'email']),
        scannedAt,
        scannedAt + Math.floor(this.random() * 12 * HOUR_MS),
      );
    else
      db.prepare(
        `INSERT INTO order_events (order_id, po_number, type, from_state, to_state, actor, at)
         VALUES (?, ?, 'po.state', 'accepted', 'shipped', 'test', ?)`,
      ).run(orderId, po, labelAt);
  }
}

const GROUPINGS: MetricDimension[][] = [
  [],
  ['supplier'],
  ['sku'],
  ['channel'],
  ['region'],
  ['day'],
  ['supplier', 'day'],
  ['day', 'channel'],
  ['sku', 'supplier'],
  ['region', 'channel', 'supplier', 'day'],
];
const WINDOWS: [string, number, number][] = [
  ['whole days', T0, T0 + 10 * DAY_MS],
  ['part days at both ends', T0 + 5 * HOUR_MS, T0 + 9 * DAY_MS + 3 * HOUR_MS],
  ['within one day', T0 + 2 * DAY_MS + HOUR_MS, T0 + 2 * DAY_MS + 20 * HOUR_MS],
  ['exactly one day', T0 + 3 * DAY_MS, T0 + 4 * DAY_MS],
  ['before any order', T0 - 5 * DAY_MS, T0],
  ['empty', T0 + DAY_MS, T0 + DAY_MS],
];
const FILTERS: Partial<MetricsQuery>[] = [
  {},
  { supplierIds: ['beta', 'delta'] },
  { channels: ['shopify'], regions: ['US', 'DE'] },
  { skus: ['SKU-1', 'SKU-2'] },
];
const NOWS = [T0 + 6 * DAY_MS, T0 + 20 * DAY_MS];

/**
 * Asserts that queryMetrics() (day buckets, SKU rows, quantiles in JavaScript) gives what queryMetricsFromFacts() (one SQL statement
 * with percentile()) gives, for every grouping, window, filter and `now` above. Amounts are sums of fractional
 * prices added in another order: equal to 1e-9; everything else exactly.
 */
async function assertSameFiguresEverywhere(store: SqliteOrderStore): Promise<number> {
  let groups = 0;
  for (const groupBy of GROUPINGS)
    for (const [window, from, to] of WINDOWS)
      for (const filter of FILTERS)
        for (const now of NOWS) {
          const query: MetricsQuery = {
            from: new Date(from),
            to: new Date(to),
            now: new Date(now),
            groupBy,
            ...filter,
          };
          const label = `${groupBy.join(',') || 'all'} ${window} ${JSON.stringify(filter)} now ${new Date(now).toISOString()}`;
          const fast = await store.queryMetrics(query);
          const reference = store.queryMetricsFromFacts(query);
          assert.equal(fast.length, reference.length, label);
          fast.forEach((sums, i) => assertSameSums(sums, reference[i]!, label));
          groups += fast.length;
        }
  return groups;
}

function assertSameSums(actual: MetricSums, expected: MetricSums, label: string): void {
  const amounts = ['revenue', 'costedRevenue', 'cost'] as const;
  for (const field of amounts)
    assert.ok(Math.abs(actual[field] - expected[field]) < 1e-9, `${label}: ${field}`);
  const exact = (sums: MetricSums): MetricSums => ({ ...sums, revenue: 0, costedRevenue: 0, cost: 0 });
  assert.deepStrictEqual(exact(actual), exact(expected), label);
}

describe('metric day buckets and SKU rows (issue 6)', () => {
  let store: SqliteOrderStore;
  /** A store refreshing in the given chunks (small ones cross many chunk boundaries), instead of the default one. */
  const reopenWithChunks = async (metricsRefreshChunks: MetricsRefreshChunks): Promise<void> => {
    await store.close();
    store = new SqliteOrderStore({ filename: ':memory:', metricsRefreshChunks });
    await store.migrate();
  };
  beforeEach(async () => {
    store = new SqliteOrderStore({ filename: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  const staleSlices = (): number =>
    Number(
      (store.database.prepare('SELECT COUNT(*) AS n FROM metric_stale_slices').get() as { n: number }).n,
    );

  it('gives the figures the fact rows give, for every grouping, window, filter and now', async () => {
    new OrderWriter(store, 6).write(600, T0, 10);
    assert.equal(await store.refreshMetricFacts(), 600);
    assert.equal(staleSlices(), 0, 'every changed bucket summed again');
    assert.ok((await assertSameFiguresEverywhere(store)) > 5000, 'the comparison covered many groups');
    const all = await store.queryMetrics({
      from: new Date(T0),
      to: new Date(T0 + 10 * DAY_MS),
      now: new Date(T0),
      groupBy: [],
    });
    assert.ok(all[0]!.orderToAcknowledgement.count > 400 && all[0]!.trackingUploadLatency.count > 20);
    assert.ok(all[0]!.stockouts > 0 && all[0]!.cancelledAfterAcceptance > 0 && all[0]!.sendFailures > 0);
  });

  it('keeps the buckets current as orders change, folding in small chunks', async () => {
    await reopenWithChunks({ events: 50, orders: 7, slices: 3 });
    const writer = new OrderWriter(store, 7);
    const first = writer.write(300, T0, 10);
    assert.equal(await store.refreshMetricFacts(), 300);
    // Later events on some orders, more orders (some on days that already have buckets), a reroute to a new
    // supplier (the PO leaves its bucket for another), and a storefront notice sent without any new event.
    writer.write(120, T0 + 4 * DAY_MS, 3);
    const db = store.database;
    for (const orderId of first.slice(0, 40))
      db.prepare(
        `INSERT INTO order_events (order_id, po_number, type, from_state, to_state, actor, at)
         SELECT order_id, number, 'po.state', state, 'cancelled', 'test', ? FROM purchase_orders WHERE order_id = ?`,
      ).run(T0 + 11 * DAY_MS, orderId);
    db.prepare(
      "UPDATE purchase_orders SET state = 'cancelled' WHERE order_id IN (SELECT value FROM json_each(?))",
    ).run(JSON.stringify(first.slice(0, 40)));
    const rerouted = first[50]!;
    db.prepare("UPDATE purchase_orders SET supplier_id = 'zulu' WHERE order_id = ?").run(rerouted);
    db.prepare(
      "INSERT INTO order_events (order_id, type, actor, at) VALUES (?, 'order.needs_attention', 'test', ?)",
    ).run(rerouted, T0 + 11 * DAY_MS);
    db.prepare(
      `INSERT INTO notifications (order_id, milestone, channel, state, payload, created_at, sent_at)
       VALUES (?, 'shipped:late', 'shopify', 'sent', '{}', ?, ?)`,
    ).run(first[60], T0 + 12 * DAY_MS, T0 + 12 * DAY_MS);
    // The order with the last notice seen is read again (a notice of the same millisecond may have been missed).
    assert.ok((await store.refreshMetricFacts()) >= 120 + 40 + 2);
    assert.equal(staleSlices(), 0);
    await assertSameFiguresEverywhere(store);
    const suppliers = (
      await store.queryMetrics({
        from: new Date(T0),
        to: new Date(T0 + 10 * DAY_MS),
        now: new Date(T0),
        groupBy: ['supplier'],
      })
    ).map((sums) => sums.key.supplier);
    assert.ok(suppliers.includes('zulu'), 'the rerouted PO counts for its new supplier');
  });

  it('sums a slice left marked by an interrupted refresh on the next one', async () => {
    new OrderWriter(store, 8).write(100, T0, 3);
    await store.refreshMetricFacts();
    const query: MetricsQuery = {
      from: new Date(T0),
      to: new Date(T0 + 3 * DAY_MS),
      now: new Date(T0),
      groupBy: [],
    };
    const before = await store.queryMetrics(query);
    // As a refresh stopped after its fact chunks and before summing: facts changed, their slices marked.
    store.database.exec(`DELETE FROM metric_day_buckets;
      INSERT INTO metric_stale_slices SELECT DISTINCT placed_at / ${DAY_MS}, supplier_id FROM metric_po_facts`);
    assert.deepEqual(await store.queryMetrics(query), [], 'the buckets are gone');
    assert.equal(await store.refreshMetricFacts(), 0, 'no order to fold again');
    assert.deepStrictEqual(await store.queryMetrics(query), before);
  });

  it('runs one refresh at a time: a second caller waits, then folds what came since', async () => {
    await reopenWithChunks({ events: 20, orders: 5, slices: 2 });
    const writer = new OrderWriter(store, 9);
    writer.write(50, T0, 2);
    const first = store.refreshMetricFacts();
    writer.write(10, T0, 2);
    const second = store.refreshMetricFacts();
    const [firstFolded, secondFolded] = await Promise.all([first, second]);
    assert.equal(firstFolded, 50);
    // The 10 new orders, and the order with the last notice seen read again.
    assert.ok(secondFolded >= 10 && secondFolded <= 11);
    await assertSameFiguresEverywhere(store);
  });
});

describe('percentileInPlace', () => {
  it('interpolates between the nearest sorted values as percentile() does', () => {
    const random = seeded(42);
    for (const length of [1, 2, 3, 10, 101, 1000]) {
      for (const spread of [3, 1e9]) {
        const values = Array.from({ length }, () => Math.floor(random() * spread));
        const sorted = [...values].sort((a, b) => a - b);
        for (const percent of [0, 50, 90, 100]) {
          const index = (percent / 100) * (length - 1);
          const low = sorted[Math.floor(index)]!;
          const high = sorted[Math.ceil(index)]!;
          const expected = low + (high - low) * (index - Math.floor(index));
          assert.equal(
            percentileInPlace(Float64Array.from(values), percent, 0),
            expected,
            `${length} ${percent}`,
          );
        }
      }
    }
  });

  it('matches SQLite percentile() to the last bit', async () => {
    const store = new SqliteOrderStore({ filename: ':memory:' });
    const random = seeded(43);
    const values = Array.from({ length: 777 }, () => Math.floor(random() * 1e8));
    const db = store.database;
    db.exec('CREATE TEMP TABLE v (x INTEGER)');
    for (const x of values) db.prepare('INSERT INTO v VALUES (?)').run(x);
    for (const percent of [50, 90]) {
      const { p } = db.prepare(`SELECT percentile(x, ${percent}) AS p FROM v`).get() as { p: number };
      assert.equal(percentileInPlace(Float64Array.from(values), percent, 0), p);
    }
    await store.close();
  });
});
