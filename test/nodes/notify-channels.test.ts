import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { OrderDraft } from '../../core/model/order';
import type { OrderStore } from '../../core/store/order-store';
import mailerNode from '../../nodes/mailer/mailer';
import notifyNode from '../../nodes/notify/notify';
import storeNode from '../../nodes/store/store';
import storefrontNode from '../../nodes/storefront/storefront';
import { startFakeShopify, type FakeShopify } from '../fakes/shopify-admin';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio';
import { startFakeWooCommerce, type FakeWooCommerce } from '../fakes/woocommerce';
import { SmtpSink } from '../support/smtp-sink';
import { acceptedOrder, collect, storeOfFlow, until } from './tracking-in-setup';

helper.init(require.resolve('node-red'));

const UPS = '1Z999AA10123456784';
const USPS = '9400111202555842332669';

/** Records a parcel event on one PO of the order, as tracking in would. */
async function parcel(
  store: OrderStore,
  orderId: string,
  poNumber: string,
  trackingNumber: string,
  status: 'in_transit' | 'out_for_delivery' | 'delivered',
  carrier = 'ups',
  hour = 10,
): Promise<void> {
  await store.recordShipmentEvent(
    {
      orderId,
      poNumber,
      carrier,
      trackingNumber,
      status,
      occurredAt: `2026-11-24T${String(hour).padStart(2, '0')}:00:00.000Z`,
      source: 'test',
    },
    'test',
  );
}

describe('dropship-notify: SMS and storefront channels through the outbox', function () {
  this.timeout(30_000);
  let dir: string;
  let twilio: FakeTwilio;
  let shopify: FakeShopify;
  let woo: FakeWooCommerce;
  let smtp: SmtpSink;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-notify-'));
    twilio = await startFakeTwilio();
    shopify = await startFakeShopify();
    woo = await startFakeWooCommerce();
    smtp = await new SmtpSink().start();
  });
  afterEach(async () => {
    await helper.unload();
    await Promise.all([twilio.close(), shopify.close(), woo.close(), smtp.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(notify: Record<string, unknown>, storefront: Record<string, unknown> = {}) {
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
        id: 'shop',
        type: 'dropship-storefront',
        platform: 'shopify',
        shopDomain: 'acme-goods.myshopify.com',
        baseUrl: shopify.url,
        ...storefront,
      },
      {
        id: 'notify',
        type: 'dropship-notify',
        store: 'store',
        mailer: 'mail',
        storefront: 'shop',
        storeName: 'Test Shop',
        smsFrom: '+15035550100',
        smsApiUrl: twilio.url,
        sweepSeconds: 1,
        wires: [['sent'], ['notSent']],
        ...notify,
      },
      { id: 'sent', type: 'helper' },
      { id: 'notSent', type: 'helper' },
    ];
    await helper.load([storeNode, mailerNode, storefrontNode, notifyNode], flow, {
      notify: { accountSid: twilio.accountSid, authToken: twilio.authToken },
      shop: {
        accessToken: shopify.accessToken,
        consumerKey: woo.consumerKey,
        consumerSecret: woo.consumerSecret,
      },
    });
    return { store: await storeOfFlow(), sent: collect('sent'), notSent: collect('notSent') };
  }

  const tell = (orderId: string) => helper.getNode('notify').receive({ orderId });

  describe('SMS (Twilio Messages API)', () => {
    it('texts each milestone once and sends a throttled one again when Twilio says', async () => {
      const { store, sent, notSent } = await load({
        channels: ['sms'],
        smsMilestones: ['shipped', 'out_for_delivery'],
      });
      const { order, pos } = await acceptedOrder(store, {
        orderNumber: '#8001',
        customer: { name: 'Ada Lovelace', email: 'ada@example.test', phone: '+1 (503) 555-0123' },
      });
      await parcel(store, order.id, pos[0]!.number, UPS, 'in_transit');
      tell(order.id);
      tell(order.id);
      await until(() => (sent.length === 1 ? true : undefined), 'the shipped SMS');
      assert.deepEqual(
        twilio.messages.map((m) => [m.to, m.from, m.body]),
        [
          [
            '+15035550123',
            '+15035550100',
            `Test Shop: your order #8001 has shipped with UPS. Track it: https://www.ups.com/track?tracknum=${UPS}`,
          ],
        ],
      );
      assert.deepEqual(sent[0]!.payload, { channel: 'sms', milestone: `shipped:${UPS}`, state: 'sent' });

      twilio.failNext(1, 429, { 'Retry-After': '1' });
      await parcel(store, order.id, pos[0]!.number, UPS, 'out_for_delivery', 'ups', 11);
      tell(order.id);
      const [throttled] = await until(() => (notSent.length > 0 ? notSent : undefined), 'the throttled SMS');
      assert.equal((throttled!.payload as { willRetry: boolean }).willRetry, true);
      await until(() => (twilio.messages.length === 2 ? true : undefined), 'the SMS sent on the sweep');
      assert.equal(twilio.messages[1]!.body, `Test Shop: your parcel ${UPS} is out for delivery today.`);
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(twilio.messages.length, 2, 'sent once, however many sweeps ran');
      const states = (await store.listNotifications(order.id)).map((n) => [
        n.channel,
        n.milestone,
        n.state,
        n.attempts,
      ]);
      assert.deepEqual(states, [
        ['sms', `shipped:${UPS}`, 'sent', 1],
        ['sms', `out_for_delivery:${UPS}`, 'sent', 2],
      ]);
    });

    it('does not retry a number Twilio refuses or an order without a mobile number', async () => {
      const { store, notSent } = await load({ channels: ['sms'] });
      const refused = await acceptedOrder(store, {
        orderNumber: '#8002',
        customer: { name: 'B', email: 'b@example.test', phone: '+15005550009' },
      });
      const missing = await acceptedOrder(store, {
        orderNumber: '#8003',
        customer: { name: 'C', email: 'c@example.test' },
        shipTo: { line1: '1 Main St', city: 'Austin', country: 'US', phone: '555 0100' },
      });
      for (const { order, pos } of [refused, missing]) {
        await parcel(store, order.id, pos[0]!.number, UPS, 'in_transit');
        tell(order.id);
      }
      await until(() => (notSent.length === 2 ? true : undefined), 'two refusals');
      const byOrder = new Map(notSent.map((m) => [m.orderId, m]));
      assert.match(
        byOrder.get(refused.order.id)!.error!.message,
        /Twilio refused the SMS \(HTTP 400, error 21614\)/,
      );
      assert.match(byOrder.get(missing.order.id)!.error!.message, /no phone number in international format/);
      assert.ok(notSent.every((m) => (m.payload as { willRetry: boolean }).willRetry === false));
      assert.equal(twilio.messages.length, 0);
    });
  });

  describe('Shopify (GraphQL Admin API)', () => {
    async function shopifyOrder(store: OrderStore, draft: Partial<OrderDraft> = {}) {
      const shopifyId = shopify.addOrder({
        name: '#9001',
        locations: [
          {
            name: 'Acme Supply',
            lines: [
              { sku: 'MUG-01', quantity: 2 },
              { sku: 'TEE-01', quantity: 1 },
            ],
          },
        ],
      });
      const { order, pos } = await acceptedOrder(
        store,
        { channel: 'shopify', externalId: shopifyId, orderNumber: '#9001', ...draft },
        { acme: ['MUG-01'], zeta: ['TEE-01'] },
      );
      return { shopifyId, order, pos };
    }

    it("fulfils each parcel with the lines of its purchase order, once, and corrects a parcel's carrier later", async () => {
      const { store, sent } = await load({ channels: ['storefront'] });
      const { shopifyId, order, pos } = await shopifyOrder(store);
      await parcel(store, order.id, pos[0]!.number, 'SHIP0000123456', 'in_transit', 'FedEx');
      tell(order.id);
      tell(order.id);
      await until(() => (sent.length === 1 ? true : undefined), 'the first fulfilment');
      const stored = shopify.order(shopifyId)!;
      assert.equal(stored.fulfillments.length, 1);
      assert.deepEqual(stored.fulfillments[0]!.tracking, [
        {
          company: 'FedEx',
          number: 'SHIP0000123456',
          url: 'https://www.fedex.com/fedextrack/?trknbr=SHIP0000123456',
        },
      ]);
      assert.equal(stored.fulfillments[0]!.notifyCustomer, false);
      assert.deepEqual(
        stored.fulfillmentOrders[0]!.lines.map((l) => [l.sku, l.remaining]),
        [
          ['MUG-01', 0],
          ['TEE-01', 1],
        ],
        "only the first supplier's lines",
      );

      // A later source names the carrier differently (a supplier e-mail said FedEx, the 856 says DHL).
      await store.recordShipmentEvent(
        {
          orderId: order.id,
          poNumber: pos[0]!.number,
          carrier: 'dhl',
          trackingUrl: 'https://www.dhl.com/global-en/home/tracking.html?tracking-id=SHIP0000123456',
          trackingNumber: 'SHIP0000123456',
          status: 'in_transit',
          occurredAt: '2026-11-24T12:00:00.000Z',
          source: 'test',
        },
        'test',
      );
      tell(order.id);
      await until(() => (sent.length === 2 ? true : undefined), 'the tracking correction');
      assert.equal(sent[1]!.payload!.milestone, 'tracking_updated:SHIP0000123456:dhl');
      assert.equal(stored.fulfillments.length, 1, 'corrected, not fulfilled again');
      assert.equal(stored.fulfillments[0]!.tracking[0]!.company, 'DHL Express');

      await parcel(store, order.id, pos[1]!.number, USPS, 'in_transit', 'usps');
      tell(order.id);
      await until(() => (sent.length === 3 ? true : undefined), 'the second fulfilment');
      assert.equal(stored.fulfillments.length, 2);
      assert.equal(stored.fulfillmentOrders[0]!.status, 'CLOSED');
    });

    it('lets Shopify e-mail the customer when told to', async () => {
      const { store, sent } = await load({ channels: ['storefront'], notifyCustomer: true });
      const { shopifyId, order, pos } = await shopifyOrder(store);
      await parcel(store, order.id, pos[0]!.number, UPS, 'in_transit');
      tell(order.id);
      await until(() => (sent.length === 1 ? true : undefined), 'the fulfilment');
      assert.equal(shopify.order(shopifyId)!.fulfillments[0]!.notifyCustomer, true);
    });

    it('keeps e-mailing the customer while the storefront is down, and keeps the storefront notice to retry', async () => {
      // Nothing listens on the discard port: the storefront is unreachable.
      const { store, sent, notSent } = await load(
        { channels: ['email', 'storefront'], milestones: ['shipped'] },
        { baseUrl: 'http://127.0.0.1:9' },
      );
      const { order, pos } = await shopifyOrder(store);
      await parcel(store, order.id, pos[0]!.number, UPS, 'in_transit');
      tell(order.id);
      await until(() => (sent.length === 1 && notSent.length === 1 ? true : undefined), 'one sent, one not');
      assert.equal(sent[0]!.payload!.channel, 'email');
      assert.equal(smtp.messages[0]!.parsed.subject, 'Your order #9001 has shipped');
      assert.deepEqual(notSent[0]!.payload, {
        channel: 'storefront',
        milestone: `shipped:${UPS}`,
        willRetry: true,
      });
    });

    it('leaves orders of other channels to their own storefront', async () => {
      const { store, sent } = await load({ channels: ['storefront'] });
      const { order, pos } = await acceptedOrder(store, { channel: 'generic', orderNumber: '#9002' });
      await parcel(store, order.id, pos[0]!.number, UPS, 'in_transit');
      tell(order.id);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(sent.length, 0);
      assert.deepEqual(await store.listNotifications(order.id), []);
    });
  });

  describe('WooCommerce (Shipment Tracking REST API)', () => {
    it('adds each parcel, then completes the order once every supplier has shipped', async () => {
      const { store, sent } = await load(
        { channels: ['storefront'] },
        { platform: 'woocommerce', shopDomain: '', baseUrl: woo.url },
      );
      const wooId = woo.addOrder('processing');
      const { order, pos } = await acceptedOrder(
        store,
        { channel: 'woocommerce', externalId: wooId, orderNumber: '#9101' },
        { acme: ['MUG-01'], zeta: ['TEE-01'] },
      );
      await parcel(store, order.id, pos[0]!.number, UPS, 'in_transit');
      tell(order.id);
      await until(() => (sent.length === 1 ? true : undefined), 'the first tracking');
      assert.deepEqual(
        woo.order(wooId)!.trackings.map((t) => [t.tracking_provider, t.tracking_number]),
        [['UPS', UPS]],
      );
      assert.equal(woo.order(wooId)!.status, 'processing', 'one supplier still has to ship');

      await parcel(store, order.id, pos[1]!.number, USPS, 'in_transit', 'usps');
      tell(order.id);
      await until(() => (sent.length === 2 ? true : undefined), 'the second tracking');
      assert.equal(woo.order(wooId)!.trackings.length, 2);
      assert.equal(woo.order(wooId)!.status, 'completed');
    });
  });
});
