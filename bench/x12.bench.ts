/**
 * X12 throughput (issue 4): parse + validate + map a generated 856 stream (BENCH_X12_MB, default 1024) against
 * x12-parser's bare segment stream over the same bytes in the same run, and against node-x12's parse() on a
 * smaller sample; peak RSS while our reader runs; 850 generation rate beside JSON.stringify of the same PO.
 * The stream is generated in memory (one block of interchanges served repeatedly), never written to disk.
 * Run alone with `npx tsx bench/x12.bench.ts` (BENCH_X12_MB=64 for a quick look).
 */
import { Readable } from 'node:stream';
import { X12Parser as NodeX12Parser } from 'node-x12';
import { X12parser } from 'x12-parser';
import { purchaseOrderNumber, type PurchaseOrder } from '../core/model/purchase-order';
import type { Order } from '../core/model/order';
import type { DispatchRequest } from '../core/ports/supplier-connector';
import { mapX12Transaction } from '../connectors/edi/x12/documents';
import { generatePurchaseOrder850 } from '../connectors/edi/x12/generate-850';
import { readX12Events } from '../connectors/edi/x12/reader';
import type { X12EnvelopeSettings } from '../connectors/edi/x12/writer';
import { formatBenchFigures, type BenchFigure } from './figures';

const MB = 1024 * 1024;
const CHUNK = 64 * 1024;
const NODE_X12_SAMPLE_MB = 4;
const GENERATED_POS = 100_000;

/** One 856 of a realistic drop-ship shape: shipment, order, two packs with tracking, three items. */
function shipNotice856(n: number, control: string): string[] {
  const po = `PO${String(n).padStart(10, '0')}-1`;
  return [
    `ST*856*${control}`,
    `BSN*00*SHP${n}*20261121*1415*0001`,
    'DTM*011*20261121*1400',
    'HL*1**S',
    'TD1*CTN25*2****G*3.5*LB',
    'TD5*B*2*UPSN*M*UPS GROUND',
    `REF*BM*BOL${n}`,
    'HL*2*1*O',
    `PRF*${po}***20261120`,
    'HL*3*2*P',
    `MAN*CP*1Z999AA1${String(n).padStart(10, '0')}`,
    'HL*4*3*I',
    'LIN*1*BP*MUG-01*VP*SUP-MUG',
    'SN1*1*2*EA',
    'HL*5*3*I',
    'LIN*2*BP*TEE-01*VP*SUP-TEE',
    'SN1*2*1*EA',
    'HL*6*2*P',
    `MAN*CP*1Z999AA2${String(n).padStart(10, '0')}`,
    'HL*7*6*I',
    'LIN*3*BP*CAP-01*VP*SUP-CAP',
    'SN1*3*4*EA',
    'CTT*7*7',
  ];
}

/** Interchanges of `perInterchange` 856s each, with correct counts and control numbers, CRLF after each "~". */
function interchanges(count: number, perInterchange: number, first = 1): string {
  const parts: string[] = [];
  let n = first;
  for (let i = 0; i < count; i++) {
    const control = String(first + i).padStart(9, '0');
    const segments = [
      `ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*DROPSHIPCO     *261121*1415*U*00401*${control}*0*P*>`,
      `GS*SH*ACMESUPPLY*DROPSHIPCO*20261121*1415*${first + i}*X*004010`,
    ];
    for (let t = 0; t < perInterchange; t++) {
      const st = String(t + 1).padStart(4, '0');
      const body = shipNotice856(n++, st);
      segments.push(...body, `SE*${body.length + 1}*${st}`);
    }
    segments.push(`GE*${perInterchange}*${first + i}`, `IEA*1*${control}`);
    parts.push(segments.join('~\r\n') + '~\r\n');
  }
  return parts.join('');
}

/** `totalBytes` of X12 as a byte stream in 64 KiB chunks, repeating one generated block. */
function x12Stream(block: Buffer, totalBytes: number): Readable {
  let sent = 0;
  let offset = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (sent >= totalBytes) {
        this.push(null);
        return;
      }
      const end = Math.min(offset + CHUNK, block.length);
      const chunk = block.subarray(offset, end);
      offset = end === block.length ? 0 : end;
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

function mbPerSecond(bytes: number, ms: number): number {
  return bytes / MB / (ms / 1000);
}

/** Our reader: tokenize, validate the envelopes, map every 856 to shipment events. Returns MB/s and peak RSS. */
async function ourThroughput(
  block: Buffer,
  totalBytes: number,
): Promise<{ mbps: number; events: number; peakRss: number; startRss: number }> {
  let events = 0;
  let transactions = 0;
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  const context = { supplierId: 'bench', receivedAt: '2026-11-21T15:00:00.000Z' };
  const started = performance.now();
  for await (const event of readX12Events(x12Stream(block, totalBytes))) {
    if (event.kind === 'problem')
      throw new Error(`bench input invalid: ${event.problem.path} ${event.problem.message}`);
    if (event.kind !== 'transaction') continue;
    const document = mapX12Transaction(event.transaction, context);
    if (document.type === 'shipment') events += document.shipments.length;
    if (++transactions % 2048 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
  return { mbps: mbPerSecond(totalBytes, performance.now() - started), events, peakRss, startRss };
}

/** x12-parser's segment stream over the same bytes, doing nothing with the segments. */
async function x12ParserThroughput(
  block: Buffer,
  totalBytes: number,
): Promise<{ mbps: number; segments: number }> {
  let segments = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const parser = new X12parser();
    parser.on('data', () => {
      segments++;
    });
    parser.on('end', resolve);
    parser.on('error', reject);
    x12Stream(block, totalBytes).pipe(parser);
  });
  return { mbps: mbPerSecond(totalBytes, performance.now() - started), segments };
}

/** Ours reads the in-memory sample as the stream API is meant to be fed: 64 KiB pieces. */
async function mapSample(sample: string): Promise<void> {
  const context = { supplierId: 'bench', receivedAt: '2026-11-21T15:00:00.000Z' };
  const pieces: string[] = [];
  for (let i = 0; i < sample.length; i += CHUNK) pieces.push(sample.slice(i, i + CHUNK));
  for await (const event of readX12Events(pieces)) {
    if (event.kind === 'transaction') mapX12Transaction(event.transaction, context);
  }
}

async function timedMbPerSecond(bytes: number, work: () => Promise<void>): Promise<number> {
  await work();
  const started = performance.now();
  await work();
  return mbPerSecond(bytes, performance.now() - started);
}

async function parseFigures(): Promise<BenchFigure[]> {
  const targetBytes = Number(process.env.BENCH_X12_MB ?? 1024) * MB;
  // A block of 40 interchanges x 25 ship notices (~0.9 MB), served until the target size is reached.
  const block = Buffer.from(interchanges(40, 25), 'latin1');
  const totalBytes = Math.ceil(targetBytes / block.length) * block.length;
  const ours = await ourThroughput(block, totalBytes);
  const baseline = await x12ParserThroughput(block, totalBytes);

  // The in-memory comparison is short: each side runs once to warm up its JIT, then is timed.
  const sample = interchanges(1, Math.ceil((NODE_X12_SAMPLE_MB * MB) / 900));
  const sampleBytes = Buffer.byteLength(sample);
  const oursOnSample = await timedMbPerSecond(sampleBytes, () => mapSample(sample));
  const nodeX12 = await timedMbPerSecond(sampleBytes, async () => {
    new NodeX12Parser(false).parse(sample);
  });

  const ratio = ours.mbps / baseline.mbps;
  const sampleRatio = oursOnSample / nodeX12;
  const peakMb = ours.peakRss / MB;
  // What the reader itself holds: the process also carries Node, the test loader (tsx) and this file's other parts.
  const growthMb = (ours.peakRss - ours.startRss) / MB;
  return [
    {
      name: `X12 856 parse+validate+map (${Math.round(totalBytes / MB)} MB, ${ours.events.toLocaleString('en-US')} shipment events)`,
      value: ours.mbps,
      unit: 'MB/s',
      baseline: {
        name: `x12-parser bare segment stream (${baseline.segments.toLocaleString('en-US')} segments)`,
        value: baseline.mbps,
      },
      ratio,
      target: '>= 0.75x x12-parser',
      pass: ratio >= 0.75,
    },
    {
      name: `X12 856 parse+validate+map (${NODE_X12_SAMPLE_MB} MB sample in memory)`,
      value: oursOnSample,
      unit: 'MB/s',
      baseline: { name: 'node-x12 parse()', value: nodeX12 },
      ratio: sampleRatio,
      target: '>= 2x node-x12',
      pass: sampleRatio >= 2,
    },
    {
      name: `memory growth while reading the ${Math.round(targetBytes / MB)} MB 856 stream (peak RSS minus RSS at its start)`,
      value: growthMb,
      unit: 'MB',
      baseline: { name: 'process RSS at the start of the read', value: ours.startRss / MB },
      target: '< 100 MB (flat)',
      pass: growthMb < 100,
    },
    {
      name: 'peak RSS of the whole bench process while reading (Node, tsx and all loaded code included)',
      value: peakMb,
      unit: 'MB',
    },
  ];
}

function benchRequest(i: number): DispatchRequest {
  const at = '2026-11-20T10:27:00.000Z';
  const order: Order = {
    id: `ord-${i}`,
    channel: 'bench',
    externalId: `ext-${i}`,
    orderNumber: String(100000 + i),
    placedAt: at,
    currency: 'USD',
    customer: { name: 'Ada Lovelace' },
    shipTo: {
      name: 'Ada Lovelace',
      line1: '12 Analytical Way',
      city: 'Portland',
      region: 'OR',
      postalCode: '97201',
      country: 'US',
      phone: '+1 555 0100',
    },
    lines: [],
    shipping: { method: 'UPS GROUND' },
    totals: { subtotal: 0, shipping: 0, tax: 0, discount: 0, total: 0 },
    state: 'routed',
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const purchaseOrder: PurchaseOrder = {
    number: purchaseOrderNumber(order.id, 'acme', 1),
    orderId: order.id,
    supplierId: 'acme',
    attempt: 1,
    state: 'sending',
    currency: 'USD',
    shipTo: order.shipTo,
    shippingMethod: 'UPS GROUND',
    lines: [
      { orderLineId: '1', sku: 'MUG-01', supplierSku: 'SUP-MUG', title: 'Mug', quantity: 2, unitCost: 5 },
      {
        orderLineId: '2',
        sku: 'TEE-01',
        supplierSku: 'SUP-TEE',
        title: 'T-shirt',
        quantity: 1,
        unitCost: 9.5,
      },
      { orderLineId: '3', sku: 'CAP-01', title: 'Cap', quantity: 1, unitCost: 4 },
    ],
    alternatives: [],
    sendAttempts: 0,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  return { purchaseOrder, order };
}

function generationFigures(): BenchFigure[] {
  const envelope: X12EnvelopeSettings = {
    senderQualifier: 'ZZ',
    senderId: 'DROPSHIPCO',
    receiverQualifier: 'ZZ',
    receiverId: 'ACMESUPPLY',
  };
  const requests = Array.from({ length: 1000 }, (_, i) => benchRequest(i));
  const now = new Date('2026-11-21T15:00:00.000Z');
  let bytes = 0;
  let started = performance.now();
  for (let i = 0; i < GENERATED_POS; i++) {
    bytes += generatePurchaseOrder850(
      requests[i % requests.length]!,
      envelope,
      { interchange: i + 1 },
      now,
    ).length;
  }
  const rate = GENERATED_POS / ((performance.now() - started) / 1000);
  started = performance.now();
  for (let i = 0; i < GENERATED_POS; i++) bytes += JSON.stringify(requests[i % requests.length]).length;
  const jsonRate = GENERATED_POS / ((performance.now() - started) / 1000);
  if (bytes === 0) throw new Error('nothing generated');
  return [
    {
      name: `850 generation (${GENERATED_POS.toLocaleString('en-US')} POs of 3 lines)`,
      value: rate,
      unit: 'POs/s',
      baseline: { name: 'JSON.stringify of the same PO', value: jsonRate },
      ratio: rate / jsonRate,
      target: '>= 50,000 POs/s',
      pass: rate >= 50_000,
    },
  ];
}

export async function runX12Bench(): Promise<BenchFigure[]> {
  return [...(await parseFigures()), ...generationFigures()];
}

if (require.main === module) {
  runX12Bench().then(
    (figures) => console.log(formatBenchFigures(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
