import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';
import request from 'supertest';
import type { OrderStore } from '../../core/store/order-store';
import storeNode from '../../nodes/store/store';
import metricsNode from '../../nodes/metrics/metrics';
import watchdogNode from '../../nodes/watchdog/watchdog';
import supplierNode from '../../nodes/supplier/supplier';
import { purchaseOrderDraftFor } from '../support/orders';
import { sampleOrderDraft } from '../support/orders';
import { eventually } from '../support/node-red-process';

helper.init(require.resolve('node-red'));

describe('dropship-metrics and dropship-watchdog nodes (node-red-node-test-helper)', function () {
  this.timeout(20_000);
  let dir: string;
  let RED: NodeAPI;
  const captureRed = (red: NodeAPI): void => {
    RED = red;
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-metrics-node-'));
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const flow = () => [
    {
      id: 'store',
      type: 'dropship-store',
      engine: 'sqlite',
      filename: path.join(dir, 'orders.sqlite'),
    },
    {
      id: 'metrics',
      type: 'dropship-metrics',
      store: 'store',
      windowDays: 30,
      groupBy: 'supplier',
      intervalSeconds: 0,
      listen: true,
      wires: [['figures'], ['alerts']],
    },
    {
      id: 'watchdog',
      type: 'dropship-watchdog',
      store: 'store',
      sweepSeconds: 3600,
      policy: '',
      wires: [['steps'], ['queue'], ['errors']],
    },
    ...['figures', 'alerts', 'steps', 'queue', 'errors'].map((id) => ({ id, type: 'helper' })),
  ];
  const store = () => (helper.getNode('store') as unknown as { store(): Promise<OrderStore> }).store();

  it('serves GET /dropship/api/metrics on loopback and asks for the store token otherwise', async () => {
    helper.settings({ uiHost: '127.0.0.1' });
    await helper.load([captureRed, storeNode, metricsNode, watchdogNode], flow());
    const answer = await request(RED.httpNode).get('/dropship/api/metrics?groupBy=supplier,day');
    assert.equal(answer.status, 200);
    const body = answer.body as {
      groupBy: string[];
      groups: unknown[];
      ordersByState: Record<string, number>;
    };
    assert.deepEqual(body.groupBy, ['supplier', 'day']);
    assert.deepEqual(body.groups, []);
    assert.equal(body.ordersByState.received, 0);
    const bad = await request(RED.httpNode).get('/dropship/api/metrics?groupBy=colour');
    assert.equal(bad.status, 400);
    assert.match(
      (bad.body as { error: { message: string } }).error.message,
      /"colour" is not one of supplier/,
    );
  });

  it('lists only configured suppliers as suppliers; a PO on a mistyped id still counts in other groupings', async () => {
    helper.settings({ uiHost: '127.0.0.1' });
    const acme = {
      id: 'acme-supplier',
      type: 'dropship-supplier',
      supplierId: 'acme',
      connector: 'rest-json',
      settings: { url: 'http://127.0.0.1:9/po' },
    };
    await helper.load([captureRed, storeNode, supplierNode, metricsNode, watchdogNode], [...flow(), acme]);
    const opened = await store();
    for (const [externalId, supplierId] of [
      ['M-1', 'acme'],
      ['M-2', 'sandbox-emial'],
    ] as const) {
      const { order } = await opened.receiveOrder(sampleOrderDraft({ externalId }), { actor: 'test' });
      await opened.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order, supplierId)], {
        type: 'order.routed',
        actor: 'test',
      });
    }
    const bySupplier = await request(RED.httpNode).get('/dropship/api/metrics?groupBy=supplier');
    const groups = (body: unknown) =>
      (body as { groups: { key: Record<string, string>; purchaseOrders: number }[] }).groups.map((g) => [
        g.key,
        g.purchaseOrders,
      ]);
    assert.deepEqual(groups(bySupplier.body), [[{ supplier: 'acme' }, 1]]);
    const typo = await request(RED.httpNode).get(
      '/dropship/api/metrics?groupBy=supplier&supplier=sandbox-emial',
    );
    assert.deepEqual(groups(typo.body), []);
    const byChannel = await request(RED.httpNode).get('/dropship/api/metrics?groupBy=channel');
    assert.deepEqual(groups(byChannel.body), [[{ channel: 'generic' }, 2]]);
  });

  it('refuses the metrics API without the bearer token when Node-RED is not on loopback', async () => {
    helper.settings({ uiHost: '0.0.0.0' });
    await helper.load([captureRed, storeNode, metricsNode, watchdogNode], flow(), {
      store: { apiToken: 'metrics-token' },
    });
    assert.equal((await request(RED.httpNode).get('/dropship/api/metrics')).status, 401);
    const allowed = await request(RED.httpNode)
      .get('/dropship/api/metrics')
      .set('Authorization', 'Bearer metrics-token');
    assert.equal(allowed.status, 200);
  });

  it('resolves a held order from a message and sends the refreshed queue, audited under the node', async () => {
    helper.settings({ uiHost: '127.0.0.1' });
    await helper.load([captureRed, storeNode, metricsNode, watchdogNode], flow());
    const opened = await store();
    const { order } = await opened.receiveOrder(sampleOrderDraft(), { actor: 'test' });
    await opened.transitionOrder(order.id, ['received'], 'needs_attention', {
      type: 'order.unroutable',
      actor: 'test',
      reason: 'no supplier',
    });
    const queued = new Promise<{ payload: unknown[] }>((resolve) =>
      (
        helper.getNode('queue') as unknown as { on(e: 'input', f: (m: { payload: unknown[] }) => void): void }
      ).on('input', resolve),
    );
    helper.getNode('watchdog').receive({ topic: 'resolve', orderId: order.id, payload: { note: 'checked' } });
    assert.deepEqual((await queued).payload, []);
    const events = await opened.listEvents(order.id);
    const resolved = events.find((e) => e.type === 'operator.resolve')!;
    assert.equal(resolved.actor, 'dropship-watchdog:watchdog');
    assert.equal((await opened.getOrder(order.id))!.state, 'received');
  });

  it('answers a search and an order page on the queue output, and shows the order again after an action', async () => {
    helper.settings({ uiHost: '127.0.0.1' });
    await helper.load([captureRed, storeNode, metricsNode, watchdogNode], flow());
    const opened = await store();
    const { order } = await opened.receiveOrder(
      sampleOrderDraft({ orderNumber: '#5001', customer: { email: 'Lin@Example.test' } }),
      { actor: 'test' },
    );
    await opened.transitionOrder(order.id, ['received'], 'needs_attention', {
      type: 'order.unroutable',
      actor: 'dropship-router:r1',
      reason: 'no supplier carries MUG-01',
    });
    const answers: { topic: string; payload: unknown; _client?: unknown }[] = [];
    (
      helper.getNode('queue') as unknown as { on(e: 'input', f: (m: (typeof answers)[number]) => void): void }
    ).on('input', (m) => answers.push(m));
    const answer = async (topic: string) =>
      await eventually(async () => answers.find((m) => m.topic === topic), 5_000, `a ${topic} answer`);
    const client = { socketId: 'one-browser', user: { username: 'lin' } };

    helper
      .getNode('watchdog')
      .receive({ topic: 'search', payload: { query: 'lin@example.test' }, _client: client });
    const found = await answer('orders');
    assert.deepEqual(found._client, client, 'the answer goes back to the browser that asked');
    assert.deepEqual(
      (found.payload as { id: string; reference: string; stateName: string }[]).map((o) => [
        o.id,
        o.reference,
        o.stateName,
      ]),
      [[order.id, '#5001', 'Needs attention']],
    );

    helper.getNode('watchdog').receive({
      topic: 'resolve',
      orderId: order.id,
      payload: { note: 'checked' },
      _client: client,
    });
    const page = (await answer('order')).payload as {
      stateName: string;
      timeline: { actor: string; what: string; why?: string }[];
    };
    assert.equal(page.stateName, 'Received');
    assert.deepEqual(
      page.timeline.map((e) => [e.actor, e.what, e.why]),
      [
        ['test', 'Order received (Received)', undefined],
        [
          'Router node',
          'No supplier could take it (Received → Needs attention)',
          'no supplier carries MUG-01',
        ],
        ['lin (dashboard)', 'Operator resolved (Needs attention → Received)', 'checked'],
      ],
    );

    const refused = new Promise<{ error: { details: unknown } }>((resolve) =>
      (
        helper.getNode('errors') as unknown as {
          on(e: 'input', f: (m: { error: { details: unknown } }) => void): void;
        }
      ).on('input', resolve),
    );
    helper.getNode('watchdog').receive({ topic: 'search', payload: { query: ' ' } });
    assert.deepEqual((await refused).error.details, [{ path: 'msg.payload.query', message: 'is required' }]);
  });
});
