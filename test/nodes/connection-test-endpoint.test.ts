import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeUps, type FakeCarrier } from '../fakes/carriers';
import { startHttpFake, type HttpFake } from '../fakes/http-fake';
import { startFakeShopifyShop } from '../fakes/shopify-shop';
import { eventually, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import {
  FakeRestSupplier,
  SmtpSink,
  SmtpSupplier,
  startSftpServer,
  type SftpTestServer,
} from '../connectors/peers';

/**
 * The config dialogs' "Test connection" admin routes, against a running Node-RED and real local peers: the
 * dialog's undeployed settings and secrets are tested, a password left as Node-RED's placeholder is the stored
 * one, and every answer is a sentence (no stack, no path).
 */

interface Answer {
  status: number;
  ok?: boolean;
  message?: string;
}

describe('"Test connection" admin routes', function () {
  this.timeout(60_000);
  let nodeRed: RunningNodeRed;
  let scratch: string;
  let rest: FakeRestSupplier;
  let smtp: SmtpSupplier;
  let sink: SmtpSink;
  let sftp: SftpTestServer;
  let restSettings: Record<string, unknown>;
  let ups: FakeCarrier;
  let shop: HttpFake;
  let wooShop: HttpFake;
  const shopToken = 'shpat_0123456789abcdef';

  async function post(route: string, body: unknown, contentType = 'application/json'): Promise<Answer> {
    const response = await fetch(nodeRed.url(route), {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const answer = (await response.json()) as { ok?: boolean; message?: string };
    return { status: response.status, ...answer };
  }

  function assertWords(answer: Answer): void {
    assert.ok(answer.message && answer.message.length > 0, 'the answer says something');
    assert.doesNotMatch(answer.message, /\n\s+at |\/work\/|node_modules|\.ts:\d+/, answer.message);
  }

  before(async function () {
    this.timeout(90_000);
    [rest, smtp, sink, sftp, ups] = await Promise.all([
      new FakeRestSupplier().start(),
      new SmtpSupplier().start(),
      new SmtpSink().start(),
      startSftpServer(),
      startFakeUps(),
    ]);
    shop = await startFakeShopifyShop({ legacyToken: shopToken });
    // WooCommerce REST API v3: GET /wp-json/wc/v3/system_status with the consumer key and secret (HTTP Basic).
    wooShop = await startHttpFake((request) => {
      const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (basic === undefined || Buffer.from(basic, 'base64').toString() !== 'ck_test:cs_test')
        return {
          status: 401,
          body: {
            code: 'woocommerce_rest_cannot_view',
            message: 'Sorry, you cannot list resources.',
            data: { status: 401 },
          },
        };
      if (request.method === 'GET' && request.path === '/wp-json/wc/v3/system_status')
        return { status: 200, body: { environment: { version: '9.4.2', site_url: 'http://127.0.0.1' } } };
      return { status: 404, body: { code: 'rest_no_route', message: 'No route was found' } };
    });
    restSettings = { url: `${rest.baseUrl}/orders`, auth: 'api-key', testUrl: `${rest.baseUrl}/ping` };
    scratch = mkdtempSync(path.join(tmpdir(), 'dropship-connection-test-'));
    const flows = path.join(scratch, 'flows.json');
    writeFileSync(flows, '[]');
    nodeRed = await startNodeRed(flows);
    // A deployed supplier whose API key is stored, as the editor deploys it (credentials beside the node).
    const deployed = await fetch(nodeRed.url('/flows'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify([
        {
          id: 'a1b2c3d4e5f60718',
          type: 'dropship-supplier',
          supplierId: 'acme',
          connector: 'rest-json',
          settings: restSettings,
          credentials: { apiKey: rest.apiKey },
        },
      ]),
    });
    assert.ok(deployed.ok, `deploy answered ${deployed.status}`);
    // The deploy is answered before the new flows have started.
    await eventually(
      async () => (nodeRed.output().split('Started flows').length > 2 ? true : undefined),
      20_000,
      'the deployed flows to start',
    );
  });

  after(async () => {
    await nodeRed?.stop();
    await Promise.all([
      rest?.stop(),
      smtp?.stop(),
      sink?.stop(),
      sftp?.stop(),
      ups?.close(),
      shop?.close(),
      wooShop?.close(),
    ]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('tests a REST supplier with the API key typed in the dialog, not yet deployed', async () => {
    const answer = await post('/dropship/connectors/test', {
      connector: 'rest-json',
      settings: restSettings,
      credentials: { apiKey: rest.apiKey },
    });
    assert.equal(answer.ok, true, answer.message);
    assert.match(answer.message!, /GET http:\/\/127\.0\.0\.1:\d+\/ping answered HTTP 200/);
    assert.ok(rest.requests.some((r) => r.url === '/ping' && r.headers['x-api-key'] === rest.apiKey));
    assert.equal(rest.orders.size, 0, 'a test orders nothing');
  });

  it("uses the stored API key when the dialog's password field is unchanged (__PWRD__)", async () => {
    const stored = await post('/dropship/connectors/test', {
      id: 'a1b2c3d4e5f60718',
      connector: 'rest-json',
      settings: restSettings,
      credentials: { apiKey: '__PWRD__' },
    });
    assert.equal(stored.ok, true, stored.message);
    // The id of a node of another type (the mailer's password is not the supplier's), or none: nothing stored.
    const otherType = await post('/dropship/mailers/test', {
      id: 'a1b2c3d4e5f60718',
      host: '127.0.0.1',
      port: smtp.port,
      credentials: { user: smtp.username, password: '__PWRD__' },
    });
    assert.equal(otherType.ok, false);
    const none = await post('/dropship/connectors/test', {
      connector: 'rest-json',
      settings: restSettings,
      credentials: { apiKey: '__PWRD__' },
    });
    assert.equal(none.ok, false);
    assert.match(none.message!, /HTTP 401: the supplier refused the credentials/);
  });

  it('says in words why a changed key or invalid settings do not work', async () => {
    const wrong = await post('/dropship/connectors/test', {
      id: 'a1b2c3d4e5f60718',
      connector: 'rest-json',
      settings: restSettings,
      credentials: { apiKey: 'typed-but-wrong' },
    });
    assert.equal(wrong.ok, false);
    assertWords(wrong);
    const invalid = await post('/dropship/connectors/test', {
      connector: 'rest-json',
      settings: { auth: 'api-key' },
      credentials: {},
    });
    assert.equal(invalid.ok, false);
    assert.match(invalid.message!, /\/url is required/);
    const unknown = await post('/dropship/connectors/test', { connector: 'fax', settings: {} });
    assert.equal(unknown.ok, false);
    assert.match(unknown.message!, /unknown supplier connector "fax"/);
  });

  it('logs in to the SFTP server and lists the folders of an X12 supplier', async () => {
    const answer = await post('/dropship/connectors/test', {
      connector: 'x12-sftp',
      settings: {
        transport: { type: 'sftp', host: sftp.host, port: sftp.port, username: sftp.username },
        envelope: { senderQualifier: 'ZZ', senderId: 'US', receiverQualifier: 'ZZ', receiverId: 'THEM' },
        outboundFolder: 'to-supplier',
        inboundFolder: 'from-supplier',
        archiveFolder: 'from-supplier/archive',
        errorFolder: 'from-supplier/error',
      },
      credentials: { password: sftp.password },
    });
    assert.equal(answer.ok, true, answer.message);
    assert.match(
      answer.message!,
      /Logged in to 127\.0\.0\.1:\d+ as \S+ and listed to-supplier \(0 files\), from-supplier/,
    );
    const refused = await post('/dropship/connectors/test', {
      connector: 'csv-sftp',
      settings: {
        transport: { type: 'sftp', host: sftp.host, port: sftp.port, username: sftp.username },
        outboundFolder: 'orders',
      },
      credentials: { password: 'not-the-password' },
    });
    assert.equal(refused.ok, false);
    assertWords(refused);
  });

  it("logs in to an e-mail supplier's SMTP server; a wrong password is refused in words", async () => {
    const settings = {
      smtp: { host: '127.0.0.1', port: smtp.port },
      from: 'purchasing@dropship.test',
      to: 'orders@acme.test',
    };
    const good = await post('/dropship/connectors/test', {
      connector: 'email',
      settings,
      credentials: { username: smtp.username, password: smtp.password },
    });
    assert.equal(good.ok, true, good.message);
    assert.match(good.message!, /accepted the login of orders@dropship\.test/);
    const bad = await post('/dropship/connectors/test', {
      connector: 'email',
      settings,
      credentials: { username: smtp.username, password: 'nope' },
    });
    assert.equal(bad.ok, false);
    assert.match(bad.message!, /SMTP login refused/);
    assertWords(bad);
    assert.equal(smtp.messages.length, 0, 'a test sends no e-mail');
  });

  it("tests the mailer's SMTP server", async () => {
    const answer = await post('/dropship/mailers/test', {
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
    });
    assert.equal(answer.ok, true, answer.message);
    assert.match(answer.message!, /accepted the connection/);
    assert.equal(sink.messages.length, 0);
  });

  it("fetches a carrier's access token and makes one lookup", async () => {
    const answer = await post('/dropship/carriers/test', {
      carrier: 'ups',
      settings: { baseUrl: ups.url },
      credentials: { clientId: ups.clientId, clientSecret: ups.clientSecret },
    });
    assert.equal(answer.ok, true, answer.message);
    assert.match(answer.message!, /UPS accepted the credentials and answered a tracking lookup/);
    assert.equal(ups.tokenCalls().length, 1);
    const refused = await post('/dropship/carriers/test', {
      carrier: 'ups',
      settings: { baseUrl: ups.url },
      credentials: { clientId: ups.clientId, clientSecret: 'wrong' },
    });
    assert.equal(refused.ok, false);
    assert.match(refused.message!, /UPS refused the API credentials/);
  });

  it("reads a Shopify shop's record with the dialog's access token", async () => {
    const fields = { platform: 'shopify', shopDomain: 'john-smith.myshopify.com', baseUrl: shop.url };
    const answer = await post('/dropship/storefronts/test', {
      ...fields,
      credentials: { accessToken: shopToken },
    });
    assert.equal(answer.ok, true, answer.message);
    assert.match(answer.message!, /the shop "Demo shop": the app credentials work/);
    const refused = await post('/dropship/storefronts/test', {
      ...fields,
      credentials: { accessToken: 'x' },
    });
    assert.equal(refused.ok, false);
    assert.match(refused.message!, /Shopify refused the Admin API call \(HTTP 401\)/);
  });

  it("reads a Shopify shop's record with the dialog's Dev Dashboard client id and secret", async () => {
    const fields = { platform: 'shopify', shopDomain: 'john-smith.myshopify.com', baseUrl: shop.url };
    const answer = await post('/dropship/storefronts/test', {
      ...fields,
      credentials: { clientId: 'test-client', clientSecret: 'test-secret' },
    });
    assert.equal(answer.ok, true, answer.message);
    assert.match(answer.message!, /the shop "Demo shop": the app credentials work/);
    const refused = await post('/dropship/storefronts/test', {
      ...fields,
      credentials: { clientId: 'test-client', clientSecret: 'wrong' },
    });
    assert.equal(refused.ok, false);
    assert.match(refused.message!, /Shopify refused the app's client credentials .*HTTP 400, invalid_client/);
  });

  it("lists and subscribes a Shopify shop's order webhooks from the dialog, creating only what is missing", async () => {
    const fields = {
      platform: 'shopify',
      shopDomain: 'john-smith.myshopify.com',
      baseUrl: shop.url,
      webhookUrl: 'https://dropship.example.com/dropship/shopify/orders',
      credentials: { clientId: 'test-client', clientSecret: 'test-secret' },
    };
    const before = await post('/dropship/storefronts/webhooks/list', fields);
    assert.equal(before.ok, true, before.message);
    assert.equal(before.message, 'The shop sends no webhooks to this app yet.');
    const subscribed = await post('/dropship/storefronts/webhooks/subscribe', fields);
    assert.equal(subscribed.ok, true, subscribed.message);
    assert.match(
      subscribed.message!,
      /ORDERS_CREATE → https:\/\/dropship\.example\.com\/dropship\/shopify\/orders \(subscribed now\)/,
    );
    const again = await post('/dropship/storefronts/webhooks/subscribe', fields);
    assert.match(again.message!, /ORDERS_PAID → .* \(already subscribed\)/);
    const refused = await post('/dropship/storefronts/webhooks/subscribe', {
      ...fields,
      webhookUrl: 'ftp://x',
    });
    assert.equal(refused.ok, false);
    assertWords(refused);
  });

  it("reads a WooCommerce shop's system status with the dialog's REST API keys", async () => {
    const fields = { platform: 'woocommerce', baseUrl: wooShop.url };
    const answer = await post('/dropship/storefronts/test', {
      ...fields,
      credentials: { consumerKey: 'ck_test', consumerSecret: 'cs_test' },
    });
    assert.equal(answer.ok, true, answer.message);
    assert.match(answer.message!, /WooCommerce 9\.4\.2 answered: the REST API keys work/);
    const refused = await post('/dropship/storefronts/test', {
      ...fields,
      credentials: { consumerKey: 'ck_test', consumerSecret: 'wrong' },
    });
    assert.equal(refused.ok, false);
    assert.match(refused.message!, /WooCommerce refused the API credentials \(HTTP 401\)/);
  });

  it('takes only JSON: a form post from another page is refused', async () => {
    const requestsBefore = rest.requests.length;
    const answer = await post(
      '/dropship/connectors/test',
      'connector=rest-json',
      'application/x-www-form-urlencoded',
    );
    assert.equal(answer.status, 415);
    assert.notEqual(answer.ok, true);
    assert.equal(rest.requests.length, requestsBefore, 'nothing was called');
  });
});
