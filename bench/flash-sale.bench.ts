/**
 * A flash sale (issue 21): 20,000 signed Shopify webhooks in one minute, in ten bursts of 2,000 sent at once
 * (one burst every 6 s), against one Node-RED on SQLite (synchronous=FULL) and against two Node-RED instances on
 * one PostgreSQL store (the webhooks alternating between them, as a load balancer would send them). Shopify
 * gives up on a webhook not answered within 5 s; each figure is checked against that, against losing none (every
 * order's PO accepted by the supplier in the end) and the backlog drained, with the p99 order-to-PO-sent time.
 * DROPSHIP_BENCH_FLASH_WEBHOOKS makes a smaller sale (same ten bursts) for a quick run.
 * Run alone with `npx tsx bench/flash-sale.bench.ts` (uses dist/: build first; PostgreSQL on 127.0.0.1:5432).
 */
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_POSTGRES_URL, dropSchemas, ensurePostgres, uniqueSchemaName } from '../test/support/postgres';
import type { RunningNodeRed } from '../test/support/node-red-process';
import { SupplierLedger } from '../test/reliability/support/supplier-ledger';
import { formatBenchFigures, type BenchFigure } from './figures';
import {
  percentile,
  postRequest,
  progress,
  shopifyWebhooks,
  startBenchNodeRed,
  type BenchRequest,
} from './intake.bench';
import {
  inScratchFolder,
  pipelineFlow,
  postgresAcceptedCounter,
  sqliteAcceptedCounter,
  type AcceptedCounter,
} from './pipeline.bench';

const WEBHOOKS = Number(process.env.DROPSHIP_BENCH_FLASH_WEBHOOKS ?? 20_000);
const BURSTS = 10;
const BURST_EVERY_MS = 6_000;
/** Shopify's timeout for a webhook answer. */
const SHOPIFY_TIMEOUT_MS = 5_000;
const SUPPLIER_MS = 5;
/** How long the backlog may take to drain after the last burst before the sale counts as not drained. */
const DRAIN_LIMIT_MS = 600_000;

interface Answer {
  name: string;
  status: number;
  postedAt: number;
  ms: number;
}

/** Sends one webhook (a connection of its own, as Shopify's senders open them) and times the answer. */
async function post(port: number, request: BenchRequest, agent: http.Agent): Promise<Answer> {
  const name = (JSON.parse(request.body) as { name: string }).name;
  const postedAt = Date.now();
  const sent = process.hrtime.bigint();
  const status = await postRequest(port, request, agent);
  return { name, status, postedAt, ms: Number(process.hrtime.bigint() - sent) / 1e6 };
}

interface SaleOutcome {
  answers: Answer[];
  drainedMs: number;
  accepted: number;
  orderToPoSentMs: number[];
}

/** The sale against `instances`: bursts sent open loop (each burst at its time, whatever the answers). */
async function sale(
  instances: RunningNodeRed[],
  supplier: SupplierLedger,
  counter: AcceptedCounter,
): Promise<SaleOutcome> {
  const webhooks = shopifyWebhooks('/bench/orders', 1, WEBHOOKS);
  const perBurst = Math.ceil(WEBHOOKS / BURSTS);
  const agents = instances.map(() => new http.Agent({ keepAlive: false, maxSockets: Infinity }));
  const pending: Promise<Answer>[] = [];
  const start = Date.now();
  for (let burst = 0; burst < BURSTS; burst++) {
    await sleep(Math.max(0, start + burst * BURST_EVERY_MS - Date.now()));
    progress(`flash sale: burst ${burst + 1} of ${BURSTS}`);
    webhooks.slice(burst * perBurst, (burst + 1) * perBurst).forEach((webhook, i) => {
      const k = (burst * perBurst + i) % instances.length;
      pending.push(post(instances[k]!.port, webhook, agents[k]!));
    });
  }
  const answers = await Promise.all(pending);
  const lastPosted = Math.max(...answers.map((a) => a.postedAt));
  let accepted = await counter.count();
  while (accepted < WEBHOOKS && Date.now() - lastPosted < DRAIN_LIMIT_MS) {
    await sleep(100);
    accepted = await counter.count();
  }
  const drainedMs = Date.now() - lastPosted;
  agents.forEach((agent) => agent.destroy());
  const postedAt = new Map(answers.map((a) => [a.name, a.postedAt]));
  const orderToPoSentMs = supplier.calls
    .map((call) => {
      const reference = (JSON.parse(call.body) as { orderReference?: string }).orderReference ?? '';
      const posted = postedAt.get(reference);
      return posted === undefined ? undefined : call.receivedAt - posted;
    })
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => a - b);
  return { answers, drainedMs, accepted, orderToPoSentMs };
}

function saleFigures(label: string, outcome: SaleOutcome): BenchFigure[] {
  const latencies = outcome.answers.map((a) => a.ms).sort((a, b) => a - b);
  const late = outcome.answers.filter((a) => a.status === 200 && a.ms > SHOPIFY_TIMEOUT_MS).length;
  const refused = outcome.answers.filter((a) => a.status !== 200).length;
  const drained = outcome.accepted >= WEBHOOKS;
  const sale = `${WEBHOOKS.toLocaleString('en-US')} webhooks in ${BURSTS} bursts`;
  return [
    {
      name: `flash sale, ${label}: webhook answer p99 (${sale}; worst ${Math.round(latencies.at(-1) ?? 0)} ms)`,
      value: percentile(latencies, 99),
      unit: 'ms',
      target: `< ${SHOPIFY_TIMEOUT_MS} ms (Shopify's timeout)`,
      pass: percentile(latencies, 99) < SHOPIFY_TIMEOUT_MS,
    },
    {
      name: `flash sale, ${label}: webhooks not answered 200 within ${SHOPIFY_TIMEOUT_MS / 1000} s (late ${late}, refused or cut ${refused})`,
      value: late + refused,
      unit: 'webhooks',
      target: '0',
      pass: late + refused === 0,
    },
    {
      name: `flash sale, ${label}: orders whose PO the supplier accepted (${drained ? 'backlog drained' : 'backlog NOT drained'} ${Math.round(outcome.drainedMs / 1000)} s after the last burst)`,
      value: outcome.accepted,
      unit: 'orders',
      target: `${WEBHOOKS} (none lost)`,
      pass: drained,
    },
    {
      name: `flash sale, ${label}: order-to-PO-sent p99 (p50 ${Math.round(percentile(outcome.orderToPoSentMs, 50))} ms)`,
      value: percentile(outcome.orderToPoSentMs, 99),
      unit: 'ms',
    },
  ];
}

async function sqliteSale(dir: string): Promise<BenchFigure[]> {
  const supplier = await new SupplierLedger().start();
  supplier.behaviour = () => ({ kind: 'accept', delayMs: SUPPLIER_MS });
  const filename = path.join(dir, 'flash-sale.sqlite');
  const nodeRed = await startBenchNodeRed(
    dir,
    pipelineFlow({ engine: 'sqlite', filename, synchronous: 'FULL' }, supplier.url),
    { DROPSHIP_INSTANCE: 'sqlite' },
  );
  const counter = sqliteAcceptedCounter(filename);
  try {
    return saleFigures('one instance on SQLite FULL', await sale([nodeRed], supplier, counter));
  } finally {
    await counter.close();
    await nodeRed.stop();
    await supplier.stop();
  }
}

async function postgresSale(dir: string): Promise<BenchFigure[]> {
  await ensurePostgres();
  const supplier = await new SupplierLedger().start();
  supplier.behaviour = () => ({ kind: 'accept', delayMs: SUPPLIER_MS });
  const schema = uniqueSchemaName('dropship_flash');
  const flow = pipelineFlow(
    { engine: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolSize: 8 },
    supplier.url,
  );
  const instances: RunningNodeRed[] = [];
  let counter: AcceptedCounter | undefined;
  try {
    instances.push(
      ...(await Promise.all(
        [1, 2].map((n) => startBenchNodeRed(dir, flow, { DROPSHIP_INSTANCE: `instance-${n}` })),
      )),
    );
    counter = await postgresAcceptedCounter(schema);
    const outcome = await sale(instances, supplier, counter);
    const sentTwice = [...supplier.callsPerKey().values()].filter((calls) => calls.length > 1).length;
    return [
      ...saleFigures('two instances on PostgreSQL', outcome),
      {
        name: 'flash sale, two instances on PostgreSQL: POs sent twice',
        value: sentTwice,
        unit: 'POs',
        target: '0',
        pass: sentTwice === 0,
      },
    ];
  } finally {
    await counter?.close();
    await Promise.all(instances.map((i) => i.stop()));
    await supplier.stop();
    await dropSchemas([schema]);
  }
}

export const runFlashSaleSqliteBench = (): Promise<BenchFigure[]> =>
  inScratchFolder(sqliteSale, 'dropship-bench-flash-');
export const runFlashSalePostgresBench = (): Promise<BenchFigure[]> =>
  inScratchFolder(postgresSale, 'dropship-bench-flash-');

if (require.main === module) {
  (async () => [...(await runFlashSaleSqliteBench()), ...(await runFlashSalePostgresBench())])().then(
    (figures) => console.log(formatBenchFigures(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
