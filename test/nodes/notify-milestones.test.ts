import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { OrderStore } from '../../core/store/order-store';
import mailerNode from '../../nodes/mailer/mailer';
import notifyNode from '../../nodes/notify/notify';
import storeNode from '../../nodes/store/store';
import { SmtpSink } from '../support/smtp-sink';
import { acceptedOrder, collect, storeOfFlow, until, type Received } from './tracking-in-setup';

helper.init(require.resolve('node-red'));

const UPS = '1Z999AA10123456784';

describe('dropship-notify: split shipment, delay, back order and cancellation e-mails', function () {
  this.timeout(30_000);
  let dir: string;
  let smtp: SmtpSink;
  let store: OrderStore;
  let sent: Received[];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-notify-milestones-'));
    smtp = await new SmtpSink().start();
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
        id: 'notify',
        type: 'dropship-notify',
        store: 'store',
        mailer: 'mail',
        storeName: 'Test Shop',
        milestones: ['split_shipment', 'delayed', 'backordered', 'cancelled'],
        sweepSeconds: 3600,
        wires: [['sent'], ['notSent']],
      },
      { id: 'sent', type: 'helper' },
      { id: 'notSent', type: 'helper' },
    ];
    await helper.load([storeNode, mailerNode, notifyNode], flow);
    store = await storeOfFlow();
    sent = collect('sent');
  });
  afterEach(async () => {
    await helper.unload();
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Tells the node about the order and waits until `count` e-mails in all were accepted. */
  async function tellAndWait(orderId: string, count: number): Promise<string[]> {
    helper.getNode('notify').receive({ orderId });
    await until(() => (sent.length === count ? true : undefined), `${count} e-mails`);
    await new Promise((r) => setTimeout(r, 150)); // nothing more arrives
    assert.equal(sent.length, count);
    return smtp.messages.map((m) => m.parsed.subject ?? '');
  }

  async function parcelEvent(orderId: string, poNumber: string, hour: number, estimatedDelivery?: string) {
    await store.recordShipmentEvent(
      {
        orderId,
        poNumber,
        carrier: 'ups',
        trackingNumber: UPS,
        status: hour < 12 ? 'in_transit' : 'exception',
        occurredAt: `2026-11-24T${String(hour).padStart(2, '0')}:00:00.000Z`,
        estimatedDelivery,
        source: 'test',
      },
      'test',
    );
  }

  it('explains once that an order from two suppliers comes in separate parcels', async () => {
    const { order } = await acceptedOrder(
      store,
      { orderNumber: '#3001' },
      { acme: ['MUG-01'], zeta: ['TEE-01'] },
    );
    const subjects = await tellAndWait(order.id, 1);
    assert.deepEqual(subjects, ['Your order #3001 comes in more than one parcel']);
    assert.match(smtp.messages[0]!.parsed.text ?? '', /because its items ship from different warehouses/);
    await tellAndWait(order.id, 1);
  });

  it('tells of a delay once per new date, with the date, and not for an estimate within the promise', async () => {
    const { order, pos } = await acceptedOrder(store, {
      orderNumber: '#3002',
      shipping: { method: 'standard', promisedDeliveryBy: '2026-11-26T23:59:00.000Z' },
    });
    await parcelEvent(order.id, pos[0]!.number, 9, '2026-11-25T12:00:00.000Z');
    await parcelEvent(order.id, pos[0]!.number, 10, '2026-11-26T12:00:00.000Z');
    helper.getNode('notify').receive({ orderId: order.id });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sent.length, 0, 'the 26th is still within the promise');

    await parcelEvent(order.id, pos[0]!.number, 13, '2026-11-27T12:00:00.000Z');
    await tellAndWait(order.id, 1);
    assert.equal(smtp.messages[0]!.parsed.subject, 'Your order #3002 is running late');
    assert.match(smtp.messages[0]!.parsed.text ?? '', /It is now expected on Friday, November 27\./);

    // The carrier moves it again when polled: one more message, with the newer date.
    const [shipment] = await store.listShipments(order.id);
    await store.recordParcelPoll(shipment!.id, {
      polledAt: new Date(),
      nextPollAt: new Date(Date.now() + 3_600_000),
      estimatedDelivery: '2026-11-28T12:00:00.000Z',
    });
    await tellAndWait(order.id, 2);
    assert.match(smtp.messages[1]!.parsed.text ?? '', /It is now expected on Saturday, November 28\./);
    assert.deepEqual(
      (await store.listNotifications(order.id)).map((n) => n.milestone),
      [`delayed:${UPS}:2026-11-27`, `delayed:${UPS}:2026-11-28`],
    );
  });

  it('tells of a back order and of a cancellation', async () => {
    const { order, pos } = await acceptedOrder(store, { orderNumber: '#3003' });
    await store.transitionPurchaseOrder(
      pos[0]!.number,
      ['accepted'],
      'backordered',
      {},
      {
        type: 'po.backordered',
        actor: 'test',
      },
    );
    await tellAndWait(order.id, 1);
    assert.equal(smtp.messages[0]!.parsed.subject, 'An update on your order #3003');
    await store.transitionOrder(order.id, [(await store.getOrder(order.id))!.state], 'cancelled', {
      type: 'order.cancelled',
      actor: 'test',
    });
    await tellAndWait(order.id, 2);
    assert.equal(smtp.messages[1]!.parsed.subject, 'Your order #3003 was cancelled');
  });
});
