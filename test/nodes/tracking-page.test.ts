import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';
import { chromium, type Browser } from 'playwright-core';
import mailerNode from '../../nodes/mailer/mailer';
import notifyNode from '../../nodes/notify/notify';
import storeNode from '../../nodes/store/store';
import { SmtpSink } from '../support/smtp-sink';
import { REPO } from '../support/node-red-process';
import { acceptedOrder, collect, storeOfFlow, until } from './tracking-in-setup';

helper.init(require.resolve('node-red'));

/** Debian's chromium (apt-get install -y --no-install-recommends chromium), as the page's own browser test. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO, 'test-artifacts', 'screenshots');
const SECRET = 'tracking-page-link-secret-0123456789';
const NO_MATCH = 'We could not find an order with that number and e-mail address.';

describe('the customer tracking page served by dropship-notify, in headless Chromium', function () {
  this.timeout(60_000);
  let dir: string;
  let browser: Browser;
  let smtp: SmtpSink;
  let server: Server;
  let baseUrl: string;
  let RED: NodeAPI;
  const captureRed = (red: NodeAPI): void => {
    RED = red;
  };

  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  after(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-tracking-page-'));
    smtp = await new SmtpSink().start();
    // Node-RED's HTTP node app on a real loopback port, as the browser reaches it.
    server = createServer((req, res) =>
      (RED.httpNode as unknown as (q: unknown, s: unknown) => void)(req, res),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      {
        id: 'mail',
        type: 'dropship-mailer',
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'Shop <shop@example.test>',
      },
      {
        id: 'notify',
        type: 'dropship-notify',
        store: 'store',
        channels: ['email'],
        mailer: 'mail',
        storeName: 'Acme Goods',
        milestones: ['shipped'],
        sweepSeconds: 3600,
        trackingPage: true,
        trackingPagePath: '/dropship/track',
        publicUrl: baseUrl,
        primaryColour: '#0a7d52',
        supportEmail: 'help@acme.example',
        wires: [['sent'], ['notSent']],
      },
      { id: 'sent', type: 'helper' },
      { id: 'notSent', type: 'helper' },
    ];
    await helper.load([captureRed, storeNode, mailerNode, notifyNode], flow, {
      notify: { linkSecret: SECRET },
    });
  });
  afterEach(async () => {
    await helper.unload();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An order split between two suppliers: one parcel out for delivery, the other supplier still packing. */
  async function splitOrder() {
    const store = await storeOfFlow();
    const { order, pos } = await acceptedOrder(
      store,
      {
        orderNumber: '#4242',
        customer: { name: 'Grace Hopper', email: 'Grace.Hopper@example.test' },
      },
      { acme: ['MUG-01'], zeta: ['TEE-01'] },
    );
    for (const [status, hour] of [
      ['in_transit', 9],
      ['out_for_delivery', 14],
    ] as const) {
      await store.recordShipmentEvent(
        {
          orderId: order.id,
          poNumber: pos[0]!.number,
          carrier: 'ups',
          trackingNumber: '1Z5R89390357567127',
          trackingUrl: 'https://www.ups.com/track?tracknum=1Z5R89390357567127',
          status,
          occurredAt: `2026-11-24T${String(hour).padStart(2, '0')}:00:00.000Z`,
          location: 'Reno, NV, US',
          source: 'carrier:ups',
        },
        'test',
      );
    }
    return order;
  }

  it('links the shipped e-mail to the order page, which shows each parcel in the store colours', async () => {
    const order = await splitOrder();
    const sent = collect('sent');
    helper.getNode('notify').receive({ orderId: order.id });
    await until(() => (sent.length === 1 ? true : undefined), 'the shipped e-mail');
    const text = smtp.messages[0]!.parsed.text ?? '';
    const link = new RegExp(`Follow it: (${baseUrl}/dropship/track/[A-Za-z0-9_-]+)`).exec(text)?.[1];
    assert.ok(link, text);

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const answer = await page.goto(link);
    assert.equal(answer!.status(), 200);
    const headers = answer!.headers();
    assert.equal(headers['cache-control'], 'no-store');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.match(
      headers['content-security-policy']!,
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/,
    );
    assert.equal(await page.title(), 'Order #4242 · Acme Goods');
    // The inline style is allowed by its hash: the header carries the store colour, and nothing was blocked.
    assert.equal(
      await page.locator('header').evaluate((el) => getComputedStyle(el).backgroundColor),
      'rgb(10, 125, 82)',
    );
    const parcels = page.locator('section.parcel');
    assert.equal(await parcels.count(), 1);
    assert.equal(await parcels.nth(0).locator('.headline').innerText(), 'Out for delivery');
    assert.ok((await parcels.nth(0).innerText()).includes('2 × Mug'));
    assert.ok((await page.locator('section.awaiting').innerText()).includes('1 × T-shirt'));
    const body = await page.locator('body').innerText();
    assert.ok(!body.includes('Grace'), 'no customer data on the page');
    assert.ok(!body.includes('Analytical Way'));
    assert.deepEqual(problems, []);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = path.join(SCREENSHOTS, 'tracking-page-node-red.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000);
    await page.close();
  });

  it('finds the order from its number and e-mail, and answers a wrong pair exactly as an unknown number', async () => {
    const order = await splitOrder();
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/dropship/track`);
    assert.equal(await page.locator('h1').innerText(), 'Track your order');

    const tryLookup = async (orderNumber: string, email: string) => {
      await page.goto(`${baseUrl}/dropship/track`);
      await page.fill('#orderNumber', orderNumber);
      await page.fill('#email', email);
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      return { url: page.url(), error: await page.locator('.error').allInnerTexts() };
    };
    const wrongEmail = await tryLookup('4242', 'someone@example.test');
    const unknownNumber = await tryLookup('9999', 'grace.hopper@example.test');
    assert.equal(wrongEmail.url, `${baseUrl}/dropship/track`);
    assert.deepEqual(wrongEmail.error, unknownNumber.error);
    assert.ok(wrongEmail.error[0]!.startsWith(NO_MATCH));

    // The number without "#" and the address in another case still find it.
    const found = await tryLookup('4242', 'grace.hopper@EXAMPLE.test');
    assert.match(found.url, new RegExp(`^${baseUrl}/dropship/track/[A-Za-z0-9_-]+$`));
    assert.equal(await page.locator('h1').innerText(), 'Order #4242');
    await page.close();

    const tampered = await fetch(`${found.url.slice(0, -3)}AAA`);
    assert.equal(tampered.status, 404);
    assert.match(await tampered.text(), /This tracking link is not valid/);
    assert.equal((await storeOfFlow().then((s) => s.getOrder(order.id)))!.id, order.id);
  });

  it('slows down a client that tries one order number after another', async () => {
    const attempt = () =>
      fetch(`${baseUrl}/dropship/track`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ orderNumber: '1000', email: 'x@example.test' }).toString(),
        redirect: 'manual',
      });
    const answers: number[] = [];
    for (let i = 0; i < 11; i++) answers.push((await attempt()).status);
    assert.deepEqual(answers, [...Array(10).fill(200), 429]);
    const limited = await attempt();
    assert.equal(limited.headers.get('cache-control'), 'no-store');
    assert.match(await limited.text(), /Too many attempts/);
  });

  it('behind a reverse proxy on this host, limits each forwarded client on its own', async () => {
    // The test's requests come from 127.0.0.1, as a proxy on the same host (nginx, Caddy) would send them.
    const attempt = (client: string) =>
      fetch(`${baseUrl}/dropship/track`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          // What the client sent itself comes first; the proxy appends the address it saw.
          'X-Forwarded-For': `10.9.9.9, ${client}`,
        },
        body: new URLSearchParams({ orderNumber: '1000', email: 'x@example.test' }).toString(),
        redirect: 'manual',
      });
    const first: number[] = [];
    for (let i = 0; i < 11; i++) first.push((await attempt('203.0.113.7')).status);
    assert.deepEqual(first, [...Array(10).fill(200), 429]);
    // Another customer behind the same proxy is not held back by the first one's attempts...
    assert.equal((await attempt('198.51.100.23')).status, 200);
    // ...and the first cannot get round its limit by forging an earlier hop.
    assert.equal((await attempt('203.0.113.7')).status, 429);
  });

  it('serves nothing once the node is gone (no stale route after a redeploy)', async () => {
    assert.equal((await fetch(`${baseUrl}/dropship/track`)).status, 200);
    await helper.unload();
    assert.equal((await fetch(`${baseUrl}/dropship/track`)).status, 404);
  });
});
