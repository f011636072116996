import assert from 'node:assert/strict';
import nodemailer, { type Transporter } from 'nodemailer';
import { fixedClock } from '../../core/clock';
import type { Order, OrderDraft } from '../../core/model/order';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import type { TrackingStatus } from '../../core/model/shipment';
import { emailChannel, type EmailChannelOptions, type EmailSender } from '../../core/notify/email-outbox';
import { MILESTONE_KINDS } from '../../core/notify/milestones';
import {
  deliverNotifications,
  queueAndDeliver,
  queueMilestones,
  readOrderFacts,
  type DeliveryReport,
  type OutboxWorker,
} from '../../core/notify/outbox';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';
import { SmtpSink } from '../support/smtp-sink';

const T0 = Date.parse('2026-11-21T08:00:00.000Z');
const UPS = '1Z999AA10123456784';
const FROM = 'Quiet Harbour <orders@quiet-harbour.test>';

/** The e-mail channel and the outbox worker that runs it, as the dropship-notify node configures both. */
type EmailOutboxOptions = EmailChannelOptions & OutboxWorker;

describe('e-mail outbox (SQLite store, nodemailer to smtp-server on 127.0.0.1)', () => {
  let clock: ReturnType<typeof fixedClock>;
  let store: SqliteOrderStore;
  let sink: SmtpSink;
  let transport: Transporter;
  let sender: EmailSender;

  beforeEach(async () => {
    clock = fixedClock(new Date(T0));
    store = new SqliteOrderStore({ filename: ':memory:', clock });
    await store.migrate();
    sink = await new SmtpSink().start();
    transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      ignoreTLS: true,
    });
    // What the dropship-mailer node does with an outgoing e-mail.
    sender = {
      send: async (email) => {
        await transport.sendMail({ from: FROM, ...email });
      },
    };
  });

  afterEach(async () => {
    transport.close();
    await sink.stop();
    await store.close();
  });

  function options(overrides: Partial<EmailOutboxOptions> = {}): EmailOutboxOptions {
    return {
      store,
      sender,
      milestones: MILESTONE_KINDS,
      storeName: 'Quiet Harbour',
      owner: 'notify:test',
      leaseMs: 60_000,
      now: () => clock.now(),
      retryDelayMs: (attempt) => attempt * 30_000,
      ...overrides,
    };
  }

  /** An order a supplier has accepted: its state is acknowledged, so "confirmed" is reached. */
  async function acknowledgedOrder(
    overrides: Partial<OrderDraft> = {},
  ): Promise<{ order: Order; po: PurchaseOrder }> {
    const { order } = await store.receiveOrder(sampleOrderDraft(overrides), { actor: 'order-in:test' });
    const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order)], {
      type: 'order.routed',
      actor: 'router:test',
    }))!;
    await store.claimPurchaseOrder(po!.number, {
      owner: 'dispatch:test',
      now: clock.now(),
      durationMs: 60_000,
    });
    await store.transitionPurchaseOrder(
      po!.number,
      ['sending'],
      'accepted',
      {},
      { type: 'po.accepted', actor: 'dispatch:test' },
    );
    assert.equal((await store.getOrder(order.id))?.state, 'acknowledged');
    return { order, po: po! };
  }

  async function parcelEvent(
    order: Order,
    po: PurchaseOrder,
    status: TrackingStatus,
    hoursLater: number,
  ): Promise<void> {
    await store.recordShipmentEvent(
      {
        orderId: order.id,
        poNumber: po.number,
        carrier: 'ups',
        trackingNumber: UPS,
        trackingUrl: `https://www.ups.com/track?tracknum=${UPS}&loc=en_US`,
        status,
        occurredAt: new Date(T0 + hoursLater * 3_600_000).toISOString(),
        source: 'test',
      },
      'tracking-in:test',
    );
  }

  function queueEmailMilestones(outbox: EmailOutboxOptions, orderId: string): Promise<number> {
    return queueMilestones(store, emailChannel(outbox), orderId);
  }

  function deliverEmails(outbox: EmailOutboxOptions, orderId?: string): Promise<DeliveryReport> {
    return deliverNotifications(emailChannel(outbox), outbox, orderId);
  }

  /** What the notify node does when an order changes: queue its new milestones and send them at once. */
  async function queueAndSend(orderId: string): Promise<void> {
    const outbox = options();
    const facts = await readOrderFacts(store, orderId);
    assert.ok(facts, orderId);
    await queueAndDeliver([emailChannel(outbox)], outbox, facts);
  }

  it('sends each milestone exactly once, however often and however concurrently it runs', async () => {
    const { order, po } = await acknowledgedOrder();
    await parcelEvent(order, po, 'in_transit', 1);
    await Promise.all([
      queueAndSend(order.id),
      queueAndSend(order.id),
      queueAndSend(order.id),
      deliverEmails(options({ owner: 'notify:other' })),
    ]);
    await queueAndSend(order.id);
    assert.deepEqual(
      sink.messages.map((m) => m.parsed.subject),
      ['Your order 1001 is confirmed', 'Your order 1001 has shipped'],
    );

    await parcelEvent(order, po, 'delivered', 30);
    assert.equal((await store.getOrder(order.id))?.state, 'delivered');
    await Promise.all([queueAndSend(order.id), queueAndSend(order.id)]);
    assert.equal(sink.messages.length, 3);
    assert.equal(sink.messages[2]?.parsed.subject, 'Your order 1001 was delivered');
    const notifications = await store.listNotifications(order.id);
    assert.deepEqual(
      notifications.map((n) => [n.milestone, n.state, n.attempts]),
      [
        ['confirmed', 'sent', 1],
        [`shipped:${UPS}`, 'sent', 1],
        ['delivered', 'sent', 1],
      ],
    );
    assert.equal(await queueEmailMilestones(options(), order.id), 0);
  });

  it('sends a real message: addresses, deterministic Message-ID, plain text and escaped HTML', async () => {
    const { order, po } = await acknowledgedOrder({
      customer: { name: 'Zoë Example', email: 'zoe@example.test' },
      lines: [
        {
          lineId: '1',
          sku: 'MUG-01',
          title: 'Mug <b>big</b> & "bold"',
          quantity: 2,
          unitPrice: 25,
          requiresShipping: true,
        },
      ],
    });
    await parcelEvent(order, po, 'in_transit', 1);
    await queueAndSend(order.id);
    const [confirmed, shipped] = sink.messages;
    assert.deepEqual(confirmed?.envelope, { from: 'orders@quiet-harbour.test', to: ['zoe@example.test'] });
    assert.equal(confirmed?.parsed.messageId, `<${order.id}.confirmed@dropship>`);
    assert.equal(shipped?.parsed.messageId, `<${order.id}.shipped.${UPS}@dropship>`);
    assert.equal(confirmed?.parsed.text?.includes('Hello Zoë,'), true);
    assert.equal(confirmed?.parsed.text?.includes('- 2 x Mug <b>big</b> & "bold"'), true);
    assert.equal(
      String(confirmed?.parsed.html).includes(
        '<li>2 &times; Mug &lt;b&gt;big&lt;&#x2F;b&gt; &amp; &quot;bold&quot;</li>',
      ),
      true,
      String(confirmed?.parsed.html),
    );
    assert.equal(shipped?.parsed.text?.includes(`Tracking number: ${UPS}`), true);
    assert.equal(shipped?.parsed.text?.includes('on its way with UPS'), true);
  });

  it('keeps CR/LF in the data from adding a header to the message on the wire', async () => {
    const { order } = await acknowledgedOrder({ orderNumber: '1001\r\nBcc: attacker@evil.test' });
    await queueAndSend(order.id);
    const [mail] = sink.messages;
    const headerBlock = mail!.raw.split('\r\n\r\n')[0]!;
    assert.ok(!/^bcc:/im.test(headerBlock), headerBlock);
    assert.deepEqual(mail?.envelope.to, ['ada@example.test']);
    assert.equal(mail?.parsed.bcc, undefined);
    assert.equal(mail?.parsed.subject, 'Your order 1001 Bcc: attacker@evil.test is confirmed');
  });

  it('retries a message the server defers (4xx) later, then sends it', async () => {
    const { order } = await acknowledgedOrder();
    sink.refuse(451, '4.7.1 Greylisted, please try again later');
    await queueEmailMilestones(options(), order.id);
    const first = await deliverEmails(options(), order.id);
    assert.equal(first.failed.length, 1);
    assert.equal(first.failed[0]?.willRetry, true);
    assert.match(first.failed[0].error, /451/);
    const [deferred] = await store.listNotifications(order.id);
    assert.equal(deferred?.state, 'pending');
    assert.match(String(deferred?.lastError), /Greylisted/);

    assert.deepEqual((await deliverEmails(options(), order.id)).sent, [], 'not due yet');
    clock.advance(30_000);
    const second = await deliverEmails(options(), order.id);
    assert.equal(second.sent.length, 1);
    assert.equal(sink.messages.length, 1);
    assert.equal(sink.rcptAttempts, 2);
    const [sent] = await store.listNotifications(order.id);
    assert.deepEqual([sent?.state, sent?.attempts, sent?.lastError], ['sent', 2, undefined]);
  });

  it('gives a deferred message up as failed after the last allowed try', async () => {
    const { order } = await acknowledgedOrder();
    sink.refuse(451, '4.3.2 Try again later', 3);
    await queueEmailMilestones(options(), order.id);
    const tries = [];
    for (let i = 0; i < 3; i++) {
      tries.push(await deliverEmails(options({ maxAttempts: 3 }), order.id));
      clock.advance(3_600_000);
    }
    assert.deepEqual(
      tries.map((t) => t.failed[0]?.willRetry),
      [true, true, false],
    );
    assert.equal((await store.listNotifications(order.id))[0]?.state, 'failed');
    assert.deepEqual((await deliverEmails(options({ maxAttempts: 3 }), order.id)).sent, []);
    assert.equal(sink.rcptAttempts, 3);
  });

  it('does not repeat a message the server refused for good (5xx)', async () => {
    const { order } = await acknowledgedOrder();
    sink.refuse(550, '5.1.1 No such user here');
    await queueEmailMilestones(options(), order.id);
    const report = await deliverEmails(options(), order.id);
    assert.equal(report.failed[0]?.willRetry, false);
    assert.match(report.failed[0].error, /550/);
    clock.advance(2 * 3_600_000);
    assert.deepEqual((await deliverEmails(options(), order.id)).failed, []);
    assert.equal(sink.rcptAttempts, 1);
    assert.equal((await store.listNotifications(order.id))[0]?.state, 'failed');
  });

  it('fails an order without an e-mail address at once and never retries it', async () => {
    const { order } = await acknowledgedOrder({ customer: { name: 'No Mail' } });
    await queueEmailMilestones(options(), order.id);
    const report = await deliverEmails(options(), order.id);
    assert.deepEqual(
      report.failed.map((f) => [f.error, f.willRetry]),
      [['the order has no customer e-mail address', false]],
    );
    clock.advance(24 * 3_600_000);
    const later = await deliverEmails(options(), order.id);
    assert.deepEqual([later.sent, later.failed], [[], []]);
    assert.equal(sink.rcptAttempts, 0);
    assert.equal((await store.listNotifications(order.id))[0]?.state, 'failed');
  });

  it('resends under the same Message-ID when a worker died before recording the send', async () => {
    const { order } = await acknowledgedOrder();
    await queueEmailMilestones(options(), order.id);
    await deliverEmails(options(), order.id);
    // Another worker claimed the same milestone of a second order, sent nothing (it crashed) and left a lease.
    const { order: second } = await acknowledgedOrder({ externalId: 'crash-2' });
    await queueEmailMilestones(options(), second.id);
    const [abandoned] = await store.claimNotifications(
      'email',
      { owner: 'notify:crashed', now: clock.now(), durationMs: 60_000 },
      10,
    );
    assert.equal(abandoned?.orderId, second.id);
    assert.deepEqual((await deliverEmails(options(), second.id)).sent, [], 'held by the lease');
    clock.advance(60_001);
    assert.equal((await deliverEmails(options(), second.id)).sent.length, 1);
    assert.deepEqual(
      sink.messages.map((m) => m.parsed.messageId),
      [`<${order.id}.confirmed@dropship>`, `<${second.id}.confirmed@dropship>`],
    );
  });

  it('queues only the milestones it handles and uses the operator wording', async () => {
    const { order, po } = await acknowledgedOrder();
    await parcelEvent(order, po, 'in_transit', 1);
    const shippedOnly = options({
      milestones: ['shipped'],
      templates: {
        shipped: {
          subject: 'On its way: {{order.number}}',
          text: 'Parcel {{shipment.trackingNumber}}',
          html: '<p>{{storeName}}</p>',
        },
      },
    });
    assert.equal(await queueEmailMilestones(shippedOnly, order.id), 1);
    await deliverEmails(shippedOnly, order.id);
    assert.deepEqual(
      sink.messages.map((m) => [m.parsed.subject, m.parsed.text?.trim()]),
      [['On its way: 1001', `Parcel ${UPS}`]],
    );
  });
});
