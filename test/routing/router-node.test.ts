import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { OrderDraft } from '../../core/model/order';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import type { RoutingDecision } from '../../core/routing/route-order';
import type { OrderStore } from '../../core/store/order-store';
import storeNode from '../../nodes/store/store';
import routerNode from '../../nodes/router/router';
import supplierNode from '../../nodes/supplier/supplier';
import { sampleOrderDraft } from '../support/orders';

helper.init(require.resolve('node-red'));

interface TestNode {
  receive(msg: object): void;
  on(event: string, listener: (value: never) => void): void;
  store(): Promise<OrderStore>;
}

const RULES = {
  strategy: 'lowest_cost',
  suppliers: { acme: { stock: { buffer: { units: 2 } } }, zeta: { shipsTo: { countries: ['US'] } } },
  catalogue: [
    { supplier: 'acme', match: { sku: 'MUG-*' }, unitCost: 4 },
    { supplier: 'zeta', match: { sku: 'MUG-*' }, unitCost: 6 },
    { supplier: 'zeta', match: { sku: 'TEE-*' }, unitCost: 9 },
  ],
};

describe('dropship-router node', function () {
  let dir: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-router-node-'));
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  function flow(rules: unknown = RULES) {
    return [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      {
        id: 'router',
        type: 'dropship-router',
        store: 'store',
        rules,
        sweepSeconds: 3600,
        wires: [['routed'], ['held']],
      },
      { id: 'routed', type: 'helper' },
      { id: 'held', type: 'helper' },
      ...['acme', 'zeta'].map((supplierId) => ({
        id: `${supplierId}-supplier`,
        type: 'dropship-supplier',
        supplierId,
        connector: 'rest-json',
        settings: { url: `http://127.0.0.1:9/${supplierId}` },
      })),
    ];
  }

  async function loaded(rules?: unknown): Promise<{ store: OrderStore; router: TestNode }> {
    await helper.load([storeNode, supplierNode, routerNode], flow(rules));
    const store = await (helper.getNode('store') as unknown as TestNode).store();
    return { store, router: helper.getNode('router') as unknown as TestNode };
  }

  const nextMessage = (id: string) =>
    new Promise<Record<string, unknown>>((resolve) =>
      (helper.getNode(id) as unknown as TestNode).on('input', resolve),
    );

  async function stored(store: OrderStore, draft: Partial<OrderDraft> = {}) {
    return (await store.receiveOrder(sampleOrderDraft(draft), { actor: 'test' })).order;
  }

  it('routes a stored order with stock from the store, one message per purchase order', async () => {
    const { store, router } = await loaded();
    // acme is cheaper for mugs but has 1 left after its buffer; zeta has the mugs and the T-shirt.
    await store.applyStockFeed('acme', new Date(), [{ sku: 'MUG-01', quantity: 3 }]);
    const order = await stored(store);
    const routed = nextMessage('routed');
    router.receive({ orderId: order.id, topic: 'keep me' });
    const msg = await routed;
    const po = msg.payload as PurchaseOrder;
    assert.equal(msg.orderId, order.id);
    assert.equal(msg.topic, 'keep me');
    assert.equal(msg.poNumber, po.number);
    assert.equal(po.supplierId, 'zeta');
    assert.deepEqual(
      po.lines.map((l) => [l.sku, l.quantity, l.unitCost]),
      [
        ['MUG-01', 2, 6],
        ['TEE-01', 1, 9],
      ],
    );
    assert.equal((await store.getOrder(order.id))?.state, 'routed');
    const event = (await store.listEvents(order.id)).find((e) => e.type === 'order.routed')!;
    assert.match(event.reason!, /acme: only 1 left after buffer 2 for MUG-01, needs 2/);
    assert.deepEqual(
      (event.data as { explanation: string[] }).explanation.at(-1),
      'Lines 1, 2 to zeta: lowest landed cost 21.00',
    );
  });

  it('splits an order across suppliers: one message each', async () => {
    const { store, router } = await loaded({ ...RULES, split: 'always' });
    const order = await stored(store);
    const messages: Record<string, unknown>[] = [];
    const both = new Promise<void>((resolve) =>
      (helper.getNode('routed') as unknown as TestNode).on('input', (msg: never) => {
        messages.push(msg);
        if (messages.length === 2) resolve();
      }),
    );
    router.receive({ orderId: order.id });
    await both;
    assert.deepEqual(messages.map((m) => (m.payload as PurchaseOrder).supplierId).sort(), ['acme', 'zeta']);
    assert.deepEqual(
      (messages.find((m) => (m.payload as PurchaseOrder).supplierId === 'acme')!.payload as PurchaseOrder)
        .alternatives,
      ['zeta'],
    );
  });

  it('holds an unroutable order with the reason and sends it out of the second output', async () => {
    const { store, router } = await loaded();
    const order = await stored(store, { shipTo: { line1: '1 Rue', city: 'Paris', country: 'FR' } });
    const held = nextMessage('held');
    router.receive({ orderId: order.id });
    const msg = await held;
    const error = msg.error as {
      code: string;
      message: string;
      details: { path: string; message: string }[];
    };
    assert.equal(error.code, 'unroutable');
    assert.deepEqual(error.details, [
      { path: '/lines/1', message: 'no supplier can take TEE-01: zeta does not ship to FR' },
    ]);
    const after = await store.getOrder(order.id);
    assert.equal(after?.state, 'needs_attention');
    const event = (await store.listEvents(order.id)).at(-1)!;
    assert.equal(event.type, 'order.unroutable');
    assert.equal(event.reason, 'line 2 (TEE-01): no supplier can take TEE-01: zeta does not ship to FR');
  });

  it('sends a message naming no stored order out of its exceptions output (the message is at fault, not the node)', async () => {
    const { router } = await loaded();
    const held = nextMessage('held');
    router.receive({ orderId: 'ord_missing' });
    const error = (await held).error as { code: string; message: string };
    assert.equal(error.code, 'not_found');
    assert.match(error.message, /no order ord_missing/);
  });

  it('refuses invalid rules at deploy with the field named', async () => {
    const { router } = await loaded({ strategy: 'cheapest' });
    const failed = new Promise<Error>((resolve) =>
      router.on('call:error', (call: never) => resolve((call as { args: [Error] }).args[0])),
    );
    router.receive({ orderId: 'ord_x' });
    assert.match(String(await failed), /\/strategy must be one of/);
  });

  it('refuses rules that name a supplier no dropship-supplier configures, naming it; the order waits unrouted', async () => {
    const { store, router } = await loaded({
      rules: [{ name: 'Everything', match: { sku: '*' }, suppliers: ['sandbox-emial'], fallback: ['zeta'] }],
    });
    const logged = helper
      .log()
      .args.map(([entry]) => entry as { level: number; msg: unknown })
      // Node-RED's log level numbers: 20 is error.
      .filter((entry) => entry.level === 20)
      .map((entry) => String(entry.msg));
    assert.ok(
      logged.some((msg) => /suppliers? that no dropship-supplier configures: sandbox-emial/.test(msg)),
      logged.join('\n'),
    );
    const order = await stored(store);
    const failed = new Promise<Error>((resolve) =>
      router.on('call:error', (call: never) => resolve((call as { args: [Error] }).args[0])),
    );
    router.receive({ orderId: order.id });
    assert.match(String(await failed), /sandbox-emial/);
    assert.equal((await store.getOrder(order.id))?.state, 'received');
    assert.deepEqual(await store.listPurchaseOrders(order.id), []);
  });

  describe('editor endpoints', () => {
    it('previews a pasted order without deploying anything', async () => {
      await loaded();
      const response = await helper
        .request()
        .post('/dropship/router/preview')
        .send({ rules: { ...RULES, strategy: 'priority' }, order: sampleOrderDraft() })
        .expect(200);
      const decision = (response.body as { decision: RoutingDecision }).decision;
      assert.deepEqual(
        decision.assignments.map((a) => a.supplierId),
        ['zeta'],
      );
      assert.ok(decision.explanation.some((line) => line.startsWith('acme: MUG-01: no stock feed')));
    });

    it('previews a stored order with the stock of a deployed store', async () => {
      const { store } = await loaded();
      await store.applyStockFeed('zeta', new Date(), [{ sku: 'TEE-01', quantity: 0 }]);
      const order = await stored(store);
      const list = await helper
        .request()
        .get('/dropship/router/orders')
        .query({ store: 'store' })
        .expect(200);
      const orders = (list.body as { orders: { id: string; skus: string[] }[] }).orders;
      assert.deepEqual(
        orders.map((o) => [o.id, o.skus]),
        [[order.id, ['MUG-01', 'TEE-01']]],
      );
      assert.ok(!JSON.stringify(list.body).includes('Ada'), 'the order list carries no customer data');
      const response = await helper
        .request()
        .post('/dropship/router/preview')
        .send({ rules: RULES, orderId: order.id, store: 'store' })
        .expect(200);
      const decision = (response.body as { decision: RoutingDecision }).decision;
      assert.deepEqual(
        decision.unrouted.map((u) => u.sku),
        ['TEE-01'],
      );
      assert.equal((await store.getOrder(order.id))?.state, 'received', 'a preview changes nothing');
    });

    it('answers "unknown supplier" for rules naming a supplier the editor has not configured', async () => {
      await loaded();
      const typo = {
        rules: [
          { name: 'Everything', match: { sku: '*' }, suppliers: ['sandbox-emial'], fallback: ['zeta'] },
        ],
      };
      for (const endpoint of ['/dropship/router/validate', '/dropship/router/preview']) {
        const response = await helper
          .request()
          .post(endpoint)
          .send({ rules: typo, suppliers: ['acme', 'zeta'], order: sampleOrderDraft() })
          .expect(400);
        const error = (response.body as { error: { message: string; details: unknown[] } }).error;
        assert.equal(error.message, 'unknown supplier sandbox-emial');
        assert.deepEqual(error.details, [
          {
            path: '/rules/0/suppliers/0',
            message: '"sandbox-emial" is not a configured supplier (no dropship-supplier has this id)',
          },
        ]);
      }
    });

    it('answers 400 naming the field of invalid rules or orders', async () => {
      await loaded();
      const rules = await helper
        .request()
        .post('/dropship/router/validate')
        .send({ rules: { suppliers: { acme: { shipsTo: { countries: ['UK'] } } } } })
        .expect(400);
      assert.deepEqual((rules.body as { error: { details: unknown[] } }).error.details, [
        { path: '/suppliers/acme/shipsTo/countries/0', message: '"UK" is not an ISO 3166-1 country code' },
      ]);
      await helper
        .request()
        .post('/dropship/router/validate')
        .send({ rules: RULES })
        .expect(200, { valid: true });
      const order = await helper
        .request()
        .post('/dropship/router/preview')
        .send({ rules: RULES, order: { ...sampleOrderDraft(), lines: [] } })
        .expect(400);
      assert.match(
        (order.body as { error: { message: string } }).error.message,
        /\/lines must NOT have fewer than 1 items/,
      );
      await helper
        .request()
        .post('/dropship/router/preview')
        .send({ rules: RULES, orderId: 'ord_none', store: 'store' })
        .expect(404);
    });
  });
});
