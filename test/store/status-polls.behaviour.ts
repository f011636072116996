import assert from 'node:assert/strict';
import type { Lease, OrderStore } from '../../core/store/order-store';
import { sentPurchaseOrder } from '../support/withdrawals';

const MINUTE = 60_000;
const lease = (owner: string, now: Date, durationMs = MINUTE): Lease => ({ owner, now, durationMs });

/**
 * The status poll schedule of REST suppliers (connectors/suppliers/rest-json/status-polling.ts): POs claimed per
 * supplier, state and purpose when due, each claim holding others off for its lease, each poll recorded with its
 * next time, failures in a row and answer. Each engine's test file calls this with a fresh, migrated store.
 */
export function describeStatusPollBehaviour(engine: string, createStore: () => Promise<OrderStore>): void {
  describe(`OrderStore supplier status polls (${engine})`, function () {
    let store: OrderStore;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it("claims a supplier's POs in the states asked for, once per lease, per purpose", async () => {
      const { po: first } = await sentPurchaseOrder(store, 'acme');
      const { po: second } = await sentPurchaseOrder(store, 'acme');
      await sentPurchaseOrder(store, 'zeta');
      const now = new Date();
      const claimed = await store.claimSupplierStatusPolls(
        'acme',
        'shipments',
        ['sent'],
        lease('a', now),
        10,
      );
      // Both created in the same millisecond, perhaps: their order between them is not the point.
      assert.deepEqual(
        claimed
          .map((c) => [c.purchaseOrder.number, c.purchaseOrder.supplierId, c.failures, c.lastAnswer])
          .sort(),
        [
          [first.number, 'acme', 0, undefined],
          [second.number, 'acme', 0, undefined],
        ].sort(),
      );
      assert.deepEqual(
        await store.claimSupplierStatusPolls('acme', 'shipments', ['sent'], lease('b', now), 10),
        [],
        'held by the first claim',
      );
      assert.deepEqual(
        await store.claimSupplierStatusPolls('acme', 'shipments', ['accepted'], lease('b', now), 10),
        [],
        'no PO in that state',
      );
      assert.equal(
        (await store.claimSupplierStatusPolls('acme', 'acknowledgements', ['sent'], lease('b', now), 1))
          .length,
        1,
        'another purpose has its own schedule, and the limit holds',
      );
      const afterLease = new Date(now.getTime() + MINUTE + 1);
      assert.equal(
        (await store.claimSupplierStatusPolls('acme', 'shipments', ['sent'], lease('c', afterLease), 10))
          .length,
        2,
        'a poller that died lets its POs fall due again',
      );
    });

    it('keeps the next poll time, the failures in a row and the last answer of each poll', async () => {
      const { po } = await sentPurchaseOrder(store, 'acme');
      const now = new Date();
      await store.claimSupplierStatusPolls('acme', 'shipments', ['sent'], lease('a', now), 10);
      const nextPollAt = new Date(now.getTime() + 4 * MINUTE);
      await store.recordSupplierStatusPoll(po.number, 'shipments', {
        polledAt: now,
        nextPollAt,
        failures: 2,
        lastAnswer: 'accepted',
        error: 'supplier answered HTTP 503',
      });
      const early = new Date(nextPollAt.getTime() - 1);
      assert.deepEqual(
        await store.claimSupplierStatusPolls('acme', 'shipments', ['sent'], lease('b', early), 10),
        [],
      );
      const [due] = await store.claimSupplierStatusPolls(
        'acme',
        'shipments',
        ['sent'],
        lease('b', nextPollAt),
        10,
      );
      assert.equal(due!.purchaseOrder.number, po.number);
      assert.equal(due!.failures, 2);
      assert.equal(due!.lastAnswer, 'accepted');
      assert.equal(due!.lastPolledAt, now.toISOString());
    });
  });
}
