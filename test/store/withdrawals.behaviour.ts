import assert from 'node:assert/strict';
import type { Lease, OrderStore } from '../../core/store/order-store';
import { purchaseOrderDraftFor } from '../support/orders';
import { cancelledBeforeWithdrawal, sentPurchaseOrder } from '../support/withdrawals';

const actor = 'test';
const MINUTE = 60_000;

const lease = (owner: string, now: Date, durationMs = MINUTE): Lease => ({ owner, now, durationMs });
const later = (ms: number): Date => new Date(Date.now() + ms);

/**
 * Withdrawals of cancelled POs at their suppliers (core/dispatch/withdraw-purchase-order.ts): recorded by the cancel,
 * claimed with a lease, completed by the holder only. Each engine's test file calls this with a factory that
 * returns a fresh, migrated store on the system clock (the cancel's time is when a withdrawal becomes free).
 */
export function describeWithdrawalBehaviour(engine: string, createStore: () => Promise<OrderStore>): void {
  describe(`OrderStore withdrawals (${engine})`, function () {
    let store: OrderStore;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const outcome = (reason: string) => ({ type: 'po.cancel_confirmed', actor, reason });

    it('records the withdrawal in the move that cancels a PO its supplier has, and none for a PO never sent', async () => {
      const { order, po } = await sentPurchaseOrder(store);
      assert.equal(po.withdrawal, undefined);
      const [unsent] = await store.addPurchaseOrders(order.id, [purchaseOrderDraftFor(order, 'zeta')], {
        type: 'po.failover',
        actor,
      });
      // A cancel expecting another state writes nothing, the withdrawal neither.
      assert.equal(
        await store.transitionPurchaseOrder(po.number, ['accepted'], 'cancelled', {}, { type: 'x', actor }),
        undefined,
      );
      assert.equal((await store.getPurchaseOrder(po.number))?.withdrawal, undefined);

      const cancelled = await store.transitionPurchaseOrder(
        po.number,
        ['sent'],
        'cancelled',
        {},
        { type: 'po.cancelled', actor },
      );
      // The row the cancel's own UPDATE returned carries it: one statement, one transaction.
      assert.deepEqual([cancelled?.state, cancelled?.withdrawal], ['cancelled', 'pending']);
      assert.equal((await store.getPurchaseOrder(po.number))?.withdrawal, 'pending');

      const dropped = await store.transitionPurchaseOrder(
        unsent!.number,
        ['pending'],
        'cancelled',
        {},
        { type: 'po.cancelled', actor },
      );
      assert.deepEqual([dropped?.state, dropped?.withdrawal], ['cancelled', undefined]);
      assert.equal(await store.claimWithdrawal(unsent!.number, lease('w', later(1000))), undefined);
    });

    it('hands a withdrawal to one claimant at a time; an expired lease lets another take it', async () => {
      const { po } = await cancelledBeforeWithdrawal(store);
      const t0 = later(1000);
      const first = await store.claimWithdrawal(po.number, lease('first', t0));
      assert.deepEqual([first?.number, first?.withdrawal], [po.number, 'pending']);
      assert.equal(await store.claimWithdrawal(po.number, lease('second', t0)), undefined);
      assert.deepEqual(await store.claimDueWithdrawals(lease('second', t0), 10, ['acme'], 0), []);
      const stillHeld = new Date(t0.getTime() + MINUTE - 1);
      assert.equal(await store.claimWithdrawal(po.number, lease('second', stillHeld)), undefined);

      const expired = new Date(t0.getTime() + MINUTE);
      const taken = await store.claimDueWithdrawals(lease('second', expired), 10, ['acme'], 0);
      assert.deepEqual(
        taken.map((p) => p.number),
        [po.number],
      );
      assert.equal(await store.claimWithdrawal(po.number, lease('third', expired)), undefined);
    });

    it('completes a withdrawal for its holder only, with the outcome event, and never hands it out again', async () => {
      const { order, po } = await cancelledBeforeWithdrawal(store);
      const t0 = later(1000);
      await store.claimWithdrawal(po.number, lease('first', t0));
      await store.claimWithdrawal(po.number, lease('second', new Date(t0.getTime() + MINUTE)));
      // The first holder's lease was taken over: its outcome is not recorded.
      assert.equal(
        await store.completeWithdrawal(po.number, { leaseOwner: 'first' }, outcome('late')),
        false,
      );
      assert.equal(
        await store.completeWithdrawal(po.number, { leaseOwner: 'second' }, outcome('confirmed')),
        true,
      );
      assert.equal((await store.getPurchaseOrder(po.number))?.withdrawal, 'done');
      const events = (await store.listEvents(order.id)).filter((e) => e.type === 'po.cancel_confirmed');
      assert.deepEqual(
        events.map((e) => [e.poNumber, e.reason]),
        [[po.number, 'confirmed']],
      );
      assert.equal(
        await store.completeWithdrawal(po.number, { leaseOwner: 'second' }, outcome('again')),
        false,
      );
      const muchLater = new Date(t0.getTime() + 60 * MINUTE);
      assert.equal(await store.claimWithdrawal(po.number, lease('third', muchLater)), undefined);
      assert.deepEqual(await store.claimDueWithdrawals(lease('third', muchLater), 10, ['acme'], 0), []);
      assert.equal(
        (await store.listEvents(order.id)).filter((e) => e.type === 'po.cancel_confirmed').length,
        1,
      );
    });

    it('lets a holder whose lease ran out complete while nobody took the withdrawal over', async () => {
      const { po } = await cancelledBeforeWithdrawal(store);
      const t0 = later(1000);
      await store.claimWithdrawal(po.number, lease('slow', t0, 1000));
      assert.equal(
        await store.completeWithdrawal(po.number, { leaseOwner: 'slow' }, outcome('confirmed late')),
        true,
      );
      assert.equal(await store.completeWithdrawal(po.number, { leaseOwner: 'nobody' }, outcome('x')), false);
    });

    it("claims the suppliers' own withdrawals at once, another supplier's only once free for a while", async () => {
      const { po: ours } = await cancelledBeforeWithdrawal(store, 'acme');
      const { po: theirs } = await cancelledBeforeWithdrawal(store, 'zeta');
      const { po: held } = await cancelledBeforeWithdrawal(store, 'acme');
      const t0 = later(1000);
      await store.claimWithdrawal(held.number, lease('other-worker', t0, 10 * MINUTE));

      const now = await store.claimDueWithdrawals(lease('w', t0, 60 * MINUTE), 10, ['acme'], 2 * MINUTE);
      assert.deepEqual(
        now.map((p) => p.number),
        [ours.number],
      );
      const afterGrace = new Date(t0.getTime() + 2 * MINUTE);
      const orphans = await store.claimDueWithdrawals(
        lease('w2', afterGrace, 60 * MINUTE),
        10,
        ['acme'],
        2 * MINUTE,
      );
      assert.deepEqual(
        orphans.map((p) => p.number),
        [theirs.number],
      );
      // A withdrawal whose claimant died is free from its lease's end; another supplier's waits the grace again.
      const heldFree = new Date(t0.getTime() + 10 * MINUTE);
      assert.deepEqual(await store.claimDueWithdrawals(lease('w3', heldFree), 10, ['zeta'], 2 * MINUTE), []);
      assert.deepEqual(
        (await store.claimDueWithdrawals(lease('w3', heldFree), 10, ['acme'], 2 * MINUTE)).map(
          (p) => p.number,
        ),
        [held.number],
      );
    });

    it('claims the longest-free withdrawals first, up to the limit', async () => {
      const pos = [];
      for (let i = 0; i < 3; i++) pos.push((await cancelledBeforeWithdrawal(store)).po);
      const t0 = later(1000);
      // The first two were claimed and their claimants died: free again from the end of their leases.
      await store.claimWithdrawal(pos[0]!.number, lease('dead', t0, 2000));
      await store.claimWithdrawal(pos[1]!.number, lease('dead', t0, 1000));
      const now = new Date(t0.getTime() + 5000);
      const batch = await store.claimDueWithdrawals(lease('w', now), 2, ['acme'], 0);
      assert.deepEqual(batch.map((p) => p.number).sort(), [pos[2]!.number, pos[1]!.number].sort());
      const rest = await store.claimDueWithdrawals(lease('w', now), 2, ['acme'], 0);
      assert.deepEqual(
        rest.map((p) => p.number),
        [pos[0]!.number],
      );
    });
  });
}
