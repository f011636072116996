import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../core/clock';
import type { OrderDraft } from '../../core/model/order';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import type { ShipmentEvent } from '../../core/model/shipment';
import type { OrderStore } from '../../core/store/order-store';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { runWatchdogSweep } from '../../core/watchdog/run-watchdog';
import { parseWatchdogPolicy, type WatchdogPolicy } from '../../core/watchdog/watchdog-policy';
import {
  applyOperatorAction,
  needsAttentionQueue,
  parseOperatorAction,
} from '../../core/watchdog/operator-actions';
import { DropshipError } from '../../core/errors';
import {
  withdrawalProblem,
  withdrawPurchaseOrder,
  type Withdraw,
} from '../../core/dispatch/withdraw-purchase-order';
import type { SupplierConnector } from '../../core/ports/supplier-connector';
import { restJsonConnector } from '../../connectors/suppliers/rest-json/rest-json';
import { HttpSupplier } from '../support/http-supplier';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';

const HOUR = 3_600_000;
const START = '2026-11-20T10:00:00.000Z';
const actor = 'dropship-watchdog:w1';

/** Only the conditions a test is about, so the others do not add their own steps. */
function only(...names: string[]): WatchdogPolicy {
  const all = [
    'po_unacknowledged',
    'not_shipped_by_promise',
    'label_without_scan',
    'no_tracking_movement',
    'late_delivery',
    'stock_feed_stale',
    'supplier_error_rate',
    'address_rejected',
    'functional_ack_overdue',
  ];
  return parseWatchdogPolicy({
    conditions: Object.fromEntries(all.map((c) => [c, { enabled: names.includes(c) }])),
  });
}

describe('dropship watchdog: conditions, ladders and operator actions (SQLite, controlled clock)', () => {
  let clock: ReturnType<typeof fixedClock>;
  let store: OrderStore;
  let dir: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-watchdog-'));
    clock = fixedClock(START);
    store = new SqliteOrderStore({ filename: path.join(dir, 'store.sqlite'), clock });
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sweep = (policy: WatchdogPolicy, on = store) =>
    runWatchdogSweep({ store: on, policy, actor, now: () => clock.now() });

  /** An order routed to acme (beta next) and sent, with the PO in `state`. */
  async function sentOrder(
    state: 'sent' | 'accepted' = 'sent',
    draft: Partial<OrderDraft> = {},
  ): Promise<{ orderId: string; po: PurchaseOrder }> {
    const { order } = await store.receiveOrder(sampleOrderDraft(draft), { actor: 'test' });
    const [po] = (await store.assignPurchaseOrders(
      order.id,
      ['received'],
      [purchaseOrderDraftFor(order, 'acme', { alternatives: ['beta'] })],
      { type: 'order.routed', actor: 'test' },
    ))!;
    await store.claimPurchaseOrder(po!.number, { owner: 'd', now: clock.now(), durationMs: 60_000 });
    const sent = await store.transitionPurchaseOrder(
      po!.number,
      ['sending'],
      state,
      {},
      { type: `po.${state}`, actor: 'test' },
    );
    return { orderId: order.id, po: sent! };
  }

  async function parcel(orderId: string, po: string, event: Partial<ShipmentEvent>): Promise<void> {
    await store.recordShipmentEvent(
      {
        orderId,
        poNumber: po,
        carrier: 'ups',
        trackingNumber: '1Z999AA10123456784',
        status: 'in_transit',
        occurredAt: clock.now().toISOString(),
        source: 'test',
        ...event,
      },
      'test',
    );
  }

  const eventTypes = async (orderId: string) =>
    (await store.listEvents(orderId)).filter((e) => e.type.startsWith('watchdog.')).map((e) => e.type);

  it('climbs the unacknowledged-PO ladder once per step: remind, reroute to the next supplier, then clears', async () => {
    const policy = only('po_unacknowledged');
    const { orderId, po } = await sentOrder();
    clock.advance(23 * HOUR);
    assert.deepEqual((await sweep(policy)).detected, [], 'within the 24 h SLA');
    clock.advance(1 * HOUR);
    const first = await sweep(policy);
    assert.deepEqual(
      first.detected.map((d) => [d.condition, d.poNumber]),
      [['po_unacknowledged', po.number]],
    );
    assert.equal(first.scheduled.length, 3);
    assert.deepEqual(
      first.steps.map((s) => [s.action, s.outcome]),
      [['remind_supplier', 'fired']],
    );
    assert.deepEqual((await sweep(policy)).steps, [], 'a second sweep fires nothing again');
    assert.deepEqual(await eventTypes(orderId), ['watchdog.remind_supplier']);

    clock.advance(12 * HOUR);
    const reroute = await sweep(policy);
    assert.deepEqual(
      reroute.steps.map((s) => [s.action, s.outcome]),
      [['reroute', 'fired']],
    );
    const pos = await store.listPurchaseOrders(orderId);
    assert.deepEqual(
      pos.map((p) => [p.supplierId, p.state]),
      [
        ['acme', 'cancelled'],
        ['beta', 'pending'],
      ],
    );
    assert.deepEqual(reroute.steps[0]!.result.replacements, [
      { poNumber: pos[1]!.number, supplierId: 'beta' },
    ]);

    clock.advance(12 * HOUR);
    const last = await sweep(policy);
    assert.deepEqual(
      last.steps.map((s) => [s.action, s.outcome]),
      [['alert_operator', 'cleared']],
      'the rerouted PO no longer waits for an acknowledgement, so nobody is alerted',
    );
    assert.equal((await store.getOrder(orderId))!.state, 'routed', 'its lines wait to go out to beta');
    const reasons = (await store.listEvents(orderId))
      .filter((e) => e.type.startsWith('watchdog.'))
      .map((e) => e.reason);
    assert.ok(reasons.every((r) => r?.includes('has not acknowledged')));
  });

  it('keeps its timers in the store: a restart fires the due step once, never twice', async () => {
    const policy = parseWatchdogPolicy({
      conditions: { ...only('po_unacknowledged').conditions },
      supplierSlaHours: { acme: 4 },
    });
    const { orderId } = await sentOrder();
    clock.advance(4 * HOUR);
    await sweep(policy);
    await store.close();
    clock.advance(12 * HOUR);
    const reopened = new SqliteOrderStore({ filename: path.join(dir, 'store.sqlite'), clock });
    await reopened.migrate();
    store = reopened;
    const afterRestart = await sweep(policy);
    assert.deepEqual(afterRestart.scheduled, [], 'the ladder was scheduled before the restart');
    assert.deepEqual(
      afterRestart.steps.map((s) => s.action),
      ['reroute'],
    );
    assert.deepEqual(await eventTypes(orderId), ['watchdog.remind_supplier', 'watchdog.reroute']);
  });

  it('reminds, then holds the order, when an accepted PO misses its promised ship date', async () => {
    const policy = only('not_shipped_by_promise');
    const promisedShipBy = new Date(Date.parse(START) + 48 * HOUR).toISOString();
    const { orderId } = await sentOrder('accepted', { shipping: { method: 'standard', promisedShipBy } });
    clock.advance(47 * HOUR);
    assert.deepEqual((await sweep(policy)).detected, []);
    clock.advance(HOUR);
    assert.deepEqual(
      (await sweep(policy)).steps.map((s) => s.action),
      ['remind_supplier'],
    );
    clock.advance(24 * HOUR);
    const held = await sweep(policy);
    assert.deepEqual(
      held.steps.map((s) => s.action),
      ['alert_operator', 'notify_customer'],
    );
    assert.equal((await store.getOrder(orderId))!.state, 'needs_attention');
    const notice = (await store.listNotifications(orderId)).find((n) => n.milestone.startsWith('delayed:'));
    assert.equal(notice?.payload.kind, 'delayed');
    assert.equal(
      notice?.payload.estimatedDelivery,
      new Date(clock.now().getTime() + 72 * HOUR).toISOString(),
    );
  });

  it('flags a label the carrier never scanned, reusing the tracking rule', async () => {
    const policy = only('label_without_scan');
    const { orderId, po } = await sentOrder('accepted');
    await parcel(orderId, po.number, { status: 'info_received', rawStatus: 'Label created' });
    clock.advance(47 * HOUR);
    assert.deepEqual((await sweep(policy)).detected, []);
    clock.advance(2 * HOUR);
    const found = await sweep(policy);
    assert.deepEqual(
      found.detected.map((d) => [d.condition, d.subject]),
      [['label_without_scan', `parcel:${orderId}:1Z999AA10123456784`]],
    );
    assert.deepEqual(
      found.steps.map((s) => s.action),
      ['remind_supplier'],
    );
  });

  it('alerts the operator when a parcel stops moving and tells the customer the carrier estimate', async () => {
    const policy = only('no_tracking_movement');
    const { orderId, po } = await sentOrder('accepted');
    const estimate = new Date(Date.parse(START) + 120 * HOUR).toISOString();
    await parcel(orderId, po.number, { status: 'in_transit', estimatedDelivery: estimate });
    clock.advance(72 * HOUR);
    const stalled = await sweep(policy);
    assert.deepEqual(
      stalled.steps.map((s) => s.action),
      ['alert_operator'],
    );
    const order = (await store.getOrder(orderId))!;
    assert.equal(order.state, 'needs_attention');
    const queue = await needsAttentionQueue(store);
    assert.equal(queue.length, 1);
    assert.match(queue[0]!.reason, /has not moved for 3 days \(in_transit\)/);
    assert.deepEqual(queue[0]!.conditions, ['no_tracking_movement']);
    clock.advance(24 * HOUR);
    const told = await sweep(policy);
    assert.deepEqual(
      told.steps.map((s) => s.action),
      ['notify_customer'],
      'the ladder goes on while a person looks',
    );
    assert.equal(told.steps[0]!.result.estimatedDelivery, estimate);
    // The parcel moves again: the order follows it out of needs_attention, and the pending step is cleared.
    await parcel(orderId, po.number, { status: 'delivered' });
    assert.equal((await store.getOrder(orderId))!.state, 'delivered');
  });

  it('tells the customer a new estimate when delivery is later than promised', async () => {
    const policy = only('late_delivery');
    const promisedDeliveryBy = new Date(Date.parse(START) + 96 * HOUR).toISOString();
    const { orderId, po } = await sentOrder('accepted', {
      shipping: { method: 'standard', promisedDeliveryBy },
    });
    await parcel(orderId, po.number, { status: 'in_transit' });
    clock.advance(96 * HOUR);
    const late = await sweep(policy);
    assert.deepEqual(
      late.steps.map((s) => [s.action, s.timer.subject]),
      [
        ['alert_operator', `order:${orderId}`],
        ['notify_customer', `order:${orderId}`],
      ],
    );
    assert.deepEqual(
      (await store.listNotifications(orderId)).map((n) => n.milestone),
      [`delayed:late_delivery:order:${orderId}`],
    );
  });

  it('holds an order whose parcel the carrier could not deliver to the address', async () => {
    const policy = only('address_rejected');
    const { orderId, po } = await sentOrder('accepted');
    await parcel(orderId, po.number, { status: 'in_transit' });
    clock.advance(HOUR);
    await parcel(orderId, po.number, { status: 'exception', rawStatus: 'THE ADDRESS IS INCORRECT' });
    const found = await sweep(policy);
    assert.deepEqual(
      found.steps.map((s) => s.action),
      ['alert_operator', 'notify_customer'],
    );
    assert.match(found.detected[0]!.reason, /THE ADDRESS IS INCORRECT/);
    assert.equal((await store.getOrder(orderId))!.state, 'needs_attention');
  });

  it('escalates a stale stock feed and a send error rate beyond its control limit, per supplier', async () => {
    const policy = parseWatchdogPolicy({
      conditions: { ...only('stock_feed_stale', 'supplier_error_rate').conditions },
      errorRate: { limit: 0.5, consecutiveDays: 1, baselineDays: 7 },
    });
    await store.applyStockFeed('acme', clock.now(), [{ sku: 'MUG-01', quantity: 4 }]);
    const { order } = await store.receiveOrder(sampleOrderDraft({ placedAt: clock.now().toISOString() }), {
      actor: 'test',
    });
    const [po] = (await store.assignPurchaseOrders(
      order.id,
      ['received'],
      [
        {
          orderId: order.id,
          supplierId: 'flaky',
          attempt: 1,
          currency: 'USD',
          shipTo: order.shipTo,
          lines: [],
          alternatives: [],
        },
      ],
      { type: 'order.routed', actor: 'test' },
    ))!;
    await store.claimPurchaseOrder(po!.number, { owner: 'd', now: clock.now(), durationMs: 1000 });
    await store.transitionPurchaseOrder(
      po!.number,
      ['sending'],
      'pending',
      {},
      { type: 'po.retry', actor: 'test', reason: 'HTTP 503' },
    );
    clock.set('2026-11-20T23:00:00.000Z');
    const first = await sweep(policy);
    assert.deepEqual(
      first.detected.map((d) => [d.condition, d.subject]),
      [['supplier_error_rate', 'supplier:flaky']],
    );
    assert.match(
      first.detected[0]!.reason,
      /flaky: 100\.0 % of sends failed on 2026-11-20, above its limit of 50\.0 %/,
    );
    assert.deepEqual(
      first.steps.map((s) => [s.action, s.result]),
      [['alert_operator', { supplierId: 'flaky' }]],
    );
    clock.set('2026-11-21T11:00:00.000Z');
    const stale = await sweep(policy);
    assert.deepEqual(
      stale.detected.map((d) => d.subject),
      ['supplier:acme'],
      'the error rate is judged per day',
    );
    assert.deepEqual(
      stale.steps.map((s) => s.action),
      ['remind_supplier'],
    );
    assert.match(stale.detected[0]!.reason, /no stock feed from acme for 1 day 1 hour/);
  });

  it("holds the order of an 850 its partner has not answered with a 997 within the partner's hours", async () => {
    const policy = only('functional_ack_overdue');
    const { orderId, po } = await sentOrder();
    await store.recordFunctionalGroupSent({
      supplierId: 'acme',
      functionalId: 'PO',
      groupControlNumber: '41',
      document: `850 ${po.number}`,
      poNumber: po.number,
      sentAt: START,
    });
    clock.set(new Date(Date.parse(START) + 3 * HOUR).toISOString());
    assert.deepEqual((await sweep(policy)).detected, [], 'within the default 4 hours');
    clock.set(new Date(Date.parse(START) + 76 * HOUR).toISOString());
    const late = await runWatchdogSweep({
      store,
      policy,
      actor,
      now: () => clock.now(),
      functionalAckHours: (supplierId) => (supplierId === 'acme' ? 2 : undefined),
    });
    assert.deepEqual(
      late.detected.map((d) => [d.condition, d.subject, d.orderId, d.poNumber, d.since.toISOString()]),
      [
        [
          'functional_ack_overdue',
          'x12-group:acme:PO:41',
          orderId,
          po.number,
          new Date(Date.parse(START) + 2 * HOUR).toISOString(),
        ],
      ],
    );
    assert.match(
      late.detected[0]!.reason,
      new RegExp(`acme has not answered 850 ${po.number} with a 997 for 3 days 4 hours`),
    );
    assert.deepEqual(
      late.steps.map((s) => s.action),
      ['alert_operator'],
    );
    assert.equal((await store.getOrder(orderId))!.state, 'needs_attention');
    await store.recordFunctionalGroupAcknowledged('acme', 'PO', '41', 'accepted', clock.now());
    assert.deepEqual((await sweep(policy)).detected, [], 'the 997 came');
  });

  it('names the policy field that is wrong', () => {
    assert.throws(
      () =>
        parseWatchdogPolicy({
          conditions: { po_unacknowledged: { steps: [{ action: 'shout', afterHours: -1 }] } },
        }),
      (err: DropshipError) =>
        err.details.some(
          (d) =>
            d.path === '/conditions/po_unacknowledged/steps/0/action' && /remind_supplier/.test(d.message),
        ),
    );
    assert.throws(
      () => parseWatchdogPolicy({ conditions: { lost_parcel: {} } }),
      /lost_parcel is not a condition/,
    );
    assert.throws(
      () => parseWatchdogPolicy({ supplierSlaHours: { acme: 'soon' } }),
      /\/supplierSlaHours\/acme must be a number/,
    );
  });

  describe('operator actions', () => {
    async function heldUnroutable(): Promise<string> {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 'test' });
      await store.transitionOrder(order.id, ['received'], 'needs_attention', {
        type: 'order.unroutable',
        actor: 'test',
        reason: 'no supplier carries MUG-01',
      });
      return order.id;
    }

    it('reroutes a held order to the chosen supplier, audited under the operator', async () => {
      const orderId = await heldUnroutable();
      assert.deepEqual(
        (await needsAttentionQueue(store)).map((i) => [i.orderId, i.reason]),
        [[orderId, 'no supplier carries MUG-01']],
      );
      const done = await applyOperatorAction(
        store,
        orderId,
        parseOperatorAction({ action: 'reroute', supplierId: 'beta' }),
        'admin:ops',
        clock.now(),
      );
      assert.equal(done.order.state, 'routed');
      assert.deepEqual(
        done.purchaseOrders.map((p) => [p.supplierId, p.lines.length]),
        [['beta', 2]],
      );
      const audit = (await store.listEvents(orderId)).filter((e) => e.type === 'operator.reroute');
      assert.ok(audit.length >= 1 && audit.every((e) => e.actor === 'admin:ops'));
      assert.deepEqual(await needsAttentionQueue(store), []);
    });

    it('retries failed POs and releases the order to the state its POs give', async () => {
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
            lines: [],
            alternatives: [],
          },
        ],
        { type: 'order.routed', actor: 'test' },
      ))!;
      await store.claimPurchaseOrder(po!.number, { owner: 'd', now: clock.now(), durationMs: 1000 });
      await store.transitionPurchaseOrder(
        po!.number,
        ['sending'],
        'failed',
        {},
        { type: 'po.failed', actor: 'test' },
      );
      await store.transitionOrder(order.id, ['routed'], 'needs_attention', {
        type: 'order.needs_attention',
        actor: 'test',
      });
      const retry = await applyOperatorAction(store, order.id, { kind: 'retry' }, 'admin:ops', clock.now());
      assert.equal(retry.order.state, 'routed');
      assert.deepEqual(
        retry.purchaseOrders.map((p) => [p.number, p.state, p.nextAttemptAt]),
        [[po!.number, 'pending', clock.now().toISOString()]],
      );
      assert.ok(
        (await store.claimPurchaseOrder(po!.number, { owner: 'd', now: clock.now(), durationMs: 1000 })) !==
          undefined,
      );
    });

    it('cancels an order, its unshipped POs and queues the refund notice; the supplier is to be told', async () => {
      const { orderId, po } = await sentOrder('accepted');
      const done = await applyOperatorAction(
        store,
        orderId,
        parseOperatorAction({ action: 'cancel', reason: 'customer asked' }),
        'admin:ops',
        clock.now(),
      );
      assert.equal(done.order.state, 'cancelled');
      assert.deepEqual(done.supplierNotices, [
        { supplierId: 'acme', poNumber: po.number, action: 'cancel_po' },
      ]);
      assert.equal((await store.getPurchaseOrder(po.number))!.state, 'cancelled');
      assert.deepEqual(
        (await store.listNotifications(orderId)).map((n) => n.milestone),
        ['cancelled'],
      );
      await assert.rejects(
        applyOperatorAction(store, orderId, { kind: 'cancel', reason: 'again' }, 'admin:ops', clock.now()),
        /can no longer be cancelled/,
      );
    });

    describe('withdrawing the cancelled PO at the supplier', () => {
      let supplier: HttpSupplier;
      beforeEach(async () => {
        supplier = await new HttpSupplier().start();
      });
      afterEach(async () => supplier.stop());

      const restChannel = (settings: Record<string, unknown>) => ({
        connector: restJsonConnector as SupplierConnector<never> as SupplierConnector,
        context: {
          supplierId: 'acme',
          settings: { url: supplier.url, timeoutMs: 2_000, ...settings },
          credentials: {},
          log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
          clock,
          nextSequenceValue: async () => 1,
        },
      });
      const withdrawWith =
        (channel: ReturnType<typeof restChannel> | undefined): Withdraw =>
        (po, reason) =>
          withdrawPurchaseOrder(
            { store, actor: 'admin:ops', channel, sleep: async () => undefined, clock },
            po,
            reason,
          );

      it('the operator cancel action calls the connector: the REST supplier gets the cancel and confirms', async () => {
        const { orderId, po } = await sentOrder('accepted');
        const done = await applyOperatorAction(
          store,
          orderId,
          { kind: 'cancel', reason: 'customer asked (internal note)' },
          'admin:ops',
          clock.now(),
          withdrawWith(restChannel({ cancelUrl: `${supplier.url}/{poNumber}/cancel` })),
        );
        assert.equal(done.supplierNotices[0]?.withdrawal?.kind, 'confirmed');
        const [cancel] = supplier.requests;
        assert.deepEqual(
          [cancel?.method, cancel?.path, cancel?.headers['idempotency-key']],
          ['POST', `/orders/${po.number}/cancel`, `cancel-${po.number}`],
        );
        // The supplier reads a neutral reason, never the operator's note.
        assert.equal((cancel?.body as { reason: string }).reason, 'the order was cancelled');
        const events = await store.listEvents(orderId);
        assert.deepEqual(
          events.filter((e) => e.type.startsWith('po.cancel_')).map((e) => [e.type, e.poNumber, e.actor]),
          [['po.cancel_confirmed', po.number, 'admin:ops']],
        );
      });

      it('a supplier whose connection cannot cancel: the PO is still cancelled here and the operator is told', async () => {
        const { orderId, po } = await sentOrder('sent');
        const done = await applyOperatorAction(
          store,
          orderId,
          { kind: 'cancel', reason: 'customer asked' },
          'admin:ops',
          clock.now(),
          withdrawWith(restChannel({})),
        );
        const withdrawal = done.supplierNotices[0]?.withdrawal;
        assert.equal(withdrawal?.kind, 'unsupported');
        assert.equal(
          withdrawalProblem(withdrawal)?.code,
          'cancel_failed',
          'the node sends this out of its exceptions output',
        );
        assert.equal(supplier.requests.length, 0);
        assert.equal((await store.getPurchaseOrder(po.number))!.state, 'cancelled');
        const [failed] = (await store.listEvents(orderId)).filter((e) => e.type === 'po.cancel_failed');
        assert.match(
          failed?.reason ?? '',
          new RegExp(`no cancel URL configured.*withdraw ${po.number} at acme by hand`),
        );
      });

      it('an operator reroute withdraws the PO once its lines have their new PO', async () => {
        const { orderId, po } = await sentOrder('accepted');
        const done = await applyOperatorAction(
          store,
          orderId,
          { kind: 'reroute', supplierId: 'beta', poNumber: po.number },
          'admin:ops',
          clock.now(),
          withdrawWith(undefined),
        );
        assert.deepEqual(
          done.purchaseOrders.map((p) => p.supplierId),
          ['beta'],
        );
        assert.equal(done.supplierNotices[0]?.withdrawal?.kind, 'unsupported');
        assert.match(
          done.supplierNotices[0].withdrawal.reason,
          /supplier acme has no usable connection here/,
        );
      });
    });

    it('resolves a held order and clears its pending ladder', async () => {
      const policy = only('po_unacknowledged');
      const { orderId } = await sentOrder();
      clock.advance(24 * HOUR);
      await sweep(policy);
      await store.transitionOrder(orderId, ['dispatched'], 'needs_attention', {
        type: 'x',
        actor: 'test',
        reason: 'looked odd',
      });
      const resolved = await applyOperatorAction(
        store,
        orderId,
        { kind: 'resolve', note: 'called the supplier' },
        'admin:ops',
        clock.now(),
      );
      assert.equal(resolved.order.state, 'dispatched');
      assert.deepEqual(
        (await store.listWatchdogTimers({ orderId })).map((t) => [t.action, t.state]),
        [
          ['remind_supplier', 'fired'],
          ['reroute', 'cleared'],
          ['alert_operator', 'cleared'],
        ],
      );
      clock.advance(48 * HOUR);
      assert.deepEqual((await sweep(policy)).steps, [], 'a resolved condition is not escalated again');
    });

    it('refuses an unknown action and an unknown order with the field named', async () => {
      assert.throws(
        () => parseOperatorAction({ action: 'shout' }),
        /action must be one of retry, reroute, cancel, resolve/,
      );
      assert.throws(() => parseOperatorAction({ action: 'reroute' }), /supplierId is required/);
      await assert.rejects(
        applyOperatorAction(store, 'ord_nope', { kind: 'retry' }, 'admin:ops', clock.now()),
        /no order ord_nope/,
      );
    });
  });
});
