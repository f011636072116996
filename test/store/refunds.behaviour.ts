import assert from 'node:assert/strict';
import { computeRefund, refundKey, type RefundDraft } from '../../core/refunds/refund';
import type { Lease, OrderStore } from '../../core/store/order-store';
import type { Order } from '../../core/model/order';
import { sampleOrderDraft } from '../support/orders';

const MINUTE = 60_000;
const lease = (owner: string, now: Date, durationMs = MINUTE): Lease => ({ owner, now, durationMs });
const event = (type: string) => ({ type, actor: 'test' });

function draftFor(order: Order, change = 'no_supplier:PO1'): RefundDraft {
  return {
    key: refundKey(order.id, change),
    orderId: order.id,
    trigger: 'no_supplier',
    reason: 'no supplier can take MUG-01',
    amounts: computeRefund(order, [{ lineId: '1', quantity: 2 }])!,
  };
}

/**
 * Refunds in the store (core/store/refund-store.ts): one proposal per key, approval as a claim with a lease, the
 * outcome recorded only by the claim's holder with its event and the customer's notice, and velocity signals
 * counted per digest in a window. Each engine's test file calls this with a fresh, migrated store.
 */
export function describeRefundStoreBehaviour(engine: string, createStore: () => Promise<OrderStore>): void {
  describe(`OrderStore refunds and risk signals (${engine})`, function () {
    let store: OrderStore;
    let order: Order;
    beforeEach(async () => {
      store = await createStore();
      ({ order } = await store.receiveOrder(sampleOrderDraft({ channel: 'shopify' }), { actor: 'test' }));
    });
    afterEach(async () => {
      await store.close();
    });

    it('records a proposal once per key, with its event on the order', async () => {
      const first = await store.proposeRefund(draftFor(order), event('refund.proposed'));
      const again = await store.proposeRefund(draftFor(order), event('refund.proposed'));
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.equal(again.refund.key, first.refund.key);
      assert.equal(first.refund.state, 'proposed');
      assert.equal(first.refund.amounts.total, 2778, '25.00 of mugs with their share of the 5.00 shipping');
      const proposed = (await store.listEvents(order.id)).filter((e) => e.type === 'refund.proposed');
      assert.equal(proposed.length, 1);
      assert.equal(proposed[0]!.data?.refundKey, first.refund.key);
      assert.deepEqual(
        (await store.listRefunds({ orderId: order.id })).map((r) => r.key),
        [first.refund.key],
      );
      assert.deepEqual(await store.listRefunds({ channels: ['woocommerce'] }), []);
    });

    it('lets one worker hold an approved refund; a lease that ran out is taken over, and only the holder settles', async () => {
      const { refund } = await store.proposeRefund(draftFor(order), event('refund.proposed'));
      const t0 = new Date();
      const held = await store.claimRefund(
        refund.key,
        ['proposed'],
        lease('a', t0),
        event('refund.approved'),
      );
      assert.equal(held?.state, 'approved');
      assert.equal(held?.attempts, 1);
      assert.equal(
        await store.claimRefund(refund.key, ['proposed'], lease('b', t0), event('refund.approved')),
        undefined,
        'held by a',
      );
      assert.deepEqual(await store.claimDueRefunds(lease('b', t0), 10, ['shopify']), []);
      const later = new Date(t0.getTime() + 2 * MINUTE);
      assert.deepEqual(await store.claimDueRefunds(lease('b', later), 10, ['woocommerce']), []);
      const [takenOver] = await store.claimDueRefunds(lease('b', later), 10, ['shopify']);
      assert.equal(takenOver?.key, refund.key);
      assert.equal(takenOver?.attempts, 2);
      assert.equal(
        await store.settleRefund(
          refund.key,
          { leaseOwner: 'a' },
          { state: 'refunded', storefrontRefundId: 'r-a' },
          event('refund.refunded'),
        ),
        undefined,
        "a's claim was taken over: its answer writes nothing",
      );
      const settled = await store.settleRefund(
        refund.key,
        { leaseOwner: 'b' },
        { state: 'refunded', storefrontRefundId: 'r-b' },
        event('refund.refunded'),
        (r) => ({ milestone: `refunded:${r.key}`, channel: 'email', payload: { kind: 'refunded' } }),
      );
      assert.equal(settled?.state, 'refunded');
      assert.equal(settled?.storefrontRefundId, 'r-b');
      const types = (await store.listEvents(order.id)).map((e) => e.type);
      assert.deepEqual(
        types.filter((t) => t.startsWith('refund.')),
        ['refund.proposed', 'refund.approved', 'refund.refunded'],
        'the take-over writes no second approval',
      );
      assert.deepEqual(
        (await store.listNotifications(order.id)).map((n) => n.milestone),
        [`refunded:${refund.key}`],
      );
      assert.equal(
        await store.claimRefund(refund.key, ['proposed', 'failed'], lease('c', later), event('x')),
        undefined,
        'a refund made is never claimed again',
      );
    });

    it('approves a failed refund again, and dismisses only a proposal', async () => {
      const { refund } = await store.proposeRefund(draftFor(order), event('refund.proposed'));
      const other = await store.proposeRefund(draftFor(order, 'other'), event('refund.proposed'));
      const now = new Date();
      await store.claimRefund(refund.key, ['proposed'], lease('a', now), event('refund.approved'));
      const failed = await store.settleRefund(
        refund.key,
        { leaseOwner: 'a' },
        { state: 'failed', error: 'declined' },
        event('refund.failed'),
      );
      assert.equal(failed?.lastError, 'declined');
      assert.equal(await store.dismissRefund(refund.key, event('refund.dismissed')), undefined);
      const again = await store.claimRefund(
        refund.key,
        ['proposed', 'failed'],
        lease('b', now),
        event('refund.approved'),
      );
      assert.equal(again?.state, 'approved');
      assert.equal(
        (await store.dismissRefund(other.refund.key, event('refund.dismissed')))?.state,
        'dismissed',
      );
    });

    it('counts other orders with the same signal in the window, recording each order once', async () => {
      const t0 = new Date('2026-12-01T10:00:00Z');
      const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);
      const signal = { kind: 'email', digest: 'd1' };
      assert.deepEqual(await store.recordRiskSignals('o1', [signal], at(0), at(-60)), {
        email: 0,
      });
      assert.deepEqual(await store.recordRiskSignals('o2', [signal], at(10), at(-50)), {
        email: 1,
      });
      assert.deepEqual(
        await store.recordRiskSignals('o2', [signal], at(11), at(-50)),
        { email: 1 },
        'the same order again is not another order',
      );
      assert.deepEqual(
        await store.recordRiskSignals('o3', [signal, { kind: 'ip', digest: 'x' }], at(70), at(5)),
        { email: 1, ip: 0 },
        'o1 is outside the window',
      );
    });
  });
}
