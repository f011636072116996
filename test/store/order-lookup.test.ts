import assert from 'node:assert/strict';
import { actorName, orderTimeline } from '../../core/store/order-lookup';
import { stateName } from '../../core/model/state-names';
import type { OrderEvent } from '../../core/model/order-event';

describe('order timeline in words', () => {
  const event = (id: number, at: string, fields: Partial<OrderEvent>): OrderEvent => ({
    id,
    orderId: 'ord_1',
    type: 'order.state',
    actor: 'test',
    at,
    ...fields,
  });

  it('puts the events in time order with who, what and why in words', () => {
    const timeline = orderTimeline([
      event(3, '2026-11-20T10:05:00Z', {
        type: 'shipment.event',
        actor: 'dropship-tracking-in:t1',
        poNumber: 'PO1-1',
        data: { trackingNumber: '1Z1', status: 'out_for_delivery' },
      }),
      event(1, '2026-11-20T10:00:00Z', {
        type: 'order.received',
        actor: 'dropship-order-in:o1',
        toState: 'received',
      }),
      event(2, '2026-11-20T10:01:00Z', {
        type: 'po.rejected',
        actor: 'dropship-dispatch:d1',
        poNumber: 'PO1-1',
        fromState: 'sent',
        toState: 'rejected',
        reason: 'out of stock',
      }),
      event(4, '2026-11-20T10:06:00Z', {
        type: 'operator.cancel',
        actor: 'dashboard:lin',
        fromState: 'needs_attention',
        toState: 'cancelled',
        reason: 'customer asked',
      }),
    ]);
    assert.deepEqual(
      timeline.map((e) => [e.actor, e.what, e.why, e.poNumber]),
      [
        ['Order in node', 'Order received (Received)', undefined, undefined],
        ['Dispatch node', 'PO: rejected (Sent → Rejected)', 'out of stock', 'PO1-1'],
        ['Tracking in node', 'Parcel 1Z1: Out for delivery', undefined, 'PO1-1'],
        ['lin (dashboard)', 'Operator cancelled (Needs attention → Cancelled)', 'customer asked', undefined],
      ],
    );
  });

  it('names actors and states it has no words for by their code, readably', () => {
    assert.equal(actorName('admin:ops'), 'ops (editor)');
    assert.equal(actorName('recovery'), 'recovery');
    assert.equal(stateName('needs_attention'), 'Needs attention');
    assert.equal(stateName('some_new_state'), 'Some new state');
  });
});
