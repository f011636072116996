/**
 * Durable webhook intake (issue 7): signed Shopify webhooks verified, validated, committed to SQLite and answered
 * by a real Node-RED process, beside a plain Node-RED `http in -> function -> http response` flow in the same
 * process and run. The load generator lives in this process: a bounded number of requests at a bounded
 * concurrency, to 127.0.0.1 only. Each variant is warmed up, then measured in rounds (the variants in a different
 * order each round) and reported as its median round. Run alone with `npx tsx bench/intake.bench.ts` (uses dist/: build first).
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, startNodeRed, type RunningNodeRed } from '../test/support/node-red-process';
import { formatBenchFigures, ratioTarget, type BenchFigure } from './figures';

export const BENCH_SECRET = 'bench-shopify-secret';
const CONCURRENCY = 16;
/** Requests per variant before measuring: enough for the JIT to settle on every path (300 left it mid-way). */
const WARMUP = 2_000;
/** Requests per variant and round: a few seconds each, so one hiccup of a shared machine weighs little. */
const REQUESTS = 5_000;
/** Rounds, the variants in a different order each time; each figure is the median round. */
const ROUNDS = 5;

export interface BenchRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 200, and connection errors. */
  failures: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Posts `request` to Node-RED on `port`; resolves with the answer's status, 0 when the connection failed. */
export function postRequest(port: number, request: BenchRequest, agent: http.Agent): Promise<number> {
  return new Promise<number>((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: request.path,
        agent,
        headers: { ...request.headers, 'Content-Length': Buffer.byteLength(request.body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(request.body);
  });
}

/**
 * Sends every request to 127.0.0.1:`port` with at most `concurrency` in flight over keep-alive connections, and
 * measures each one from the first byte sent to the last byte of the answer.
 */
export async function runLoad(
  port: number,
  requests: BenchRequest[],
  concurrency = CONCURRENCY,
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const request = requests[next++]!;
      const sent = process.hrtime.bigint();
      const status = await postRequest(port, request, agent);
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      if (status !== 200) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: requests.length,
    seconds,
    perSecond: requests.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failures,
  };
}

const ORDER_TEMPLATE = readFileSync(path.join(REPO, 'demo', 'payloads', 'shopify-orders-paid.json'), 'utf8');

/** Signed orders/paid webhooks for orders `first`.. (one new order each), signed before the clock starts. */
export function shopifyWebhooks(pathname: string, first: number, count: number): BenchRequest[] {
  const template = JSON.parse(ORDER_TEMPLATE) as Record<string, unknown>;
  return Array.from({ length: count }, (_, i) => {
    const id = first + i;
    const body = JSON.stringify({
      ...template,
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      name: `#${id}`,
    });
    return {
      path: pathname,
      body,
      headers: {
        'Content-Type': 'application/json',
        'X-Shopify-Topic': 'orders/paid',
        'X-Shopify-Event-Id': `bench-${id}`,
        'X-Shopify-Hmac-Sha256': createHmac('sha256', BENCH_SECRET).update(body).digest('base64'),
      },
    };
  });
}

/** Starts Node-RED (settings.js, the package from dist/) with `flow` and the bench storefront secret. */
export async function startBenchNodeRed(
  dir: string,
  flow: unknown[],
  env: Record<string, string> = {},
): Promise<RunningNodeRed> {
  const file = path.join(dir, `flow-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(flow));
  return startNodeRed(file, {
    DROPSHIP_SHOPIFY_SECRET: BENCH_SECRET,
    // settings.js starts the demo's sandbox mailbox and EDI trading partner for `npm start`; no bench flow
    // uses them, and the EDI partner's polling would count in the process measured.
    DROPSHIP_DEMO_SMTP_PORT: 'off',
    DROPSHIP_DEMO_EDI: 'off',
    ...env,
  });
}

export const benchStorefront = {
  id: 'shop',
  type: 'dropship-storefront',
  platform: 'shopify',
  shopDomain: 'bench.myshopify.com',
  secretEnv: 'DROPSHIP_SHOPIFY_SECRET',
};

function intakeFlow(dir: string): unknown[] {
  const store = (id: string, synchronous: 'FULL' | 'NORMAL') => ({
    id,
    type: 'dropship-store',
    engine: 'sqlite',
    filename: path.join(dir, `${id}.sqlite`),
    synchronous,
  });
  const orderIn = (id: string, storeId: string, pathname: string) => ({
    id,
    type: 'dropship-order-in',
    z: 'tab',
    store: storeId,
    platform: 'shopify',
    storefront: 'shop',
    listen: true,
    path: pathname,
    wires: [[], []],
  });
  return [
    { id: 'tab', type: 'tab', label: 'Intake bench' },
    benchStorefront,
    store('full', 'FULL'),
    store('normal', 'NORMAL'),
    orderIn('in-full', 'full', '/bench/durable-full'),
    orderIn('in-normal', 'normal', '/bench/durable-normal'),
    { id: 'plain-in', type: 'http in', z: 'tab', url: '/bench/plain', method: 'post', wires: [['plain-fn']] },
    {
      id: 'plain-fn',
      type: 'function',
      z: 'tab',
      func: 'msg.payload = { received: true };\nreturn msg;',
      outputs: 1,
      wires: [['plain-out']],
    },
    { id: 'plain-out', type: 'http response', z: 'tab', statusCode: '200', headers: {}, wires: [] },
  ];
}

/** How many fsyncs per second this disk completes: what bounds a commit with synchronous=FULL. */
function fsyncRate(dir: string): number {
  const file = path.join(dir, 'fsync.probe');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- fs's synchronous descriptor API
  const fs = require('node:fs') as typeof import('node:fs');
  const fd = fs.openSync(file, 'w');
  const started = process.hrtime.bigint();
  const rounds = 300;
  for (let i = 0; i < rounds; i++) {
    fs.writeSync(fd, 'x');
    fs.fsyncSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.closeSync(fd);
  return rounds / seconds;
}

/** A line on stderr, so a long run shows where it is without mixing into the figures. */
export function progress(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

function check(result: LoadResult, what: string): void {
  if (result.failures > 0)
    throw new Error(`${what}: ${result.failures} of ${result.requests} requests failed`);
}

export async function runIntakeBench(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dropship-bench-intake-'));
  let nodeRed: RunningNodeRed | undefined;
  try {
    nodeRed = await startBenchNodeRed(dir, intakeFlow(dir));
    const port = nodeRed.port;
    progress('intake: Node-RED started, warming up');
    const plain = (count: number): BenchRequest[] =>
      shopifyWebhooks('/bench/plain', 1, count).map((r) => ({
        ...r,
        headers: { 'Content-Type': 'application/json' },
      }));
    // Warm-up: JIT, connection pools, SQLite pages.
    await runLoad(port, plain(WARMUP));
    await runLoad(port, shopifyWebhooks('/bench/durable-full', 1, WARMUP));
    await runLoad(port, shopifyWebhooks('/bench/durable-normal', 1, WARMUP));

    progress('intake: measuring');
    // Each round runs the three variants in a different order, so neither the warmest JIT nor a drift of the
    // machine favours one of them; the median round of each is kept.
    const variants = {
      plain: () => plain(REQUESTS),
      full: (round: number) => shopifyWebhooks('/bench/durable-full', 1_000_000 * (round + 1), REQUESTS),
      normal: (round: number) => shopifyWebhooks('/bench/durable-normal', 1_000_000 * (round + 1), REQUESTS),
    };
    const names = Object.keys(variants) as (keyof typeof variants)[];
    const runs: Record<keyof typeof variants, LoadResult[]> = { plain: [], full: [], normal: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length]!;
        const result = await runLoad(port, variants[name](round));
        check(result, `${name} flow, round ${round + 1}`);
        runs[name].push(result);
      }
    }
    const median = (results: LoadResult[], pick: (r: LoadResult) => number): number =>
      percentile(
        results.map(pick).sort((a, b) => a - b),
        50,
      );
    const baselineRate = median(runs.plain, (r) => r.perSecond);
    const baselineP99 = median(runs.plain, (r) => r.p99Ms);
    const baseline = {
      name: `plain http in -> function -> http response, same process (median of ${ROUNDS} rounds)`,
      value: baselineRate,
    };
    const summary = (results: LoadResult[]) => ({
      perSecond: median(results, (r) => r.perSecond),
      p50Ms: median(results, (r) => r.p50Ms),
      p99Ms: median(results, (r) => r.p99Ms),
    });
    const full = summary(runs.full);
    const normal = summary(runs.normal);
    const disk = fsyncRate(dir);
    const figures: BenchFigure[] = [];
    for (const [result, mode] of [
      [full, 'synchronous=FULL (an fsync per commit group)'],
      [normal, 'synchronous=NORMAL (WAL, fsync at checkpoints)'],
    ] as const) {
      figures.push(
        {
          name: `durable webhook intake, ${mode} (requests/s, ${CONCURRENCY} concurrent, median of ${ROUNDS} rounds)`,
          value: result.perSecond,
          unit: 'req/s',
          baseline,
          ...ratioTarget(result.perSecond, baselineRate, 0.9),
        },
        {
          name: `durable webhook intake, ${mode}: p99 latency (p50 ${result.p50Ms.toFixed(1)} ms)`,
          value: result.p99Ms,
          unit: 'ms',
          baseline: { name: 'plain flow p99', value: baselineP99 },
          ratio: result.p99Ms / baselineP99,
          target: '< 50 ms',
          pass: result.p99Ms < 50,
        },
      );
    }
    figures.push({
      name: 'this disk: fsync calls per second (what bounds FULL commits)',
      value: disk,
      unit: 'fsync/s',
    });
    return figures;
  } finally {
    await nodeRed?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runIntakeBench().then(
    (figures) => console.log(formatBenchFigures(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
