import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';
import { collect as collectInput } from '../support/collect-input';
import request from 'supertest';
import type { OrderStore } from '../../core/store/order-store';
import storeNode from '../../nodes/store/store';
import storefrontNode from '../../nodes/storefront/storefront';
import supplierNode from '../../nodes/supplier/supplier';
import mailerNode from '../../nodes/mailer/mailer';
import orderInNode from '../../nodes/order-in/order-in';
import routerNode from '../../nodes/router/router';
import dispatchNode from '../../nodes/dispatch/dispatch';
import trackingInNode from '../../nodes/tracking-in/tracking-in';
import notifyNode from '../../nodes/notify/notify';
import { HttpSupplier, jsonReply, retryAfterReply } from '../support/http-supplier';
import { SmtpSink } from '../support/smtp-sink';
import { eventually } from '../support/node-red-process';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';
import { signedShopifyOrdersPaid } from '../support/shopify-delivery';
import { signedJson } from '../support/signed-request';

helper.init(require.resolve('node-red'));

const SECRET = 'pipeline-secret';
/** The supplier signs its tracking reports with this secret, which the tracking node reads from the variable. */
const TRACKING_SECRET = 'pipeline-tracking-secret';
const TRACKING_SECRET_ENV = 'DROPSHIP_TEST_PIPELINE_TRACKING_SECRET';
const NODES = [
  storeNode,
  storefrontNode,
  supplierNode,
  mailerNode,
  orderInNode,
  routerNode,
  dispatchNode,
  trackingInNode,
  notifyNode,
];

interface Received {
  orderId?: string;
  poNumber?: string;
  error?: { code: string; message: string; details: { path: string }[] };
  payload?: unknown;
}

/** Collects what a helper node receives. */
const collect = (id: string): Received[] => collectInput<Received>(id);

describe('the pipeline nodes together (node-red-node-test-helper)', function () {
  this.timeout(30_000);
  let dir: string;
  let supplier: HttpSupplier;
  let smtp: SmtpSink;
  let RED: NodeAPI;
  const captureRed = (red: NodeAPI): void => {
    RED = red;
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-pipeline-'));
    supplier = await new HttpSupplier().start();
    smtp = await new SmtpSink().start();
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    await supplier.stop();
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function flow(options: { supplierUrl?: string; dispatchSweep?: number } = {}) {
    process.env.DROPSHIP_TEST_SHOPIFY_SECRET = SECRET;
    process.env[TRACKING_SECRET_ENV] = TRACKING_SECRET;
    return [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      {
        id: 'shop',
        type: 'dropship-storefront',
        platform: 'shopify',
        secretEnv: 'DROPSHIP_TEST_SHOPIFY_SECRET',
      },
      {
        id: 'supplier-acme',
        type: 'dropship-supplier',
        supplierId: 'acme',
        connector: 'rest-json',
        settings: { url: options.supplierUrl ?? supplier.url },
      },
      {
        id: 'mail',
        type: 'dropship-mailer',
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'Shop <shop@example.test>',
      },
      {
        id: 'in',
        type: 'dropship-order-in',
        store: 'store',
        platform: 'shopify',
        storefront: 'shop',
        listen: true,
        path: '/dropship/shopify/orders',
        wires: [['router', 'received'], ['intakeErrors']],
      },
      {
        id: 'router',
        type: 'dropship-router',
        store: 'store',
        rules: { strategy: 'priority', rules: [{ match: { sku: '*' }, suppliers: ['acme'] }] },
        sweepSeconds: 3600,
        wires: [['dispatch'], ['held']],
      },
      {
        id: 'dispatch',
        type: 'dropship-dispatch',
        store: 'store',
        baseDelaySeconds: 0.2,
        maxDelaySeconds: 1,
        sweepSeconds: options.dispatchSweep ?? 0.2,
        wires: [['notify', 'sent'], ['dispatchErrors']],
      },
      {
        id: 'tracking',
        type: 'dropship-tracking-in',
        store: 'store',
        listen: true,
        senderSecretEnv: TRACKING_SECRET_ENV,
        path: '/dropship/tracking',
        wires: [['notify', 'shipments'], ['trackingErrors']],
      },
      {
        id: 'notify',
        type: 'dropship-notify',
        store: 'store',
        mailer: 'mail',
        storeName: 'Test Shop',
        milestones: ['confirmed', 'shipped', 'delivered'],
        sweepSeconds: 3600,
        wires: [['told'], ['notTold']],
      },
      ...[
        'received',
        'intakeErrors',
        'held',
        'sent',
        'dispatchErrors',
        'shipments',
        'trackingErrors',
        'told',
        'notTold',
      ].map((id) => ({ id, type: 'helper' })),
    ];
  }

  async function store(): Promise<OrderStore> {
    return (helper.getNode('store') as unknown as { store(): Promise<OrderStore> }).store();
  }

  it('takes a signed webhook to delivered and tells the customer once per milestone', async () => {
    helper.settings({ uiHost: '127.0.0.1' });
    await helper.load([captureRed, ...NODES], flow());
    const told = collect('told');
    const delivery = signedShopifyOrdersPaid(5551001, SECRET);
    const answer = await request(RED.httpNode)
      .post('/dropship/shopify/orders')
      .set(delivery.headers)
      .send(delivery.body);
    assert.equal(answer.status, 200);
    const orderId = (answer.body as { id: string }).id;

    await eventually(
      async () =>
        (await store()).getOrder(orderId).then((o) => (o?.state === 'acknowledged' ? o : undefined)),
      10_000,
      'acknowledged',
    );
    const [po] = await (await store()).listPurchaseOrders(orderId);
    assert.equal(supplier.requestsFor(po!.number).length, 1);
    assert.deepEqual(
      (supplier.requests[0]!.body as { lines: { sku: string }[] }).lines.map((l) => l.sku),
      ['IPOD2008GREEN'],
      'the gift card is not sent to the supplier',
    );

    for (const status of ['in_transit', 'delivered']) {
      const report = signedJson(
        { poNumber: po!.number, trackingNumber: '1Z999AA10123456784', status },
        TRACKING_SECRET,
      );
      const res = await request(RED.httpNode)
        .post('/dropship/tracking')
        .set(report.headers)
        .send(report.body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    await eventually(async () => (told.length === 3 ? told : undefined), 10_000, 'three notifications');
    // A late duplicate trigger must not mail anyone again.
    helper.getNode('notify').receive({ orderId });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(smtp.messages.map((m) => m.parsed.subject).sort(), [
      'Your order #1001 has shipped',
      'Your order #1001 is confirmed',
      'Your order #1001 was delivered',
    ]);
    assert.ok(smtp.messages.every((m) => m.envelope.to.includes('bob.norman@mail.example.com')));
    const shippedMail = smtp.messages.find((m) => m.parsed.subject?.includes('shipped'));
    assert.match(shippedMail!.parsed.text ?? '', /ups\.com\/track\?tracknum=1Z999AA10123456784/);

    const detail = await request(RED.httpNode).get(`/dropship/api/orders/shopify:5551001`);
    assert.equal(detail.status, 200);
    assert.equal((detail.body as { state: string }).state, 'delivered');
    assert.equal((await request(RED.httpNode).get('/dropship/api/orders/shopify:404')).status, 404);
  });

  it('answers a bad signature 401 and sends the error out of the exceptions output', async () => {
    await helper.load([captureRed, ...NODES], flow());
    const errors = collect('intakeErrors');
    const received = collect('received');
    const forged = signedShopifyOrdersPaid(5551002, 'wrong-secret');
    const res = await request(RED.httpNode)
      .post('/dropship/shopify/orders')
      .set(forged.headers)
      .send(forged.body);
    assert.equal(res.status, 401);
    assert.equal(errors[0]?.error?.code, 'bad_signature');
    assert.equal(received.length, 0);
    assert.equal(await (await store()).findOrder('shopify:5551002'), undefined);
  });

  it('answers an invalid order 422 naming the fields, and a duplicate 200 without a second order', async () => {
    await helper.load([captureRed, ...NODES], flow());
    const errors = collect('intakeErrors');
    const received = collect('received');
    const broken = signedShopifyOrdersPaid(5551003, SECRET, (o) => {
      (o.shipping_address as Record<string, unknown>).country_code = '';
      (o.line_items as Record<string, unknown>[])[0]!.quantity = 'two';
    });
    const bad = await request(RED.httpNode)
      .post('/dropship/shopify/orders')
      .set(broken.headers)
      .send(broken.body);
    assert.equal(bad.status, 422);
    const paths = (bad.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);
    assert.deepEqual(paths.sort(), ['/line_items/0/quantity', '/shipping_address/country_code']);
    assert.equal(errors[0]?.error?.code, 'invalid_input');

    const good = signedShopifyOrdersPaid(5551004, SECRET);
    assert.equal(
      (await request(RED.httpNode).post('/dropship/shopify/orders').set(good.headers).send(good.body)).status,
      200,
    );
    const again = signedShopifyOrdersPaid(5551004, SECRET);
    const dup = await request(RED.httpNode)
      .post('/dropship/shopify/orders')
      .set(again.headers)
      .send(again.body);
    assert.equal(dup.status, 200);
    assert.equal((dup.body as { duplicate: boolean }).duplicate, true);
    assert.equal(received.length, 1);
  });

  it('retries a PO the supplier could not take, with the same Idempotency-Key, until it is accepted', async () => {
    supplier.reply(retryAfterReply(503, '0'), jsonReply(500, { error: 'database down' }));
    await helper.load([captureRed, ...NODES], flow());
    const sent = collect('sent');
    const delivery = signedShopifyOrdersPaid(5551005, SECRET);
    const answer = await request(RED.httpNode)
      .post('/dropship/shopify/orders')
      .set(delivery.headers)
      .send(delivery.body);
    const orderId = (answer.body as { id: string }).id;
    await eventually(async () => (sent.length === 1 ? sent : undefined), 15_000, 'the PO to be accepted');
    const [po] = await (await store()).listPurchaseOrders(orderId);
    assert.equal(po!.state, 'accepted');
    assert.equal(po!.sendAttempts, 3);
    assert.equal(supplier.requestsFor(po!.number).length, 3, 'every attempt carried the same key');
    const events = await (await store()).listEvents(orderId);
    assert.equal(events.filter((e) => e.type === 'po.retry').length, 2);
  });

  it('routes nothing to an undeployed supplier, and keeps a PO made for one before pending and reported', async () => {
    await helper.load(
      [captureRed, ...NODES],
      flow().filter((n) => n.id !== 'supplier-acme'),
    );
    const errors = collect('dispatchErrors');
    const delivery = signedShopifyOrdersPaid(5551006, SECRET);
    const answer = await request(RED.httpNode)
      .post('/dropship/shopify/orders')
      .set(delivery.headers)
      .send(delivery.body);
    const orderId = (answer.body as { id: string }).id;
    const s = await store();
    // The router refuses rules naming acme, which no dropship-supplier configures: the order waits unrouted.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const order = (await s.getOrder(orderId))!;
    assert.equal(order.state, 'received');
    assert.deepEqual(await s.listPurchaseOrders(orderId), []);
    // A PO routed to acme before it was removed waits for it, and the dispatch node says why.
    const [po] = (await s.assignPurchaseOrders(orderId, ['received'], [purchaseOrderDraftFor(order)], {
      type: 'order.routed',
      actor: 'test',
    }))!;
    // The node's set-up is at fault, not the message: reported to Catch nodes (done(err)), not the exceptions output.
    const dispatch = helper.getNode('dispatch') as unknown as {
      receive(msg: unknown): void;
      on(event: 'call:error', listener: (call: { args: [unknown, unknown?] }) => void): void;
    };
    const reported = new Promise<{ args: [unknown, unknown?] }>((resolve) =>
      dispatch.on('call:error', resolve),
    );
    dispatch.receive({ poNumber: po!.number });
    const { args } = await reported;
    assert.match(String(args[0]), /supplier "acme" is not deployed/);
    assert.equal((args[1] as { poNumber?: string }).poNumber, po!.number);
    assert.deepEqual(errors, []);
    assert.equal((await s.getPurchaseOrder(po!.number))!.state, 'pending');
    assert.equal(supplier.requests.length, 0);
  });

  it('refuses a shipment report for an unknown PO with 404, out of the exceptions output', async () => {
    await helper.load([captureRed, ...NODES], flow());
    const errors = collect('trackingErrors');
    const report = signedJson(
      { poNumber: 'PO0000000000-1', trackingNumber: '1Z999AA10123456784' },
      TRACKING_SECRET,
    );
    const res = await request(RED.httpNode).post('/dropship/tracking').set(report.headers).send(report.body);
    assert.equal(res.status, 404);
    assert.equal(errors[0]?.error?.code, 'not_found');
  });

  it('resumes a PO left in flight by a crash: the next sweep resends it with the same number', async () => {
    await helper.load([captureRed, ...NODES], flow({ dispatchSweep: 3600 }));
    const s = await store();
    const { order } = await s.receiveOrder(sampleOrderDraft({ externalId: 'crash-1' }), { actor: 'test' });
    const [po] = (await s.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order)], {
      type: 'order.routed',
      actor: 'test',
    }))!;
    // A worker claimed it with a 1 ms lease and died before the supplier answered.
    await s.claimPurchaseOrder(po!.number, {
      owner: 'dead-worker',
      now: new Date(Date.now() - 10_000),
      durationMs: 1,
    });
    await helper.unload();
    await helper.load([captureRed, ...NODES], flow({ dispatchSweep: 0.2 }));
    await eventually(
      async () =>
        (await store()).getPurchaseOrder(po!.number).then((p) => (p?.state === 'accepted' ? p : undefined)),
      10_000,
      'the resumed PO',
    );
    assert.equal(supplier.requestsFor(po!.number).length, 1);
  });

  it('tells the customer about a change no message announced (a crash between the change and notify)', async () => {
    helper.settings({ uiHost: '127.0.0.1' });
    await helper.load([captureRed, ...NODES], flow());
    const s = await store();
    const { order } = await s.receiveOrder(sampleOrderDraft({ externalId: 'silent-1' }), { actor: 'test' });
    const [po] = (await s.assignPurchaseOrders(
      order.id,
      ['received'],
      [purchaseOrderDraftFor(order, 'elsewhere')],
      { type: 'order.routed', actor: 'test' },
    ))!;
    await s.claimPurchaseOrder(po!.number, { owner: 'other-instance', now: new Date(), durationMs: 60_000 });
    await s.transitionPurchaseOrder(
      po!.number,
      ['sending'],
      'accepted',
      {},
      { type: 'po.accepted', actor: 'other-instance' },
    );
    // No message reaches the notify node: its start-up sweep finds the change in the store.
    await eventually(
      async () => (smtp.messages.length === 1 ? true : undefined),
      10_000,
      'the confirmation e-mail',
    );
    assert.equal(smtp.messages[0]!.parsed.subject, 'Your order 1001 is confirmed');
    assert.deepEqual(smtp.messages[0]!.envelope.to, ['ada@example.test']);
  });

  describe('the order API', () => {
    afterEach(() => helper.settings({}));

    it('needs the store API token when Node-RED listens beyond loopback', async () => {
      helper.settings({ uiHost: '0.0.0.0' });
      await helper.load([captureRed, ...NODES], flow(), { store: { apiToken: 'let-me-in' } });
      await (await store()).receiveOrder(sampleOrderDraft({ externalId: 'api-1' }), { actor: 'test' });
      assert.equal((await request(RED.httpNode).get('/dropship/api/orders/generic:api-1')).status, 401);
      assert.equal(
        (
          await request(RED.httpNode)
            .get('/dropship/api/orders/generic:api-1')
            .set('Authorization', 'Bearer nope')
        ).status,
        401,
      );
      const ok = await request(RED.httpNode)
        .get('/dropship/api/orders/generic:api-1')
        .set('Authorization', 'Bearer let-me-in');
      assert.equal(ok.status, 200);
      assert.equal((ok.body as { externalId: string }).externalId, 'api-1');
    });

    it('finds orders by e-mail or number for a token holder, newest first, and names a missing or long term', async () => {
      helper.settings({ uiHost: '0.0.0.0' });
      await helper.load([captureRed, ...NODES], flow(), { store: { apiToken: 'let-me-in' } });
      const orders = await store();
      await orders.receiveOrder(
        sampleOrderDraft({
          externalId: 'find-1',
          orderNumber: '#4001',
          customer: { email: 'Find@Example.test' },
        }),
        { actor: 'test' },
      );
      await new Promise((resolve) => setTimeout(resolve, 3));
      await orders.receiveOrder(
        sampleOrderDraft({
          externalId: 'find-2',
          orderNumber: '#4002',
          customer: { email: 'find@example.test' },
        }),
        { actor: 'test' },
      );
      const search = (q: string, token = 'let-me-in') =>
        request(RED.httpNode)
          .get('/dropship/api/orders')
          .query({ q })
          .set('Authorization', `Bearer ${token}`);
      assert.equal((await search('find@example.test', 'nope')).status, 401);
      const byEmail = await search(' FIND@example.test ');
      assert.equal(byEmail.status, 200);
      const found = (
        byEmail.body as { orders: { externalId: string; reference: string; stateName: string }[] }
      ).orders;
      assert.deepEqual(
        found.map((o) => [o.externalId, o.reference, o.stateName]),
        [
          ['find-2', '#4002', 'Received'],
          ['find-1', '#4001', 'Received'],
        ],
      );
      const byNumber = await search('4001');
      assert.deepEqual(
        (byNumber.body as { orders: { externalId: string }[] }).orders.map((o) => o.externalId),
        ['find-1'],
      );
      for (const [q, message] of [
        ['', 'is required'],
        ['x'.repeat(201), 'must be at most 200 characters'],
      ]) {
        const refused = await search(q!);
        assert.equal(refused.status, 400);
        assert.deepEqual((refused.body as { error: { details: unknown } }).error.details, [
          { path: 'q', message },
        ]);
      }
    });

    it('without a login or token, answers a request made on this machine but not one a proxy passed on', async () => {
      helper.settings({});
      await helper.load([captureRed, ...NODES], flow());
      const orders = '/dropship/api/orders/generic:any';
      assert.equal((await request(RED.httpNode).get(orders)).status, 404);
      for (const [header, value] of [
        ['X-Forwarded-For', '203.0.113.5'],
        ['Forwarded', 'for=203.0.113.5'],
        ['X-Real-IP', '203.0.113.5'],
        ['Host', 'dropship.example.com'],
      ] as const) {
        const proxied = await request(RED.httpNode).get(orders).set(header, value);
        assert.equal(proxied.status, 401, `${header}: ${value} answered ${proxied.status}`);
      }
    });
  });
});
