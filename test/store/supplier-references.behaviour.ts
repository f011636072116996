import assert from 'node:assert/strict';
import type { OrderStore } from '../../core/store/order-store';
import { sentPurchaseOrder } from '../support/withdrawals';

/** POs found by a supplier's own reference (supplier mail written in its numbering). Both engines call this. */
export function describeSupplierReferenceBehaviour(
  engine: string,
  createStore: () => Promise<OrderStore>,
): void {
  describe(`OrderStore POs by supplier reference (${engine})`, function () {
    let store: OrderStore;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it("finds a supplier's PO by the reference its acknowledgement gave, and only that supplier's", async () => {
      const { po } = await sentPurchaseOrder(store, 'acme');
      await sentPurchaseOrder(store, 'zeta');
      await store.transitionPurchaseOrder(
        po.number,
        ['sent'],
        'accepted',
        { supplierReference: '1042' },
        { type: 'po.accepted', actor: 'test' },
      );
      assert.deepEqual(
        (await store.findPurchaseOrdersBySupplierReference('acme', '1042')).map((p) => p.number),
        [po.number],
      );
      assert.deepEqual(await store.findPurchaseOrdersBySupplierReference('zeta', '1042'), []);
    });
  });
}
