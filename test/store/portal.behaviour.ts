import assert from 'node:assert/strict';
import type { OrderStore } from '../../core/store/order-store';
import { sentPurchaseOrder } from '../support/withdrawals';

const HOUR = 3_600_000;

/**
 * The supplier portal's state (core/store/portal-store.ts): links that expire and are revoked, one-time codes with
 * a limit on attempts, sessions, form tokens used once, a supplier's own POs, actions read once by the channel,
 * and cancel requests only the PO's supplier confirms. Each engine's test file calls this with a fresh store.
 */
export function describePortalStoreBehaviour(engine: string, createStore: () => Promise<OrderStore>): void {
  describe(`OrderStore supplier portal (${engine})`, function () {
    let store: OrderStore;
    const now = new Date('2026-12-01T10:00:00Z');
    const later = (ms: number): Date => new Date(now.getTime() + ms);
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('opens a link of its own supplier until it expires or is revoked', async () => {
      await store.recordLink({ id: 'L1', supplierId: 'acme', createdAt: now, expiresAt: later(HOUR) });
      assert.equal(await store.linkUsable('L1', 'acme', now), true);
      assert.equal(await store.linkUsable('L1', 'zeta', now), false, "another supplier's link");
      assert.equal(await store.linkUsable('L1', 'acme', later(HOUR)), false, 'expired');
      await store.createSession({
        idHash: 'S1',
        supplierId: 'acme',
        actor: 'supplier:acme',
        createdAt: now,
        expiresAt: later(HOUR),
      });
      assert.equal(await store.revokeAccess('acme', now), 1);
      assert.equal(await store.linkUsable('L1', 'acme', now), false, 'revoked');
      assert.equal(await store.session('S1', now), undefined, 'sessions end with the revocation');
    });

    it('takes a one-time code once, within its attempts and before it expires', async () => {
      await store.saveCode('acme', 'right', later(HOUR));
      assert.equal(await store.useCode('acme', 'wrong', now, 3), false);
      assert.equal(await store.useCode('acme', 'right', now, 3), true);
      assert.equal(await store.useCode('acme', 'right', now, 3), false, 'used up');
      await store.saveCode('acme', 'right', later(HOUR));
      for (let i = 0; i < 3; i++) assert.equal(await store.useCode('acme', 'wrong', now, 3), false);
      assert.equal(await store.useCode('acme', 'right', now, 3), false, 'too many attempts');
      await store.saveCode('acme', 'right', later(HOUR));
      assert.equal(await store.useCode('acme', 'right', later(HOUR), 3), false, 'expired');
    });

    it('keeps sessions until they expire or end', async () => {
      await store.createSession({
        idHash: 'S1',
        supplierId: 'acme',
        actor: 'operator:admin for supplier:acme',
        createdAt: now,
        expiresAt: later(HOUR),
      });
      assert.deepEqual(await store.session('S1', now), {
        supplierId: 'acme',
        actor: 'operator:admin for supplier:acme',
        expiresAt: later(HOUR).toISOString(),
      });
      assert.equal(await store.session('S1', later(HOUR)), undefined);
      await store.endSession('S1');
      assert.equal(await store.session('S1', now), undefined);
    });

    it('takes a form token once, only from the browser it was issued to', async () => {
      await store.issueFormToken('T1', 'B1', later(HOUR), now);
      assert.equal(await store.useFormToken('T1', 'B2', now), false, 'another binding');
      assert.equal(await store.useFormToken('T1', 'B1', now), true);
      assert.equal(await store.useFormToken('T1', 'B1', now), false, 'replayed');
      await store.issueFormToken('T2', 'B1', later(HOUR), now);
      assert.equal(await store.useFormToken('T2', 'B1', later(HOUR)), false, 'expired');
    });

    it("lists a supplier's own POs newest first, and its stock", async () => {
      const { po: first } = await sentPurchaseOrder(store, 'acme');
      const { po: second } = await sentPurchaseOrder(store, 'acme');
      await sentPurchaseOrder(store, 'zeta');
      const listed = await store.listPortalPurchaseOrders('acme', ['sent'], 10);
      assert.deepEqual(
        listed.map((po) => po.supplierId),
        ['acme', 'acme'],
      );
      assert.deepEqual(new Set(listed.map((po) => po.number)), new Set([first.number, second.number]));
      assert.deepEqual(await store.listPortalPurchaseOrders('acme', ['accepted'], 10), []);
      await store.applyStockFeed('acme', now, [
        { sku: 'B', quantity: 2 },
        { sku: 'A', quantity: 5 },
      ]);
      await store.applyStockFeed('zeta', now, [{ sku: 'A', quantity: 1 }]);
      assert.deepEqual(await store.listPortalStock('acme'), [
        { sku: 'A', quantity: 5, feedAt: now.toISOString() },
        { sku: 'B', quantity: 2, feedAt: now.toISOString() },
      ]);
    });

    it('keeps actions unread until the channel reads them', async () => {
      const ack = await store.recordAction(
        {
          supplierId: 'acme',
          poNumber: 'PO1',
          kind: 'acknowledgement',
          payload: { outcome: 'accepted' },
          actor: 'supplier:acme',
        },
        now,
      );
      await store.recordAction(
        { supplierId: 'zeta', poNumber: 'PO2', kind: 'acknowledgement', payload: {}, actor: 'supplier:zeta' },
        later(1),
      );
      const unread = await store.unreadActions('acme', 'acknowledgement', 10);
      assert.deepEqual(
        unread.map((a) => [a.id, a.poNumber, a.payload, a.actor]),
        [[ack.id, 'PO1', { outcome: 'accepted' }, 'supplier:acme']],
      );
      assert.deepEqual(await store.unreadActions('acme', 'shipment', 10), []);
      await store.markActionRead(ack.id, later(2));
      assert.deepEqual(await store.unreadActions('acme', 'acknowledgement', 10), []);
      const recent = await store.listActions({ limit: 10 });
      assert.deepEqual(
        recent.map((a) => [a.supplierId, a.readAt]),
        [
          ['zeta', undefined],
          ['acme', later(2).toISOString()],
        ],
      );
      assert.equal((await store.listActions({ supplierId: 'acme', limit: 10 })).length, 1);
    });

    it('lets only the PO’s supplier confirm a cancel request, once', async () => {
      const request = {
        poNumber: 'PO1',
        supplierId: 'acme',
        reason: 'order cancelled',
        requestedAt: now.toISOString(),
      };
      await store.requestCancel(request);
      await store.requestCancel({ ...request, reason: 'again' });
      assert.equal(await store.confirmCancel('PO1', 'zeta', 'supplier:zeta', now), false);
      assert.equal(await store.confirmCancel('PO1', 'acme', 'supplier:acme', later(1)), true);
      assert.equal(await store.confirmCancel('PO1', 'acme', 'supplier:acme', later(2)), false);
      assert.deepEqual(await store.cancelRequests('acme'), [
        { ...request, confirmedAt: later(1).toISOString(), confirmedBy: 'supplier:acme' },
      ]);
      assert.deepEqual(await store.cancelRequests('zeta'), []);
    });
  });
}
