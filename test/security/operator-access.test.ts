import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import express from 'express';
import {
  basicLogin,
  isCrossSitePageRequest,
  isCrossSiteRequest,
  isJsonBody,
  isLocalRequest,
  type RequestOrigin,
  type TrustProxy,
} from '../../nodes/adapter/operator-access';

const request = (remoteAddress: string, headers: IncomingHttpHeaders = {}): RequestOrigin => ({
  socket: { remoteAddress },
  headers: { host: '127.0.0.1:1880', ...headers },
});

/** Express's compiled `trust proxy` setting, as Node-RED sets it from `httpServerOptions`. */
function trustProxy(setting: unknown): TrustProxy {
  const app = express();
  app.set('trust proxy', setting);
  return app.get('trust proxy fn') as TrustProxy;
}

describe('security: who is a local request (operator-access)', () => {
  it('takes a direct request from loopback, IPv4, IPv6 or mapped, naming this machine', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      assert.equal(isLocalRequest(request(address)), true, address);
    for (const host of ['localhost:1880', '[::1]:1880', 'app.localhost'])
      assert.equal(isLocalRequest(request('127.0.0.1', { host })), true, host);
  });

  it('refuses another machine, a foreign Host (a rebound DNS name) and anything a proxy passed on', () => {
    for (const address of ['203.0.113.5', '10.0.0.2', '::ffff:10.0.0.2', 'fe80::1', '::'])
      assert.equal(isLocalRequest(request(address)), false, address);
    assert.equal(isLocalRequest(request('127.0.0.1', { host: 'evil.example:1880' })), false);
    for (const [name, value] of <[string, string][]>[
      ['x-forwarded-for', '203.0.113.5'],
      ['x-forwarded-for', '127.0.0.1'],
      ['forwarded', 'for=127.0.0.1'],
      ['x-real-ip', '127.0.0.1'],
      ['x-forwarded-host', 'shop.example.com'],
      ['x-forwarded-proto', 'https'],
      ['via', '1.1 proxy'],
      // What CDNs and tunnels add (Cloudflare, Akamai, Fastly), some without X-Forwarded-For.
      ['cf-connecting-ip', '203.0.113.5'],
      ['true-client-ip', '203.0.113.5'],
      ['x-client-ip', '203.0.113.5'],
      ['fastly-client-ip', '203.0.113.5'],
      ['x-cluster-client-ip', '203.0.113.5'],
      ['cdn-loop', 'cloudflare'],
    ])
      assert.equal(isLocalRequest(request('127.0.0.1', { [name]: value })), false, `${name}: ${value}`);
  });

  it("believes a proxy Node-RED trusts ('trust proxy'), and then only when every address it names is this machine", () => {
    const trusted = trustProxy('loopback');
    assert.equal(isLocalRequest(request('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }), trusted), true);
    assert.equal(isLocalRequest(request('127.0.0.1', { forwarded: 'for="[::1]:5000"' }), trusted), true);
    for (const forwardedFor of ['203.0.113.5', '127.0.0.1, 203.0.113.5', '203.0.113.5, 127.0.0.1', 'unknown'])
      assert.equal(
        isLocalRequest(request('127.0.0.1', { 'x-forwarded-for': forwardedFor }), trusted),
        false,
        forwardedFor,
      );
    assert.equal(isLocalRequest(request('127.0.0.1', { via: '1.1 proxy' }), trusted), false);
    assert.equal(
      isLocalRequest(
        request('127.0.0.1', { 'x-forwarded-for': '127.0.0.1', 'cf-connecting-ip': '203.0.113.5' }),
        trusted,
      ),
      false,
    );
    // A proxy the setting does not trust is not believed.
    assert.equal(
      isLocalRequest(request('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }), trustProxy('10.0.0.0/8')),
      false,
    );
  });

  it("reads the trust from the request's own Express application", () => {
    const app = express();
    app.set('trust proxy', 'loopback');
    const req = { ...request('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }), app };
    assert.equal(isLocalRequest(req), true);
    assert.equal(isLocalRequest({ ...req, app: express() }), false);
  });

  it('tells a cross-site browser request by Sec-Fetch-Site, else by Origin against Host', () => {
    const from = (headers: IncomingHttpHeaders) =>
      isCrossSiteRequest({ headers: { host: 'ops.example:1880', ...headers } });
    assert.equal(from({}), false);
    assert.equal(from({ 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }), false);
    assert.equal(from({ 'sec-fetch-site': 'none' }), false);
    assert.equal(from({ 'sec-fetch-site': 'cross-site' }), true);
    assert.equal(from({ 'sec-fetch-site': 'same-site' }), true);
    assert.equal(from({ origin: 'http://ops.example:1880' }), false);
    assert.equal(from({ origin: 'https://evil.example' }), true);
    assert.equal(from({ origin: 'null' }), true);
    assert.equal(from({ origin: 'https://shop.example', 'x-forwarded-host': 'shop.example' }), false);
  });

  it("refuses another site's page any request but following a link (a GET navigation)", () => {
    const from = (method: string, headers: IncomingHttpHeaders) =>
      isCrossSitePageRequest({ method, headers: { host: 'ops.example:1880', ...headers } });
    const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    assert.equal(from('GET', { ...crossSite, 'sec-fetch-mode': 'cors' }), true);
    assert.equal(from('GET', { origin: 'https://evil.example' }), true);
    assert.equal(from('GET', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }), false);
    assert.equal(from('POST', { ...crossSite, 'sec-fetch-mode': 'navigate' }), true);
    assert.equal(from('GET', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }), false);
    assert.equal(from('POST', {}), false);
  });

  it('takes JSON bodies only as application/json (or a +json type)', () => {
    assert.equal(isJsonBody({ 'content-type': 'application/json; charset=utf-8' }), true);
    assert.equal(isJsonBody({ 'content-type': 'application/merge-patch+json' }), true);
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'application/jsonp',
    ])
      assert.equal(isJsonBody({ 'content-type': type }), false, type);
    assert.equal(isJsonBody({}), false);
  });

  it('checks a Basic login once and remembers it, and never takes a wrong one', async () => {
    let checks = 0;
    const login = basicLogin(async (username, password) => {
      checks++;
      return username === 'ada' && password === 'pa:ss';
    });
    const header = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    assert.equal(await login(header('ada', 'pa:ss')), 'ada');
    assert.equal(await login(header('ada', 'pa:ss')), 'ada');
    assert.equal(checks, 1);
    assert.equal(await login(header('ada', 'wrong')), undefined);
    assert.equal(await login(header('ada', 'wrong')), undefined);
    assert.equal(checks, 3);
    assert.equal(await login('Bearer ada'), undefined);
    assert.equal(await login(undefined), undefined);
  });

  it("stops checking a user's password after 5 failures in 10 minutes, as Node-RED's own login does", async () => {
    let checks = 0;
    const login = basicLogin(async (username, password) => {
      checks++;
      return username === 'ada' && password === 'right';
    });
    const header = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    for (let i = 0; i < 5; i++) assert.equal(await login(header('ada', `guess${i}`)), undefined);
    assert.equal(checks, 5);
    // The sixth try is refused unchecked, the right password too: guessing costs 10 minutes per 5 tries.
    assert.equal(await login(header('ada', 'right')), undefined);
    assert.equal(checks, 5);
    // Another user's tries do not count against this one.
    assert.equal(await login(header('grace', 'x')), undefined);
    assert.equal(checks, 6);
  });
});
