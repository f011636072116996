import assert from 'node:assert/strict';
import type { OrderStore } from '../../core/store/order-store';
import type { PurchaseOrderDraft } from '../../core/model/purchase-order';
import type { Order } from '../../core/model/order';
import { purchaseOrderNumber } from '../../core/model/purchase-order';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';

const actor = 'test';

function poDraft(order: Order, supplierId: string, skus?: string[]): PurchaseOrderDraft {
  return purchaseOrderDraftFor(order, supplierId, { skus });
}

/**
 * The behaviour every store engine must show. Each engine's test file calls this with a factory that returns a
 * fresh, migrated store.
 */
export function describeOrderStoreBehaviour(engine: string, createStore: () => Promise<OrderStore>): void {
  describe(`OrderStore behaviour (${engine})`, function () {
    let store: OrderStore;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores a new order as received with an order.received event', async () => {
      const result = await store.receiveOrder(sampleOrderDraft({ externalId: 'A-1' }), { actor });
      assert.equal(result.created, true);
      assert.equal(result.order.state, 'received');
      assert.match(result.order.id, /^ord_[0-9a-z]{25}$/);
      const events = await store.listEvents(result.order.id);
      assert.deepEqual(
        events.map((e) => [e.type, e.toState]),
        [['order.received', 'received']],
      );
    });

    it('collapses a redelivery and a second delivery of the same order onto the first', async () => {
      const first = await store.receiveOrder(sampleOrderDraft({ externalId: 'A-2' }), {
        actor,
        deliveryId: 'd1',
      });
      const again = await store.receiveOrder(sampleOrderDraft({ externalId: 'A-2' }), {
        actor,
        deliveryId: 'd1',
      });
      const other = await store.receiveOrder(sampleOrderDraft({ externalId: 'A-2' }), {
        actor,
        deliveryId: 'd2',
      });
      assert.equal(again.created, false);
      assert.equal(again.duplicateOf, 'delivery');
      assert.equal(other.duplicateOf, 'order');
      assert.equal(again.order.id, first.order.id);
      assert.equal(other.order.id, first.order.id);
      assert.equal((await store.listOrders({})).length, 1);
    });

    it('keeps the same external id on different channels apart', async () => {
      const a = await store.receiveOrder(sampleOrderDraft({ channel: 'shopify', externalId: '7' }), {
        actor,
      });
      const b = await store.receiveOrder(sampleOrderDraft({ channel: 'woocommerce', externalId: '7' }), {
        actor,
      });
      assert.notEqual(a.order.id, b.order.id);
      assert.equal((await store.findOrder('woocommerce:7'))?.id, b.order.id);
      assert.equal((await store.findOrder(a.order.id))?.id, a.order.id);
      assert.equal(await store.findOrder('shopify:8'), undefined);
    });

    it('applies a transition only from an expected state', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const held = await store.transitionOrder(order.id, ['received'], 'needs_attention', {
        type: 'order.held',
        actor,
        reason: 'no supplier',
      });
      assert.equal(held?.state, 'needs_attention');
      assert.equal(held?.version, 2);
      const stale = await store.transitionOrder(order.id, ['received'], 'routed', { type: 'x', actor });
      assert.equal(stale, undefined);
      const events = await store.listEvents(order.id);
      assert.deepEqual(events.at(-1), {
        ...events.at(-1),
        fromState: 'received',
        toState: 'needs_attention',
        reason: 'no supplier',
      });
    });

    it('refuses a transition the order life does not allow', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      await assert.rejects(
        store.transitionOrder(order.id, ['received'], 'delivered', { type: 'x', actor }),
        /cannot move from received to delivered/,
      );
    });

    it('routes once: a second assignment from a stale state writes nothing', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const pos = await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'acme')], {
        type: 'order.routed',
        actor,
      });
      assert.equal(pos?.length, 1);
      assert.equal(pos?.[0]?.number, purchaseOrderNumber(order.id, 'acme', 1));
      assert.equal(pos?.[0]?.state, 'pending');
      const second = await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'other')], {
        type: 'order.routed',
        actor,
      });
      assert.equal(second, undefined);
      assert.equal((await store.listPurchaseOrders(order.id)).length, 1);
      assert.equal((await store.getOrder(order.id))?.state, 'routed');
    });

    it('lets one worker claim a PO; an expired lease can be reclaimed', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'acme')], {
        type: 'order.routed',
        actor,
      }))!;
      const t0 = new Date('2026-11-20T10:00:00Z');
      const first = await store.claimPurchaseOrder(po!.number, { owner: 'w1', now: t0, durationMs: 30_000 });
      assert.equal(first?.state, 'sending');
      assert.equal(first?.sendAttempts, 1);
      const second = await store.claimPurchaseOrder(po!.number, { owner: 'w2', now: t0, durationMs: 30_000 });
      assert.equal(second, undefined);
      const later = new Date(t0.getTime() + 31_000);
      const reclaimed = await store.claimDuePurchaseOrders(
        { owner: 'w2', now: later, durationMs: 30_000 },
        10,
      );
      assert.deepEqual(
        reclaimed.map((p) => [p.number, p.sendAttempts]),
        [[po!.number, 2]],
      );
    });

    it('settles a claimed PO only for the lease owner holding it: a sender whose lease was taken over writes nothing', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'acme')], {
        type: 'order.routed',
        actor,
      }))!;
      const t0 = new Date('2026-11-20T10:00:00Z');
      await store.claimPurchaseOrder(po!.number, { owner: 'w1', now: t0, durationMs: 30_000 });
      const [taken] = await store.claimDuePurchaseOrders(
        { owner: 'w2', now: new Date(t0.getTime() + 31_000), durationMs: 30_000 },
        10,
      );
      assert.equal(taken?.number, po!.number);
      const eventsBefore = await store.listEvents(order.id);
      const settle = (owner: string) =>
        store.transitionPurchaseOrder(
          po!.number,
          ['sending'],
          'accepted',
          { supplierReference: `SO-${owner}`, lastError: null, nextAttemptAt: null },
          { type: 'po.accepted', actor: owner, reason: `answer to ${owner}` },
          { leaseOwner: owner },
        );
      assert.equal(await settle('w1'), undefined);
      assert.deepEqual(await store.getPurchaseOrder(po!.number), taken);
      assert.deepEqual(await store.listEvents(order.id), eventsBefore);
      assert.equal((await store.getOrder(order.id))?.state, 'routed');

      const settled = await settle('w2');
      assert.deepEqual([settled?.state, settled?.supplierReference], ['accepted', 'SO-w2']);
      assert.deepEqual(
        (await store.listEvents(order.id)).slice(eventsBefore.length).map((e) => [e.type, e.actor]),
        [
          ['po.accepted', 'w2'],
          ['order.state', 'w2'],
        ],
      );
      assert.equal((await store.getOrder(order.id))?.state, 'acknowledged');
      // Settled, the PO is no longer held by anyone: a claim, even the last holder's, moves it no further.
      assert.equal(
        await store.transitionPurchaseOrder(
          po!.number,
          ['accepted'],
          'cancelled',
          {},
          { type: 'po.cancelled', actor: 'w2' },
          { leaseOwner: 'w2' },
        ),
        undefined,
      );
      assert.equal((await store.getPurchaseOrder(po!.number))?.state, 'accepted');
    });

    it('lets the owner of a lease that ran out settle while nobody took the PO over', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'acme')], {
        type: 'order.routed',
        actor,
      }))!;
      await store.claimPurchaseOrder(po!.number, {
        owner: 'w1',
        now: new Date('2026-11-20T10:00:00Z'),
        durationMs: 1,
      });
      const retry = await store.transitionPurchaseOrder(
        po!.number,
        ['sending'],
        'pending',
        { nextAttemptAt: new Date('2026-11-20T10:01:00Z'), lastError: 'HTTP 503' },
        { type: 'po.retry', actor: 'w1' },
        { leaseOwner: 'w1' },
      );
      assert.deepEqual([retry?.state, retry?.lastError], ['pending', 'HTTP 503']);
    });

    it('does not claim a PO before its retry time', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'acme')], {
        type: 'order.routed',
        actor,
      }))!;
      const t0 = new Date('2026-11-20T10:00:00Z');
      await store.claimPurchaseOrder(po!.number, { owner: 'w1', now: t0, durationMs: 30_000 });
      await store.transitionPurchaseOrder(
        po!.number,
        ['sending'],
        'pending',
        { nextAttemptAt: new Date(t0.getTime() + 60_000), lastError: 'HTTP 503' },
        { type: 'po.retry', actor },
      );
      const early = await store.claimDuePurchaseOrders(
        { owner: 'w1', now: new Date(t0.getTime() + 59_000), durationMs: 1 },
        10,
      );
      assert.equal(early.length, 0);
      const due = await store.claimDuePurchaseOrders(
        { owner: 'w1', now: new Date(t0.getTime() + 60_000), durationMs: 1 },
        10,
        ['acme'],
      );
      assert.equal(due.length, 1);
      const otherSupplier = await store.claimDuePurchaseOrders(
        { owner: 'w1', now: new Date(t0.getTime() + 90_000), durationMs: 1 },
        10,
        ['zeta'],
      );
      assert.equal(otherSupplier.length, 0);
    });

    it('claims a PO stranded on a supplier no worker has only once it waited long enough, without counting a send', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const pos = (await store.assignPurchaseOrders(
        order.id,
        ['received'],
        [poDraft(order, 'acme', ['MUG-1']), poDraft(order, 'sandbox-emial', ['TEE-1'])],
        { type: 'order.routed', actor },
      ))!;
      const typo = pos.find((p) => p.supplierId === 'sandbox-emial')!;
      const created = Date.parse(typo.createdAt);
      const claim = (afterMs: number, deployed: string[]) =>
        store.claimStrandedPurchaseOrders(
          { owner: 'w1', now: new Date(created + afterMs), durationMs: 30_000 },
          10,
          deployed,
          10 * 60_000,
        );
      assert.deepEqual(await claim(9 * 60_000, ['acme']), []);
      const [stranded, ...more] = await claim(10 * 60_000, ['acme']);
      assert.deepEqual(more, []);
      assert.deepEqual(
        [stranded?.number, stranded?.state, stranded?.sendAttempts],
        [typo.number, 'sending', 0],
      );
      // Claimed, it is held like any sending PO; with no supplier deployed at all, the other PO is stranded too.
      const acme = pos.find((p) => p.supplierId === 'acme')!;
      assert.deepEqual(
        (await claim(10 * 60_000 + 1_000, [])).map((p) => p.number),
        [acme.number],
      );
      // A lease that ran out counts from its end.
      assert.deepEqual(await claim(20 * 60_000, ['acme']), []);
      assert.deepEqual(
        (await claim(20 * 60_000 + 30_000, ['acme'])).map((p) => p.number),
        [typo.number],
      );
    });

    it('moves the order with its POs and parcels to delivered', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const pos = (await store.assignPurchaseOrders(
        order.id,
        ['received'],
        [poDraft(order, 'acme', ['MUG-01']), poDraft(order, 'zeta', ['TEE-01'])],
        { type: 'order.routed', actor },
      ))!;
      const now = new Date();
      for (const po of pos) {
        await store.claimPurchaseOrder(po.number, { owner: 'w', now, durationMs: 1000 });
        await store.transitionPurchaseOrder(
          po.number,
          ['sending'],
          'accepted',
          { supplierReference: `S-${po.supplierId}` },
          { type: 'po.ack', actor },
        );
      }
      assert.equal((await store.getOrder(order.id))?.state, 'acknowledged');
      const ship = (po: (typeof pos)[number], status: 'in_transit' | 'delivered', at: string) =>
        store.recordShipmentEvent(
          {
            orderId: order.id,
            poNumber: po.number,
            trackingNumber: `1Z${po.supplierId.toUpperCase()}0000000001`,
            carrier: 'ups',
            status,
            occurredAt: at,
            source: 'webhook',
          },
          actor,
        );
      const first = await ship(pos[0]!, 'in_transit', '2026-11-21T09:00:00Z');
      assert.equal(first.created, true);
      assert.equal(first.order.state, 'partially_shipped');
      const replay = await ship(pos[0]!, 'in_transit', '2026-11-21T09:00:00Z');
      assert.equal(replay.created, false);
      await ship(pos[1]!, 'in_transit', '2026-11-21T09:30:00Z');
      assert.equal((await store.getOrder(order.id))?.state, 'shipped');
      await ship(pos[0]!, 'delivered', '2026-11-22T09:00:00Z');
      assert.equal((await store.getOrder(order.id))?.state, 'shipped');
      const done = await ship(pos[1]!, 'delivered', '2026-11-22T10:00:00Z');
      assert.equal(done.order.state, 'delivered');
      assert.deepEqual(
        (await store.listPurchaseOrders(order.id)).map((p) => p.state),
        ['delivered', 'delivered'],
      );
      const shipments = await store.listShipments(order.id);
      assert.equal(shipments.length, 2);
      assert.deepEqual(
        shipments[0]!.events.map((e) => e.status),
        ['in_transit', 'delivered'],
      );
    });

    it('keeps a parcel at its latest status when an older event arrives late', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'acme')], {
        type: 'r',
        actor,
      }))!;
      await store.claimPurchaseOrder(po!.number, { owner: 'w', now: new Date(), durationMs: 1000 });
      await store.transitionPurchaseOrder(po!.number, ['sending'], 'sent', {}, { type: 'po.sent', actor });
      const base = {
        orderId: order.id,
        poNumber: po!.number,
        trackingNumber: 'TRACK12345',
        source: 'webhook',
      };
      await store.recordShipmentEvent(
        { ...base, status: 'out_for_delivery', occurredAt: '2026-11-21T12:00:00Z' },
        actor,
      );
      const late = await store.recordShipmentEvent(
        { ...base, status: 'in_transit', occurredAt: '2026-11-21T08:00:00Z' },
        actor,
      );
      assert.equal(late.created, true);
      assert.equal(late.shipment.status, 'out_for_delivery');
      assert.equal(late.shipment.events.length, 2);
    });

    it('queues a notification once per order, milestone and channel, and leases it to one sender', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      assert.equal(await store.enqueueNotification(order.id, 'confirmed', 'email', { to: 'x' }), true);
      assert.equal(await store.enqueueNotification(order.id, 'confirmed', 'email', { to: 'x' }), false);
      assert.equal(await store.enqueueNotification(order.id, 'confirmed', 'sms', {}), true);
      const now = new Date(Date.now() + 1000);
      const claimed = await store.claimNotifications('email', { owner: 'a', now, durationMs: 10_000 }, 10);
      assert.equal(claimed.length, 1);
      assert.equal(
        (await store.claimNotifications('email', { owner: 'b', now, durationMs: 10_000 }, 10)).length,
        0,
      );
      await store.completeNotification(
        claimed[0]!.id,
        { error: 'SMTP 451', retryAt: new Date(now.getTime() + 5000) },
        now,
      );
      assert.equal(
        (await store.claimNotifications('email', { owner: 'b', now, durationMs: 10_000 }, 10)).length,
        0,
      );
      const retry = await store.claimNotifications(
        'email',
        { owner: 'b', now: new Date(now.getTime() + 5000), durationMs: 10_000 },
        10,
      );
      assert.equal(retry[0]?.attempts, 2);
      await store.completeNotification(retry[0].id, { sent: true }, now);
      const list = await store.listNotifications(order.id);
      assert.deepEqual(
        list.map((n) => [n.channel, n.state]),
        [
          ['email', 'sent'],
          ['sms', 'pending'],
        ],
      );
    });

    it('hands out sequence values once, per scope', async () => {
      assert.equal(await store.nextSequenceValue('isa:acme'), 1);
      assert.equal(await store.nextSequenceValue('isa:acme'), 2);
      assert.equal(await store.nextSequenceValue('isa:zeta'), 1);
    });

    it('lists the orders changed since a time, oldest change first', async () => {
      const older = await store.receiveOrder(sampleOrderDraft({ externalId: 'since-1' }), { actor });
      await new Promise((r) => setTimeout(r, 5));
      const since = new Date();
      await new Promise((r) => setTimeout(r, 5));
      await store.receiveOrder(sampleOrderDraft({ externalId: 'since-2' }), { actor });
      await new Promise((r) => setTimeout(r, 5));
      await store.transitionOrder(older.order.id, ['received'], 'needs_attention', { type: 't', actor });
      const changed = await store.listOrders({ updatedSince: since });
      assert.deepEqual(
        changed.map((o) => o.externalId),
        ['since-2', 'since-1'],
      );
      const held = await store.listOrders({ updatedSince: since, states: ['needs_attention'] });
      assert.deepEqual(
        held.map((o) => o.externalId),
        ['since-1'],
      );
    });

    it('records each created PO under its own number, whatever PO triggered it', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const [first] = (await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'acme')], {
        type: 'order.routed',
        actor,
      }))!;
      const [second] = await store.addPurchaseOrders(order.id, [poDraft(order, 'zeta')], {
        type: 'po.failover',
        actor,
        poNumber: first!.number,
      });
      const created = (await store.listEvents(order.id)).filter((e) => e.type === 'po.created');
      assert.deepEqual(
        created.map((e) => e.poNumber),
        [first!.number, second!.number],
      );
    });

    describe('the order while failed-over lines wait for their next supplier', () => {
      const t0 = new Date('2026-11-20T10:00:00Z');

      /** An order routed to one PO at acme, claimed by w1 and settled `to` (keeping only `lines` when given). */
      async function settledOrder(to: 'accepted' | 'backordered' | 'sent', lines?: string[]) {
        const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
        const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'acme')], {
          type: 'order.routed',
          actor,
        }))!;
        await store.claimPurchaseOrder(po!.number, { owner: 'w1', now: t0, durationMs: 30_000 });
        const settled = await store.transitionPurchaseOrder(
          po!.number,
          ['sending'],
          to,
          lines ? { lines: po!.lines.filter((l) => lines.includes(l.sku)) } : {},
          { type: `po.${to}`, actor },
          { leaseOwner: 'w1' },
        );
        return { order, po: settled! };
      }

      async function failOverTo(supplierId: string, order: Order, skus: string[], from: string) {
        const [replacement] = await store.addPurchaseOrders(order.id, [poDraft(order, supplierId, skus)], {
          type: 'po.failover',
          actor,
          reason: `lines go to ${supplierId}`,
          data: { from },
        });
        return replacement!;
      }

      async function accept(number: string): Promise<void> {
        await store.claimPurchaseOrder(number, { owner: 'w2', now: t0, durationMs: 30_000 });
        const accepted = await store.transitionPurchaseOrder(
          number,
          ['sending'],
          'accepted',
          {},
          { type: 'po.accepted', actor },
          { leaseOwner: 'w2' },
        );
        assert.equal(accepted?.state, 'accepted');
      }

      /** w2 claims the PO, the supplier answers 503, and it goes back to pending for a retry. */
      async function putBackForRetry(number: string): Promise<void> {
        await store.claimPurchaseOrder(number, { owner: 'w2', now: t0, durationMs: 30_000 });
        await store.transitionPurchaseOrder(
          number,
          ['sending'],
          'pending',
          { nextAttemptAt: t0, lastError: 'HTTP 503' },
          { type: 'po.retry', actor },
          { leaseOwner: 'w2' },
        );
      }

      const stateOf = async (order: Order) => (await store.getOrder(order.id))?.state;
      const orderMoves = async (order: Order) =>
        (await store.listEvents(order.id))
          .filter((e) => e.type === 'order.state')
          .map((e) => [e.fromState, e.toState, e.reason]);

      it('a whole-PO backorder failed over: routed while the replacement waits, acknowledged once it is accepted', async () => {
        const { order, po } = await settledOrder('backordered');
        assert.equal(await stateOf(order), 'acknowledged');
        const replacement = await failOverTo('zeta', order, ['MUG-01', 'TEE-01'], po.number);
        assert.equal(await stateOf(order), 'routed');
        await store.transitionPurchaseOrder(
          po.number,
          ['backordered'],
          'cancelled',
          {},
          {
            type: 'po.cancelled',
            actor,
          },
        );
        assert.equal(await stateOf(order), 'routed');
        await store.claimPurchaseOrder(replacement.number, { owner: 'w2', now: t0, durationMs: 30_000 });
        assert.equal(await stateOf(order), 'routed', 'sending is still waiting for the supplier');
        await store.transitionPurchaseOrder(
          replacement.number,
          ['sending'],
          'accepted',
          {},
          { type: 'po.accepted', actor },
          { leaseOwner: 'w2' },
        );
        assert.equal(await stateOf(order), 'acknowledged');
        assert.deepEqual(await orderMoves(order), [
          ['routed', 'acknowledged', undefined],
          ['acknowledged', 'routed', 'lines go to zeta'],
          ['routed', 'acknowledged', undefined],
        ]);
      });

      it('lines refused beside accepted ones: routed until their new supplier accepts them', async () => {
        const { order, po } = await settledOrder('accepted', ['MUG-01']);
        assert.equal(await stateOf(order), 'acknowledged');
        const replacement = await failOverTo('zeta', order, ['TEE-01'], po.number);
        assert.equal(await stateOf(order), 'routed');
        await accept(replacement.number);
        assert.equal(await stateOf(order), 'acknowledged');
      });

      it('a sent PO rejected later: routed again from dispatched', async () => {
        const { order, po } = await settledOrder('sent');
        assert.equal(await stateOf(order), 'dispatched');
        await store.transitionPurchaseOrder(
          po.number,
          ['sent'],
          'rejected',
          {},
          { type: 'po.rejected', actor },
        );
        assert.equal(await stateOf(order), 'dispatched');
        const replacement = await failOverTo('zeta', order, ['MUG-01', 'TEE-01'], po.number);
        assert.equal(await stateOf(order), 'routed');
        await accept(replacement.number);
        assert.equal(await stateOf(order), 'acknowledged');
      });

      it('a held order stays held when lines fail over or a PO waits for a retry', async () => {
        const { order, po } = await settledOrder('accepted', ['MUG-01']);
        await store.transitionOrder(order.id, ['acknowledged'], 'needs_attention', {
          type: 'order.needs_attention',
          actor,
          reason: 'late',
        });
        const replacement = await failOverTo('zeta', order, ['TEE-01'], po.number);
        await putBackForRetry(replacement.number);
        assert.equal(await stateOf(order), 'needs_attention');
        assert.deepEqual(
          (await orderMoves(order)).map(([from, to]) => [from, to]),
          [['routed', 'acknowledged']],
        );
      });

      it('a parcel of the accepted lines makes it partially shipped; a retry of the others does not undo that', async () => {
        const { order, po } = await settledOrder('accepted', ['MUG-01']);
        const replacement = await failOverTo('zeta', order, ['TEE-01'], po.number);
        assert.equal(await stateOf(order), 'routed');
        await store.recordShipmentEvent(
          {
            orderId: order.id,
            poNumber: po.number,
            trackingNumber: '1ZACME0000000001',
            carrier: 'ups',
            status: 'in_transit',
            occurredAt: '2026-11-21T09:00:00Z',
            source: 'webhook',
          },
          actor,
        );
        assert.equal(await stateOf(order), 'partially_shipped');
        await putBackForRetry(replacement.number);
        assert.equal(await stateOf(order), 'partially_shipped');
      });
    });

    // ---------------------------------------------------------------------------------------------------------
    // Inventory (issue 3): stock feeds and the units on open POs that a feed does not reflect yet.
    // ---------------------------------------------------------------------------------------------------------
    describe('inventory', () => {
      const hour = 3_600_000;
      const at = (offsetHours: number) => new Date(Date.now() + offsetHours * hour);

      it('applies a feed and lists stock by SKU, then supplier, with previous figures on the next feed', async () => {
        const first = await store.applyStockFeed('zeta', at(-2), [
          { sku: 'MUG-01', quantity: 10 },
          { sku: 'TEE-01', quantity: 0 },
        ]);
        assert.equal(first.applied, true);
        assert.deepEqual(first.changes, [
          { sku: 'MUG-01', quantity: 10, committed: 0 },
          { sku: 'TEE-01', quantity: 0, committed: 0 },
        ]);
        await store.applyStockFeed('acme', at(-2), [{ sku: 'MUG-01', quantity: 4 }]);
        const secondAt = at(-1);
        const second = await store.applyStockFeed('zeta', secondAt, [{ sku: 'MUG-01', quantity: 7 }]);
        assert.deepEqual(second.changes, [
          { sku: 'MUG-01', previous: { quantity: 10, committed: 0 }, quantity: 7, committed: 0 },
        ]);
        assert.equal(second.lastFeedAt, secondAt.toISOString());
        const stock = await store.listStock({ skus: ['TEE-01', 'MUG-01', 'NONE'] });
        assert.deepEqual(
          stock.map((r) => [r.sku, r.supplierId, r.quantity, r.committed]),
          [
            ['MUG-01', 'acme', 4, 0],
            ['MUG-01', 'zeta', 7, 0],
            ['TEE-01', 'zeta', 0, 0],
          ],
        );
        assert.deepEqual(
          (await store.listStock({ skus: ['MUG-01'], supplierIds: ['acme'] })).map((r) => r.supplierId),
          ['acme'],
        );
        // Every supplier but one: the suppliers named before and after it, and none when it is the only one.
        const except = async (supplierId: string, skus = ['MUG-01', 'TEE-01']) =>
          (await store.listStock({ skus, exceptSupplierId: supplierId })).map((r) => [r.sku, r.supplierId]);
        assert.deepEqual(await except('zeta'), [['MUG-01', 'acme']]);
        assert.deepEqual(await except('acme'), [
          ['MUG-01', 'zeta'],
          ['TEE-01', 'zeta'],
        ]);
        assert.deepEqual(await except('mmm'), [
          ['MUG-01', 'acme'],
          ['MUG-01', 'zeta'],
          ['TEE-01', 'zeta'],
        ]);
        assert.deepEqual(await except('zeta', ['TEE-01']), []);
        assert.deepEqual(await store.listStock({ skus: [] }), []);
      });

      it('ignores a feed older than the last one applied, and applies one of the same time again', async () => {
        const feedAt = at(-1);
        await store.applyStockFeed('acme', feedAt, [{ sku: 'MUG-01', quantity: 5 }]);
        const older = await store.applyStockFeed('acme', at(-3), [{ sku: 'MUG-01', quantity: 99 }]);
        assert.deepEqual(older, { applied: false, lastFeedAt: feedAt.toISOString(), changes: [] });
        const again = await store.applyStockFeed('acme', feedAt, [{ sku: 'MUG-01', quantity: 6 }]);
        assert.equal(again.applied, true);
        const [record] = await store.listStock({ skus: ['MUG-01'] });
        assert.equal(record?.quantity, 6);
        assert.equal(record?.feedAt, feedAt.toISOString());
      });

      it('keeps the last row of a SKU repeated in one feed', async () => {
        const outcome = await store.applyStockFeed('acme', at(-1), [
          { sku: 'MUG-01', quantity: 5 },
          { sku: 'MUG-01', quantity: 2 },
        ]);
        assert.deepEqual(outcome.changes, [{ sku: 'MUG-01', quantity: 2, committed: 0 }]);
      });

      it('counts units on open POs that the feed cannot reflect yet', async () => {
        const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
        // MUG-01 x2 and TEE-01 x1 to acme; the PO stays pending.
        await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, 'acme')], {
          type: 'r',
          actor,
        });
        const { order: other } = await store.receiveOrder(sampleOrderDraft(), { actor });
        const [accepted] = (await store.assignPurchaseOrders(
          other.id,
          ['received'],
          [poDraft(other, 'acme', ['MUG-01'])],
          {
            type: 'r',
            actor,
          },
        ))!;
        await store.claimPurchaseOrder(accepted!.number, { owner: 'w', now: new Date(), durationMs: 1000 });
        await store.transitionPurchaseOrder(
          accepted!.number,
          ['sending'],
          'accepted',
          {},
          { type: 'po.ack', actor },
        );

        // A feed taken before the acceptance cannot know either PO: 2 + 2 units of MUG-01.
        const before = await store.applyStockFeed('acme', at(-1), [{ sku: 'MUG-01', quantity: 20 }]);
        assert.equal(before.changes[0]?.committed, 4);
        assert.deepEqual(
          (await store.listStock({ skus: ['MUG-01', 'TEE-01'] })).map((r) => [r.sku, r.committed]),
          [['MUG-01', 4]],
        );
        // A feed taken after the acceptance includes the accepted PO; the pending one is still unknown to acme.
        const after = await store.applyStockFeed('acme', at(1), [
          { sku: 'MUG-01', quantity: 18 },
          { sku: 'TEE-01', quantity: 3 },
        ]);
        assert.deepEqual(after.changes, [
          { sku: 'MUG-01', previous: { quantity: 20, committed: 4 }, quantity: 18, committed: 2 },
          { sku: 'TEE-01', quantity: 3, committed: 1 },
        ]);
        // Another supplier's stock of the same SKU owes nothing to acme's POs.
        await store.applyStockFeed('zeta', at(-1), [{ sku: 'MUG-01', quantity: 1 }]);
        const zeta = (await store.listStock({ skus: ['MUG-01'], supplierIds: ['zeta'] }))[0];
        assert.equal(zeta?.committed, 0);
      });
    });

    // ---------------------------------------------------------------------------------------------------------
    // Tracking (issue 5): the carrier poll schedule, labels without a carrier scan, orders by their number.
    // ---------------------------------------------------------------------------------------------------------
    it('queues several notifications at once, new ones only, claimed by whoever queued them', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      await store.enqueueNotification(order.id, 'confirmed', 'email', { kind: 'confirmed' });
      const now = new Date(Date.now() + 1000);
      const lease = { owner: 'notify-a', now, durationMs: 10_000 };
      const queued = await store.enqueueNotifications(
        order.id,
        [
          { milestone: 'confirmed', channel: 'email', payload: { kind: 'confirmed' } },
          { milestone: 'shipped:1Z1', channel: 'email', payload: { kind: 'shipped' } },
          { milestone: 'shipped:1Z1', channel: 'storefront', payload: { kind: 'shipped' } },
        ],
        lease,
      );
      assert.deepEqual(
        queued.map((n) => [n.channel, n.milestone, n.state, n.attempts]),
        [
          ['email', 'shipped:1Z1', 'sending', 1],
          ['storefront', 'shipped:1Z1', 'sending', 1],
        ],
      );
      // Held by the queuer's lease: another worker's claim finds only the notice queued earlier.
      const other = await store.claimNotifications(
        'email',
        { owner: 'notify-b', now, durationMs: 10_000 },
        10,
      );
      assert.deepEqual(
        other.map((n) => n.milestone),
        ['confirmed'],
      );
      const later = new Date(now.getTime() + 10_001);
      const expired = await store.claimNotifications(
        'storefront',
        { owner: 'notify-b', now: later, durationMs: 1 },
        10,
      );
      assert.deepEqual(
        expired.map((n) => [n.milestone, n.attempts]),
        [['shipped:1Z1', 2]],
      );
      const unclaimed = await store.enqueueNotifications(order.id, [
        { milestone: 'delivered', channel: 'sms', payload: { kind: 'delivered' } },
      ]);
      assert.deepEqual(
        unclaimed.map((n) => [n.state, n.attempts]),
        [['pending', 0]],
      );
    });

    describe('tracking: parcel watch and order numbers', () => {
      const hour = 3_600_000;
      const T0 = Date.parse('2026-11-21T08:00:00.000Z');
      const at = (offsetHours: number) => new Date(T0 + offsetHours * hour);

      async function parcelOf(
        carrier: string,
        trackingNumber: string,
        status: 'info_received' | 'in_transit' | 'delivered' = 'in_transit',
        occurredAt = at(0),
      ) {
        const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
        const result = await store.recordShipmentEvent(
          {
            orderId: order.id,
            carrier,
            trackingNumber,
            status,
            occurredAt: occurredAt.toISOString(),
            source: 'test',
          },
          actor,
        );
        return result.shipment;
      }

      it('claims open parcels of the given carriers once per lease, oldest schedule first', async () => {
        const ups = await parcelOf('ups', '1Z999AA10123456784');
        await parcelOf('fedex', '020207021381215');
        await parcelOf('ups', '1Z999AA10123456785', 'delivered');
        const lease = { owner: 'poller-a', now: at(1), durationMs: 60_000 };
        const claimed = await store.claimParcelPolls(['ups'], lease, 10);
        assert.deepEqual(
          claimed.map((p) => [p.trackingNumber, p.carrier, p.status, p.polls, p.lastPolledAt]),
          [['1Z999AA10123456784', 'ups', 'in_transit', 0, undefined]],
        );
        assert.equal(claimed[0]!.shipmentId, ups.id);
        assert.equal(claimed[0]!.lastEventAt, at(0).toISOString());
        // Held by the first claim until its lease runs out.
        assert.deepEqual(await store.claimParcelPolls(['ups'], { ...lease, owner: 'poller-b' }, 10), []);
        const later = { owner: 'poller-b', now: new Date(at(1).getTime() + 60_001), durationMs: 60_000 };
        assert.equal((await store.claimParcelPolls(['ups'], later, 10)).length, 1);
      });

      it('schedules the next poll, keeps the estimate and its first value, and stops when told', async () => {
        const parcel = await parcelOf('usps', '9400111899223397621810');
        const lease = { owner: 'p', now: at(1), durationMs: 60_000 };
        await store.claimParcelPolls(['usps'], lease, 10);
        await store.recordParcelPoll(parcel.id, {
          polledAt: at(1),
          nextPollAt: at(2),
          estimatedDelivery: '2026-11-24T00:00:00.000Z',
        });
        assert.deepEqual(await store.claimParcelPolls(['usps'], { ...lease, now: at(1.5) }, 10), []);
        const due = await store.claimParcelPolls(['usps'], { ...lease, now: at(2) }, 10);
        assert.deepEqual(
          due.map((p) => [p.polls, p.lastPolledAt]),
          [[1, at(1).toISOString()]],
        );
        await store.recordParcelPoll(parcel.id, {
          polledAt: at(2),
          nextPollAt: at(3),
          estimatedDelivery: '2026-11-26T00:00:00.000Z',
          error: 'USPS answered 503',
        });
        const [shipment] = await store.listShipments(parcel.orderId);
        assert.equal(shipment!.estimatedDelivery, '2026-11-26T00:00:00.000Z');
        assert.equal(shipment!.firstEstimatedDelivery, '2026-11-24T00:00:00.000Z');
        await store.recordParcelPoll(parcel.id, { polledAt: at(3) });
        assert.deepEqual(await store.claimParcelPolls(['usps'], { ...lease, now: at(100) }, 10), []);
      });

      it('keeps the first estimate a parcel event carried', async () => {
        const parcel = await parcelOf('dhl', '1234567890');
        const base = {
          orderId: parcel.orderId,
          carrier: 'dhl',
          trackingNumber: '1234567890',
          status: 'in_transit' as const,
          source: 'test',
        };
        await store.recordShipmentEvent(
          { ...base, occurredAt: at(1).toISOString(), estimatedDelivery: '2026-11-23T00:00:00.000Z' },
          actor,
        );
        await store.recordShipmentEvent(
          {
            ...base,
            status: 'exception',
            occurredAt: at(2).toISOString(),
            estimatedDelivery: '2026-11-25T00:00:00.000Z',
          },
          actor,
        );
        const [shipment] = await store.listShipments(parcel.orderId);
        assert.equal(shipment!.estimatedDelivery, '2026-11-25T00:00:00.000Z');
        assert.equal(shipment!.firstEstimatedDelivery, '2026-11-23T00:00:00.000Z');
      });

      it('lists labels the carrier never scanned once they are old enough, and flags each once', async () => {
        const label = await parcelOf('ups', '1Z999AA10123456784', 'info_received', at(0));
        const fresh = await parcelOf('ups', '1Z999AA10123456785', 'info_received', at(40));
        const scanned = await parcelOf('ups', '1Z999AA10123456786', 'info_received', at(0));
        await store.recordShipmentEvent(
          {
            orderId: scanned.orderId,
            carrier: 'ups',
            trackingNumber: scanned.trackingNumber,
            status: 'in_transit',
            occurredAt: at(1).toISOString(),
            source: 'test',
          },
          actor,
        );
        const listed = await store.listLabelsWithoutScan(at(24), 10);
        assert.deepEqual(
          listed.map((s) => s.trackingNumber),
          [label.trackingNumber],
        );
        assert.equal(listed[0]!.events.length, 1);
        assert.notEqual(fresh.id, label.id);
        const event = { type: 'shipment.label_without_scan', actor, data: { hoursWithoutScan: 24 } };
        assert.equal(await store.flagLabelWithoutScan(label.id, event), true);
        assert.equal(await store.flagLabelWithoutScan(label.id, event), false);
        assert.deepEqual(await store.listLabelsWithoutScan(at(24), 10), []);
        const events = await store.listEvents(label.orderId);
        assert.equal(events.filter((e) => e.type === 'shipment.label_without_scan').length, 1);
        // A flagged label is still polled: the flag and the schedule live side by side.
        assert.equal(
          (await store.claimParcelPolls(['ups'], { owner: 'p', now: at(25), durationMs: 1 }, 10)).length,
          3,
        );
      });

      it('finds orders by their storefront order number exactly', async () => {
        const first = await store.receiveOrder(sampleOrderDraft({ orderNumber: '#2001' }), { actor });
        const second = await store.receiveOrder(
          sampleOrderDraft({ channel: 'woocommerce', orderNumber: '#2001' }),
          { actor },
        );
        await store.receiveOrder(sampleOrderDraft({ orderNumber: '#2002' }), { actor });
        const found = await store.findOrdersByNumber('#2001');
        assert.deepEqual(found.map((o) => o.id).sort(), [first.order.id, second.order.id].sort());
        assert.deepEqual(await store.findOrdersByNumber('2001'), []);
      });

      it('finds the orders an operator searches for by number, id, e-mail, PO or tracking number, newest first', async () => {
        const later = () => new Promise((resolve) => setTimeout(resolve, 3));
        const { order: first } = await store.receiveOrder(
          sampleOrderDraft({
            externalId: 'S-3001',
            orderNumber: '#3001',
            customer: { email: 'Grace@Example.test' },
          }),
          { actor },
        );
        await later();
        const { order: other } = await store.receiveOrder(
          sampleOrderDraft({
            externalId: 'S-3002',
            orderNumber: '3002',
            customer: { email: 'alan@example.test' },
          }),
          { actor },
        );
        await later();
        const { order: second } = await store.receiveOrder(
          sampleOrderDraft({
            externalId: 'S-3003',
            orderNumber: '#3003',
            customer: { email: 'grace@example.test' },
          }),
          { actor },
        );
        const [po] = (await store.assignPurchaseOrders(other.id, ['received'], [poDraft(other, 'acme')], {
          type: 'order.routed',
          actor,
        }))!;
        await store.recordShipmentEvent(
          {
            orderId: other.id,
            poNumber: po!.number,
            trackingNumber: '1ZSEARCH0000000001',
            carrier: 'ups',
            status: 'in_transit',
            occurredAt: '2026-11-21T08:00:00Z',
            source: 'webhook',
          },
          actor,
        );
        const ids = async (term: string, limit = 20) =>
          (await store.searchOrders(term, limit)).map((o) => o.id);
        assert.deepEqual(await ids('GRACE@example.TEST'), [second.id, first.id]);
        assert.deepEqual(await ids('grace@example.test', 1), [second.id]);
        assert.deepEqual(await ids('#3001'), [first.id]);
        assert.deepEqual(await ids('3001'), [first.id]);
        assert.deepEqual(await ids('#3002'), [other.id]);
        assert.deepEqual(await ids('S-3003'), [second.id]);
        assert.deepEqual(await ids(first.id), [first.id]);
        assert.deepEqual(await ids(po!.number), [other.id]);
        assert.deepEqual(await ids('1ZSEARCH0000000001'), [other.id]);
        assert.deepEqual(await ids('grace'), []);
        assert.deepEqual(await ids('%'), []);
      });
    });

    describe('watchdog timers, returns, supplier invoices and metric facts (issue 6)', () => {
      const T0 = Date.parse('2026-11-20T10:00:00.000Z');
      const hoursLater = (h: number): Date => new Date(T0 + h * 3_600_000);

      async function routedOrder(
        supplierId = 'acme',
        draft = sampleOrderDraft(),
      ): Promise<{ order: Order; po: string }> {
        const { order } = await store.receiveOrder(draft, { actor });
        const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [poDraft(order, supplierId)], {
          type: 'order.routed',
          actor,
          at: hoursLater(0).toISOString(),
        }))!;
        return { order, po: po!.number };
      }

      it('schedules each (subject, condition, step) once and hands a due timer to one worker at a time', async () => {
        const { order, po } = await routedOrder();
        const timer = {
          subject: `po:${po}`,
          orderId: order.id,
          poNumber: po,
          supplierId: 'acme',
          condition: 'po_unacknowledged' as const,
          action: 'remind_supplier' as const,
          detail: { slaHours: 24 },
        };
        const created = await store.scheduleWatchdogTimers(
          [
            { ...timer, step: 0, dueAt: hoursLater(24) },
            { ...timer, step: 1, action: 'reroute', dueAt: hoursLater(36) },
          ],
          hoursLater(25),
        );
        assert.equal(created.length, 2);
        const again = await store.scheduleWatchdogTimers(
          [{ ...timer, step: 0, dueAt: hoursLater(30) }],
          hoursLater(26),
        );
        assert.deepEqual(again, []);
        const lease = { owner: 'w1', now: hoursLater(25), durationMs: 60_000 };
        const claimed = await store.claimDueWatchdogTimers(lease, 10);
        assert.deepEqual(
          claimed.map((t) => [t.step, t.state, t.dueAt]),
          [[0, 'firing', hoursLater(24).toISOString()]],
        );
        assert.deepEqual(await store.claimDueWatchdogTimers({ ...lease, owner: 'w2' }, 10), []);
        // The first worker died: after its lease another takes the timer over.
        const taken = await store.claimDueWatchdogTimers(
          { owner: 'w2', now: new Date(T0 + 25 * 3_600_000 + 61_000), durationMs: 60_000 },
          10,
        );
        assert.deepEqual(
          taken.map((t) => t.id),
          [claimed[0]!.id],
        );
        await store.completeWatchdogTimer(
          taken[0]!.id,
          { state: 'fired', result: { reminded: true } },
          hoursLater(26),
        );
        const listed = await store.listWatchdogTimers({ orderId: order.id });
        assert.deepEqual(
          listed.map((t) => [t.step, t.state, t.outcome]),
          [
            [0, 'fired', { reminded: true }],
            [1, 'pending', undefined],
          ],
        );
        assert.equal(listed[0]!.firedAt, hoursLater(26).toISOString());
        assert.equal(await store.clearWatchdogTimers(order.id, hoursLater(27)), 1);
        assert.deepEqual(
          await store.claimDueWatchdogTimers({ owner: 'w3', now: hoursLater(48), durationMs: 1 }, 10),
          [],
        );
        assert.deepEqual(
          (await store.listWatchdogTimers({ orderId: order.id, states: ['cleared'] })).map((t) => t.step),
          [1],
        );
      });

      it('puts a failed step back to pending with its retry time', async () => {
        const { order, po } = await routedOrder();
        const [timer] = await store.scheduleWatchdogTimers(
          [
            {
              subject: `po:${po}`,
              orderId: order.id,
              condition: 'po_unacknowledged',
              step: 0,
              action: 'reroute',
              dueAt: hoursLater(1),
              detail: {},
            },
          ],
          hoursLater(1),
        );
        await store.claimDueWatchdogTimers({ owner: 'w', now: hoursLater(2), durationMs: 60_000 }, 10);
        await store.completeWatchdogTimer(
          timer!.id,
          { retryAt: hoursLater(3), error: 'store busy' },
          hoursLater(2),
        );
        assert.deepEqual(
          await store.claimDueWatchdogTimers({ owner: 'w', now: hoursLater(2.5), durationMs: 1 }, 10),
          [],
        );
        const retried = await store.claimDueWatchdogTimers(
          { owner: 'w', now: hoursLater(3), durationMs: 1 },
          10,
        );
        assert.deepEqual(
          retried.map((t) => [t.id, t.outcome]),
          [[timer!.id, { error: 'store busy' }]],
        );
      });

      it('lists the last stock feed of each supplier', async () => {
        await store.applyStockFeed('beta', hoursLater(2), [{ sku: 'MUG-01', quantity: 3 }]);
        await store.applyStockFeed('acme', hoursLater(1), [{ sku: 'MUG-01', quantity: 5 }]);
        assert.deepEqual(
          (await store.listStockFeeds()).map((f) => [f.supplierId, f.lastFeedAt]),
          [
            ['acme', hoursLater(1).toISOString()],
            ['beta', hoursLater(2).toISOString()],
          ],
        );
      });

      it('numbers returns from a sequence and moves them by compare-and-set with an event and a notice', async () => {
        const { order, po } = await routedOrder();
        const draft = {
          orderId: order.id,
          supplierId: 'acme',
          poNumber: po,
          reason: 'damaged',
          lines: [{ orderLineId: '1', sku: 'MUG-01', quantity: 1, unitPrice: 12.5 }],
          currency: 'USD',
          returnAddress: { line1: '1 Dock Rd', city: 'Reno', country: 'US' },
          restockingFee: 1.25,
          refundAmount: 11.25,
        };
        const notice = (rma: { rmaNumber: string; state: string }) => ({
          milestone: `return_${rma.state}:${rma.rmaNumber}`,
          channel: 'email',
          payload: { kind: `return_${rma.state}`, rmaNumber: rma.rmaNumber },
        });
        const first = await store.createReturn(draft, { type: 'return.requested', actor }, notice);
        const second = await store.createReturn(draft, { type: 'return.requested', actor });
        assert.equal(first.rmaNumber, 'RMA-000001');
        assert.equal(second.rmaNumber, 'RMA-000002');
        assert.equal(first.state, 'requested');
        assert.deepEqual(first.lines, draft.lines);
        const approved = await store.transitionReturn(
          first.rmaNumber,
          ['requested'],
          'approved',
          { note: 'photo checked' },
          { type: 'return.approved', actor },
          notice,
        );
        assert.equal(approved?.state, 'approved');
        assert.equal(approved?.version, 2);
        assert.equal(approved?.note, 'photo checked');
        const stale = await store.transitionReturn(
          first.rmaNumber,
          ['requested'],
          'rejected',
          {},
          {
            type: 'return.rejected',
            actor,
          },
        );
        assert.equal(stale, undefined);
        const events = (await store.listEvents(order.id)).filter((e) => e.type.startsWith('return.'));
        assert.deepEqual(
          events.map((e) => [e.type, e.fromState, e.toState, e.data?.rmaNumber, e.poNumber]),
          [
            ['return.requested', undefined, 'requested', 'RMA-000001', po],
            ['return.requested', undefined, 'requested', 'RMA-000002', po],
            ['return.approved', 'requested', 'approved', 'RMA-000001', po],
          ],
        );
        assert.deepEqual(
          (await store.listNotifications(order.id)).map((n) => n.milestone),
          ['return_requested:RMA-000001', 'return_approved:RMA-000001'],
        );
        assert.deepEqual(
          (await store.listReturns({ orderId: order.id, states: ['approved'] })).map((r) => r.rmaNumber),
          ['RMA-000001'],
        );
        assert.equal((await store.getReturn('RMA-000002'))?.state, 'requested');
        await assert.rejects(
          store.transitionReturn('RMA-999999', ['requested'], 'approved', {}, { type: 'x', actor }),
          /RMA-999999 does not exist/,
        );
      });

      it('records a supplier invoice once and notes it on the order', async () => {
        const { order, po } = await routedOrder();
        const invoice = {
          supplierId: 'acme',
          invoiceNumber: 'INV-7',
          poNumber: po,
          total: 31.5,
          invoicedAt: hoursLater(50),
        };
        assert.equal(await store.recordSupplierInvoice(invoice, actor), true);
        assert.equal(await store.recordSupplierInvoice(invoice, actor), false);
        const events = (await store.listEvents(order.id)).filter((e) => e.type === 'po.invoiced');
        assert.deepEqual(
          events.map((e) => [e.poNumber, e.data?.invoiceNumber]),
          [[po, 'INV-7']],
        );
        await assert.rejects(
          store.recordSupplierInvoice({ ...invoice, poNumber: 'PO-NOPE' }, actor),
          /PO-NOPE does not exist/,
        );
      });

      it('folds POs, acknowledgements, parcels, invoices and returns into metric sums per supplier', async () => {
        const promised = sampleOrderDraft({
          shipping: { method: 'standard', promisedShipBy: hoursLater(48).toISOString() },
        });
        const fast = await routedOrder('acme', promised);
        const slow = await routedOrder('acme', { ...promised, externalId: 'slow-1' });
        const refused = await routedOrder('beta', { ...promised, externalId: 'refused-1' });
        const answer = (po: string, to: 'accepted' | 'rejected', h: number) =>
          store.transitionPurchaseOrder(
            po,
            ['sending'],
            to,
            {},
            { type: `po.${to}`, actor, at: hoursLater(h).toISOString() },
          );
        for (const { po } of [fast, slow, refused]) {
          await store.claimPurchaseOrder(po, { owner: 'd', now: hoursLater(0), durationMs: 60_000 });
        }
        await answer(fast.po, 'accepted', 2);
        await answer(slow.po, 'accepted', 10);
        await answer(refused.po, 'rejected', 4);
        await store.recordShipmentEvent(
          {
            orderId: fast.order.id,
            poNumber: fast.po,
            carrier: 'ups',
            trackingNumber: '1Z999AA10123456784',
            status: 'in_transit',
            occurredAt: hoursLater(20).toISOString(),
            source: 'test',
          },
          actor,
        );
        await store.recordSupplierInvoice(
          {
            supplierId: 'acme',
            invoiceNumber: 'INV-1',
            poNumber: fast.po,
            total: 30,
            invoicedAt: hoursLater(30),
          },
          actor,
        );
        await store.createReturn(
          {
            orderId: fast.order.id,
            supplierId: 'acme',
            poNumber: fast.po,
            reason: 'too small',
            lines: [{ orderLineId: '2', sku: 'TEE-01', quantity: 1, unitPrice: 20 }],
            currency: 'USD',
            returnAddress: { line1: '1 Dock Rd', city: 'Reno', country: 'US' },
            restockingFee: 0,
            refundAmount: 20,
          },
          { type: 'return.requested', actor },
        );
        assert.ok((await store.refreshMetricFacts()) >= 3);
        assert.equal(await store.refreshMetricFacts(), 0, 'nothing new: nothing refreshed');
        const sums = await store.queryMetrics({
          from: hoursLater(-24),
          to: hoursLater(24),
          groupBy: ['supplier'],
          now: hoursLater(72),
        });
        const acme = sums.find((s) => s.key.supplier === 'acme')!;
        const beta = sums.find((s) => s.key.supplier === 'beta')!;
        assert.equal(acme.purchaseOrders, 2);
        assert.equal(acme.acknowledged, 2);
        assert.equal(acme.accepted, 2);
        assert.equal(acme.settled, 1, 'the shipped PO');
        assert.equal(acme.filled, 1);
        assert.equal(acme.shipDue, 2, 'one shipped, one past its promise');
        assert.equal(acme.shippedOnTime, 1);
        assert.equal(acme.parcels, 1);
        assert.equal(acme.validParcels, 1);
        assert.equal(acme.shippedUnits, 3);
        assert.equal(acme.returnedUnits, 1);
        // placedAt is T0: acknowledged after 2 h and 10 h; median of two values interpolates.
        assert.equal(acme.orderToAcknowledgement.median, 6 * 3_600_000);
        assert.equal(acme.orderToShip.median, 20 * 3_600_000);
        assert.equal(acme.revenue, 90);
        assert.equal(acme.costedRevenue, 45, 'only the invoiced PO has a cost');
        assert.equal(acme.cost, 30);
        assert.equal(beta.acknowledged, 1);
        assert.equal(beta.accepted, 0);
        assert.equal(beta.settled, 1);
        assert.equal(beta.filled, 0);
        const bySku = await store.queryMetrics({
          from: hoursLater(-24),
          to: hoursLater(24),
          groupBy: ['sku'],
          skus: ['TEE-01'],
          supplierIds: ['acme'],
          now: hoursLater(72),
        });
        assert.deepEqual(
          bySku.map((s) => [s.key.sku, s.purchaseOrders]),
          [['TEE-01', 2]],
        );
        const byDay = await store.queryMetrics({
          from: hoursLater(-24),
          to: hoursLater(24),
          groupBy: ['day', 'channel'],
          now: hoursLater(72),
        });
        assert.deepEqual(
          byDay.map((s) => [s.key.day, s.key.channel, s.purchaseOrders]),
          [['2026-11-20', 'generic', 3]],
        );
        // All POs as one group, over a window of whole and part days and over a few hours of one day (the SQLite
        // engine adds up day buckets for the one and sums the fact rows for the other): the same figures.
        const overall = async (from: number, to: number) =>
          store.queryMetrics({
            from: hoursLater(from),
            to: hoursLater(to),
            groupBy: [],
            now: hoursLater(72),
          });
        const [wide] = await overall(-24, 24);
        assert.deepEqual(await overall(-2, 2), [wide]);
        assert.equal(wide!.purchaseOrders, 3);
        assert.equal(wide!.shipDue, 3, 'the shipped PO, and the other two past their promise');
        // Acknowledged after 2 h, 4 h and 10 h: the p90 sits 0.8 of the way from 4 h to 10 h.
        assert.deepEqual(wide!.orderToAcknowledgement, {
          count: 3,
          median: 4 * 3_600_000,
          p90: 31_680_000, // 8.8 h
        });
        assert.deepEqual(
          (
            await store.queryMetrics({
              from: hoursLater(-24),
              to: hoursLater(24),
              groupBy: ['region'],
              now: hoursLater(72),
            })
          ).map((s) => [s.key.region, s.purchaseOrders, s.acknowledged]),
          [[promised.shipTo.country, 3, 3]],
        );
        assert.deepEqual(
          await store.queryMetrics({
            from: hoursLater(24),
            to: hoursLater(48),
            groupBy: [],
            now: hoursLater(72),
          }),
          [],
        );
      });
    });
  });
}
