import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type StoreOptions } from '../../core/store/open-store';
import type { OrderStore } from '../../core/store/order-store';
import { HttpSupplier } from '../support/http-supplier';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';
import { TEST_POSTGRES_URL, dropSchemas, ensurePostgres, uniqueSchemaName } from '../support/postgres';

/**
 * A supplier id typed wrong in a router rule, in a real Node-RED: the router refuses the rules, naming the id
 * (orders wait, unrouted); purchase orders already stranded on an id no dropship-supplier has fail
 * over to the next supplier, or hold their order in needs_attention where the watchdog counts it; fixing the rule
 * and deploying routes the waiting orders.
 */

const TYPO = 'sandbox-emial';
const rules = (supplier: string) => ({
  strategy: 'priority',
  rules: [{ name: 'Everything', match: { sku: '*' }, suppliers: [supplier] }],
});

function flow(store: StoreOptions, supplierUrl: string, rulesSupplier: string): unknown[] {
  return [
    { id: 'tab', type: 'tab', label: 'Unknown supplier' },
    { id: 'orders-store', type: 'dropship-store', name: 'Orders', ...store },
    {
      id: 'sandbox-config',
      type: 'dropship-supplier',
      supplierId: 'sandbox',
      connector: 'rest-json',
      settings: { url: supplierUrl, timeoutMs: 5_000 },
    },
    {
      id: 'router',
      type: 'dropship-router',
      z: 'tab',
      store: 'orders-store',
      rules: rules(rulesSupplier),
      sweepSeconds: 5,
      wires: [['dispatch'], []],
    },
    {
      id: 'dispatch',
      type: 'dropship-dispatch',
      z: 'tab',
      store: 'orders-store',
      sweepSeconds: 0.5,
      leaseSeconds: 10,
      // 1.2 s instead of the 10 minutes an operator gets by default.
      strandedMinutes: 0.02,
      wires: [[], []],
    },
    {
      id: 'watchdog',
      type: 'dropship-watchdog',
      z: 'tab',
      store: 'orders-store',
      sweepSeconds: 3600,
      wires: [[], [], []],
    },
  ];
}

function describeOnEngine(engine: 'sqlite' | 'postgres'): void {
  describe(`an unknown supplier id in a real Node-RED (${engine})`, function () {
    this.timeout(90_000);
    let dir: string;
    let schema: string;
    let storeOptions: StoreOptions;
    let supplier: HttpSupplier;
    let nodeRed: RunningNodeRed;
    let store: OrderStore;

    before(async function () {
      this.timeout(60_000);
      assert.ok(existsSync(path.join(REPO, 'dist', 'nodes', 'router', 'router.js')), 'run `npm run build`');
      dir = mkdtempSync(path.join(tmpdir(), 'dropship-unknown-supplier-'));
      if (engine === 'postgres') {
        await ensurePostgres();
        schema = uniqueSchemaName();
        storeOptions = { engine: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolSize: 2 };
      } else storeOptions = { engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') };
      supplier = await new HttpSupplier().start();
      const flowFile = path.join(dir, 'flows.json');
      writeFileSync(flowFile, JSON.stringify(flow(storeOptions, supplier.url, TYPO)));
      nodeRed = await startNodeRed(flowFile, { DROPSHIP_DEMO_SMTP_PORT: 'off' });
      store = await openStore(storeOptions);
    });
    after(async () => {
      await store?.close();
      await nodeRed?.stop();
      await supplier?.stop();
      if (schema) await dropSchemas([schema]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses the rules at start, naming the unknown supplier in the log', () => {
      // The red status on the node is seen in the editor: test/browser/editor-checks.browser.test.ts.
      assert.match(
        nodeRed.output(),
        /\[error\] \[dropship-router:router\] routing rules name a supplier that no dropship-supplier configures: sandbox-emial/,
      );
    });

    it('fails a stranded PO over to the next supplier, or holds its order where the watchdog counts it', async () => {
      const stranded = async (externalId: string, alternatives: string[]) => {
        const { order } = await store.receiveOrder(sampleOrderDraft({ externalId }), { actor: 'test' });
        await store.assignPurchaseOrders(
          order.id,
          ['received'],
          [purchaseOrderDraftFor(order, TYPO, { alternatives })],
          { type: 'order.routed', actor: 'test' },
        );
        return order.id;
      };
      const withFallback = await stranded('STRANDED-1', ['sandbox']);
      const alone = await stranded('STRANDED-2', []);

      const replacement = await eventually(
        async () =>
          (await store.listPurchaseOrders(withFallback)).find(
            (po) => po.supplierId === 'sandbox' && po.state === 'accepted',
          ),
        20_000,
        'the replacement PO at sandbox',
      );
      assert.equal(supplier.requestsFor(replacement.number).length, 1);
      const typoPo = (await store.listPurchaseOrders(withFallback)).find((po) => po.supplierId === TYPO)!;
      assert.equal(typoPo.state, 'failed');
      assert.match(typoPo.lastError ?? '', /supplier "sandbox-emial" is not deployed/);

      await eventually(
        async () => ((await store.getOrder(alone))?.state === 'needs_attention' ? true : undefined),
        20_000,
        'the order without an alternative held',
      );
      const queue = (await (await fetch(nodeRed.url('/dropship/watchdog/queue'))).json()) as {
        queue: { orderId: string; reason: string }[];
      };
      const held = queue.queue.find((entry) => entry.orderId === alone);
      assert.ok(held, JSON.stringify(queue));
      assert.match(held.reason, /supplier "sandbox-emial" is not deployed.*no other supplier can take/);
    });

    it('routes the orders that waited once the rule is fixed and deployed', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft({ externalId: 'WAITING-1' }), {
        actor: 'test',
      });
      // The refusing router leaves it received, however often its sweep runs.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      assert.equal((await store.getOrder(order.id))?.state, 'received');

      const deploy = await fetch(nodeRed.url('/flows'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flow(storeOptions, supplier.url, 'sandbox')),
      });
      assert.equal(deploy.status, 204, await deploy.text());
      const po = await eventually(
        async () =>
          (await store.listPurchaseOrders(order.id)).find(
            (p) => p.supplierId === 'sandbox' && p.state === 'accepted',
          ),
        30_000,
        'the waiting order routed to sandbox and accepted',
      );
      assert.equal(supplier.requestsFor(po.number).length, 1);
    });
  });
}

describeOnEngine('sqlite');
describeOnEngine('postgres');
