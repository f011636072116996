import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { collect as collectInput } from '../support/collect-input';
import type { OrderDraft } from '../../core/model/order';
import type { OrderStore } from '../../core/store/order-store';
import storeNode from '../../nodes/store/store';
import storefrontNode from '../../nodes/storefront/storefront';
import supplierNode from '../../nodes/supplier/supplier';
import mailerNode from '../../nodes/mailer/mailer';
import routerNode from '../../nodes/router/router';
import dispatchNode from '../../nodes/dispatch/dispatch';
import notifyNode from '../../nodes/notify/notify';
import watchdogNode from '../../nodes/watchdog/watchdog';
import riskNode from '../../nodes/risk/risk';
import refundsNode from '../../nodes/refunds/refunds';
import { HttpSupplier, jsonReply } from '../support/http-supplier';
import { SmtpSink } from '../support/smtp-sink';
import { eventually } from '../support/node-red-process';
import { sampleOrderDraft } from '../support/orders';
import { startFakeShopify } from '../fakes/shopify-admin';
import { startFakeWooCommerce } from '../fakes/woocommerce';
import { startFakeUspsAddresses } from '../fakes/usps-addresses';

helper.init(require.resolve('node-red'));

const NODES = [
  storeNode,
  storefrontNode,
  supplierNode,
  mailerNode,
  routerNode,
  dispatchNode,
  notifyNode,
  watchdogNode,
  riskNode,
  refundsNode,
];

interface Received {
  orderId?: string;
  topic?: string;
  error?: { code: string; message: string; details: { path: string; message: string }[] };
  payload?: Record<string, unknown>;
}

const collect = (id: string): Received[] => collectInput<Received>(id);

describe('refunds and risk screening in Node-RED (node-red-node-test-helper)', function () {
  this.timeout(40_000);
  let dir: string;
  let supplier: HttpSupplier;
  let smtp: SmtpSink;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-refunds-'));
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

  /** Store, one REST supplier (no alternative), router (with risk screening), dispatch, notify, watchdog, refunds. */
  function flow(
    shop: Record<string, unknown>,
    policy = 'automatic',
    risk: Record<string, unknown> = {
      rules: [
        { kind: 'order_value', label: 'Large order', above: 500 },
        { kind: 'country_mismatch', label: 'Billed abroad' },
      ],
      validator: 'none',
      uspsBaseUrl: '',
    },
  ) {
    return [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      { id: 'shop', type: 'dropship-storefront', ...shop },
      {
        id: 'supplier-acme',
        type: 'dropship-supplier',
        supplierId: 'acme',
        connector: 'rest-json',
        settings: { url: supplier.url },
      },
      {
        id: 'mail',
        type: 'dropship-mailer',
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'shop@example.test',
      },
      { id: 'risk', type: 'dropship-risk', storefront: '', ...risk },
      {
        id: 'router',
        type: 'dropship-router',
        store: 'store',
        risk: 'risk',
        rules: { strategy: 'priority', rules: [{ match: { sku: '*' }, suppliers: ['acme'] }] },
        sweepSeconds: 0.5,
        wires: [['dispatch'], ['held']],
      },
      {
        id: 'dispatch',
        type: 'dropship-dispatch',
        store: 'store',
        baseDelaySeconds: 0.2,
        maxDelaySeconds: 1,
        sweepSeconds: 0.3,
        wires: [['sent'], ['dispatchErrors']],
      },
      {
        id: 'watchdog',
        type: 'dropship-watchdog',
        store: 'store',
        sweepSeconds: 3600,
        wires: [[], ['queue'], []],
      },
      {
        id: 'refunds',
        type: 'dropship-refunds',
        store: 'store',
        storefront: 'shop',
        policy,
        automaticUpTo: '',
        sweepSeconds: 0.5,
        wires: [['refunded'], ['refundErrors']],
      },
      {
        id: 'notify',
        type: 'dropship-notify',
        store: 'store',
        mailer: 'mail',
        storeName: 'Test Shop',
        milestones: ['confirmed'],
        sweepSeconds: 0.5,
        wires: [[], []],
      },
      ...['held', 'sent', 'dispatchErrors', 'queue', 'refunded', 'refundErrors'].map((id) => ({
        id,
        type: 'helper',
      })),
    ];
  }

  const store = (): Promise<OrderStore> =>
    (helper.getNode('store') as unknown as { store(): Promise<OrderStore> }).store();

  async function receive(draft: OrderDraft): Promise<string> {
    const { order } = await (await store()).receiveOrder(draft, { actor: 'test' });
    helper.getNode('router').receive({ orderId: order.id });
    return order.id;
  }

  it('holds a risky order with its reasons before any PO, and routes it once the operator releases it', async () => {
    const woo = await startFakeWooCommerce();
    try {
      await helper.load(NODES, flow({ platform: 'woocommerce', baseUrl: woo.url }), {
        shop: { consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
      });
      const held = collect('held');
      const orderId = await receive(
        sampleOrderDraft({
          channel: 'woocommerce',
          billTo: { ...sampleOrderDraft().shipTo, country: 'GB' },
          totals: { subtotal: 900, shipping: 0, tax: 0, discount: 0, total: 900 },
        }),
      );
      const exception = await eventually(async () => held[0], 10_000, 'the risk hold');
      assert.equal(exception.error?.code, 'risk_hold');
      assert.deepEqual(
        exception.error?.details.map((d) => d.message),
        ['Large order: the order total 900 USD is above 500', 'Billed abroad: billed in GB, shipped to US'],
      );
      const s = await store();
      assert.equal((await s.getOrder(orderId))?.state, 'needs_attention');
      assert.deepEqual(await s.listPurchaseOrders(orderId), [], 'no PO exists for a held order');
      assert.equal(supplier.requests.length, 0);

      // The dashboard's Resolve: the watchdog releases the order, the router's sweep routes it unscreened.
      helper
        .getNode('watchdog')
        .receive({ topic: 'resolve', orderId, payload: { note: 'customer confirmed' } });
      const po = await eventually(
        async () => (await s.listPurchaseOrders(orderId)).find((p) => p.state === 'accepted'),
        15_000,
        'the released order routed and accepted',
      );
      assert.equal(po.supplierId, 'acme');
      const types = (await s.listEvents(orderId)).map((e) => e.type);
      assert.ok(types.indexOf('risk.held') < types.indexOf('operator.resolve'));
      assert.ok(types.indexOf('operator.resolve') < types.indexOf('order.routed'));
      assert.equal(held.length, 1, 'screened once');
    } finally {
      await woo.close();
    }
  });

  it('holds an address USPS does not know, asking USPS Addresses 3.0 with the credentials of the risk node', async () => {
    const usps = await startFakeUspsAddresses();
    const woo = await startFakeWooCommerce();
    try {
      usps.addAddress({
        streetAddress: '12 Analytical Way',
        city: 'Portland',
        state: 'OR',
        ZIPCode: '97201',
        ZIPPlus4: '1234',
        DPVConfirmation: 'Y',
      });
      await helper.load(
        NODES,
        flow({ platform: 'woocommerce', baseUrl: woo.url }, 'propose', {
          rules: [{ kind: 'address_verification', label: 'Address verified' }],
          validator: 'usps',
          uspsBaseUrl: usps.url,
        }),
        {
          shop: { consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
          risk: { uspsClientId: usps.clientId, uspsClientSecret: usps.clientSecret },
        },
      );
      const held = collect('held');
      const good = await receive({ ...sampleOrderDraft(), channel: 'woocommerce' });
      const bad = await receive({
        ...sampleOrderDraft(),
        channel: 'woocommerce',
        shipTo: { ...sampleOrderDraft().shipTo, line1: '1 Nowhere Lane' },
      });
      const exception = await eventually(async () => held[0], 10_000, 'the address hold');
      assert.equal(exception.orderId, bad);
      assert.deepEqual(
        exception.error?.details.map((d) => d.message),
        ['Address verified: USPS does not confirm the address: Address Not Found.'],
      );
      const s = await store();
      await eventually(
        async () => ((await s.listPurchaseOrders(good)).length > 0 ? true : undefined),
        10_000,
        'the known address routed',
      );
      assert.equal((await s.getOrder(bad))?.state, 'needs_attention');
    } finally {
      await woo.close();
      await usps.close();
    }
  });

  it('refunds lines a supplier refused with no alternative through Shopify, once, and tells the customer', async () => {
    const shopify = await startFakeShopify('2026-10');
    try {
      const shopId = shopify.addOrder({
        name: '#2001',
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
      const [mug, tee] = shopify
        .order(shopId)!
        .fulfillmentOrders[0]!.lines.map((l) => l.lineItemId.slice('gid://shopify/LineItem/'.length));
      await helper.load(
        NODES,
        flow({ platform: 'shopify', shopDomain: 'acme-goods.myshopify.com', baseUrl: shopify.url }),
        { shop: { accessToken: shopify.accessToken } },
      );
      const refunded = collect('refunded');
      supplier.reply(jsonReply(422, { error: 'we no longer stock these' }));
      const base = sampleOrderDraft();
      const orderId = await receive({
        ...base,
        channel: 'shopify',
        externalId: shopId,
        orderNumber: '#2001',
        lines: [
          { ...base.lines[0]!, lineId: mug! },
          { ...base.lines[1]!, lineId: tee! },
        ],
      });
      const made = await eventually(async () => refunded[0], 15_000, 'the refund');
      assert.equal(made.payload?.total, '50.00', 'goods and shipping: the whole order');
      const s = await store();
      assert.equal((await s.getOrder(orderId))?.state, 'needs_attention');
      const stored = shopify.order(shopId)!;
      assert.equal(stored.refunds.length, 1);
      assert.equal(stored.refunds[0]!.amount, 5000);
      assert.equal(stored.refunds[0]!.idempotencyKey, made.payload?.refundKey);
      const mail = await eventually(
        async () => smtp.messages.find((m) => /refunded/.test(m.parsed.subject ?? '')),
        10_000,
        'the refunded e-mail',
      );
      assert.equal(mail.parsed.subject, 'We refunded 50.00 USD for your order #2001');
      // An operator's approval of the same refund afterwards changes nothing at the shop.
      helper.getNode('refunds').receive({ topic: 'approve', refundKey: made.payload?.refundKey });
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(shopify.order(shopId)!.refunds.length, 1);
      assert.deepEqual(
        (await s.listEvents(orderId)).filter((e) => e.type.startsWith('refund.')).map((e) => e.type),
        ['refund.proposed', 'refund.approved', 'refund.refunded'],
      );
    } finally {
      await shopify.close();
    }
  });

  it('proposes the refund for the operator and refunds through WooCommerce when approved on the dashboard', async () => {
    const woo = await startFakeWooCommerce();
    try {
      const wooId = woo.addOrder('processing', 5000);
      await helper.load(NODES, flow({ platform: 'woocommerce', baseUrl: woo.url }, 'propose'), {
        shop: { consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
      });
      const refunded = collect('refunded');
      supplier.reply(jsonReply(422, { error: 'discontinued' }));
      const orderId = await receive({ ...sampleOrderDraft(), channel: 'woocommerce', externalId: wooId });
      const s = await store();
      const [proposal] = await eventually(
        async () => {
          const list = await s.listRefunds({ orderId });
          return list.length ? list : undefined;
        },
        15_000,
        'the proposal',
      );
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(woo.order(wooId)!.refunds.length, 0, 'nothing is refunded before the operator approves');
      assert.equal((await s.getRefund(proposal!.key))?.state, 'proposed');
      // The dashboard's Refund button: the watchdog hands it to the refunds node of the order's storefront.
      const page = collect('queue');
      helper.getNode('watchdog').receive({ topic: 'refund', refundKey: proposal!.key });
      const made = await eventually(async () => refunded[0], 10_000, 'the refund');
      const shown = await eventually(
        async () => page.find((m) => m.topic === 'order'),
        5_000,
        'the order page sent back',
      );
      assert.equal((shown.payload?.refunds as { state: string }[])[0]?.state, 'refunded');
      assert.equal(made.payload?.state, 'refunded');
      const [refund] = woo.order(wooId)!.refunds;
      assert.equal(refund!.amount, '50.00');
      assert.equal(refund!.refunded_payment, true);
      assert.equal(woo.order(wooId)!.status, 'refunded');
    } finally {
      await woo.close();
    }
  });
});
