/**
 * Tracking (issue 5): how fast a supplier e-mail becomes a shipment event under IMAP IDLE against a real Dovecot
 * (target: within 2 s), and the throughput of the pure parts on the hot path (mail reading, carrier detection,
 * tracking page). Each figure is printed beside a baseline measured in the same run. Dovecot must be installed
 * (apt-get install -y --no-install-recommends dovecot-imapd) and the bench run as root, as for the tests.
 * Run alone with `npx tsx bench/tracking.bench.ts`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { getTracking } from 'ts-tracking-number';
import {
  compileMailMatching,
  readSupplierMail,
  shipmentEventsFromMail,
} from '../connectors/mail/supplier-mail';
import { SupplierMailbox } from '../connectors/mail/supplier-mailbox';
import type { ShipmentEvent } from '../core/model/shipment';
import { detectCarrier } from '../core/tracking/carrier-detection';
import { renderTrackingPage } from '../core/tracking-page/tracking-page';
import { splitOrderView } from '../test/tracking/tracking-page-views';
import { startImapServer, type ImapTestServer } from '../test/servers/imap-server';
import { formatBenchFigures, type BenchFigure } from './figures';

const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures', 'mail');
const MAILS_FOR_LATENCY = 20;
/** Pause between two mails: longer than the reader's IDLE delay, so each mail meets an idling connection. */
const GAP_MS = 800;
const quietLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** A supplier mail with a fresh Message-ID and its own PO number, so every delivery is a new mail. */
function supplierMail(i: number): string {
  return readFileSync(path.join(FIXTURES, 'plain-ups.eml'), 'utf8').replace(
    'Message-ID: <20261124141358.4411@acme-supply.example>',
    `Message-ID: <bench-${i}-${Date.now()}@acme-supply.example>`,
  );
}

/**
 * Milliseconds from the APPEND of a mail by a connected sender until `onArrival` fires, for MAILS_FOR_LATENCY mails
 * delivered one at a time. The sender logs in once, so its own connection set-up is not counted.
 */
async function arrivalLatencies(
  server: ImapTestServer,
  follow: (onArrival: () => void) => Promise<() => Promise<void>>,
): Promise<number[]> {
  const sender = await imapClient(server);
  let arrived: ((at: number) => void) | undefined;
  const stop = await follow(() => arrived?.(performance.now()));
  const latencies: number[] = [];
  try {
    for (let i = 0; i < MAILS_FOR_LATENCY; i++) {
      await new Promise((r) => setTimeout(r, GAP_MS));
      const arrival = new Promise<number>((resolve) => (arrived = resolve));
      const start = performance.now();
      await sender.append('INBOX', supplierMail(i));
      latencies.push((await arrival) - start);
    }
  } finally {
    await stop();
    await sender.logout();
  }
  return latencies;
}

async function imapClient(server: ImapTestServer, autoIdleDelay?: number): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    auth: { user: server.user, pass: server.password },
    logger: false,
    autoIdleDelay,
  });
  await client.connect();
  return client;
}

async function imapFigures(): Promise<BenchFigure[]> {
  const server = await startImapServer();
  try {
    // Baseline: a bare imapflow client in IDLE hearing of the new message (EXISTS), nothing read or parsed.
    const bare = await arrivalLatencies(server, async (onArrival) => {
      const client = await imapClient(server, 100);
      await client.mailboxOpen('INBOX');
      client.on('exists', onArrival);
      return () => client.logout();
    });

    // The package: IDLE, search, fetch, MIME parse, extraction, shipment events built, mail marked read.
    const events: ShipmentEvent[] = [];
    const full = await arrivalLatencies(server, async (onArrival) => {
      const mailbox = new SupplierMailbox({
        settings: { host: server.host, port: server.port, secure: false },
        credentials: { user: server.user, password: server.password },
        log: quietLog,
        onMail: async (reading) => {
          events.push(...shipmentEventsFromMail(reading, { poNumber: reading.poNumbers[0] }, new Date()));
          if (reading.parcels.length > 0) onArrival();
          return { outcome: 'processed' };
        },
      });
      await mailbox.start();
      return () => mailbox.stop();
    });
    if (events.length < MAILS_FOR_LATENCY)
      throw new Error(`only ${events.length} shipment events from ${MAILS_FOR_LATENCY} mails`);

    const p50 = percentile(full, 50);
    const p99 = percentile(full, 99);
    const bareP50 = percentile(bare, 50);
    return [
      {
        name: `IMAP IDLE: new supplier e-mail -> shipment event, p50 of ${MAILS_FOR_LATENCY} (ms)`,
        value: p50,
        unit: 'ms',
        baseline: { name: 'bare imapflow IDLE notification (EXISTS), p50', value: bareP50 },
        ratio: p50 / bareP50,
        target: '< 2,000 ms',
        pass: p50 < 2000,
      },
      {
        name: `IMAP IDLE: new supplier e-mail -> shipment event, worst of ${MAILS_FOR_LATENCY} (ms)`,
        value: p99,
        unit: 'ms',
        baseline: { name: 'bare imapflow IDLE notification (EXISTS), worst', value: percentile(bare, 99) },
        ratio: p99 / percentile(bare, 99),
        target: '< 2,000 ms',
        pass: p99 < 2000,
      },
    ];
  } finally {
    await server.stop();
  }
}

/** Operations per second of `work` over about `ms` milliseconds. */
function rate(work: (i: number) => unknown, ms = 1000): number {
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) work(count + i);
    count += 100;
  }
  return count / ((performance.now() - start) / 1000);
}

async function asyncRate(work: (i: number) => Promise<unknown>, ms = 1000): Promise<number> {
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ms) await work(count++);
  return count / ((performance.now() - start) / 1000);
}

async function throughputFigures(): Promise<BenchFigure[]> {
  const mails = [
    'plain-ups.eml',
    'html-only-fedex.eml',
    'multipart-usps.eml',
    'forwarded-inline-dhl.eml',
    'forwarded-attachment-ups.eml',
  ].map((f) => readFileSync(path.join(FIXTURES, f)));
  const matching = compileMailMatching();
  const parsedOnly = await asyncRate((i) => simpleParser(mails[i % mails.length]!));
  const reading = await asyncRate((i) => readSupplierMail(mails[i % mails.length]!, matching));

  const numbers = [
    '1Z5R89390357567127',
    '041441760228964',
    '9400111202555842332669',
    '3318810025',
    'RB123456785US',
    '9261292700768711948021',
  ];
  const libraryOnly = rate((i) => getTracking(numbers[i % numbers.length]!));
  const detection = rate((i) =>
    detectCarrier(numbers[i % numbers.length]!, i % 2 === 0 ? 'UPSN' : undefined),
  );

  const view = splitOrderView();
  const branding = { storeName: 'Acme Goods', primaryColour: '#0a7d52', timeZone: 'America/Los_Angeles' };
  const json = rate(() => JSON.stringify(view));
  const pages = rate(() => renderTrackingPage(view, branding));

  return [
    {
      name: 'supplier e-mail read (MIME parse + references + tracking numbers) (mails/s)',
      value: reading,
      unit: 'mails/s',
      baseline: { name: 'mailparser simpleParser alone', value: parsedOnly },
      ratio: reading / parsedOnly,
    },
    {
      name: 'carrier detection with check digits, all four carriers tried (numbers/s)',
      value: detection,
      unit: 'numbers/s',
      baseline: { name: 'ts-tracking-number getTracking, first match only', value: libraryOnly },
      ratio: detection / libraryOnly,
    },
    {
      name: 'tracking page render, split order (pages/s)',
      value: pages,
      unit: 'pages/s',
      baseline: { name: 'JSON.stringify of the same view', value: json },
      ratio: pages / json,
    },
  ];
}

export async function runTrackingBench(): Promise<BenchFigure[]> {
  return [...(await imapFigures()), ...(await throughputFigures())];
}

if (require.main === module) {
  runTrackingBench().then(
    (figures) => console.log(formatBenchFigures(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
