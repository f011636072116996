import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../../core/store/open-store';
import type { OrderStore } from '../../core/store/order-store';
import { HttpSupplier, jsonReply } from '../support/http-supplier';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { sampleOrderDraft } from '../support/orders';
import { startFakeShopify, type FakeShopify } from '../fakes/shopify-admin';

const CREDENTIAL_SECRET = 'refund-crash-credential-secret';

/** Node-RED's credentials file: the JSON of every node's credentials, AES-256-CTR under SHA-256 of the secret. */
function writeCredentials(userDir: string, credentials: Record<string, Record<string, string>>): void {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(CREDENTIAL_SECRET).digest(), iv);
  const sealed = cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64');
  writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ $: iv.toString('hex') + sealed }));
}

describe('reliability: kill -9 of Node-RED while Shopify makes a refund, restart on the same SQLite file', function () {
  this.timeout(120_000);
  let dir: string;
  let userDir: string;
  let shopify: FakeShopify;
  let supplier: HttpSupplier;
  let nodeRed: RunningNodeRed | undefined;
  let store: OrderStore | undefined;

  before(() => {
    assert.ok(existsSync(path.join(REPO, 'dist', 'nodes', 'refunds', 'refunds.js')), 'run `npm run build`');
  });
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-refund-crash-'));
    userDir = mkdtempSync(path.join(tmpdir(), 'dropship-refund-crash-nr-'));
    shopify = await startFakeShopify('2026-10');
    supplier = await new HttpSupplier().start();
  });
  afterEach(async () => {
    await store?.close();
    await nodeRed?.stop();
    await shopify.close();
    await supplier.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(userDir, { recursive: true, force: true });
  });

  it('resumes the refund after the crash and Shopify refunds once', async () => {
    const shopId = shopify.addOrder({
      name: '#3001',
      locations: [
        {
          name: 'Acme',
          lines: [
            { sku: 'MUG-01', quantity: 2 },
            { sku: 'TEE-01', quantity: 1 },
          ],
        },
      ],
      paid: { amount: 5000 },
    });
    const lineIds = shopify
      .order(shopId)!
      .fulfillmentOrders[0]!.lines.map((l) => l.lineItemId.slice('gid://shopify/LineItem/'.length));
    const sqliteFile = path.join(dir, 'orders.sqlite');
    const flowFile = path.join(dir, 'flows.json');
    writeFileSync(
      flowFile,
      JSON.stringify([
        { id: 'tab', type: 'tab', label: 'Refunds' },
        { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: sqliteFile, synchronous: 'FULL' },
        {
          id: 'shop',
          type: 'dropship-storefront',
          platform: 'shopify',
          shopDomain: 'crash.myshopify.com',
          baseUrl: shopify.url,
          secretEnv: 'DROPSHIP_SHOPIFY_SECRET',
        },
        {
          id: 'supplier',
          type: 'dropship-supplier',
          supplierId: 'acme',
          connector: 'rest-json',
          settings: { url: supplier.url },
        },
        {
          id: 'router',
          z: 'tab',
          type: 'dropship-router',
          store: 'store',
          risk: '',
          rules: { strategy: 'priority', rules: [{ match: { sku: '*' }, suppliers: ['acme'] }] },
          sweepSeconds: 0.5,
          wires: [['dispatch'], []],
        },
        {
          id: 'dispatch',
          z: 'tab',
          type: 'dropship-dispatch',
          store: 'store',
          sweepSeconds: 0.5,
          wires: [[], []],
        },
        {
          id: 'refunds',
          z: 'tab',
          type: 'dropship-refunds',
          store: 'store',
          storefront: 'shop',
          policy: 'automatic',
          automaticUpTo: '',
          sweepSeconds: 0.5,
          wires: [[], []],
        },
      ]),
    );
    writeCredentials(userDir, { shop: { accessToken: shopify.accessToken } });
    const env = {
      DROPSHIP_CREDENTIAL_SECRET: CREDENTIAL_SECRET,
      DROPSHIP_DEMO_SMTP_PORT: 'off',
      DROPSHIP_DEMO_EDI: 'off',
      DROPSHIP_REFUND_LEASE_SECONDS: '3',
    };
    supplier.reply(jsonReply(422, { error: 'we no longer stock these' }));
    // Shopify makes the refund, then answers 4 s later: the kill lands in between.
    shopify.delayRefundAnswers(4000);
    nodeRed = await startNodeRed(flowFile, env, { userDir });

    store = await openStore({ engine: 'sqlite', filename: sqliteFile });
    const base = sampleOrderDraft();
    const { order } = await store.receiveOrder(
      {
        ...base,
        channel: 'shopify',
        externalId: shopId,
        lines: [
          { ...base.lines[0]!, lineId: lineIds[0]! },
          { ...base.lines[1]!, lineId: lineIds[1]! },
        ],
      },
      { actor: 'test' },
    );
    await eventually(
      async () => (shopify.order(shopId)!.refunds.length > 0 ? true : undefined),
      30_000,
      'Shopify making the refund',
    );
    await nodeRed.crash();
    const [left] = await store.listRefunds({ orderId: order.id });
    assert.equal(left?.state, 'approved', 'the crash left the refund claimed, its outcome unrecorded');

    shopify.delayRefundAnswers(0);
    nodeRed = await startNodeRed(undefined, env, { userDir });
    const settled = await eventually(
      async () => {
        const refund = await store!.getRefund(left.key);
        return refund?.state === 'refunded' ? refund : undefined;
      },
      30_000,
      'the refund recorded after the restart',
    );
    const refunds = shopify.order(shopId)!.refunds;
    assert.equal(refunds.length, 1, 'Shopify refunded once');
    assert.equal(settled.storefrontRefundId, refunds[0]!.id);
    assert.equal(refunds[0]!.amount, settled.amounts.total);
    const events = (await store.listEvents(order.id)).filter((e) => e.type.startsWith('refund.'));
    assert.deepEqual(
      events.map((e) => e.type),
      ['refund.proposed', 'refund.approved', 'refund.refunded'],
    );
    assert.match(events[2]!.reason!, /found already made/);
    assert.equal(
      (await store.listNotifications(order.id)).filter((n) => n.milestone.startsWith('refunded:')).length,
      1,
      'the customer is told once',
    );
  });
});
