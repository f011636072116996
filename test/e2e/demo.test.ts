import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { signedShopifyOrdersPaid } from '../support/shopify-delivery';
import { storefrontCatalogue } from '../../connectors/registry';
import { systemClock } from '../../core/clock';

const SECRET = 'e2e-shopify-secret';
const SHOP_APP_SECRET = 'e2e-sandbox-shop-app-secret';
const WOO_SECRET = 'e2e-woocommerce-secret';
const DEMO = path.join(REPO, 'flows', 'demo.json');

interface OrderDetail {
  id: string;
  state: string;
  purchaseOrders: { number: string; state: string; supplierId: string; supplierReference?: string }[];
  shipments: { trackingNumber: string; carrier: string; status: string }[];
  notifications: { milestone: string; state: string }[];
  events: { type: string }[];
}

/** The package's own Shopify catalogue on the demo's sandbox shop, with the app credentials settings.js gives it. */
function sandboxCatalogue(nodeRed: RunningNodeRed, clientSecret = SHOP_APP_SECRET) {
  return storefrontCatalogue(
    { platform: 'shopify', shopDomain: 'demo-shop.myshopify.com', baseUrl: nodeRed.url('/sandbox/shopify') },
    { clientId: 'sandbox-shopify-app', clientSecret },
    { clock: systemClock },
  );
}

/** Each row of the sandbox shop's inventory page: SKU, available quantity. */
async function sandboxInventory(nodeRed: RunningNodeRed): Promise<Record<string, number>> {
  const res = await fetch(nodeRed.url('/sandbox/shopify/inventory'));
  assert.equal(res.status, 200);
  const html = await res.text();
  return Object.fromEntries(
    [...html.matchAll(/<small>([^<]+)<\/small><\/td><td class="n">(-?\d+)<\/td>/g)].map((m) => [
      m[1]!,
      Number(m[2]),
    ]),
  );
}

/** A sample order from the demo flow's inject nodes, so the test posts what an operator would inject. */
function sampleFromDemo(externalId: string): Record<string, unknown> {
  const flow = JSON.parse(readFileSync(path.join(REPO, 'flows', 'demo.json'), 'utf8')) as {
    type: string;
    payload?: string;
  }[];
  const inject = flow.find((n) => n.type === 'inject' && n.payload?.includes(`"${externalId}"`));
  assert.ok(inject?.payload, `the demo has no sample order ${externalId}`);
  return JSON.parse(inject.payload) as Record<string, unknown>;
}

/** Runs demo/post-sample-order.js as the README says, against this Node-RED. */
function postSample(
  nodeRed: RunningNodeRed,
  ...args: string[]
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, 'demo', 'post-sample-order.js'), ...args], {
      env: {
        ...process.env,
        PORT: String(nodeRed.port),
        DROPSHIP_SHOPIFY_SECRET: SECRET,
        DROPSHIP_WOOCOMMERCE_SECRET: WOO_SECRET,
      },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

interface MailboxEntry {
  id: string;
  to: string;
  subject: string;
}

function mailbox(nodeRed: RunningNodeRed): MailboxEntry[] {
  return JSON.parse(
    readFileSync(path.join(nodeRed.userDir, 'sandbox-mail', 'messages.json'), 'utf8'),
  ) as MailboxEntry[];
}

/** The text of an e-mail the sandbox mailbox caught. */
async function mailText(nodeRed: RunningNodeRed, entry: MailboxEntry): Promise<string> {
  const parsed = await simpleParser(
    readFileSync(path.join(nodeRed.userDir, 'sandbox-mail', `${entry.id}.eml`)),
  );
  return parsed.text ?? '';
}

/** "METHOD /path" of each row of the README's endpoint tables. */
function readmeEndpoints(): string[] {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  return [...readme.matchAll(/^\| `((?:GET|POST|PATCH) \/[^`]*)`/gm)].map((m) => m[1]!);
}

async function orderDetail(nodeRed: RunningNodeRed, ref: string): Promise<OrderDetail> {
  const res = await fetch(nodeRed.url(`/dropship/api/orders/${ref}`));
  assert.equal(res.status, 200, `GET /dropship/api/orders/${ref}`);
  return (await res.json()) as OrderDetail;
}

describe('npm start: the demo pipeline in a real Node-RED process', function () {
  this.timeout(120_000);
  let nodeRed: RunningNodeRed;

  before(async function () {
    assert.ok(
      existsSync(path.join(REPO, 'dist', 'nodes', 'order-in', 'order-in.js')),
      'dist/ is missing: run `npm run build` (npm test does)',
    );
    nodeRed = await startNodeRed(DEMO, {
      DROPSHIP_SHOPIFY_SECRET: SECRET,
      DROPSHIP_WOOCOMMERCE_SECRET: WOO_SECRET,
      DROPSHIP_SANDBOX_SHOPIFY_SECRET: SHOP_APP_SECRET,
    });
  });
  after(async () => {
    await nodeRed?.stop();
  });

  const post = (pathname: string, delivery: { body: string; headers: Record<string, string> }) =>
    fetch(nodeRed.url(pathname), { method: 'POST', headers: delivery.headers, body: delivery.body });

  it('serves the editor with every dropship node type registered', async () => {
    const editor = await fetch(nodeRed.url('/'));
    assert.equal(editor.status, 200);
    const nodes = (await (
      await fetch(nodeRed.url('/nodes'), { headers: { Accept: 'application/json' } })
    ).json()) as { types: string[] }[];
    const types = nodes.flatMap((set) => set.types);
    const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      'node-red': { nodes: Record<string, string> };
    };
    for (const type of Object.keys(manifest['node-red'].nodes))
      assert.ok(types.includes(type), `${type} is not registered`);
  });

  it('shows every node type of the package in the demo flow', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      'node-red': { nodes: Record<string, string> };
    };
    const used = new Set((JSON.parse(readFileSync(DEMO, 'utf8')) as { type: string }[]).map((n) => n.type));
    assert.deepEqual(
      Object.keys(manifest['node-red'].nodes).filter((type) => !used.has(type)),
      [],
    );
  });

  it("follows the demo's stock feed on the sandbox shop's inventory page within seconds", async () => {
    /** Each SKU's available quantity as the sandbox shop's page shows it. */
    const shown = async (): Promise<Record<string, number>> => {
      const page = await (await fetch(nodeRed.url('/sandbox/shopify/inventory'))).text();
      return Object.fromEntries(
        [...page.matchAll(/<small>([^<]+)<\/small><\/td><td class="n">(\d+)<\/td>/g)].map((m) => [
          m[1]!,
          Number(m[2]),
        ]),
      );
    };
    const pressed = await fetch(nodeRed.url('/inject/b100000000000004'), { method: 'POST' });
    assert.equal(pressed.status, 200, 'the "Sandbox stock file" inject');
    const feed = { 'MUG-BLACK': 120, 'WCB-LG': 40, 'BW-FIN-200': 75 };
    // The feed's crossings run the sync node at once; its 10-second schedule would catch it otherwise.
    await eventually(
      async () => {
        assert.deepEqual(await shown(), feed);
        return true;
      },
      15_000,
      'the sandbox shop to show the fed quantities',
    );
  });

  it('takes a signed Shopify orders/paid delivery to delivered, e-mailing each milestone once', async () => {
    const delivery = signedShopifyOrdersPaid(820982911946154500, SECRET);
    const first = await post('/dropship/shopify/orders', delivery);
    assert.equal(first.status, 200);
    const created = (await first.json()) as { id: string; state: string };
    assert.match(created.id, /^ord_/);

    const detail = await eventually(
      async () => {
        const res = await fetch(nodeRed.url('/dropship/api/orders/shopify:820982911946154500'));
        const body = (await res.json()) as OrderDetail;
        return body.state === 'delivered' && body.notifications.filter((n) => n.state === 'sent').length === 3
          ? body
          : undefined;
      },
      60_000,
      'the order to be delivered and its e-mails sent',
    );

    assert.equal(detail.id, created.id);
    assert.deepEqual(
      detail.purchaseOrders.map((p) => [p.supplierId, p.state]),
      [['sandbox', 'delivered']],
    );
    assert.equal(detail.shipments.length, 1);
    assert.equal(detail.shipments[0]!.carrier, 'ups');
    assert.deepEqual(detail.notifications.map((n) => n.milestone.split(':')[0]).sort(), [
      'confirmed',
      'delivered',
      'shipped',
    ]);

    const mailbox = JSON.parse(
      readFileSync(path.join(nodeRed.userDir, 'sandbox-mail', 'messages.json'), 'utf8'),
    ) as { to: string; subject: string }[];
    const subjects = mailbox
      .filter((m) => m.to === 'bob.norman@mail.example.com')
      .map((m) => m.subject)
      .sort();
    assert.deepEqual(subjects, [
      'Your order #1001 has shipped',
      'Your order #1001 is confirmed',
      'Your order #1001 was delivered',
    ]);
  });

  it('links the shipped e-mail to the customer tracking page, which shows the order', async () => {
    const shipped = mailbox(nodeRed).find(
      (m) => m.to === 'bob.norman@mail.example.com' && m.subject === 'Your order #1001 has shipped',
    );
    assert.ok(shipped, 'no shipped e-mail');
    const link = new RegExp(`${nodeRed.url('/dropship/track/')}\\S+`).exec(await mailText(nodeRed, shipped));
    assert.ok(link, 'the shipped e-mail does not link to the tracking page');
    const page = await fetch(link[0]);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /#1001/);
    assert.match(html, /Delivered/);
    const form = await fetch(nodeRed.url('/dropship/track'));
    assert.equal(form.status, 200);
    assert.match(await form.text(), /<form[^>]+method="post"/i);
    // The link secret was generated into the user directory, and no flow file holds it.
    const secret = readFileSync(path.join(nodeRed.userDir, '.tracking-link-secret'), 'utf8').trim();
    assert.ok(secret.length >= 32);
    for (const file of [DEMO, path.join(nodeRed.userDir, 'flows.json')])
      assert.ok(!readFileSync(file, 'utf8').includes(secret), `${file} holds the link secret`);
  });

  it('takes a signed WooCommerce order.created from the sample sender through the pipeline', async () => {
    const sent = await postSample(nodeRed, '--woocommerce', '--id', '5001');
    assert.equal(sent.code, 0, sent.out);
    assert.match(sent.out, /^200 /);
    const detail = await eventually(
      async () => {
        const body = await orderDetail(nodeRed, 'woocommerce:5001');
        return body.state === 'delivered' ? body : undefined;
      },
      60_000,
      'the WooCommerce order to be delivered',
    );
    assert.deepEqual(
      detail.purchaseOrders.map((p) => [p.supplierId, p.state]),
      [['sandbox', 'delivered']],
    );
    const refused = await postSample(nodeRed, '--woocommerce', '--id', '5002', '--bad-signature');
    assert.match(refused.out, /^401 /);
  });

  it('holds the --risky sample order with its reasons, and proposes its refund when the operator cancels it', async () => {
    const sent = await postSample(nodeRed, '--risky', '--id', '450789490');
    assert.equal(sent.code, 0, sent.out);
    const held = await eventually(
      async () => {
        const body = await orderDetail(nodeRed, 'shopify:450789490');
        return body.state === 'needs_attention' ? body : undefined;
      },
      30_000,
      'the risky order held',
    );
    assert.deepEqual(held.purchaseOrders, [], 'no PO for a held order');
    const hold = (held.events as { type: string; reason?: string }[]).find((e) => e.type === 'risk.held');
    assert.match(
      hold?.reason ?? '',
      /PO box \(ships to a PO box\).*Billed in another country \(billed in GB/,
    );
    const cancelled = await fetch(nodeRed.url('/dropship/watchdog/orders/shopify:450789490/actions'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'cancel', reason: 'risky order' }),
    });
    assert.equal(cancelled.status, 200, await cancelled.text());
    const detail = (await orderDetail(nodeRed, 'shopify:450789490')) as OrderDetail & {
      refunds: { state: string; amounts: { total: number } }[];
    };
    assert.equal(detail.state, 'cancelled');
    assert.deepEqual(
      detail.refunds.map((r) => [r.state, r.amounts.total]),
      [['proposed', 23594]],
      'the whole order (goods, shipping, tax) proposed for refund',
    );
  });

  it("polls the sandbox REST supplier's order status API, and the customer hears of the parcel once", async () => {
    const sent = await postSample(nodeRed, '--id', '450789470');
    assert.equal(sent.code, 0, sent.out);
    const detail = await eventually(
      async () => {
        const body = await orderDetail(nodeRed, 'shopify:450789470');
        return body.state === 'delivered' &&
          body.notifications.some((n) => n.milestone.startsWith('shipped') && n.state === 'sent')
          ? body
          : undefined;
      },
      60_000,
      'the sample order to be delivered and its shipped e-mail sent',
    );
    const po = detail.purchaseOrders[0]!;
    assert.equal(po.supplierId, 'sandbox');
    assert.equal(detail.shipments.length, 1);
    const parcel = detail.shipments[0]!;

    // The supplier's GET answers what its warehouse did: the parcel, its carrier and number.
    const status = await fetch(nodeRed.url(`/sandbox/supplier/orders/${po.supplierReference}`));
    assert.equal(status.status, 200);
    const answer = (await status.json()) as Record<string, string>;
    assert.deepEqual(
      [answer.id, answer.status, answer.carrier, answer.trackingNumber],
      [po.supplierReference, 'delivered', 'UPS', parcel.trackingNumber],
    );
    assert.ok(!Number.isNaN(Date.parse(answer.shippedAt!)), `shippedAt ${answer.shippedAt}`);
    const unknown = await fetch(nodeRed.url('/sandbox/supplier/orders/SB-0'));
    assert.equal(unknown.status, 404);

    // The status-polling node asked that API about the PO (its schedule is kept in the order store) and got
    // answers, not errors; whatever it read of the parcel is the same parcel the e-mail reported.
    const db = new Database(path.join(nodeRed.userDir, 'dropship.sqlite'), { readonly: true });
    const polls = db
      .prepare(
        `SELECT last_polled_at, failures, last_answer, last_error FROM supplier_status_polls
           WHERE po_number = ? AND purpose = 'shipments'`,
      )
      .all(po.number) as { last_polled_at: number | null; failures: number; last_error: string | null }[];
    db.close();
    assert.equal(polls.length, 1, 'the PO was never polled');
    assert.ok(polls[0]!.last_polled_at, 'the PO was never polled');
    assert.equal(polls[0]!.failures, 0);
    assert.equal(polls[0]!.last_error, null);
    const events = detail.events as {
      type: string;
      data?: { source?: string; trackingNumber?: string };
    }[];
    for (const event of events.filter((e) => e.data?.source === 'supplier-api:sandbox'))
      assert.equal(event.data!.trackingNumber, parcel.trackingNumber);

    assert.equal(detail.notifications.filter((n) => n.milestone.startsWith('shipped')).length, 1);
    const shippedMails = mailbox(nodeRed).filter(
      (m) => m.to === 'bob.norman@mail.example.com' && m.subject === 'Your order #450789470 has shipped',
    );
    assert.equal(shippedMails.length, 1);
  });

  it('cancels an order from the sandbox storefront (--cancel): the supplier confirms, the customer is told', async () => {
    const paid = await postSample(nodeRed, '--id', '450789481');
    assert.equal(paid.code, 0, paid.out);
    const cancelled = await postSample(nodeRed, '--cancel', '450789481');
    assert.equal(cancelled.code, 0, cancelled.out);
    assert.match(cancelled.out, /^200 .*"kind":"cancel"/);
    const detail = await eventually(
      async () => {
        const found = await orderDetail(nodeRed, 'shopify:450789481');
        return found.state === 'cancelled' ? found : undefined;
      },
      30_000,
      'the order cancelled',
    );
    const types = detail.events.map((e) => e.type);
    assert.ok(types.includes('order.change_applied'), types.join(', '));
    // Sent before the cancellation came, the PO was withdrawn at the sandbox supplier; else it never went out.
    assert.ok(
      types.includes('po.cancel_confirmed') || detail.purchaseOrders.every((po) => po.state === 'cancelled'),
      types.join(', '),
    );
    await eventually(
      async () =>
        mailbox(nodeRed).find(
          (m) =>
            m.to === 'bob.norman@mail.example.com' && m.subject === 'Your order #450789481 was cancelled',
        ),
      30_000,
      'the cancellation e-mail',
    );
  });

  it('answers every endpoint the README lists', async () => {
    const order = await orderDetail(nodeRed, 'shopify:820982911946154500');
    const shipped = mailbox(nodeRed).find((m) => m.subject === 'Your order #1001 has shipped')!;
    const trackingLink = new RegExp(`/dropship/track/\\S+`).exec(await mailText(nodeRed, shipped))![0];
    const json = (body: unknown) => ({
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const form = (body: string) => ({
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    /** A request each endpoint answers, and the statuses that mean it works as the README says. */
    const probes: Record<string, () => Promise<[Response, number[]]>> = {
      'POST /dropship/shopify/orders': async () => [
        await fetch(nodeRed.url('/dropship/shopify/orders'), { method: 'POST', ...json({}) }),
        [401],
      ],
      'POST /dropship/woocommerce/orders': async () => [
        await fetch(nodeRed.url('/dropship/woocommerce/orders'), { method: 'POST', ...json({}) }),
        [401],
      ],
      'POST /dropship/orders': async () => [
        await fetch(nodeRed.url('/dropship/orders'), { method: 'POST', ...json({ currency: 'usd' }) }),
        [422],
      ],
      'POST /dropship/tracking': async () => [
        await fetch(nodeRed.url('/dropship/tracking'), { method: 'POST', ...json({}) }),
        [401, 422],
      ],
      'POST /dropship/returns': async () => [
        await fetch(nodeRed.url('/dropship/returns'), {
          method: 'POST',
          ...json({
            order: '#1001',
            email: 'bob.norman@mail.example.com',
            lines: [{ sku: 'IPOD2008GREEN', quantity: 1 }],
            reason: 'the wrong colour',
          }),
        }),
        [201],
      ],
      'GET /dropship/track': async () => [await fetch(nodeRed.url('/dropship/track')), [200]],
      'POST /dropship/track': async () => [
        await fetch(nodeRed.url('/dropship/track'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'orderNumber=%231001&email=bob.norman%40mail.example.com',
          redirect: 'manual',
        }),
        [303],
      ],
      'GET /dropship/track/:token': async () => [await fetch(nodeRed.url(trackingLink)), [200]],
      'GET /dropship/api/orders/:id': async () => [
        await fetch(nodeRed.url(`/dropship/api/orders/${order.id}`)),
        [200],
      ],
      'GET /dropship/api/orders?q=': async () => {
        const res = await fetch(nodeRed.url('/dropship/api/orders?q=%231001'));
        const found = (await res.clone().json()) as { orders?: { id: string }[] };
        return [res, found.orders?.some((o) => o.id === order.id) ? [200] : []];
      },
      'GET /dropship/api/metrics': async () => [await fetch(nodeRed.url('/dropship/api/metrics')), [200]],
      'POST /sandbox/supplier/orders': async () => [
        // A resend of a PO the sandbox supplier already has: the same answer, nothing new.
        await fetch(nodeRed.url('/sandbox/supplier/orders'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': order.purchaseOrders[0]!.number },
          body: JSON.stringify({ poNumber: order.purchaseOrders[0]!.number }),
        }),
        [201],
      ],
      'GET /sandbox/supplier/orders/:id': async () => [
        await fetch(nodeRed.url(`/sandbox/supplier/orders/${order.purchaseOrders[0]!.supplierReference}`)),
        [200],
      ],
      // The order shipped: the sandbox supplier refuses to cancel or change it, as a real supplier would.
      'POST /sandbox/supplier/orders/:po/cancel': async () => [
        await fetch(nodeRed.url(`/sandbox/supplier/orders/${order.purchaseOrders[0]!.number}/cancel`), {
          method: 'POST',
          ...json({ poNumber: order.purchaseOrders[0]!.number, reason: 'probe' }),
        }),
        [409],
      ],
      'PATCH /sandbox/supplier/orders/:po': async () => [
        await fetch(nodeRed.url(`/sandbox/supplier/orders/${order.purchaseOrders[0]!.number}`), {
          method: 'PATCH',
          ...json({ lines: [] }),
        }),
        [409],
      ],
      'GET /sandbox/mail/': async () => [await fetch(nodeRed.url('/sandbox/mail/')), [200]],
      'POST /sandbox/ups/security/v1/oauth/token': async () => [
        await fetch(nodeRed.url('/sandbox/ups/security/v1/oauth/token'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        }),
        [200],
      ],
      'GET /sandbox/ups/api/track/v1/details/:number': async () => [
        await fetch(nodeRed.url(`/sandbox/ups/api/track/v1/details/${order.shipments[0]!.trackingNumber}`)),
        [200],
      ],
      'POST /sandbox/shopify/admin/oauth/access_token': async () => [
        await fetch(nodeRed.url('/sandbox/shopify/admin/oauth/access_token'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: `grant_type=client_credentials&client_id=sandbox-shopify-app&client_secret=${SHOP_APP_SECRET}`,
        }),
        [200],
      ],
      'POST /sandbox/shopify/admin/api/:version/graphql.json': async () => [
        // Without the app's token: Shopify's 401.
        await fetch(nodeRed.url('/sandbox/shopify/admin/api/2026-10/graphql.json'), {
          method: 'POST',
          ...json({ query: '{ shop { name } }' }),
        }),
        [401],
      ],
      'GET /sandbox/shopify/inventory': async () => [
        await fetch(nodeRed.url('/sandbox/shopify/inventory')),
        [200],
      ],
      'GET /dashboard/': async () => [await fetch(nodeRed.url('/dashboard/')), [200]],
      'GET /dropship/portal/': async () => [await fetch(nodeRed.url('/dropship/portal/')), [200]],
      // Without the sign-in form's token: refused, nothing sent.
      'POST /dropship/portal/code': async () => [
        await fetch(nodeRed.url('/dropship/portal/code'), { method: 'POST', ...form('email=a%40b.test') }),
        [403],
      ],
      'POST /dropship/portal/verify': async () => [
        await fetch(nodeRed.url('/dropship/portal/verify'), { method: 'POST', ...form('code=123456') }),
        [403],
      ],
      'GET /dropship/portal/link/:token': async () => [
        await fetch(nodeRed.url('/dropship/portal/link/bm8.bm8.bm8'), { redirect: 'manual' }),
        [404],
      ],
      'GET /dropship/portal/handoff/:token': async () => [
        await fetch(nodeRed.url('/dropship/portal/handoff/x.y'), { redirect: 'manual' }),
        [404],
      ],
      ...Object.fromEntries(
        [
          'GET /dropship/portal/orders',
          'GET /dropship/portal/orders/:po',
          'GET /dropship/portal/orders/:po/packing-slip',
          'POST /dropship/portal/orders/:po/answer',
          'POST /dropship/portal/orders/:po/ship',
          'POST /dropship/portal/orders/:po/cancel',
          'GET /dropship/portal/stock',
          'POST /dropship/portal/stock/upload',
          'POST /dropship/portal/stock/table',
          'GET /dropship/portal/scorecard',
          'POST /dropship/portal/sign-out',
        ].map((endpoint) => [
          endpoint,
          // Without a session, every page and form of the portal leads to its sign-in.
          async (): Promise<[Response, number[]]> => {
            const [method, pathname] = endpoint.split(' ') as [string, string];
            const res = await fetch(nodeRed.url(pathname.replace(':po', order.purchaseOrders[0]!.number)), {
              method,
              redirect: 'manual',
              ...(method === 'POST' ? form('_csrf=x') : {}),
            });
            assert.equal(
              res.headers.get('location'),
              '/dropship/portal/',
              `${endpoint} leads to the sign-in`,
            );
            return [res, [303]];
          },
        ]),
      ),
    };
    const listed = readmeEndpoints();
    assert.ok(listed.length >= 10, `the README lists ${listed.join(', ')}`);
    assert.deepEqual(
      listed.filter((endpoint) => !(endpoint in probes)),
      [],
      'an endpoint of the README that this test does not check',
    );
    for (const endpoint of listed) {
      const [res, expected] = await probes[endpoint]!();
      assert.ok(expected.includes(res.status), `${endpoint} answered ${res.status}: ${await res.text()}`);
    }
  });

  it("plays a Shopify shop the package's catalogue reads and pushes to, shown on /sandbox/shopify/inventory", async () => {
    const catalogue = sandboxCatalogue(nodeRed);
    const { variants } = await catalogue.listVariants(undefined);
    const mug = variants.find((v) => v.sku === 'MUG-BLACK')!;
    assert.equal(mug.price, '12.00');
    const push = (from: number, to: number, key: string) =>
      catalogue.pushVariants([
        {
          variantId: mug.variantId,
          productId: mug.productId,
          inventoryItemId: mug.inventoryItemId,
          quantity: { from, to },
          idempotencyKey: key,
        },
      ]);
    assert.deepEqual(await push(mug.quantity!, 17, 'e2e-mug-17'), [
      { variantId: mug.variantId, outcome: 'applied' },
    ]);
    assert.equal((await sandboxInventory(nodeRed))['MUG-BLACK'], 17);
    // A push believing the shop still holds the old quantity is refused, and says what it holds.
    assert.deepEqual(await push(mug.quantity!, 3, 'e2e-mug-3'), [
      { variantId: mug.variantId, outcome: 'stale', currentQuantity: 17 },
    ]);
    assert.equal((await sandboxInventory(nodeRed))['MUG-BLACK'], 17);
  });

  it("walks the README's supplier portal: the link in /sandbox/mail/, an answer and two parcels, the customer told", async () => {
    const externalId = `PORTAL-E2E-${Date.now()}`;
    const posted = await postSample(nodeRed, '--portal', '--id', externalId);
    assert.equal(posted.code, 0, posted.out);
    const ref = `generic:${externalId}`;
    const po = await eventually(
      async () =>
        (await orderDetail(nodeRed, ref)).purchaseOrders.find(
          (p) => p.supplierId === 'sandbox-portal' && p.state === 'sent',
        )?.number,
      60_000,
      'the portal PO to be sent',
    );
    const mail = mailbox(nodeRed).find(
      (m) => m.to === 'orders@portal-supplier.test' && m.subject.includes(po),
    );
    assert.ok(mail, `no portal e-mail for ${po}`);
    assert.equal((await fetch(nodeRed.url(`/sandbox/mail/${mail.id}.html`))).status, 200);
    const link = /https?:\/\/\S+\/dropship\/portal\/link\/\S+/.exec(await mailText(nodeRed, mail))![0];

    // The supplier's browser, by hand: the link sets the session cookie and opens the PO.
    const signedIn = await fetch(link, { redirect: 'manual' });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.get('location'), `/dropship/portal/orders/${po}`);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = async (pathname: string): Promise<string> => {
      const res = await fetch(nodeRed.url(pathname), { headers: { Cookie: cookie } });
      assert.equal(res.status, 200, pathname);
      return res.text();
    };
    const token = (html: string, formName: string): string =>
      new RegExp(`data-form="${formName}"><input type="hidden" name="_csrf" value="([^"]+)"`).exec(html)![1]!;
    const submit = (pathname: string, fields: Record<string, string>) =>
      fetch(nodeRed.url(pathname), {
        method: 'POST',
        redirect: 'manual',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });

    // Accept the mug and the T-shirt, backorder the lamp.
    const answer = await submit(`/dropship/portal/orders/${po}/answer`, {
      _csrf: token(await page(`/dropship/portal/orders/${po}`), 'answer'),
      decision: 'lines',
      'line-0': 'accepted',
      'line-1': 'backordered',
      'date-1': '2027-01-15',
      'line-2': 'accepted',
    });
    assert.equal(answer.status, 303);
    const answered = await eventually(
      async () => {
        const detail = await orderDetail(nodeRed, ref);
        return detail.purchaseOrders.find((p) => p.number === po)?.state === 'accepted' ? detail : undefined;
      },
      30_000,
      'the answer to be read by the dispatch node',
    );
    assert.ok(answered.events.some((e) => e.type === 'portal.answered'));

    // Two parcels.
    const ship = await submit(`/dropship/portal/orders/${po}/ship`, {
      _csrf: token(await page(`/dropship/portal/orders/${po}`), 'ship'),
      'parcel-1-tracking': '1Z999AA10123456784',
      'parcel-1-qty-1': '2',
      'parcel-2-tracking': '1Z999AA10987654328',
      'parcel-2-qty-3': '1',
    });
    assert.equal(ship.status, 303);
    const shipped = await eventually(
      async () => {
        const detail = await orderDetail(nodeRed, ref);
        return detail.purchaseOrders.find((p) => p.number === po)?.state === 'shipped' ? detail : undefined;
      },
      30_000,
      'the parcels to be read by the tracking-in node',
    );
    assert.deepEqual(
      shipped.shipments
        .map((s) => [s.trackingNumber, s.carrier])
        .filter(([n]) => n!.startsWith('1Z999AA10'))
        .sort(),
      [
        ['1Z999AA10123456784', 'ups'],
        ['1Z999AA10987654328', 'ups'],
      ],
    );
    // The operator sees it among the portal's activity (the metrics the dashboard shows).
    const metrics = (await (await fetch(nodeRed.url('/dropship/api/metrics'))).json()) as {
      portalActivity: { supplierId: string; kind: string; poNumber?: string; actor: string }[];
    };
    assert.ok(
      metrics.portalActivity.some(
        (a) => a.kind === 'shipment' && a.poNumber === po && a.actor === 'supplier:sandbox-portal',
      ),
      JSON.stringify(metrics.portalActivity),
    );
    // The customer's e-mails follow, as from any supplier.
    await eventually(
      async () => mailbox(nodeRed).find((m) => m.to === 'pia@example.test' && /shipped/i.test(m.subject)),
      30_000,
      "the customer's shipped e-mail",
    );
  });

  it('answers a redelivery 200 without a second order or purchase order', async () => {
    const delivery = signedShopifyOrdersPaid(820982911946154500, SECRET);
    const again = await post('/dropship/shopify/orders', delivery);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { duplicate: boolean }).duplicate, true);
    const detail = (await (
      await fetch(nodeRed.url('/dropship/api/orders/shopify:820982911946154500'))
    ).json()) as OrderDetail;
    assert.equal(detail.purchaseOrders.length, 1);
    assert.equal(detail.events.filter((e) => e.type === 'order.received').length, 1);
  });

  it('refuses a wrong signature with 401 and stores nothing', async () => {
    const forged = signedShopifyOrdersPaid(111, 'not-the-secret');
    const res = await post('/dropship/shopify/orders', forged);
    assert.equal(res.status, 401);
    assert.equal((await fetch(nodeRed.url('/dropship/api/orders/shopify:111'))).status, 404);
  });

  it('answers an invalid generic order 422 with the field paths', async () => {
    const res = await post('/dropship/orders', {
      body: JSON.stringify({ externalId: 'X-1', lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }] }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 422);
    const { error } = (await res.json()) as { error: { details: { path: string; message: string }[] } };
    const paths = error.details.map((d) => d.path);
    for (const expected of ['/currency', '/shipTo', '/lines/0/quantity'])
      assert.ok(paths.includes(expected), `${expected} not in ${paths.join(', ')}`);
    const wrongCurrency = await post('/dropship/orders', {
      body: JSON.stringify({ ...sampleFromDemo('DEMO-1001'), externalId: 'E2E-USD', currency: 'usd' }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(wrongCurrency.status, 422);
    const answer = (await wrongCurrency.json()) as { error: { message: string } };
    assert.equal(
      answer.error.message,
      'Invalid order: /currency must be a three-letter ISO 4217 code such as USD',
    );
  });

  it('sends EDI- lines to the EDI supplier as X12 files and follows its 855 and 856 to shipped', async () => {
    const res = await post('/dropship/orders', {
      body: JSON.stringify({ ...sampleFromDemo('DEMO-EDI-1'), externalId: 'E2E-EDI-1' }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 200);
    const detail = await eventually(
      async () => {
        const body = (await (
          await fetch(nodeRed.url('/dropship/api/orders/generic:E2E-EDI-1'))
        ).json()) as OrderDetail;
        return body.state === 'shipped' ? body : undefined;
      },
      30_000,
      'the EDI order to be shipped',
    );
    assert.deepEqual(
      detail.purchaseOrders.map((p) => [p.supplierId, p.state]),
      [['sandbox-edi', 'shipped']],
    );
    assert.ok(
      detail.events.some((e) => e.type === 'po.accepted'),
      'the 855 was applied',
    );
    assert.equal(detail.shipments[0]!.carrier, 'ups');
    // The parcel is followed at the carrier too: the sandbox UPS account polls the sandbox's UPS Track API.
    await eventually(
      async () => {
        const body = (await (await fetch(nodeRed.url('/dropship/api/orders/generic:E2E-EDI-1'))).json()) as {
          shipments: { events: { source: string; status: string }[] }[];
        };
        return body.shipments[0]?.events.some((e) => e.source === 'carrier:ups' && e.status === 'in_transit')
          ? true
          : undefined;
      },
      30_000,
      'a UPS scan from carrier polling',
    );
    // Both of the partner's documents were answered with our 997s (the 855 by dispatch, the 856 by tracking-in).
    const toPartner = path.join(nodeRed.userDir, 'sandbox-edi', 'to-supplier');
    const answered = await eventually(
      async () => {
        const names = [toPartner, path.join(toPartner, 'processed')].flatMap((folder) =>
          existsSync(folder) ? readdirSync(folder) : [],
        );
        const acknowledgements = names
          .filter((name) => name.startsWith('997'))
          .map((name) =>
            readFileSync(
              path.join(
                existsSync(path.join(toPartner, name)) ? toPartner : path.join(toPartner, 'processed'),
                name,
              ),
              'utf8',
            ),
          );
        const groups = acknowledgements.flatMap((text) =>
          [...text.matchAll(/AK1\*(\w+)\*/g)].map((m) => m[1]),
        );
        return groups.includes('PR') && groups.includes('SH') ? groups : undefined;
      },
      15_000,
      '997s for the 855 and the 856',
    );
    assert.ok(answered.length >= 2);
  });

  it('sends MAIL- lines to the e-mail supplier as an e-mail with the PO as CSV', async () => {
    const res = await post('/dropship/orders', {
      body: JSON.stringify({ ...sampleFromDemo('DEMO-MAIL-1'), externalId: 'E2E-MAIL-1' }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 200);
    const detail = await eventually(
      async () => {
        const body = (await (
          await fetch(nodeRed.url('/dropship/api/orders/generic:E2E-MAIL-1'))
        ).json()) as OrderDetail;
        return body.purchaseOrders[0]?.state === 'sent' ? body : undefined;
      },
      30_000,
      'the e-mailed PO',
    );
    const poNumber = detail.purchaseOrders[0]!.number;
    const mailDir = path.join(nodeRed.userDir, 'sandbox-mail');
    const mailbox = JSON.parse(readFileSync(path.join(mailDir, 'messages.json'), 'utf8')) as {
      id: string;
      to: string;
      subject: string;
    }[];
    const toSupplier = mailbox.find(
      (m) => m.to === 'orders@sandbox-supplier.test' && m.subject.includes(poNumber),
    );
    assert.ok(toSupplier, `no e-mail to the supplier names ${poNumber}`);
    const raw = readFileSync(path.join(mailDir, `${toSupplier.id}.eml`), 'utf8');
    assert.match(raw, /Content-Disposition: attachment; filename=\S*\.csv/i);
  });

  it('never writes customer details to the log', () => {
    const log = nodeRed.output();
    for (const pii of ['bob.norman@mail.example.com', 'Chestnut Street', 'Bob Norman', '+15555550100']) {
      assert.ok(!log.includes(pii), `the log contains "${pii}"`);
    }
  });
});

/** What git says about flows/ (changed and new files), or undefined where the checkout is not a git repository. */
function flowsStatus(): string | undefined {
  const result = spawnSync('git', ['status', '--porcelain', '--untracked-files=all', '--', 'flows'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout : undefined;
}

describe('npm start on a fresh user directory: restarts and deploys', function () {
  this.timeout(180_000);
  let nodeRed: RunningNodeRed;
  let userDir: string;

  before(async () => {
    // No flow file given: settings.js picks the user directory's flows.json, as `npm start` does.
    nodeRed = await startNodeRed(undefined, { DROPSHIP_SHOPIFY_SECRET: SECRET });
    userDir = nodeRed.userDir;
  });
  after(async () => {
    await nodeRed?.stop();
  });

  it('runs the copy of flows/demo.json made in the user directory on the first start', () => {
    assert.equal(readFileSync(path.join(userDir, 'flows.json'), 'utf8'), readFileSync(DEMO, 'utf8'));
  });

  it('ships an order once when Node-RED is killed after the sandbox supplier accepted it', async () => {
    const delivery = signedShopifyOrdersPaid(700000000001, SECRET);
    const res = await fetch(nodeRed.url('/dropship/shopify/orders'), {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    assert.equal(res.status, 200);
    const accepted = await eventually(
      async () => {
        const po = (await orderDetail(nodeRed, 'shopify:700000000001')).purchaseOrders[0];
        return po?.state === 'accepted' ? po : undefined;
      },
      30_000,
      'the sandbox supplier to accept the PO',
    );
    // Before the warehouse ships it (three seconds after accepting): a crash, then a start on the same directory.
    await nodeRed.crash();
    nodeRed = await startNodeRed(undefined, { DROPSHIP_SHOPIFY_SECRET: SECRET }, { userDir });

    const detail = await eventually(
      async () => {
        const body = await orderDetail(nodeRed, 'shopify:700000000001');
        return body.state === 'delivered' ? body : undefined;
      },
      // A start under load, then up to 30 s when the crash came after the warehouse tried to ship (it retries).
      90_000,
      'the order to ship and be delivered after the restart',
    );
    assert.equal(detail.shipments.length, 1);

    // The supplier still knows the PO: a resend gets the first answer, not a second order or parcel.
    const resend = await fetch(nodeRed.url('/sandbox/supplier/orders'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': accepted.number },
      body: JSON.stringify({ poNumber: accepted.number }),
    });
    assert.equal(resend.status, 201);
    assert.equal(((await resend.json()) as { id: string }).id, accepted.supplierReference);
    // One shipping confirmation, even after the warehouse clock ran on for longer than shipping takes.
    await new Promise((r) => setTimeout(r, 5000));
    const confirmations = mailbox(nodeRed).filter(
      (m) => m.to === 'tracking@demo-shop.example.test' && m.subject.includes(accepted.number),
    );
    assert.equal(confirmations.length, 1);
    assert.equal((await orderDetail(nodeRed, 'shopify:700000000001')).shipments.length, 1);
  });

  it("keeps the sandbox shop's quantities and idempotency keys across a crash and a restart", async () => {
    // No secret given: settings.js made one and kept it in the user directory.
    const secret = readFileSync(path.join(userDir, '.sandbox-shopify-secret'), 'utf8').trim();
    const { variants } = await sandboxCatalogue(nodeRed, secret).listVariants(undefined);
    const bottle = variants.find((v) => v.sku === 'WCB-LG')!;
    const push = {
      variantId: bottle.variantId,
      productId: bottle.productId,
      inventoryItemId: bottle.inventoryItemId,
      quantity: { from: bottle.quantity!, to: 9 },
      idempotencyKey: 'e2e-restart-bottle-9',
    };
    assert.equal((await sandboxCatalogue(nodeRed, secret).pushVariants([push]))[0]!.outcome, 'applied');
    await nodeRed.crash();
    nodeRed = await startNodeRed(undefined, { DROPSHIP_SHOPIFY_SECRET: SECRET }, { userDir });
    assert.equal((await sandboxInventory(nodeRed))['WCB-LG'], 9);
    // The same push again after the restart: the shop remembers its key and applies nothing twice.
    const again = await sandboxCatalogue(nodeRed, secret).pushVariants([push]);
    assert.deepEqual(again, [{ variantId: bottle.variantId, outcome: 'applied' }]);
    assert.equal((await sandboxInventory(nodeRed))['WCB-LG'], 9);
  });

  it('deploys to the user directory and leaves flows/demo.json, and git status, as they were', async () => {
    const demoBefore = readFileSync(DEMO, 'utf8');
    const statusBefore = flowsStatus();
    const current = (await (
      await fetch(nodeRed.url('/flows'), { headers: { 'Node-RED-API-Version': 'v2' } })
    ).json()) as { rev: string; flows: { id: string; rules?: { rules: { name: string }[] } }[] };
    const router = current.flows.find((n) => n.id === 'a200000000000001');
    assert.ok(router?.rules);
    router.rules.rules[0]!.name = 'EDI catalogue, renamed by a deploy';
    const deployed = await fetch(nodeRed.url('/flows'), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Node-RED-API-Version': 'v2',
        'Node-RED-Deployment-Type': 'full',
      },
      body: JSON.stringify(current),
    });
    assert.equal(deployed.status, 200, await deployed.text());
    await eventually(
      async () =>
        readFileSync(path.join(userDir, 'flows.json'), 'utf8').includes('renamed by a deploy')
          ? true
          : undefined,
      10_000,
      'the deploy to be saved in the user directory',
    );
    assert.equal(readFileSync(DEMO, 'utf8'), demoBefore);
    assert.equal(flowsStatus(), statusBefore);
    // The sandbox's link secret and the credential secret are kept beside the flows, not in the checkout.
    assert.ok(existsSync(path.join(userDir, 'flows_cred.json')));
    assert.ok(!existsSync(path.join(REPO, 'flows', 'demo_cred.json')));
  });
});

describe('scripts/dashboard-flow.js demo', () => {
  it('regenerates the Dashboard tab of flows/demo.json in place, changing nothing else', () => {
    const before = readFileSync(DEMO, 'utf8');
    try {
      const result = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'dashboard-flow.js'), 'demo'], {
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(readFileSync(DEMO, 'utf8'), before);
    } finally {
      writeFileSync(DEMO, before);
    }
  });
});

describe('settings.js', () => {
  it('refuses to listen beyond loopback without an editor login', () => {
    const result = spawnSync(process.execPath, ['-e', "require('./settings.js')"], {
      cwd: REPO,
      env: {
        ...process.env,
        HOST: '0.0.0.0',
        DROPSHIP_USER_DIR: path.join(REPO, 'test-artifacts', 'refuse'),
        DROPSHIP_DEMO_SMTP_PORT: 'off',
      },
      encoding: 'utf8',
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /Refusing to listen on 0\.0\.0\.0 without an editor login/);
  });
});
