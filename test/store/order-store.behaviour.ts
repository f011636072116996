import assert from 'node:assert/strict';
import type { OrderStore } from '../../core/store/order-store';
import type { PurchaseOrderDraft } from '../../core/model/purchase-order';
import type { Order } from '../../core/model/order';
import { purchaseOrderNumber } from '../../core/model/purchase-order';
import { sampleOrderDraft } from '../support/orders';

const actor = 'test';

function poDraft(order: Order, supplierId: string, skus = ['MUG-01', 'TEE-01']): PurchaseOrderDraft {
  return {
    orderId: order.id,
    supplierId,
    attempt: 1,
    currency: order.currency,
    shipTo: order.shipTo,
    lines: order.lines
      .filter((l) => skus.includes(l.sku))
      .map((l) => ({ orderLineId: l.lineId, sku: l.sku, quantity: l.quantity })),
    alternatives: [],
  };
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
      assert.match(result.order.id, /^ord_[0-9a-z]{16}$/);
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
  });
}
