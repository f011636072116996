/**
 * Routing and stock-feed throughput (issue 3): 100,000 SKUs, 50 suppliers, 3-line orders, the explanation
 * included; and CSV stock rows per second into the SQLite store. Each figure is printed beside a baseline measured
 * in the same run. Run alone with `npx tsx bench/routing.bench.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { ingestStockFeed } from '../core/inventory/ingest-stock-feed';
import { parseStockCsv } from '../core/inventory/stock-feed';
import { stockLookup, type StockEntry } from '../core/inventory/stock-lookup';
import type { Order } from '../core/model/order';
import { sellableUnderRules } from '../core/routing/compiled-rules';
import { routeOrder, type SupplierPerformance } from '../core/routing/route-order';
import { parseRoutingRules, type RoutingRules, type SupplierSettings } from '../core/routing/routing-rules';
import { SqliteOrderStore } from '../core/store/sqlite/sqlite-store';
import { formatBenchFigures, ratioTarget, type BenchFigure } from './figures';

const SKUS = 100_000;
const SUPPLIERS = 50;
const CARRIERS_PER_SKU = 3;
const ORDERS = 20_000;
const CSV_ROWS = 100_000;
const ZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Europe/London', 'Asia/Shanghai'];

/** A small deterministic generator, so every run routes the same orders. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const skuOf = (i: number) => `SKU-${String(i).padStart(6, '0')}`;
const supplierOf = (i: number) => `supplier-${String(i).padStart(2, '0')}`;

function benchRules(next: () => number): RoutingRules {
  const suppliers: Record<string, SupplierSettings> = {};
  for (let s = 0; s < SUPPLIERS; s++) {
    suppliers[supplierOf(s)] = {
      timeZone: ZONES[s % ZONES.length],
      cutoff: `${String(12 + (s % 6)).padStart(2, '0')}:00`,
      handlingDays: s % 3,
      shipping: [{ countries: ['US'], base: 4 + (s % 5), perUnit: 0.5 }, { base: 15 }],
      stock: s % 2 === 0 ? { buffer: { units: 2 } } : { buffer: { percent: 10 } },
    };
  }
  const catalogue: RoutingRules['catalogue'] = [];
  for (let k = 0; k < SKUS; k++) {
    for (let c = 0; c < CARRIERS_PER_SKU; c++) {
      catalogue.push({
        supplier: supplierOf((k * 7 + c * 17) % SUPPLIERS),
        match: { sku: skuOf(k) },
        unitCost: Math.round((5 + next() * 40) * 100) / 100,
        dropshipFee: c === 0 ? 1.5 : 0,
      });
    }
  }
  const document = {
    strategy: 'best_score',
    split: 'when_needed',
    stock: { feedEveryMinutes: 60, disqualifyAfterMinutes: 1440 },
    suppliers,
    catalogue,
    rules: [{ name: 'Canada', match: { countries: ['CA'] }, suppliers: [supplierOf(0), supplierOf(1)] }],
  };
  // Rules reach the router as JSON (flow configuration), so the bench reads them the same way.
  return parseRoutingRules(JSON.parse(JSON.stringify(document)));
}

function benchStock(now: number, next: () => number): StockEntry[] {
  const entries: StockEntry[] = [];
  for (let k = 0; k < SKUS; k++) {
    for (let c = 0; c < CARRIERS_PER_SKU; c++) {
      entries.push({
        supplierId: supplierOf((k * 7 + c * 17) % SUPPLIERS),
        sku: skuOf(k),
        quantity: Math.floor(next() * 30),
        committed: Math.floor(next() * 3),
        feedAt: new Date(now - next() * 3 * 3_600_000).toISOString(),
      });
    }
  }
  return entries;
}

function benchOrders(next: () => number): Order[] {
  const orders: Order[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const lines = [0, 1, 2].map((n) => ({
      lineId: String(n + 1),
      sku: skuOf(Math.floor(next() * SKUS)),
      title: `Product ${i}-${n}`,
      quantity: 1 + Math.floor(next() * 3),
      unitPrice: 60,
      requiresShipping: true,
    }));
    orders.push({
      id: `ord_bench${i}`,
      state: 'received',
      version: 1,
      createdAt: '2026-11-18T09:00:00.000Z',
      updatedAt: '2026-11-18T09:00:00.000Z',
      channel: 'generic',
      externalId: `bench-${i}`,
      placedAt: '2026-11-18T09:00:00.000Z',
      currency: 'USD',
      customer: { name: 'Bench Customer', email: 'bench@example.test' },
      shipTo: {
        line1: '1 Main St',
        city: 'Portland',
        region: 'OR',
        postalCode: '97201',
        country: i % 10 === 0 ? 'CA' : 'US',
      },
      lines,
      shipping: { method: 'standard', promisedShipBy: '2026-11-20T23:00:00.000Z' },
      totals: { subtotal: 180, shipping: 0, tax: 0, discount: 0, total: 180 },
    });
  }
  return orders;
}

/** Runs `work` until at least `minMs` have passed; returns operations per second. */
function perSecond(operations: number, work: () => void, minMs = 1500): number {
  let rounds = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    work();
    rounds++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < minMs);
  return (operations * rounds * 1000) / elapsed;
}

async function routingFigures(): Promise<BenchFigure[]> {
  const next = random(42);
  const now = new Date('2026-11-18T09:00:00Z');
  const rules = benchRules(next);
  const stock = stockLookup(JSON.parse(JSON.stringify(benchStock(now.getTime(), next))) as StockEntry[]);
  const figures: Record<string, SupplierPerformance> = {};
  for (let s = 0; s < SUPPLIERS; s++) {
    figures[supplierOf(s)] = {
      acceptance: 0.9 + (s % 10) / 100,
      cancellation: (s % 4) / 100,
      onTime: 0.8 + (s % 20) / 100,
    };
  }
  const context = { now, stock, performance: (id: string) => figures[id] };
  const serialised = benchOrders(next).map((order) => JSON.stringify(order));
  // Orders reach the router from the store, which reads them from JSON.
  const orders = serialised.map((text) => JSON.parse(text) as Order);

  // Warm up: compiles the rules (indexes are built once per rules object) and lets the JIT settle.
  let explained = 0;
  for (const order of orders.slice(0, 2_000))
    explained += routeOrder(order, rules, context).explanation.length;
  if (explained === 0) throw new Error('routing produced no explanation');

  const baseline = perSecond(orders.length, () => {
    for (const text of serialised) JSON.parse(text);
  });
  let routed = 0;
  const decisions = perSecond(orders.length, () => {
    for (const order of orders) {
      const decision = routeOrder(order, rules, context);
      routed += decision.assignments.length;
    }
  });
  if (routed === 0) throw new Error('no order was routed');
  return [
    {
      name: `routing decisions (${SKUS.toLocaleString('en-US')} SKUs, ${SUPPLIERS} suppliers, 3-line orders, explained)`,
      value: decisions,
      unit: 'orders/s',
      baseline: { name: 'JSON.parse of the same orders', value: baseline },
      ...ratioTarget(decisions, baseline, 0.12),
    },
  ];
}

async function ingestFigures(): Promise<BenchFigure[]> {
  const next = random(7);
  const rows = ['sku,quantity'];
  for (let k = 0; k < CSV_ROWS; k++) rows.push(`${skuOf(k)},${Math.floor(next() * 40)}`);
  const csv = `${rows.join('\r\n')}\r\n`;
  const update = csv.replace(
    /,(\d+)\r\n/g,
    (_match, quantity: string) => `,${Number(quantity) % 7 === 0 ? 0 : quantity}\r\n`,
  );
  const rules = parseRoutingRules({ stock: { buffer: { units: 2 } } });

  const dir = mkdtempSync(path.join(tmpdir(), 'dropship-bench-'));
  try {
    const store = new SqliteOrderStore({ filename: path.join(dir, 'bench.sqlite') });
    await store.migrate();
    const baselineRate = perSecond(CSV_ROWS, () => parseCsv(csv, { bom: true }), 1000);
    const timeIngest = async (text: string, feedAt: Date): Promise<number> => {
      const start = process.hrtime.bigint();
      const result = await ingestStockFeed(store, parseStockCsv(text, { supplierId: 'acme' }), {
        feedAt,
        thresholds: [5],
        sellable: sellableUnderRules(rules),
      });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (result.applied !== CSV_ROWS) throw new Error(`ingest applied ${result.applied} rows`);
      return CSV_ROWS / seconds;
    };
    const firstLoad = await timeIngest(csv, new Date('2026-11-18T08:00:00Z'));
    const changedFeed = await timeIngest(update, new Date('2026-11-18T09:00:00Z'));
    await store.close();
    const baseline = { name: 'csv-parse of the same file alone', value: baselineRate };
    return [
      {
        name: 'stock CSV ingest into SQLite, empty store (rows/s)',
        value: firstLoad,
        unit: 'rows/s',
        baseline,
        ...ratioTarget(firstLoad, baselineRate, 0.15),
      },
      {
        name: 'stock CSV ingest into SQLite, every row updated, 1 in 7 sold out (rows/s)',
        value: changedFeed,
        unit: 'rows/s',
        baseline,
        ...ratioTarget(changedFeed, baselineRate, 0.15),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runRoutingBench(): Promise<BenchFigure[]> {
  return [...(await routingFigures()), ...(await ingestFigures())];
}

if (require.main === module) {
  runRoutingBench().then(
    (figures) => console.log(formatBenchFigures(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
