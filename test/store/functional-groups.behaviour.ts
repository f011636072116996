import assert from 'node:assert/strict';
import type { OrderStore } from '../../core/store/order-store';

const HOUR = 3_600_000;

/**
 * Functional groups sent to X12 partners and their 997s: recorded once, acknowledged by (supplier, functional id,
 * group control number), and each missing 997 reported overdue once. Each engine's test file calls this.
 */
export function describeFunctionalGroupBehaviour(
  engine: string,
  createStore: () => Promise<OrderStore>,
): void {
  describe(`OrderStore functional groups awaiting a 997 (${engine})`, function () {
    let store: OrderStore;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const sentAt = new Date('2026-11-21T08:00:00.000Z');
    const group = (groupControlNumber: string, supplierId = 'acme') => ({
      supplierId,
      functionalId: 'PO',
      groupControlNumber,
      document: `850 PO-${groupControlNumber}`,
      poNumber: `PO-${groupControlNumber}`,
      sentAt: sentAt.toISOString(),
    });

    it('keeps each group once, and a 997 acknowledges the one it names', async () => {
      await store.recordFunctionalGroupSent(group('17'));
      await store.recordFunctionalGroupSent(group('17'));
      await store.recordFunctionalGroupSent(group('18'));
      await store.recordFunctionalGroupSent(group('17', 'zeta'));
      assert.equal(
        await store.recordFunctionalGroupAcknowledged(
          'acme',
          'PO',
          '17',
          'accepted',
          new Date(sentAt.getTime() + HOUR),
        ),
        true,
      );
      assert.equal(
        await store.recordFunctionalGroupAcknowledged('acme', 'PO', '99', 'accepted', sentAt),
        false,
      );
      assert.deepEqual(
        (await store.listUnacknowledgedFunctionalGroups(10))
          .map((g) => [g.supplierId, g.groupControlNumber])
          .sort(),
        [
          ['acme', '18'],
          ['zeta', '17'],
        ],
      );
    });

    it('reports a group without a 997 overdue once, and only past its time', async () => {
      await store.recordFunctionalGroupSent(group('17'));
      await store.recordFunctionalGroupSent({
        ...group('18'),
        sentAt: new Date(sentAt.getTime() + 3 * HOUR).toISOString(),
      });
      await store.recordFunctionalGroupSent(group('19'));
      await store.recordFunctionalGroupAcknowledged('acme', 'PO', '19', 'rejected', sentAt);
      const now = new Date(sentAt.getTime() + 4 * HOUR);
      const overdue = await store.claimOverdueFunctionalGroups(
        'acme',
        new Date(now.getTime() - 4 * HOUR),
        now,
      );
      assert.deepEqual(overdue, [{ ...group('17'), overdueReportedAt: now.toISOString() }]);
      assert.deepEqual(
        await store.claimOverdueFunctionalGroups('acme', new Date(now.getTime() - 4 * HOUR), now),
        [],
        'reported once',
      );
      assert.deepEqual(await store.claimOverdueFunctionalGroups('zeta', now, now), []);
    });
  });
}
