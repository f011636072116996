import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { launchChromium, type HeadlessChromium } from '../support/browser';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { sampleOrderDraft } from '../support/orders';
import { signedShopifyOrdersPaid } from '../support/shopify-delivery';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- Node-RED's own dependency, no types shipped
const bcrypt = require('bcryptjs') as { hashSync(password: string, rounds: number): string };

/**
 * The operator surfaces of `npm start` (editor and admin API, order API, dashboard page and socket, sandbox pages)
 * as an attacker reaches them: through a reverse proxy on the same machine in front of the loopback demo, from
 * another site through the operator's browser, and in network mode (HOST=0.0.0.0 with a login).
 */

const SECRET = 'network-mode-secret';
const ORDERS_TOKEN = 'network-mode-orders-token';
const ADMIN_USER = 'operator';
const ADMIN_PASSWORD = 'correct horse battery staple';
const CUSTOMER_EMAIL = 'bob.norman@mail.example.com';
/** The demo dashboard's needs-attention list (a ui-template wired to the watchdog). */
const ATTENTION_WIDGET = 'd6b00000000000c4';
/** An inject node of the demo (posts a sample order). */
const SAMPLE_INJECT = 'b100000000000001';
const PROXIED = { 'X-Forwarded-For': '203.0.113.5' };

interface OrderDetail {
  id: string;
  state: string;
  events: { type: string; actor: string }[];
}

interface Answer {
  status: number;
  text: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const headers = (init.headers ?? {}) as Record<string, string>;
  // fetch never sends a Host header of its own choosing: node:http does.
  if (headers.Host !== undefined) return getWithHost(url, headers);
  const res = await fetch(url, { redirect: 'manual', ...init });
  return { status: res.status, text: await res.text() };
}

function getWithHost(url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      })
      .on('error', reject);
  });
}

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/**
 * A socket.io client speaking the Engine.IO 4 polling protocol the dashboard's page uses first: opens a session,
 * connects to the main namespace and returns the packets the server answered (`40{...}` connected, `44{...}`
 * refused), and a way to emit an event on the connection.
 */
async function dashboardSocket(nodeRed: RunningNodeRed, headers: Record<string, string> = {}) {
  const base = nodeRed.url('/dashboard/socket.io/?EIO=4&transport=polling');
  const open = await fetch(base, { headers });
  const openText = await open.text();
  if (!openText.startsWith('0'))
    return { connected: false, packets: [openText], emit: async () => undefined };
  const { sid } = JSON.parse(openText.slice(1)) as { sid: string };
  const session = `${base}&sid=${sid}`;
  const post = (body: string) =>
    fetch(session, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/plain' }, body });
  await (await post('40')).text();
  const packets = (await (await fetch(session, { headers })).text()).split('\x1e');
  return {
    connected: packets.some((p) => p.startsWith('40')),
    packets,
    emit: async (...args: unknown[]) => {
      await (await post(`42${JSON.stringify(args)}`)).text();
    },
  };
}

/** The status line a WebSocket upgrade of the editor's socket (`/comms`, or `path` spelling it) is answered with. */
function editorSocketUpgrade(
  nodeRed: RunningNodeRed,
  headers: Record<string, string> = {},
  path = '/comms',
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(nodeRed.port, '127.0.0.1', () => {
      socket.write(
        [
          `GET ${path} HTTP/1.1`,
          `Host: 127.0.0.1:${nodeRed.port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Version: 13',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
          '',
          '',
        ].join('\r\n'),
      );
    });
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(reply.split('\r\n')[0] ?? ''));
  });
}

/** No stack frame, no absolute path of this checkout or of Node-RED in an answer. */
function assertNoInternals(answer: Answer, what: string): void {
  assert.doesNotMatch(
    answer.text,
    /\n\s+at /,
    `${what} answered a stack trace: ${answer.text.slice(0, 300)}`,
  );
  assert.ok(!answer.text.includes(REPO), `${what} answered a path: ${answer.text.slice(0, 300)}`);
  assert.doesNotMatch(answer.text, /node_modules|\/home\/|\/tmp\//, `${what}: ${answer.text.slice(0, 300)}`);
}

async function heldOrder(nodeRed: RunningNodeRed, headers: Record<string, string> = {}): Promise<string> {
  const draft = sampleOrderDraft({
    externalId: `HELD-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
    lines: [
      {
        lineId: '1',
        sku: 'GIFT-CARD-50',
        title: 'Gift card',
        quantity: 1,
        unitPrice: 50,
        requiresShipping: false,
      },
    ],
    totals: { subtotal: 50, shipping: 0, tax: 0, discount: 0, total: 50 },
  });
  const posted = await fetch(nodeRed.url('/dropship/orders'), {
    method: 'POST',
    // The generic intake's sender token (needed once Node-RED listens beyond loopback; ignored on loopback).
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ORDERS_TOKEN}` },
    body: JSON.stringify(draft),
  });
  assert.equal(posted.status, 200, await posted.clone().text());
  const id = ((await posted.json()) as { id: string }).id;
  await eventually(
    async () => {
      const res = await fetch(nodeRed.url(`/dropship/api/orders/${id}`), { headers });
      return ((await res.json()) as OrderDetail).state === 'needs_attention' ? true : undefined;
    },
    15_000,
    'the order to be held for the operator',
  );
  return id;
}

before(() => {
  assert.ok(existsSync(path.join(REPO, 'dist', 'nodes', 'order-in', 'order-in.js')), 'run `npm run build`');
});

describe('security: the loopback demo behind a reverse proxy and under cross-site requests', function () {
  this.timeout(120_000);
  let nodeRed: RunningNodeRed;
  let shopifyOrder: string;

  before(async () => {
    nodeRed = await startNodeRed(path.join(REPO, 'flows', 'demo.json'), {
      DROPSHIP_SHOPIFY_SECRET: SECRET,
      DROPSHIP_DEMO_EDI: 'off',
    });
    const delivery = signedShopifyOrdersPaid(990011, SECRET);
    const posted = await fetch(nodeRed.url('/dropship/shopify/orders'), {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    assert.equal(posted.status, 200);
    shopifyOrder = ((await posted.json()) as { id: string }).id;
    // The customer's confirmation reaches the sandbox mailbox, so its pages hold customer data.
    await eventually(
      async () =>
        (await call(nodeRed.url('/sandbox/mail/messages.json'))).text.includes(CUSTOMER_EMAIL)
          ? true
          : undefined,
      30_000,
      'the confirmation e-mail in the sandbox mailbox',
    );
  });
  after(async () => {
    await nodeRed?.stop();
  });

  it('answers the order API on this machine but not through a proxy, whatever header the proxy sets', async () => {
    const direct = await call(nodeRed.url(`/dropship/api/orders/${shopifyOrder}`));
    assert.equal(direct.status, 200);
    assert.ok(direct.text.includes(CUSTOMER_EMAIL));
    for (const headers of <Record<string, string>[]>[
      PROXIED,
      { Forwarded: 'for=203.0.113.5;proto=https' },
      { 'X-Real-IP': '203.0.113.5' },
      { Host: 'shop.example.com' },
    ]) {
      for (const route of [`/dropship/api/orders/${shopifyOrder}`, '/dropship/api/metrics']) {
        const proxied = await call(nodeRed.url(route), { headers });
        assert.equal(proxied.status, 401, `${route} with ${JSON.stringify(headers)}: ${proxied.status}`);
        assert.ok(!proxied.text.includes(CUSTOMER_EMAIL));
      }
    }
  });

  it('refuses the editor (pages and socket), admin API, dashboard and sandbox pages to a proxied request', async () => {
    for (const route of [
      '/',
      '/flows',
      '/settings',
      '/dropship/watchdog/queue',
      '/dashboard/today',
      '/dashboard/_setup',
      '/sandbox/mail/',
      '/sandbox/mail/messages.json',
    ]) {
      const proxied = await call(nodeRed.url(route), { headers: PROXIED });
      assert.equal(proxied.status, 403, `${route} through a proxy answered ${proxied.status}`);
      assert.ok(!proxied.text.includes(CUSTOMER_EMAIL));
      const direct = await call(nodeRed.url(route));
      assert.ok(direct.status < 400, `${route} on this machine answered ${direct.status}`);
    }
    // The sandbox supplier takes purchase orders (customers' addresses) from this machine's dispatch node only.
    const proxiedPo = await call(nodeRed.url('/sandbox/supplier/orders'), {
      method: 'POST',
      headers: { ...PROXIED, 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(proxiedPo.status, 403);
    assert.doesNotMatch(await editorSocketUpgrade(nodeRed, PROXIED), / 101 /);
    assert.match(await editorSocketUpgrade(nodeRed), / 101 /);
    const proxiedSocket = await dashboardSocket(nodeRed, PROXIED);
    assert.equal(proxiedSocket.connected, false, proxiedSocket.packets.join(' | '));
    const directSocket = await dashboardSocket(nodeRed);
    assert.equal(directSocket.connected, true, directSocket.packets.join(' | '));
  });

  it('still takes webhooks through the proxy: they carry their own signature', async () => {
    const delivery = signedShopifyOrdersPaid(990012, SECRET);
    const posted = await fetch(nodeRed.url('/dropship/shopify/orders'), {
      method: 'POST',
      headers: { ...delivery.headers, ...PROXIED },
      body: delivery.body,
    });
    assert.equal(posted.status, 200);
  });

  it('refuses operator actions posted from another site, as a form or text/plain, and takes JSON from here', async () => {
    const held = await heldOrder(nodeRed);
    const action = nodeRed.url(`/dropship/watchdog/orders/${held}/actions`);
    const attempts: [string, RequestInit][] = [
      [
        'a cross-site form',
        {
          headers: { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'action=resolve&note=pwned',
        },
      ],
      [
        'a cross-site text/plain body',
        {
          headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
          body: '{"action":"resolve","note":"pwned"}',
        },
      ],
      [
        'a cross-site JSON body (Sec-Fetch-Site)',
        {
          headers: { 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/json' },
          body: '{"action":"resolve","note":"pwned"}',
        },
      ],
      [
        'a form without an origin',
        { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=resolve' },
      ],
    ];
    for (const [what, init] of attempts) {
      const answer = await call(action, { method: 'POST', ...init });
      assert.ok(answer.status === 403 || answer.status === 415, `${what} answered ${answer.status}`);
    }
    const still = (await (await fetch(nodeRed.url(`/dropship/api/orders/${held}`))).json()) as OrderDetail;
    assert.equal(still.state, 'needs_attention');
    assert.ok(!still.events.some((e) => e.type.startsWith('operator.')));

    const resolved = await call(action, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: nodeRed.url('').replace(/\/$/, '') },
      body: JSON.stringify({ action: 'resolve', note: 'checked by hand' }),
    });
    assert.equal(resolved.status, 200, resolved.text);
  });

  it("refuses a cross-site POST to Node-RED's own admin routes (an inject node)", async () => {
    const inject = nodeRed.url(`/inject/${SAMPLE_INJECT}`);
    for (const headers of <Record<string, string>[]>[
      { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
      { 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'text/plain' },
    ]) {
      const answer = await call(inject, { method: 'POST', headers, body: '{}' });
      assert.equal(answer.status, 403, `${JSON.stringify(headers)} answered ${answer.status}`);
    }
    // The editor's own button: same origin.
    const own = await call(inject, {
      method: 'POST',
      headers: { 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(own.status, 200);
  });

  it('refuses the editor socket to a proxied upgrade however its path is spelled, and to another site', async () => {
    // Node-RED matches the upgrade by url.parse's pathname, which drops a fragment.
    for (const spelling of ['/comms#x', '/comms#']) {
      assert.doesNotMatch(await editorSocketUpgrade(nodeRed, PROXIED, spelling), / 101 /, spelling);
    }
    // A WebSocket is not bound by CORS: another site's page opens one to 127.0.0.1 from the operator's browser.
    for (const headers of <Record<string, string>[]>[
      { Origin: 'https://evil.example' },
      { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'websocket' },
    ]) {
      assert.doesNotMatch(await editorSocketUpgrade(nodeRed, headers), / 101 /, JSON.stringify(headers));
    }
    const ownOrigin = nodeRed.url('').replace(/\/$/, '');
    assert.match(await editorSocketUpgrade(nodeRed, { Origin: ownOrigin }), / 101 /);
  });

  it("refuses another site's script reading order data through the operator's browser (CORS answers `*`)", async () => {
    const crossSite = <Record<string, string>[]>[
      { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'cors' },
      { Origin: 'https://evil.example' },
    ];
    for (const route of [
      `/dropship/api/orders/${shopifyOrder}`,
      '/dropship/api/metrics',
      '/dropship/watchdog/queue',
      '/dropship/router/orders',
      '/flows',
      '/dashboard/_setup',
      '/sandbox/mail/messages.json',
    ]) {
      for (const headers of crossSite) {
        const read = await call(nodeRed.url(route), { headers });
        assert.equal(read.status, 403, `${route} read from another site answered ${read.status}`);
        assert.ok(!read.text.includes(CUSTOMER_EMAIL));
      }
    }
    // A link the operator follows from another site (a navigation, whose answer no script reads) still opens
    // (through node:http: fetch sets its own Sec-Fetch-Mode).
    const followed = await call(nodeRed.url('/dashboard/today'), {
      headers: {
        Host: `127.0.0.1:${nodeRed.port}`,
        'Sec-Fetch-Site': 'cross-site',
        'Sec-Fetch-Mode': 'navigate',
      },
    });
    assert.ok(followed.status < 400, `a followed link answered ${followed.status}`);
  });

  it('answers malformed requests without a stack trace or a path', async () => {
    const badJson = await call(nodeRed.url('/x'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":',
    });
    assert.equal(badJson.status, 400);
    assertNoInternals(badJson, 'POST /x with bad JSON');
    const badPath = await call(nodeRed.url('/dropship/api/orders/%ZZ'));
    assert.equal(badPath.status, 400);
    assertNoInternals(badPath, 'GET /dropship/api/orders/%ZZ');
    const badAdmin = await call(nodeRed.url('/dropship/watchdog/orders/%ZZ/actions'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.ok(badAdmin.status >= 400 && badAdmin.status < 500, `answered ${badAdmin.status}`);
    assertNoInternals(badAdmin, 'POST /dropship/watchdog/orders/%ZZ/actions');
  });
});

describe('security: network mode (HOST=0.0.0.0 with a login) leaves nothing open', function () {
  this.timeout(180_000);
  let nodeRed: RunningNodeRed;
  let token: string;
  const login = basic(ADMIN_USER, ADMIN_PASSWORD);

  before(async () => {
    nodeRed = await startNodeRed(path.join(REPO, 'flows', 'demo.json'), {
      HOST: '0.0.0.0',
      DROPSHIP_SHOPIFY_SECRET: SECRET,
      DROPSHIP_DEMO_EDI: 'off',
      DROPSHIP_ADMIN_USER: ADMIN_USER,
      DROPSHIP_ADMIN_PASSWORD_HASH: bcrypt.hashSync(ADMIN_PASSWORD, 8),
      DROPSHIP_ORDERS_TOKEN: ORDERS_TOKEN,
    });
    const res = await fetch(nodeRed.url('/auth/token'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_id: 'node-red-admin',
        grant_type: 'password',
        scope: '*',
        username: ADMIN_USER,
        password: ADMIN_PASSWORD,
      }),
    });
    assert.equal(res.status, 200);
    token = ((await res.json()) as { access_token: string }).access_token;
    // Beyond loopback the generic intake takes no request until the operator gives it a sender credential: as an
    // operator would, deploy it with a storefront holding a bearer token (from the environment) via the admin API.
    const admin = { Authorization: `Bearer ${token}`, 'Node-RED-API-Version': 'v2' };
    const current = (await (await fetch(nodeRed.url('/flows'), { headers: admin })).json()) as {
      rev: string;
      flows: Record<string, unknown>[];
    };
    const generic = current.flows.find(
      (n) => n.type === 'dropship-order-in' && n.path === '/dropship/orders',
    );
    assert.ok(generic, 'the demo has a generic order intake');
    current.flows.push({
      id: 'cf9000000000abcd',
      type: 'dropship-storefront',
      name: 'Order sender',
      platform: 'generic',
      secretEnv: 'DROPSHIP_ORDERS_TOKEN',
    });
    Object.assign(generic, { senderAuth: 'token', storefront: 'cf9000000000abcd' });
    const deployed = await fetch(nodeRed.url('/flows'), {
      method: 'POST',
      headers: { ...admin, 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(current),
    });
    assert.equal(deployed.status, 200, await deployed.text());
  });
  after(async () => {
    await nodeRed?.stop();
  });

  it('needs the login for the dashboard (page and socket) and the sandbox pages', async () => {
    for (const route of [
      '/dashboard/today',
      '/dashboard/_setup',
      '/sandbox/mail/',
      '/sandbox/mail/messages.json',
    ]) {
      const answer = await call(nodeRed.url(route));
      assert.equal(answer.status, 401, `GET ${route} answered ${answer.status} without the login`);
      assert.ok(!answer.text.includes(CUSTOMER_EMAIL));
    }
    const anonymous = await dashboardSocket(nodeRed);
    assert.equal(anonymous.connected, false, anonymous.packets.join(' | '));
  });

  it('needs the login for every page and route with order data or an operator action', async () => {
    const held = await heldOrder(nodeRed, { Authorization: `Bearer ${token}` });
    const routes: [string, string, RequestInit?][] = [
      ['GET', `/dropship/api/orders/${held}`],
      ['GET', '/dropship/api/metrics'],
      ['GET', '/flows'],
      ['GET', '/dropship/watchdog/queue'],
      [
        'POST',
        `/dropship/watchdog/orders/${held}/actions`,
        { headers: { 'Content-Type': 'application/json' }, body: '{"action":"resolve"}' },
      ],
      ['POST', `/inject/${SAMPLE_INJECT}`, { headers: { 'Content-Type': 'application/json' }, body: '{}' }],
      ['GET', '/dashboard/today'],
      ['GET', '/dashboard/_setup'],
      ['GET', '/sandbox/mail/'],
      ['GET', '/sandbox/mail/messages.json'],
    ];
    for (const [method, route, init] of routes) {
      for (const headers of <Record<string, string>[]>[
        {},
        { Authorization: basic(ADMIN_USER, 'wrong') },
        PROXIED,
      ]) {
        const answer = await call(nodeRed.url(route), {
          method,
          ...init,
          headers: { ...(init?.headers as Record<string, string>), ...headers },
        });
        assert.equal(answer.status, 401, `${method} ${route} ${JSON.stringify(headers)}: ${answer.status}`);
      }
    }
    const anonymous = await dashboardSocket(nodeRed);
    assert.equal(anonymous.connected, false, anonymous.packets.join(' | '));
    const wrong = await dashboardSocket(nodeRed, { Authorization: basic(ADMIN_USER, 'wrong') });
    assert.equal(wrong.connected, false);
    const detail = (await (
      await fetch(nodeRed.url(`/dropship/api/orders/${held}`), {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json()) as OrderDetail;
    assert.equal(detail.state, 'needs_attention', 'an anonymous request changed the order');
  });

  it('serves each of them with the login: the admin token for the API, Basic for the pages', async () => {
    for (const route of ['/dropship/api/metrics', '/flows', '/dropship/watchdog/queue']) {
      const answer = await call(nodeRed.url(route), { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(answer.status, 200, `${route}: ${answer.status}`);
    }
    for (const route of ['/dashboard/today', '/dashboard/_setup', '/sandbox/mail/']) {
      const answer = await call(nodeRed.url(route), { headers: { Authorization: login } });
      assert.equal(answer.status, 200, `${route}: ${answer.status}`);
    }
    const socket = await dashboardSocket(nodeRed, { Authorization: login });
    assert.equal(socket.connected, true, socket.packets.join(' | '));
  });

  it('records the logged-in operator as the actor of a dashboard action', async () => {
    const held = await heldOrder(nodeRed, { Authorization: `Bearer ${token}` });
    const socket = await dashboardSocket(nodeRed, { Authorization: login });
    await socket.emit('widget-send', ATTENTION_WIDGET, {
      topic: 'resolve',
      orderId: held,
      payload: { orderId: held, note: 'resolved from the dashboard' },
    });
    const resolved = await eventually(
      async () => {
        const res = await fetch(nodeRed.url(`/dropship/api/orders/${held}`), {
          headers: { Authorization: `Bearer ${token}` },
        });
        const detail = (await res.json()) as OrderDetail;
        return detail.events.find((e) => e.type === 'operator.resolve');
      },
      15_000,
      'the dashboard action to be applied',
    );
    assert.equal(resolved.actor, `dashboard:${ADMIN_USER}`);
  });

  it('records the logged-in operator as the actor of an admin-route action', async () => {
    const held = await heldOrder(nodeRed, { Authorization: `Bearer ${token}` });
    const answer = await call(nodeRed.url(`/dropship/watchdog/orders/${held}/actions`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ action: 'resolve', note: 'checked' }),
    });
    assert.equal(answer.status, 200, answer.text);
    const detail = (await (
      await fetch(nodeRed.url(`/dropship/api/orders/${held}`), {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json()) as OrderDetail;
    assert.equal(detail.events.find((e) => e.type === 'operator.resolve')?.actor, `admin:${ADMIN_USER}`);
  });

  describe('in a browser', () => {
    let chromium: HeadlessChromium | undefined;
    after(async () => {
      await chromium?.close();
    });

    it('opens the dashboard with the login, shows the held order over its socket, audits its Cancel under the user', async () => {
      const held = await heldOrder(nodeRed, { Authorization: `Bearer ${token}` });
      chromium = await launchChromium({
        httpCredentials: { username: ADMIN_USER, password: ADMIN_PASSWORD },
      });
      const page = await chromium.context.newPage();
      await page.goto(nodeRed.url('/dashboard/today'));
      // The list arrives over the socket after a watchdog sweep (every 10 s).
      const row = page.locator(`tr[data-order-id="${held}"]`);
      await row.waitFor({ timeout: 30_000 });
      await row.getByRole('button', { name: 'Cancel' }).click();
      const cancel = await eventually(
        async () => {
          const res = await fetch(nodeRed.url(`/dropship/api/orders/${held}`), {
            headers: { Authorization: `Bearer ${token}` },
          });
          return ((await res.json()) as OrderDetail).events.find((e) => e.type === 'operator.cancel');
        },
        15_000,
        'the cancel from the dashboard',
      );
      assert.equal(cancel.actor, `dashboard:${ADMIN_USER}`);
    });

    it("finds a held order on the Order page and resolves it there, in the order's timeline under the user", async () => {
      const held = await heldOrder(nodeRed, { Authorization: `Bearer ${token}` });
      chromium ??= await launchChromium({
        httpCredentials: { username: ADMIN_USER, password: ADMIN_PASSWORD },
      });
      const page = await chromium.context.newPage();
      await page.goto(nodeRed.url(`/dashboard/order?order=${held}`));
      const view = page.locator(`.dropship-order [data-order-id="${held}"]`);
      await view.waitFor({ timeout: 15_000 });
      await view.getByRole('button', { name: 'Resolve' }).click();
      const last = await eventually(
        async () => {
          const entry = (await view.locator('.dropship-timeline li').allInnerTexts()).at(-1) ?? '';
          return entry.includes('Operator resolved') ? entry : undefined;
        },
        15_000,
        'the resolve step in the timeline',
      );
      assert.match(last, new RegExp(`by ${ADMIN_USER} \\(dashboard\\)`));
    });
  });
});
