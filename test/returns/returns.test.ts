import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { fixedClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import type { Order } from '../../core/model/order';
import { emailChannel } from '../../core/notify/email-outbox';
import { deliverNotifications } from '../../core/notify/outbox';
import { advanceReturn, parseReturnStep, requestReturn } from '../../core/returns/manage-returns';
import { parseReturnPolicies, type ReturnPolicy } from '../../core/returns/return-policy';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { SmtpSink } from '../support/smtp-sink';
import { sampleOrderDraft } from '../support/orders';

const DAY = 86_400_000;
const actor = 'dropship-returns:r1';

describe('returns: RMA requests against the order and the supplier policy, states and notices', () => {
  const clock = fixedClock('2026-11-20T10:00:00.000Z');
  let store: SqliteOrderStore;
  let policies: Record<string, ReturnPolicy>;

  beforeEach(async () => {
    clock.set('2026-11-20T10:00:00.000Z');
    store = new SqliteOrderStore({ filename: ':memory:', clock });
    await store.migrate();
    policies = parseReturnPolicies({
      acme: {
        windowDays: 30,
        restockingFeePercent: 10,
        returnAddress: {
          company: 'Acme Returns',
          line1: '1 Dock Rd',
          city: 'Reno',
          region: 'NV',
          postalCode: '89501',
          country: 'US',
        },
      },
    });
  });
  afterEach(() => store.close());

  /** An order whose PO at acme was delivered `daysAgo` days before now. */
  async function deliveredOrder(): Promise<Order> {
    const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 'test' });
    const [po] = (await store.assignPurchaseOrders(
      order.id,
      ['received'],
      [
        {
          orderId: order.id,
          supplierId: 'acme',
          attempt: 1,
          currency: 'USD',
          shipTo: order.shipTo,
          lines: order.lines.map((l) => ({
            orderLineId: l.lineId,
            sku: l.sku,
            quantity: l.quantity,
            unitCost: 6,
          })),
          alternatives: [],
        },
      ],
      { type: 'order.routed', actor: 'test' },
    ))!;
    await store.claimPurchaseOrder(po!.number, { owner: 'd', now: clock.now(), durationMs: 1000 });
    await store.transitionPurchaseOrder(
      po!.number,
      ['sending'],
      'accepted',
      {},
      { type: 'po.accepted', actor: 'test' },
    );
    for (const status of ['in_transit', 'delivered'] as const)
      await store.recordShipmentEvent(
        {
          orderId: order.id,
          poNumber: po!.number,
          carrier: 'ups',
          trackingNumber: '1Z999AA10123456784',
          status,
          occurredAt: clock.now().toISOString(),
          source: 'test',
        },
        'test',
      );
    return (await store.getOrder(order.id))!;
  }

  it('opens an RMA routed to the supplier return address with its restocking fee, then walks it to refunded', async () => {
    const order = await deliveredOrder();
    clock.advance(10 * DAY);
    const [rma] = await requestReturn(
      store,
      { order: order.id, lines: [{ sku: 'MUG-01', quantity: 2 }], reason: 'chipped' },
      policies,
      actor,
      clock.now(),
    );
    assert.equal(rma!.rmaNumber, 'RMA-000001');
    assert.equal(rma!.supplierId, 'acme');
    assert.equal(rma!.returnAddress.company, 'Acme Returns');
    assert.equal(rma!.restockingFee, 2.5, '10 % of 2 x 12.50');
    assert.equal(rma!.refundAmount, 22.5);
    assert.deepEqual(rma!.lines, [
      { orderLineId: '1', sku: 'MUG-01', quantity: 2, unitPrice: 12.5, unitCost: 6 },
    ]);

    const steps = [
      { step: 'approve' },
      {
        step: 'label_sent',
        label: { carrier: 'UPS', trackingNumber: '1Z999AA10123456785', url: 'https://labels.example.test/1' },
      },
      { step: 'received' },
      { step: 'credited', creditMemo: { number: 'CM-88', amount: 12 } },
      { step: 'refunded' },
    ];
    for (const step of steps) await advanceReturn(store, rma!.rmaNumber, parseReturnStep(step), actor);
    const done = (await store.getReturn(rma!.rmaNumber))!;
    assert.equal(done.state, 'refunded');
    assert.equal(done.creditMemo?.number, 'CM-88');
    assert.equal(done.creditMemo?.amount, 12);
    assert.equal(done.refunded, 22.5);
    assert.equal(done.label?.trackingNumber, '1Z999AA10123456785');
    const events = (await store.listEvents(order.id)).filter((e) => e.type.startsWith('return.'));
    assert.deepEqual(
      events.map((e) => [e.type, e.toState, e.actor]),
      ['requested', 'approved', 'label_sent', 'received', 'credited', 'refunded'].map((s) => [
        `return.${s}`,
        s,
        actor,
      ]),
    );
    assert.deepEqual(
      (await store.listNotifications(order.id))
        .filter((n) => n.milestone.startsWith('return_'))
        .map((n) => n.milestone.split(':')[0]),
      ['return_requested', 'return_approved', 'return_label_sent', 'return_received', 'return_refunded'],
      'the customer hears of every step but the supplier credit',
    );
    assert.equal(
      (await store.getOrder(order.id))!.state,
      'delivered',
      'one of three units stays with the customer',
    );
    const [rest] = await requestReturn(
      store,
      { order: order.id, lines: [{ orderLineId: '2', quantity: 1 }], reason: 'size' },
      policies,
      actor,
      clock.now(),
    );
    for (const step of ['approve', 'received', 'refunded'])
      await advanceReturn(store, rest!.rmaNumber, parseReturnStep({ step }), actor);
    assert.equal((await store.getOrder(order.id))!.state, 'returned');
  });

  it('refuses what the order and the policy do not allow, naming each line', async () => {
    const order = await deliveredOrder();
    await requestReturn(
      store,
      { order: order.id, lines: [{ sku: 'MUG-01', quantity: 1 }], reason: 'chipped' },
      policies,
      actor,
      clock.now(),
    );
    await assert.rejects(
      requestReturn(
        store,
        {
          order: order.id,
          lines: [
            { sku: 'MUG-01', quantity: 2 },
            { sku: 'SOCK-9', quantity: 1 },
            { orderLineId: '2', quantity: 0 },
          ],
          reason: '',
        },
        policies,
        actor,
        clock.now(),
      ),
      (err: DropshipError) => {
        assert.deepEqual(
          err.details.map((d) => [d.path, d.message]),
          [
            ['/reason', 'is required'],
            ['/lines/0/quantity', 'is 2, but only 1 of MUG-01 can still be returned'],
            ['/lines/1/sku', 'is not a line of the order'],
            ['/lines/2/quantity', 'must be a whole number of at least 1'],
          ],
        );
        return true;
      },
    );
    clock.advance(31 * DAY);
    await assert.rejects(
      requestReturn(
        store,
        { order: order.id, lines: [{ sku: 'TEE-01', quantity: 1 }], reason: 'late' },
        policies,
        actor,
        clock.now(),
      ),
      /the 30-day return window for TEE-01 ended on 2026-12-20/,
    );
    await assert.rejects(
      requestReturn(
        store,
        { order: order.id, lines: [{ sku: 'TEE-01', quantity: 1 }], reason: 'x' },
        {},
        actor,
        clock.now(),
      ),
      /supplier acme has no return policy/,
    );
  });

  it('refuses a return of a line that has not shipped, and steps out of order', async () => {
    const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 'test' });
    await assert.rejects(
      requestReturn(
        store,
        { order: order.id, lines: [{ sku: 'MUG-01', quantity: 1 }], reason: 'changed my mind' },
        policies,
        actor,
        clock.now(),
      ),
      /MUG-01 has not shipped yet: cancel it instead/,
    );
    const shipped = await deliveredOrder();
    const [rma] = await requestReturn(
      store,
      { order: shipped.id, lines: [{ sku: 'MUG-01', quantity: 1 }], reason: 'x' },
      policies,
      actor,
      clock.now(),
    );
    await assert.rejects(
      advanceReturn(store, rma!.rmaNumber, { step: 'refunded' }, actor),
      /RMA-000001 is requested: it cannot be refunded now/,
    );
    assert.throws(() => parseReturnStep({ step: 'reject' }), /\/note is required/);
    assert.throws(
      () => parseReturnStep({ step: 'credited', creditMemo: { amount: -1 } }),
      (err: DropshipError) =>
        err.details.map((d) => d.path).join() === '/creditMemo/number,/creditMemo/amount',
    );
    assert.throws(
      () => parseReturnPolicies({ acme: { windowDays: -3 } }),
      /\/acme\/windowDays must be a whole number/,
    );
  });

  it('approves at once under an auto-approving policy and e-mails the return address through the outbox', async () => {
    policies.acme!.autoApprove = true;
    const order = await deliveredOrder();
    const [rma] = await requestReturn(
      store,
      { order: order.id, lines: [{ sku: 'TEE-01', quantity: 1 }], reason: 'size' },
      policies,
      actor,
      clock.now(),
    );
    assert.equal(rma!.state, 'approved');
    const smtp = await new SmtpSink().start();
    try {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        ignoreTLS: true,
      });
      const email = emailChannel({
        sender: {
          send: async (mail) => void (await transport.sendMail({ from: 'shop@example.test', ...mail })),
        },
        milestones: [],
        storeName: 'Test Shop',
      });
      const report = await deliverNotifications(email, {
        store,
        owner: 'notify',
        leaseMs: 60_000,
        now: () => clock.now(),
      });
      const subjects = smtp.messages.map((m) => m.parsed.subject).sort();
      assert.deepEqual(
        subjects,
        ['Your return RMA-000001 is approved', 'We received your return request RMA-000001'].sort(),
      );
      const approved = smtp.messages.find((m) => m.parsed.subject?.includes('approved'))!;
      assert.match(approved.parsed.text ?? '', /Acme Returns\n1 Dock Rd\n89501 Reno NV\nUS/);
      assert.match(approved.parsed.text ?? '', /we refund 18\.00 USD \(restocking fee 2\.00 USD\)/);
      assert.ok(report.sent.length >= 2);
    } finally {
      await smtp.stop();
    }
  });
});
