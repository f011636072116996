import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../../core/store/open-store';
import type { OrderStore } from '../../core/store/order-store';
import { acceptedOrder } from '../nodes/tracking-in-setup';
import { startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { dropSchemas, ensurePostgres, TEST_POSTGRES_URL, uniqueSchemaName } from '../support/postgres';
import { signedShopifyOrdersPaid } from '../support/shopify-delivery';
import { signedJson } from '../support/signed-request';

/**
 * The package's inbound routes (supplier tracking, generic orders, returns) attacked the way issue 14 found them
 * open, against a real Node-RED started as `npm start` starts it (settings.js, the editor's body parser in front),
 * on each store engine.
 */

const SHOPIFY_SECRET = 'inbound-shopify-secret';
const GENERIC_SECRET = 'inbound-generic-secret';
const TRACKING_SECRET = 'inbound-tracking-secret';
const RETURNS_TOKEN = 'inbound-returns-token';
const BODY_TIMEOUT_MS = 10_000;

const SECRETS = {
  DROPSHIP_SHOPIFY_SECRET: SHOPIFY_SECRET,
  DROPSHIP_TEST_GENERIC_SECRET: GENERIC_SECRET,
  DROPSHIP_TEST_TRACKING_SECRET: TRACKING_SECRET,
  DROPSHIP_TEST_RETURNS_TOKEN: RETURNS_TOKEN,
};

type Engine = 'sqlite' | 'postgres';

function storeNode(engine: Engine, schema: string): Record<string, unknown> {
  return engine === 'sqlite'
    ? { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: 'orders.sqlite' }
    : {
        id: 'store',
        type: 'dropship-store',
        engine: 'postgres',
        connectionString: TEST_POSTGRES_URL,
        schema,
      };
}

/** Every inbound route, each with its sender credential from an environment variable (set above). */
function inboundFlow(engine: Engine, schema: string, tracking: Record<string, unknown> = {}): unknown[] {
  return [
    { id: 'tab', type: 'tab', label: 'Inbound' },
    storeNode(engine, schema),
    {
      id: 'shop',
      type: 'dropship-storefront',
      platform: 'shopify',
      shopDomain: 'inbound.myshopify.com',
      secretEnv: 'DROPSHIP_SHOPIFY_SECRET',
    },
    {
      id: 'erp',
      type: 'dropship-storefront',
      platform: 'generic',
      secretEnv: 'DROPSHIP_TEST_GENERIC_SECRET',
    },
    ...(['acme', 'other'] as const).map((supplierId) => ({
      id: `supplier-${supplierId}`,
      type: 'dropship-supplier',
      supplierId,
      connector: 'rest-json',
      settings: { url: 'http://127.0.0.1:9/po' },
    })),
    {
      id: 'shopify-in',
      type: 'dropship-order-in',
      z: 'tab',
      store: 'store',
      platform: 'shopify',
      storefront: 'shop',
      listen: true,
      path: '/dropship/shopify/orders',
      wires: [[], []],
    },
    {
      id: 'generic-in',
      type: 'dropship-order-in',
      z: 'tab',
      store: 'store',
      platform: 'generic',
      storefront: 'erp',
      listen: true,
      path: '/dropship/orders',
      wires: [[], []],
    },
    {
      id: 'tracking',
      type: 'dropship-tracking-in',
      z: 'tab',
      store: 'store',
      supplier: 'supplier-acme',
      listen: true,
      senderAuth: 'signature',
      senderSecretEnv: 'DROPSHIP_TEST_TRACKING_SECRET',
      path: '/dropship/tracking',
      wires: [[], [], []],
      ...tracking,
    },
    {
      id: 'returns',
      type: 'dropship-returns',
      z: 'tab',
      store: 'store',
      listen: true,
      senderAuth: 'token',
      senderSecretEnv: 'DROPSHIP_TEST_RETURNS_TOKEN',
      path: '/dropship/returns',
      wires: [[], []],
    },
  ];
}

async function startWith(flow: unknown[], env: Record<string, string> = {}): Promise<RunningNodeRed> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dropship-inbound-flow-'));
  const file = path.join(dir, 'flows.json');
  writeFileSync(file, JSON.stringify(flow));
  try {
    return await startNodeRed(file, { DROPSHIP_DEMO_SMTP_PORT: 'off', DROPSHIP_DEMO_EDI: 'off', ...env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Answer {
  status: number;
  text: string;
  body: {
    error?: { code: string; message: string; details: { path: string; message: string }[] };
    errors?: { code: string; message: string }[];
  };
  ms: number;
}

async function send(
  nodeRed: RunningNodeRed,
  pathname: string,
  body: string,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
  method = 'POST',
): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(nodeRed.url(pathname), {
    method,
    headers,
    body: method === 'GET' ? undefined : body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let parsed: Answer['body'] = {};
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    // Not JSON: the assertions on the body say so.
  }
  return { status: res.status, text, body: parsed, ms };
}

function trackingReport(
  report: unknown,
  secret = TRACKING_SECRET,
): { body: string; headers: Record<string, string> } {
  return signedJson(report, secret);
}

/** A quick request (an order lookup that finds nothing), to time how long others wait. */
async function probe(nodeRed: RunningNodeRed): Promise<number> {
  const answer = await send(nodeRed, '/dropship/api/orders/generic:none', '', {}, 'GET');
  assert.equal(answer.status, 404, answer.text);
  return answer.ms;
}

/** The slowest of five probes before any attack: what "not delayed" is measured against. */
async function baseline(nodeRed: RunningNodeRed): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < 5; i++) slowest = Math.max(slowest, await probe(nodeRed));
  return slowest;
}

function warnLines(nodeRed: RunningNodeRed, since: number): string[] {
  return nodeRed
    .output()
    .slice(since)
    .split('\n')
    .filter((line) => line.includes('[warn]'));
}

/** A generic order as an ERP would send it. */
function genericOrder(externalId: string, customerName = 'Grace Hopper'): Record<string, unknown> {
  return {
    externalId,
    currency: 'USD',
    customer: { name: customerName, email: 'grace@example.test' },
    shipTo: { name: 'Grace Hopper', line1: '1 Navy Yard', city: 'Arlington', country: 'US' },
    lines: [{ sku: 'MUG-01', quantity: 1, unitPrice: 10 }],
  };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`security: inbound routes authenticate their senders (${engine})`, function () {
    this.timeout(120_000);
    const schema = uniqueSchemaName('dropship_inbound');
    let nodeRed: RunningNodeRed;
    let store: OrderStore;

    before(async () => {
      if (engine === 'postgres') await ensurePostgres();
      nodeRed = await startWith(inboundFlow(engine, schema), SECRETS);
      store = await openStore(
        engine === 'sqlite'
          ? { engine: 'sqlite', filename: path.join(nodeRed.userDir, 'orders.sqlite'), synchronous: 'NORMAL' }
          : { engine: 'postgres', connectionString: TEST_POSTGRES_URL, schema },
      );
    });
    after(async () => {
      await store?.close();
      await nodeRed?.stop();
      if (engine === 'postgres') await dropSchemas([schema]);
    });

    it('refuses a forged tracking report with 401 and changes nothing; the signed one is recorded', async () => {
      const { order, pos } = await acceptedOrder(store, {}, { acme: ['MUG-01', 'TEE-01'] });
      const report = { poNumber: pos[0]!.number, trackingNumber: '1Z999AA10123456784', status: 'delivered' };
      const before = await store.listEvents(order.id);

      const forged = await send(nodeRed, '/dropship/tracking', JSON.stringify(report));
      assert.equal(forged.status, 401, forged.text);
      assert.equal(forged.body.error?.code, 'bad_signature');
      const guessed = trackingReport(report, 'guessed-secret');
      assert.equal((await send(nodeRed, '/dropship/tracking', guessed.body, guessed.headers)).status, 401);
      assert.equal((await store.getOrder(order.id))!.state, 'acknowledged');
      assert.deepEqual(await store.listShipments(order.id), []);
      assert.equal((await store.listEvents(order.id)).length, before.length);

      const signed = trackingReport(report);
      const answer = await send(nodeRed, '/dropship/tracking', signed.body, signed.headers);
      assert.equal(answer.status, 200, answer.text);
      assert.equal((await store.getOrder(order.id))!.state, 'delivered');
    });

    it('answers a PO of another supplier exactly as a PO that does not exist', async () => {
      const { pos } = await acceptedOrder(store, {}, { other: ['MUG-01', 'TEE-01'] });
      const answers = [];
      for (const poNumber of [pos[0]!.number, 'PO0000000000-1']) {
        const signed = trackingReport({
          poNumber,
          trackingNumber: '1Z999AA10123456784',
          status: 'in transit',
        });
        const answer = await send(nodeRed, '/dropship/tracking', signed.body, signed.headers);
        answers.push({ status: answer.status, text: answer.text.replaceAll(poNumber, '<po>') });
      }
      assert.deepEqual(answers[0], answers[1]);
      assert.equal(answers[0]!.status, 404);
      assert.equal((await store.listShipments(pos[0]!.orderId)).length, 0);
    });

    it('takes a generic order only with its signature', async () => {
      const order = JSON.stringify(genericOrder(`auth-${engine}`));
      const unsigned = await send(nodeRed, '/dropship/orders', order);
      assert.equal(unsigned.status, 401, unsigned.text);
      assert.equal(await store.findOrder(`generic:auth-${engine}`), undefined);
      const signed = signedJson(order, GENERIC_SECRET);
      const answer = await send(nodeRed, '/dropship/orders', signed.body, signed.headers);
      assert.equal(answer.status, 200, answer.text);
      assert.ok(await store.findOrder(`generic:auth-${engine}`));
    });

    it('takes a return request only with its bearer token', async () => {
      const request = JSON.stringify({ order: 'no-such-order', email: 'x@example.test', lines: [] });
      const anonymous = await send(nodeRed, '/dropship/returns', request);
      assert.equal(anonymous.status, 401, anonymous.text);
      const wrong = await send(nodeRed, '/dropship/returns', request, {
        'Content-Type': 'application/json',
        Authorization: 'Bearer not-the-token',
      });
      assert.equal(wrong.status, 401);
      const authorised = await send(nodeRed, '/dropship/returns', request, {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${RETURNS_TOKEN}`,
      });
      assert.equal(authorised.status, 404, authorised.text);
    });

    it('refuses a lone surrogate in a customer name at validation, naming the field (422 invalid_input)', async () => {
      // JSON.stringify writes the lone surrogate as the escape \ud800, as a storefront's JSON encoder does.
      const generic = signedJson(genericOrder(`surrogate-${engine}`, 'B\ud800ob'), GENERIC_SECRET);
      assert.ok(generic.body.includes('\\ud800'));
      const answer = await send(nodeRed, '/dropship/orders', generic.body, generic.headers);
      assert.equal(answer.status, 422, answer.text);
      assert.equal(answer.body.error?.code, 'invalid_input');
      assert.ok(
        answer.body.error.details.some((d) => d.path === '/customer/name' && /surrogate/.test(d.message)),
        answer.text,
      );
      assert.equal(await store.findOrder(`generic:surrogate-${engine}`), undefined);

      // What PostgreSQL cannot store in text either: a NUL, in a value or in a key of the order.
      for (const [name, order] of [
        ['a NUL in the customer name', genericOrder(`nul-${engine}`, 'Bob\u0000')],
        [
          'a NUL in a key',
          { ...genericOrder(`nul-key-${engine}`), customer: { 'na\u0000me': 'x', email: 'a@b.test' } },
        ],
      ] as const) {
        const signed = signedJson(order, GENERIC_SECRET);
        const refused = await send(nodeRed, '/dropship/orders', signed.body, signed.headers);
        assert.equal(refused.status, 422, `${name}: ${refused.text}`);
        assert.equal(refused.body.error?.code, 'invalid_input', name);
        assert.ok(
          refused.body.error.details.some((d) => d.path.startsWith('/customer/')),
          `${name}: ${refused.text}`,
        );
      }

      const shopify = signedShopifyOrdersPaid(7001, SHOPIFY_SECRET, (order) => {
        (order.customer as Record<string, unknown>).first_name = 'B\udc00ob';
        (order.shipping_address as Record<string, unknown>).first_name = 'B\udc00ob';
        (order.billing_address as Record<string, unknown>).first_name = 'B\udc00ob';
      });
      const fromShopify = await send(nodeRed, '/dropship/shopify/orders', shopify.body, shopify.headers);
      assert.equal(fromShopify.status, 422, fromShopify.text);
      assert.equal(fromShopify.body.error?.code, 'invalid_input');
      assert.equal(await store.findOrder('shopify:7001'), undefined);
    });
  });
}

describe('security: inbound routes bounded before parsing, on every path Express serves', function () {
  this.timeout(120_000);
  let nodeRed: RunningNodeRed;

  before(async () => {
    nodeRed = await startWith(inboundFlow('sqlite', ''), SECRETS);
  });
  after(async () => {
    await nodeRed?.stop();
  });

  it('refuses 330,000 items at once without delaying a concurrent request, one short answer, no warn flood', async () => {
    const slowest = await baseline(nodeRed);
    const since = nodeRed.output().length;
    const hostile = trackingReport(`[${Array(330_000).fill('1').join(',')}]`);
    assert.ok(hostile.body.length > 650_000);
    const attack = send(nodeRed, '/dropship/tracking', hostile.body, hostile.headers);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push(await probe(nodeRed));
    const answer = await attack;
    assert.equal(answer.status, 413, answer.text);
    assert.match(answer.text, /more than 500 items/);
    assert.ok(answer.text.length < 4096, `an answer of ${answer.text.length} bytes`);
    assert.ok(
      Math.max(...waits) < slowest + 50,
      `probes took ${waits.join(', ')} ms (before: ${slowest} ms)`,
    );
    assert.ok(warnLines(nodeRed, since).length <= 1, warnLines(nodeRed, since).join('\n'));
  });

  it('answers 500 bad reports with one bounded error and at most one warning', async () => {
    const since = nodeRed.output().length;
    const reports = Array.from({ length: 500 }, (_, i) => ({
      poNumber: `PO${String(i).padStart(10, '0')}-1`,
      trackingNumber: '1Z999AA10123456784',
    }));
    const signed = trackingReport(reports);
    const answer = await send(nodeRed, '/dropship/tracking', signed.body, signed.headers);
    assert.equal(answer.status, 404, answer.text.slice(0, 300));
    assert.equal(answer.body.errors?.length, 1);
    assert.match(answer.body.errors[0]!.message, /500 of 500 shipment reports refused/);
    assert.ok(answer.text.length < 4096, `an answer of ${answer.text.length} bytes`);
    assert.ok(warnLines(nodeRed, since).length <= 1, warnLines(nodeRed, since).join('\n'));
    const tooMany = trackingReport([...reports, reports[0]]);
    const refused = await send(nodeRed, '/dropship/tracking', tooMany.body, tooMany.headers);
    assert.equal(refused.status, 413, refused.text.slice(0, 300));
  });

  it('logs at most one warning for a flood of forged orders', async () => {
    const since = nodeRed.output().length;
    for (let i = 0; i < 30; i++) {
      const answer = await send(nodeRed, '/dropship/orders', JSON.stringify(genericOrder(`flood-${i}`)));
      assert.equal(answer.status, 401);
    }
    assert.ok(warnLines(nodeRed, since).length <= 1, warnLines(nodeRed, since).join('\n'));
  });

  it('answers an order with a problem on each of 450 lines in a few KB, naming the first ones', async () => {
    const order = genericOrder('many-problems');
    order.lines = Array.from({ length: 450 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 0, unitPrice: 1 }));
    const signed = signedJson(order, GENERIC_SECRET);
    const answer = await send(nodeRed, '/dropship/orders', signed.body, signed.headers);
    assert.equal(answer.status, 422, answer.text.slice(0, 300));
    assert.ok(answer.text.length < 4096, `an answer of ${answer.text.length} bytes`);
    assert.ok((answer.body.error?.details.length ?? 0) > 0);
  });

  for (const variant of [
    '/dropship/SHOPIFY/orders',
    '/dropship/shopify/orders/',
    '/Dropship/Shopify/Orders/',
  ]) {
    it(`takes a signed order at ${variant} as at the exact path`, async () => {
      const delivery = signedShopifyOrdersPaid(
        8000 + variant.length + variant.charCodeAt(10),
        SHOPIFY_SECRET,
      );
      const answer = await send(nodeRed, variant, delivery.body, delivery.headers);
      assert.equal(answer.status, 200, answer.text);
      assert.ok(answer.ms < 5_000, `answered after ${answer.ms} ms`);
    });
  }

  // Express routes by url.parse's pathname: a fragment is dropped and an absolute-form target (a proxy's) reduced to
  // its path; fetch sends neither, so these are written on the socket.
  for (const target of ['/dropship/shopify/orders#x', 'http://127.0.0.1/dropship/shopify/orders']) {
    it(`takes a signed order at ${target} as at the exact path`, async () => {
      const delivery = signedShopifyOrdersPaid(8100 + target.length, SHOPIFY_SECRET);
      const started = performance.now();
      const statusLine = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(nodeRed.port, '127.0.0.1', () => {
          const headers = { ...delivery.headers, 'Content-Length': String(Buffer.byteLength(delivery.body)) };
          socket.write(
            [
              `POST ${target} HTTP/1.1`,
              `Host: 127.0.0.1:${nodeRed.port}`,
              'Connection: close',
              ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
              '',
              delivery.body,
            ].join('\r\n'),
          );
        });
        let reply = '';
        socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
        socket.on('close', () => resolve(reply.split('\r\n')[0] ?? ''));
        socket.on('error', reject);
      });
      assert.match(statusLine, / 200 /);
      assert.ok(performance.now() - started < 5_000, `answered after ${performance.now() - started} ms`);
    });
  }

  it('refuses a 3 MB chunked body at a path variant before reading it all', async () => {
    const chunk = Buffer.alloc(256 * 1024, ' ');
    const answer = await new Promise<string>((resolve) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: nodeRed.port,
          method: 'POST',
          path: '/dropship/Tracking/',
          headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        },
      );
      req.on('error', (err) => resolve(`error ${err.message}`));
      req.write('[');
      for (let i = 0; i < 12; i++) req.write(chunk);
      req.end(']');
    });
    assert.match(answer, /^413 .*exceeds the limit/);
  });

  it('cuts off a body trickled to a path variant, and serves others meanwhile', async () => {
    const slowest = await baseline(nodeRed);
    const started = Date.now();
    const trickled = new Promise<string>((resolve) => {
      const socket = net.connect(nodeRed.port, '127.0.0.1', () => {
        socket.write(
          `POST /DROPSHIP/shopify/orders/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
        );
        const drip = setInterval(() => socket.write('a'), 200);
        socket.on('close', () => clearInterval(drip));
      });
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => undefined);
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push(await probe(nodeRed));
    const reply = await trickled;
    assert.match(reply, /^HTTP\/1\.1 408/);
    assert.ok(Date.now() - started < BODY_TIMEOUT_MS + 3_000, `cut off after ${Date.now() - started} ms`);
    assert.ok(
      Math.max(...waits) < slowest + 50,
      `probes took ${waits.join(', ')} ms (before: ${slowest} ms)`,
    );
  });
});

describe('security: an inbound route never opens silently', function () {
  this.timeout(120_000);

  it('on loopback, with authentication explicitly off, takes requests from this computer only', async () => {
    const nodeRed = await startWith(
      inboundFlow('sqlite', '', { senderAuth: 'none', senderSecretEnv: '' }),
      SECRETS,
    );
    try {
      const report = JSON.stringify({ poNumber: 'PO0000000000-1', trackingNumber: '1Z999AA10123456784' });
      const local = await send(nodeRed, '/dropship/tracking', report);
      assert.equal(local.status, 404, local.text);
      const proxied = await send(nodeRed, '/dropship/tracking', report, {
        'Content-Type': 'application/json',
        'X-Forwarded-For': '203.0.113.5',
      });
      assert.equal(proxied.status, 401, proxied.text);
    } finally {
      await nodeRed.stop();
    }
  });

  for (const [name, tracking, env, says] of [
    [
      'with authentication off while Node-RED listens beyond loopback',
      { senderAuth: 'none', senderSecretEnv: '' },
      {
        HOST: '0.0.0.0',
        DROPSHIP_ADMIN_USER: 'admin',
        DROPSHIP_ADMIN_PASSWORD_HASH: '$2b$08$wuAqPiKJlVN27eF5qJp.RuQYuy6ZYONW7a/UWYxDTtwKFCdB8F19y',
      },
      /authentication is off, but Node-RED listens beyond loopback/,
    ],
    ['without a secret', { senderSecretEnv: 'DROPSHIP_TEST_UNSET_SECRET' }, {}, /no sender secret is set/],
  ] as const) {
    it(`refuses every request ${name}: one log line naming why, 503`, async () => {
      const nodeRed = await startWith(inboundFlow('sqlite', '', tracking), { ...SECRETS, ...env });
      try {
        const logged = nodeRed
          .output()
          .split('\n')
          .filter((line) => says.test(line));
        assert.equal(logged.length, 1, nodeRed.output());
        assert.match(logged[0]!, /\[error\]/);
        const report = trackingReport({ poNumber: 'PO0000000000-1', trackingNumber: '1Z999AA10123456784' });
        for (const headers of [{ 'Content-Type': 'application/json' }, report.headers]) {
          const answer = await send(nodeRed, '/dropship/tracking', report.body, headers);
          assert.equal(answer.status, 503, answer.text);
          assert.doesNotMatch(answer.text, /PO0000000000/);
        }
      } finally {
        await nodeRed.stop();
      }
    });
  }
});
