import assert from 'node:assert/strict';
import type { Order, OrderState } from '../../core/model/order';
import type { PurchaseOrder, PurchaseOrderState } from '../../core/model/purchase-order';
import type { Shipment, TrackingStatus } from '../../core/model/shipment';
import { milestonesReached } from '../../core/notify/milestones';
import { sampleOrderDraft } from '../support/orders';

const AT = '2026-11-21T08:00:00.000Z';

function order(state: OrderState): Order {
  return {
    ...sampleOrderDraft({ externalId: 'M-1' }),
    id: 'ord_m1',
    state,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
  };
}

function purchaseOrder(number: string, state: PurchaseOrderState): PurchaseOrder {
  return {
    number,
    orderId: 'ord_m1',
    supplierId: 'acme',
    attempt: 1,
    state,
    currency: 'USD',
    shipTo: sampleOrderDraft().shipTo,
    lines: [{ orderLineId: '1', sku: 'MUG-01', quantity: 2 }],
    alternatives: [],
    sendAttempts: 1,
    version: 1,
    createdAt: AT,
    updatedAt: AT,
  };
}

/** A parcel that went through `history`; its status is the last one. */
function parcel(trackingNumber: string, ...history: TrackingStatus[]): Shipment {
  return {
    id: 1,
    orderId: 'ord_m1',
    trackingNumber,
    carrier: 'ups',
    status: history[history.length - 1]!,
    lastEventAt: AT,
    events: history.map((status, i) => ({
      status,
      occurredAt: new Date(Date.parse(AT) + i * 3_600_000).toISOString(),
      source: 'test',
    })),
  };
}

function keys(o: Order, pos: PurchaseOrder[] = [], shipments: Shipment[] = []): string[] {
  return milestonesReached(o, pos, shipments).map((m) => m.key);
}

describe('milestonesReached', () => {
  it('has nothing to tell while the order is received, routed or held', () => {
    for (const state of ['received', 'routed', 'needs_attention'] as const) {
      assert.deepEqual(keys(order(state), [purchaseOrder('PO-1', 'pending')]), [], state);
    }
  });

  it('confirms the order once a supplier has it', () => {
    for (const state of ['dispatched', 'acknowledged'] as const) {
      assert.deepEqual(keys(order(state), [purchaseOrder('PO-1', 'accepted')]), ['confirmed'], state);
    }
  });

  it('announces a backorder once per backordered PO, with its number', () => {
    const reached = milestonesReached(
      order('acknowledged'),
      [
        purchaseOrder('PO-1', 'backordered'),
        purchaseOrder('PO-2', 'accepted'),
        purchaseOrder('PO-3', 'backordered'),
      ],
      [],
    );
    assert.deepEqual(reached, [
      { kind: 'confirmed', key: 'confirmed' },
      { kind: 'backordered', key: 'backordered:PO-1', poNumber: 'PO-1' },
      { kind: 'backordered', key: 'backordered:PO-3', poNumber: 'PO-3' },
    ]);
  });

  it('announces each parcel as shipped, keyed by its tracking number', () => {
    const reached = milestonesReached(
      order('partially_shipped'),
      [purchaseOrder('PO-1', 'shipped'), purchaseOrder('PO-2', 'accepted')],
      [
        parcel('1Z999AA10123456784', 'info_received', 'in_transit'),
        parcel('9400111899223397621810', 'in_transit'),
      ],
    );
    assert.deepEqual(
      reached.filter((m) => m.kind === 'shipped'),
      [
        { kind: 'shipped', key: 'shipped:1Z999AA10123456784', trackingNumber: '1Z999AA10123456784' },
        { kind: 'shipped', key: 'shipped:9400111899223397621810', trackingNumber: '9400111899223397621810' },
      ],
    );
  });

  it('confirms an order whose parcel is reported before any PO acknowledgement', () => {
    assert.deepEqual(
      keys(order('routed'), [purchaseOrder('PO-1', 'sending')], [parcel('1Z1', 'in_transit')]),
      ['confirmed', 'shipped:1Z1'],
    );
  });

  it('announces out-for-delivery while the parcel is out, not once it is delivered', () => {
    const out = parcel('1Z1', 'in_transit', 'out_for_delivery');
    assert.deepEqual(keys(order('shipped'), [], [out]), ['confirmed', 'shipped:1Z1', 'out_for_delivery:1Z1']);
    const delivered = parcel('1Z1', 'in_transit', 'out_for_delivery', 'delivered');
    assert.deepEqual(keys(order('delivered'), [], [delivered]), ['confirmed', 'shipped:1Z1', 'delivered']);
  });

  it('announces delivery once, for the order, when every parcel is delivered', () => {
    const reached = keys(order('delivered'), [], [parcel('1Z1', 'delivered'), parcel('1Z2', 'delivered')]);
    assert.deepEqual(reached, ['confirmed', 'shipped:1Z1', 'shipped:1Z2', 'delivered']);
  });

  it('announces a cancellation, without a confirmation for an order no supplier had', () => {
    assert.deepEqual(keys(order('cancelled'), [purchaseOrder('PO-1', 'cancelled')]), ['cancelled']);
  });

  it('gives every milestone a key unique within the order', () => {
    const reached = milestonesReached(
      order('partially_shipped'),
      [purchaseOrder('PO-1', 'backordered'), purchaseOrder('PO-2', 'shipped')],
      [parcel('1Z1', 'out_for_delivery'), parcel('1Z2', 'in_transit')],
    );
    const all = reached.map((m) => m.key);
    assert.equal(new Set(all).size, all.length);
  });
});
