import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';
import request from 'supertest';
import storeNode from '../../nodes/store/store';
import orderInNode from '../../nodes/order-in/order-in';

helper.init(require.resolve('node-red'));

/**
 * An inbound route with authentication off takes requests made on this computer, without the demo's settings.js
 * (whose httpAdminMiddleware refuses cross-site requests for the whole instance): another site's page in the
 * operator's browser is on this computer too, and a text/plain POST needs no CORS preflight.
 */
describe('security: an inbound route with authentication off refuses another site', function () {
  this.timeout(30_000);
  let dir: string;
  let RED: NodeAPI;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-cross-site-intake-'));
    await new Promise<void>((resolve) => helper.startServer(resolve));
    helper.settings({ uiHost: '127.0.0.1' });
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'node.sqlite') },
      {
        id: 'in',
        type: 'dropship-order-in',
        store: 'store',
        platform: 'generic',
        storefront: '',
        listen: true,
        senderAuth: 'none',
        path: '/dropship/orders',
        wires: [[], []],
      },
    ];
    await helper.load([(red: NodeAPI) => void (RED = red), storeNode, orderInNode], flow);
  });
  after(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    helper.settings({});
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a text/plain order posted from another site's page, takes one from this computer", async () => {
    for (const headers of <Record<string, string>[]>[
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
    ]) {
      const forged = await request(RED.httpNode)
        .post('/dropship/orders')
        .set({ 'content-type': 'text/plain', ...headers })
        .send('{}');
      assert.equal(forged.status, 401, `${JSON.stringify(headers)}: ${forged.status} ${forged.text}`);
    }
    const local = await request(RED.httpNode)
      .post('/dropship/orders')
      .set({ 'content-type': 'application/json' })
      .send('{}');
    assert.equal(local.status, 422, local.text);
  });
});
