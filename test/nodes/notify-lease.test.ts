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
import { acceptedOrder, storeOfFlow, until } from './tracking-in-setup';

helper.init(require.resolve('node-red'));

describe('dropship-notify: the claim on a notification lasts dropshipNotifyLeaseSeconds', function () {
  this.timeout(30_000);
  let dir: string;
  /** The first worker's mail server: it takes the message and never answers, as a worker stuck mid-send. */
  let stuckSmtp: SmtpSink;
  let smtp: SmtpSink;
  let releaseStuck: () => void;
  let store: OrderStore;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-notify-lease-'));
    const stuck = new Promise<void>((resolve) => (releaseStuck = resolve));
    stuckSmtp = await new SmtpSink().start();
    stuckSmtp.beforeAccept = () => stuck;
    smtp = await new SmtpSink().start();
    const mailer = (id: string, port: number) => ({
      id,
      type: 'dropship-mailer',
      host: '127.0.0.1',
      port,
      secure: false,
      from: 'Shop <shop@example.test>',
    });
    const notify = (id: string, mailerId: string, sweepSeconds: number) => ({
      id,
      type: 'dropship-notify',
      store: 'store',
      mailer: mailerId,
      storeName: 'Test Shop',
      milestones: ['confirmed'],
      sweepSeconds,
      wires: [[], []],
    });
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      mailer('stuckMail', stuckSmtp.port),
      mailer('mail', smtp.port),
      notify('stuckNotify', 'stuckMail', 3600),
      notify('notify', 'mail', 0.5),
    ];
    helper.settings({ dropshipNotifyLeaseSeconds: 1 } as Parameters<typeof helper.settings>[0]);
    await helper.load([storeNode, mailerNode, notifyNode], flow);
    store = await storeOfFlow();
  });
  afterEach(async () => {
    releaseStuck();
    await helper.unload();
    helper.settings({});
    await stuckSmtp.stop();
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets another worker send a notice once a stuck worker's claim has run out", async () => {
    const { order } = await acceptedOrder(store, { orderNumber: '#5001' });
    helper.getNode('stuckNotify').receive({ orderId: order.id });
    await until(() => (stuckSmtp.messages.length === 1 ? true : undefined), 'the stuck worker to send');
    // The stuck worker still holds its SMTP session; the other worker's sweep takes the notice over after 1 s
    // (with the default of 60 s it would wait a minute).
    await until(() => (smtp.messages.length === 1 ? true : undefined), 'the other worker to send', 10_000);
    assert.equal(smtp.messages[0]?.parsed.messageId, stuckSmtp.messages[0]?.parsed.messageId);
    const [notification] = await until(async () => {
      const listed = await store.listNotifications(order.id);
      return listed[0]?.state === 'sent' ? listed : undefined;
    }, 'the notice to be recorded as sent');
    assert.equal(notification?.milestone, 'confirmed');
  });
});
