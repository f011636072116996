import assert from 'node:assert/strict';
import {
  canTransitionOrder,
  orderStateFromPurchaseOrders,
  orderStatesBefore,
} from '../../core/model/lifecycle';
import type { OrderState } from '../../core/model/order';
import type { PurchaseOrderState } from '../../core/model/purchase-order';
import { orderStateFollowingPurchaseOrders } from '../../core/store/order-following';

const pos = (...states: PurchaseOrderState[]) => states.map((state) => ({ state }));
const numbered = (...states: PurchaseOrderState[]) =>
  states.map((state, i) => ({ number: `PO-${i}`, state }));

describe('order life', () => {
  it('goes back to routed only from dispatched or acknowledged, never once a parcel has left', () => {
    assert.deepEqual(orderStatesBefore('routed'), [
      'received',
      'dispatched',
      'acknowledged',
      'needs_attention',
    ]);
    for (const from of ['partially_shipped', 'shipped', 'delivered', 'cancelled', 'returned'] as OrderState[])
      assert.equal(canTransitionOrder(from, 'routed'), false, from);
  });

  it('follows the slowest active PO: one waiting to go out keeps the order routed', () => {
    assert.equal(orderStateFromPurchaseOrders(pos('pending')), 'routed');
    assert.equal(orderStateFromPurchaseOrders(pos('cancelled', 'pending')), 'routed');
    assert.equal(orderStateFromPurchaseOrders(pos('accepted', 'sending')), 'routed');
    assert.equal(orderStateFromPurchaseOrders(pos('rejected', 'sent')), 'dispatched');
    assert.equal(orderStateFromPurchaseOrders(pos('backordered', 'accepted')), 'acknowledged');
    assert.equal(orderStateFromPurchaseOrders(pos('shipped', 'pending')), 'partially_shipped');
    assert.equal(orderStateFromPurchaseOrders(pos('rejected', 'failed')), undefined);
  });

  it('an order follows its POs back to routed, except a held one', () => {
    assert.equal(
      orderStateFollowingPurchaseOrders('acknowledged', numbered('cancelled', 'pending'), []),
      'routed',
    );
    assert.equal(
      orderStateFollowingPurchaseOrders('dispatched', numbered('rejected', 'pending'), []),
      'routed',
    );
    assert.equal(
      orderStateFollowingPurchaseOrders('needs_attention', numbered('failed', 'pending'), []),
      undefined,
    );
    assert.equal(orderStateFollowingPurchaseOrders('shipped', numbered('shipped', 'pending'), []), undefined);
    assert.equal(orderStateFollowingPurchaseOrders('received', numbered('pending'), []), undefined);
    assert.equal(orderStateFollowingPurchaseOrders('routed', numbered('pending'), []), undefined);
  });
});
