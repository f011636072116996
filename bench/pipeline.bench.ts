/**
 * The pipeline end to end (issue 7), each figure beside a baseline measured in the same run:
 * - orders per second from signed webhook to acknowledgement committed (intake, route, dispatch to a local
 *   supplier answering in 5 ms), with the order-to-PO-sent latency, on SQLite; baseline: a plain Node-RED flow
 *   forwarding each webhook to the same supplier (http in -> function -> http request -> http response);
 * - resident memory of Node-RED holding a backlog of 100,000 orders whose supplier is down, beside the same
 *   Node-RED with an empty store;
 * - two instances on one PostgreSQL store: aggregate orders per second (beside one instance) and double claims.
 * The SQLite figures are the median of rounds that take the variants in turns (see sqliteFigures).
 * Run alone with `npx tsx bench/pipeline.bench.ts` (uses dist/: build first; PostgreSQL on 127.0.0.1:5432).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { openStore } from '../core/store/open-store';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../test/support/orders';
import { TEST_POSTGRES_URL, dropSchemas, ensurePostgres, uniqueSchemaName } from '../test/support/postgres';
import type { RunningNodeRed } from '../test/support/node-red-process';
import { SupplierLedger } from '../test/reliability/support/supplier-ledger';
import { formatBenchFigures, ratioTarget, type BenchFigure } from './figures';
import {
  benchStorefront,
  percentile,
  progress,
  runLoad,
  shopifyWebhooks,
  startBenchNodeRed,
  type BenchRequest,
} from './intake.bench';

/**
 * Orders per measured run: several seconds at the rates seen, so one hiccup of a shared machine weighs little.
 * DROPSHIP_BENCH_PIPELINE_ORDERS makes a quicker run.
 */
const ORDERS = Number(process.env.DROPSHIP_BENCH_PIPELINE_ORDERS ?? 6_000);
const BACKLOG = 100_000;
const SUPPLIER_MS = 5;

type StoreConfig =
  | { engine: 'sqlite'; filename: string; synchronous: 'FULL' | 'NORMAL' }
  | { engine: 'postgres'; connectionString: string; schema: string; poolSize: number };

/** Shopify intake -> router -> dispatch to the supplier at `supplierUrl`, on the given store. */
export function pipelineFlow(store: StoreConfig, supplierUrl: string): unknown[] {
  return [
    { id: 'tab', type: 'tab', label: 'Pipeline bench' },
    benchStorefront,
    { id: 'store', type: 'dropship-store', ...store },
    {
      id: 'supplier',
      type: 'dropship-supplier',
      supplierId: 'acme',
      connector: 'rest-json',
      settings: { url: supplierUrl, timeoutMs: 10_000, headers: { 'X-Instance': '${DROPSHIP_INSTANCE}' } },
    },
    {
      id: 'in',
      type: 'dropship-order-in',
      z: 'tab',
      store: 'store',
      platform: 'shopify',
      storefront: 'shop',
      listen: true,
      path: '/bench/orders',
      wires: [['router'], []],
    },
    {
      id: 'router',
      type: 'dropship-router',
      z: 'tab',
      store: 'store',
      rules: { strategy: 'priority', rules: [{ match: { sku: '*' }, suppliers: ['acme'] }] },
      sweepSeconds: 5,
      wires: [['dispatch'], []],
    },
    {
      id: 'dispatch',
      type: 'dropship-dispatch',
      z: 'tab',
      store: 'store',
      leaseSeconds: 60,
      sweepSeconds: 2,
      baseDelaySeconds: 5,
      breakerThreshold: 5,
      breakerCooldownSeconds: 30,
      wires: [[], []],
    },
    // The baseline: the same webhook forwarded to the same supplier, nothing kept.
    {
      id: 'plain-in',
      type: 'http in',
      z: 'tab',
      url: '/bench/forward',
      method: 'post',
      wires: [['plain-fn']],
    },
    {
      id: 'plain-fn',
      type: 'function',
      z: 'tab',
      func:
        "const o = msg.payload;\nmsg.headers = { 'Idempotency-Key': 'PO-' + o.id, 'Content-Type': 'application/json' };\n" +
        "msg.payload = { poNumber: 'PO-' + o.id, orderReference: o.name, shipTo: o.shipping_address,\n" +
        '  lines: o.line_items.map((l) => ({ sku: l.sku, quantity: l.quantity })) };\nreturn msg;',
      outputs: 1,
      wires: [['plain-request']],
    },
    {
      id: 'plain-request',
      type: 'http request',
      z: 'tab',
      method: 'POST',
      ret: 'obj',
      url: supplierUrl,
      wires: [['plain-out']],
    },
    { id: 'plain-out', type: 'http response', z: 'tab', statusCode: '200', headers: {}, wires: [] },
  ];
}

/** Counts the POs the flow has committed as accepted, by a plain query that costs the measurement nothing. */
export interface AcceptedCounter {
  count(): Promise<number>;
  close(): Promise<void>;
}

const ACCEPTED_SQL = "SELECT count(*) AS n FROM purchase_orders WHERE state = 'accepted'";

export function sqliteAcceptedCounter(filename: string): AcceptedCounter {
  const db = new Database(filename, { readonly: true });
  const query = db.prepare<[], { n: number }>(ACCEPTED_SQL);
  return { count: async () => query.get()!.n, close: async () => void db.close() };
}

/** Waits for the instances to have migrated the schema: flows start before their store has opened. */
export async function postgresAcceptedCounter(schema: string): Promise<AcceptedCounter> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL, options: `-c search_path=${schema}` });
  await client.connect();
  for (let tries = 0; ; tries++) {
    try {
      await client.query(ACCEPTED_SQL);
      break;
    } catch (err) {
      if (tries >= 150) {
        await client.end();
        throw err;
      }
      await sleep(200);
    }
  }
  return {
    count: async () => Number((await client.query<{ n: string }>(ACCEPTED_SQL)).rows[0]!.n),
    close: () => client.end(),
  };
}

/** Resolves when `count` POs are accepted, with the time it saw the last one. */
async function acknowledgedBy(counter: AcceptedCounter, count: number): Promise<number> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    if ((await counter.count()) >= count) return Date.now();
    if (Date.now() > deadline) throw new Error(`only ${await counter.count()} of ${count} POs acknowledged`);
    await sleep(20);
  }
}

interface PipelineRate {
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Posts `orders` signed webhooks (split over the instances), then waits until every PO is accepted; the rate is
 * orders over the time from the first post to the last acknowledgement, the latency from an order's post to
 * its PO reaching the supplier.
 */
export async function drivePipeline(
  instances: RunningNodeRed[],
  supplier: SupplierLedger,
  counter: AcceptedCounter,
  firstId: number,
  orders: number,
): Promise<PipelineRate> {
  const before = await counter.count();
  const webhooks = shopifyWebhooks('/bench/orders', firstId, orders);
  const postedAt = new Map<string, number>();
  const started = Date.now();
  await Promise.all(
    instances.map((instance, k) => {
      const share = webhooks.filter((_, i) => i % instances.length === k);
      const timed: BenchRequest[] = share.map((w) => {
        const name = (JSON.parse(w.body) as { name: string }).name;
        return {
          ...w,
          get headers() {
            postedAt.set(name, Date.now());
            return w.headers;
          },
        };
      });
      return runLoad(instance.port, timed).then((result) => {
        if (result.failures > 0) throw new Error(`${result.failures} webhooks failed`);
      });
    }),
  );
  const finished = await acknowledgedBy(counter, before + orders);
  const latencies = supplier.calls
    .map((call) => {
      const reference = (JSON.parse(call.body) as { orderReference?: string }).orderReference ?? '';
      const posted = postedAt.get(reference);
      return posted === undefined ? undefined : call.receivedAt - posted;
    })
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  return {
    ordersPerSecond: orders / ((finished - started) / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** The median over the rounds of `variant` of the figure `pick` takes from each. */
function medianRound<T>(runs: Map<string, T[]>, variant: string, pick: (round: T) => number): number {
  return percentile(
    runs
      .get(variant)!
      .map(pick)
      .sort((a, b) => a - b),
    50,
  );
}

/** Orders per variant before measuring, so the JIT has settled on every path of the pipeline. */
const PIPELINE_WARMUP = Math.min(2_000, ORDERS);
/** Rounds, the variants in a different order each time; each figure is the median round. */
const PIPELINE_ROUNDS = 3;

async function sqliteFigures(dir: string): Promise<BenchFigure[]> {
  const modes = ['NORMAL', 'FULL'] as const;
  const supplier = await new SupplierLedger().start();
  supplier.behaviour = () => ({ kind: 'accept', delayMs: SUPPLIER_MS });
  // One Node-RED per store mode, both up for the whole run, so the rounds can take them in turns.
  const instances = new Map<(typeof modes)[number], { nodeRed: RunningNodeRed; counter: AcceptedCounter }>();
  try {
    for (const synchronous of modes) {
      const filename = path.join(dir, `pipeline-${synchronous}.sqlite`);
      const nodeRed = await startBenchNodeRed(
        dir,
        pipelineFlow({ engine: 'sqlite', filename, synchronous }, supplier.url),
        { DROPSHIP_INSTANCE: synchronous },
      );
      instances.set(synchronous, { nodeRed, counter: sqliteAcceptedCounter(filename) });
    }
    const normal = instances.get('NORMAL')!;
    const forward = (first: number, n: number) => shopifyWebhooks('/bench/forward', first, n);
    progress('pipeline: SQLite, warming up');
    for (const { nodeRed, counter } of instances.values())
      await drivePipeline([nodeRed], supplier, counter, 1, PIPELINE_WARMUP);
    await runLoad(normal.nodeRed.port, forward(1, PIPELINE_WARMUP));

    const runs = new Map<string, PipelineRate[]>();
    const variants = ['forward', ...modes] as const;
    for (let round = 0; round < PIPELINE_ROUNDS; round++) {
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(k + round) % variants.length]!;
        progress(`pipeline: round ${round + 1}, ${variant}`);
        const first = 1_000_000 * (round + 1);
        let result: PipelineRate;
        if (variant === 'forward') {
          const load = await runLoad(normal.nodeRed.port, forward(first, ORDERS));
          if (load.failures > 0) throw new Error(`${load.failures} forwards failed`);
          result = { ordersPerSecond: load.perSecond, p50Ms: load.p50Ms, p99Ms: load.p99Ms };
        } else {
          const { nodeRed, counter } = instances.get(variant)!;
          supplier.calls.length = 0;
          result = await drivePipeline([nodeRed], supplier, counter, first, ORDERS);
        }
        runs.set(variant, [...(runs.get(variant) ?? []), result]);
      }
    }
    const median = (variant: string, pick: (r: PipelineRate) => number) => medianRound(runs, variant, pick);
    const baselineRate = median('forward', (r) => r.ordersPerSecond);
    return modes.flatMap((synchronous) => {
      const rate = median(synchronous, (r) => r.ordersPerSecond);
      const mode = synchronous === 'FULL' ? 'synchronous=FULL' : 'synchronous=NORMAL';
      return [
        {
          name: `end to end on SQLite ${mode}: webhook to acknowledgement committed (orders/s, median of ${PIPELINE_ROUNDS} rounds)`,
          value: rate,
          unit: 'orders/s',
          baseline: {
            name: 'plain flow forwarding each webhook to the supplier, nothing stored',
            value: baselineRate,
          },
          ...ratioTarget(rate, baselineRate, 1.0),
        },
        {
          name: `end to end on SQLite ${mode}: order-to-PO-sent latency p50 ${median(synchronous, (r) => r.p50Ms).toFixed(0)} ms, p99`,
          value: median(synchronous, (r) => r.p99Ms),
          unit: 'ms',
        },
      ];
    });
  } finally {
    for (const { nodeRed, counter } of instances.values()) {
      await counter.close();
      await nodeRed.stop();
    }
    await supplier.stop();
  }
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Peak resident memory of a Node-RED over `seconds` of sweeping (routing, claiming, deferring behind the open
 * circuit) while new orders keep arriving at a shop's pace: `webhooks`, two at a time, spread over the window.
 */
async function peakResident(
  nodeRed: RunningNodeRed,
  seconds: number,
  webhooks: BenchRequest[],
): Promise<number> {
  let peak = residentMb(nodeRed.pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, residentMb(nodeRed.pid));
  }, 100);
  try {
    const batches = 10;
    const size = Math.ceil(webhooks.length / batches);
    for (let b = 0; b < batches; b++) {
      const result = await runLoad(nodeRed.port, webhooks.slice(b * size, (b + 1) * size), 2);
      if (result.failures > 0) throw new Error(`${result.failures} webhooks failed over the backlog`);
      await sleep((seconds * 1000) / batches);
    }
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, residentMb(nodeRed.pid));
}

/** 100,000 orders routed to a supplier that is down, each with its PO waiting to be sent, metric facts up to date. */
async function seedBacklog(filename: string): Promise<void> {
  const store = await openStore({ engine: 'sqlite', filename, synchronous: 'NORMAL' });
  try {
    for (let i = 0; i < BACKLOG; i++) {
      const { order } = await store.receiveOrder(sampleOrderDraft({ externalId: `backlog-${i}` }), {
        actor: 'bench',
      });
      await store.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order)], {
        type: 'order.routed',
        actor: 'bench',
      });
      if (i % 20_000 === 19_999) progress(`memory: ${i + 1} backlog orders stored`);
    }
    // A Node-RED that took these orders in would have folded them into the metric facts as it went (routing
    // refreshes them at most once a minute); without this the measured process would do the one-off fold of a
    // first start after an upgrade, 100,000 orders at once, instead of holding a backlog.
    progress('memory: folding the backlog into the metric facts');
    await store.refreshMetricFacts();
  } finally {
    await store.close();
  }
}

async function memoryFigures(dir: string): Promise<BenchFigure[]> {
  // Nothing listens here: every send is refused, the breaker opens, and the backlog stays.
  const down = await new SupplierLedger().start();
  const unreachable = down.url;
  await down.stop();
  const measure = async (filename: string, firstId: number): Promise<number> => {
    const nodeRed = await startBenchNodeRed(
      dir,
      pipelineFlow({ engine: 'sqlite', filename, synchronous: 'NORMAL' }, unreachable),
      { DROPSHIP_INSTANCE: 'memory' },
    );
    try {
      return await peakResident(nodeRed, 30, shopifyWebhooks('/bench/orders', firstId, 500));
    } finally {
      await nodeRed.stop();
    }
  };
  progress('memory: empty store');
  const empty = await measure(path.join(dir, 'empty.sqlite'), 1);
  progress(`memory: storing a backlog of ${BACKLOG} orders`);
  const backlogFile = path.join(dir, 'backlog.sqlite');
  await seedBacklog(backlogFile);
  progress('memory: Node-RED over the backlog');
  const withBacklog = await measure(backlogFile, 1);
  return [
    {
      name: `resident memory, ${BACKLOG.toLocaleString('en-US')} orders waiting for a supplier that is down (MB)`,
      value: withBacklog,
      unit: 'MB',
      baseline: { name: 'the same Node-RED and flow, empty store', value: empty },
      ratio: withBacklog / empty,
      target: '< 200 MB',
      pass: withBacklog < 200,
    },
  ];
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User plus system CPU time of a process in seconds, or undefined once it has ended. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name in parentheses; utime and stime are the 14th and 15th of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * The CPU a changing set of processes uses while it runs: each process sampled every 100 ms from its first
 * sighting (a database backend the pool opens during the run counts from its start) to its last.
 */
class CpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: () => number[]) {
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), 100);
  }

  private sample(atStart: boolean): void {
    for (const pid of this.pids()) {
      const seconds = cpuSeconds(pid);
      if (seconds === undefined) continue;
      if (!this.first.has(pid)) this.first.set(pid, atStart ? seconds : 0);
      this.last.set(pid, seconds);
    }
  }

  /** Stops sampling; the CPU seconds used since the start. */
  stop(): number {
    this.sample(false);
    clearInterval(this.timer);
    let total = 0;
    for (const [pid, last] of this.last) total += last - this.first.get(pid)!;
    return total;
  }
}

/** One way of running the pipeline the PostgreSQL figures compare, kept running for all rounds. */
interface PipelineSetup {
  instances: RunningNodeRed[];
  counter: AcceptedCounter;
  /** Statements the instances have sent so far (PostgreSQL only), read from their counter files. */
  statements(): number;
  /** The database backends serving this setup (PostgreSQL only). */
  backendPids(): number[];
  stop(): Promise<void>;
}

interface MeasuredRound extends PipelineRate {
  statementsPerOrder: number;
  nodeRedCpuMsPerOrder: number;
  databaseCpuMsPerOrder: number;
}

/** `count` Node-RED instances on one PostgreSQL schema, their connections named so their backends can be found. */
async function postgresSetup(dir: string, supplierUrl: string, count: number): Promise<PipelineSetup> {
  const schema = uniqueSchemaName('dropship_bench');
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('application_name', schema);
  const flow = pipelineFlow(
    { engine: 'postgres', connectionString: url.toString(), schema, poolSize: 8 },
    supplierUrl,
  );
  const statementFiles = Array.from({ length: count }, (_, i) => path.join(dir, `${schema}-${i}.statements`));
  const preload = `--require ${path.join(__dirname, 'count-pg-statements.js')}`;
  const instances = await Promise.all(
    statementFiles.map((file, i) =>
      startBenchNodeRed(dir, flow, {
        DROPSHIP_INSTANCE: `instance-${i + 1}`,
        DROPSHIP_BENCH_STATEMENTS_FILE: file,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${preload}`.trim(),
      }),
    ),
  );
  const counter = await postgresAcceptedCounter(schema);
  const backends = new Client({ connectionString: TEST_POSTGRES_URL });
  await backends.connect();
  let pids: number[] = [];
  const refresh = async (): Promise<void> => {
    const found = await backends.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [schema],
    );
    pids = found.rows.map((row) => row.pid);
  };
  await refresh();
  const refresher = setInterval(() => void refresh().catch(() => undefined), 500);
  return {
    instances,
    counter,
    statements: () => statementFiles.reduce((sum, file) => sum + Number(readFileSync(file, 'utf8') || 0), 0),
    backendPids: () => pids,
    stop: async () => {
      clearInterval(refresher);
      await backends.end();
      await counter.close();
      await Promise.all(instances.map((i) => i.stop()));
      await dropSchemas([schema]);
    },
  };
}

async function sqliteSetup(dir: string, supplierUrl: string): Promise<PipelineSetup> {
  const filename = path.join(dir, 'compare-FULL.sqlite');
  const nodeRed = await startBenchNodeRed(
    dir,
    pipelineFlow({ engine: 'sqlite', filename, synchronous: 'FULL' }, supplierUrl),
    { DROPSHIP_INSTANCE: 'sqlite' },
  );
  const counter = sqliteAcceptedCounter(filename);
  return {
    instances: [nodeRed],
    counter,
    statements: () => 0,
    backendPids: () => [],
    stop: async () => {
      await counter.close();
      await nodeRed.stop();
    },
  };
}

/** Drives `orders` through a setup, measuring the statements and the CPU of its instances and backends. */
async function measuredRound(
  setup: PipelineSetup,
  supplier: SupplierLedger,
  firstId: number,
  orders: number,
): Promise<MeasuredRound> {
  // The counter files are written four times a second.
  await sleep(300);
  const statementsBefore = setup.statements();
  const nodeRedCpu = new CpuMeter(() => setup.instances.map((i) => i.pid));
  const databaseCpu = new CpuMeter(() => setup.backendPids());
  supplier.calls.length = 0;
  const rate = await drivePipeline(setup.instances, supplier, setup.counter, firstId, orders);
  const nodeRedSeconds = nodeRedCpu.stop();
  const databaseSeconds = databaseCpu.stop();
  await sleep(300);
  return {
    ...rate,
    statementsPerOrder: (setup.statements() - statementsBefore) / orders,
    nodeRedCpuMsPerOrder: (nodeRedSeconds * 1000) / orders,
    databaseCpuMsPerOrder: (databaseSeconds * 1000) / orders,
  };
}

/**
 * The pipeline on PostgreSQL beside SQLite (synchronous=FULL), same run, rounds taking the variants in turns:
 * one instance, two instances on one database (with the check that no PO went out twice), the statements (round
 * trips) per order and the CPU per order of Node-RED and of the database backends, read from /proc. On a
 * machine whose cores are shared, the two-instance figure is bounded by the cores, not by the design; the
 * projection gives each instance a core of its own and the database one core (docs/scaling.md).
 */
async function postgresFigures(dir: string): Promise<BenchFigure[]> {
  await ensurePostgres();
  const supplier = await new SupplierLedger().start();
  supplier.behaviour = () => ({ kind: 'accept', delayMs: SUPPLIER_MS });
  const setups = new Map<string, PipelineSetup>();
  let doubleClaims = 0;
  const senders = new Set<string>();
  try {
    setups.set('sqlite', await sqliteSetup(dir, supplier.url));
    setups.set('postgres-1', await postgresSetup(dir, supplier.url, 1));
    setups.set('postgres-2', await postgresSetup(dir, supplier.url, 2));
    for (const [name, setup] of setups) {
      progress(`pipeline: ${name}, warming up`);
      await drivePipeline(setup.instances, supplier, setup.counter, 1, PIPELINE_WARMUP);
    }
    const names = [...setups.keys()];
    const runs = new Map<string, MeasuredRound[]>();
    for (let round = 0; round < PIPELINE_ROUNDS; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length]!;
        progress(`pipeline: round ${round + 1}, ${name}`);
        const result = await measuredRound(setups.get(name)!, supplier, 1_000_000 * (round + 1), ORDERS);
        runs.set(name, [...(runs.get(name) ?? []), result]);
        if (name === 'postgres-2') {
          doubleClaims +=
            [...supplier.callsPerKey().values()].filter((calls) => calls.length > 1).length +
            supplier.concurrentSends().length;
          for (const call of supplier.calls) if (call.instance) senders.add(call.instance);
        }
      }
    }
    const median = (name: string, pick: (r: MeasuredRound) => number): number =>
      medianRound(runs, name, pick);
    const sqliteRate = median('sqlite', (r) => r.ordersPerSecond);
    const oneRate = median('postgres-1', (r) => r.ordersPerSecond);
    const twoRate = median('postgres-2', (r) => r.ordersPerSecond);
    const nodeRedMs = median('postgres-1', (r) => r.nodeRedCpuMsPerOrder);
    const databaseMs = median('postgres-1', (r) => r.databaseCpuMsPerOrder);
    // Orders per second a setup can do when only CPU bounds it: each instance on a core of its own, the database
    // on one core of its own.
    const cpuBound = (instances: number): number => Math.min(instances / nodeRedMs, 1 / databaseMs) * 1000;
    const rounds = `median of ${PIPELINE_ROUNDS} rounds`;
    return [
      {
        name: `end to end on PostgreSQL, one instance: webhook to acknowledgement committed (orders/s, ${rounds})`,
        value: oneRate,
        unit: 'orders/s',
        baseline: { name: 'the same pipeline on SQLite synchronous=FULL', value: sqliteRate },
        ...ratioTarget(oneRate, sqliteRate, 0.6),
      },
      {
        name: `end to end on PostgreSQL, one instance: order-to-PO-sent latency p50 ${median('postgres-1', (r) => r.p50Ms).toFixed(0)} ms, p99`,
        value: median('postgres-1', (r) => r.p99Ms),
        unit: 'ms',
        baseline: { name: 'SQLite FULL p99', value: median('sqlite', (r) => r.p99Ms) },
        ratio: median('postgres-1', (r) => r.p99Ms) / median('sqlite', (r) => r.p99Ms),
      },
      {
        name: 'PostgreSQL statements (round trips) per order, one instance, sweeps included',
        value: median('postgres-1', (r) => r.statementsPerOrder),
        unit: 'statements',
        baseline: {
          name: 'two instances',
          value: median('postgres-2', (r) => r.statementsPerOrder),
        },
      },
      {
        name: 'database CPU per order (PostgreSQL backends of the instance, from /proc), one instance',
        value: databaseMs,
        unit: 'ms',
        baseline: { name: 'Node-RED CPU per order, same rounds', value: nodeRedMs },
        ratio: databaseMs / nodeRedMs,
      },
      {
        name: 'two instances on one PostgreSQL store, measured on this machine: aggregate orders/s',
        value: twoRate,
        unit: 'orders/s',
        baseline: { name: 'one instance on the same database, same rounds', value: oneRate },
        ratio: twoRate / oneRate,
      },
      {
        name: 'two instances, projected with a core each and the database on a core of its own (from the CPU per order): orders/s',
        value: cpuBound(2),
        unit: 'orders/s',
        baseline: { name: 'one instance projected the same way', value: cpuBound(1) },
        ...ratioTarget(cpuBound(2), cpuBound(1), 1.6),
      },
      {
        name: `two instances on PostgreSQL: POs sent twice or by both at once (of ${ORDERS * PIPELINE_ROUNDS}; ${senders.size} instances sent)`,
        value: doubleClaims,
        unit: 'double claims',
        target: '0',
        pass: doubleClaims === 0,
      },
    ];
  } finally {
    for (const setup of setups.values()) await setup.stop();
    await supplier.stop();
  }
}

/** Runs one part of a bench file in a scratch folder of its own. */
export async function inScratchFolder(
  part: (dir: string) => Promise<BenchFigure[]>,
  prefix = 'dropship-bench-pipeline-',
): Promise<BenchFigure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  try {
    return await part(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const runPipelineBench = (): Promise<BenchFigure[]> => inScratchFolder(sqliteFigures);
export const runBacklogMemoryBench = (): Promise<BenchFigure[]> => inScratchFolder(memoryFigures);
export const runPostgresPipelineBench = (): Promise<BenchFigure[]> => inScratchFolder(postgresFigures);

if (require.main === module) {
  (async () => [
    ...(await runPipelineBench()),
    ...(await runBacklogMemoryBench()),
    ...(await runPostgresPipelineBench()),
  ])().then(
    (figures) => console.log(formatBenchFigures(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
