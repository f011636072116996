import assert from 'node:assert/strict';
import { fixedClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { ChannelDeliveryError } from '../../connectors/messaging/delivery-error';
import {
  addWooCommerceTracking,
  type WooCommerceContext,
} from '../../connectors/storefronts/woocommerce-fulfilment';
import { startFakeWooCommerce, type FakeWooCommerce } from '../fakes/woocommerce';

describe('WooCommerce fulfilment through the Shipment Tracking REST API', () => {
  let woo: FakeWooCommerce;
  const context = (credentials?: Record<string, string>): WooCommerceContext => ({
    settings: { storeUrl: woo.url },
    credentials: credentials ?? { consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret },
    clock: fixedClock('2026-11-24T12:00:00Z'),
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
  });

  beforeEach(async () => {
    woo = await startFakeWooCommerce();
  });
  afterEach(() => woo.close());

  it('adds the tracking with the predefined provider, then completes the order', async () => {
    const orderId = woo.addOrder();
    const result = await addWooCommerceTracking(
      {
        orderId,
        trackingNumber: '9400111202555842332669',
        carrier: 'USPS',
        shippedAt: '2026-11-24T15:00:00Z',
      },
      { completeOrder: true },
      context(),
    );
    assert.equal(result.created, true);
    assert.equal(result.orderStatus, 'completed');
    const order = woo.order(orderId)!;
    assert.equal(order.status, 'completed');
    assert.deepEqual(order.trackings, [
      {
        tracking_id: result.trackingId,
        tracking_provider: 'USPS',
        tracking_link:
          'https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=9400111202555842332669',
        tracking_number: '9400111202555842332669',
        date_shipped: '2026-11-24',
      },
    ]);
  });

  it('leaves the order open for the first parcel of a split shipment', async () => {
    const orderId = woo.addOrder();
    const result = await addWooCommerceTracking(
      { orderId, trackingNumber: '041441760228964', carrier: 'fedex' },
      { completeOrder: false },
      context(),
    );
    assert.equal(result.orderStatus, undefined);
    assert.equal(woo.order(orderId)!.status, 'processing');
    assert.equal(woo.order(orderId)!.trackings[0]?.tracking_provider, 'Fedex');
  });

  it('uses a custom provider with the tracking link for carriers outside the list', async () => {
    const orderId = woo.addOrder();
    await addWooCommerceTracking(
      {
        orderId,
        trackingNumber: 'C11031500001879',
        carrier: 'OnTrac',
        trackingUrl: 'https://www.ontrac.com/tracking/?number=C11031500001879',
      },
      { completeOrder: false },
      context(),
    );
    const item = woo.order(orderId)!.trackings[0]!;
    assert.equal(item.tracking_provider, 'OnTrac');
    assert.equal(item.tracking_link, 'https://www.ontrac.com/tracking/?number=C11031500001879');
  });

  it('does not add the same tracking number twice when a send is repeated', async () => {
    const orderId = woo.addOrder();
    const parcel = { orderId, trackingNumber: '1Z5R89390357567127', carrier: 'ups' };
    const first = await addWooCommerceTracking(parcel, { completeOrder: true }, context());
    const again = await addWooCommerceTracking(parcel, { completeOrder: true }, context());
    assert.equal(again.created, false);
    assert.equal(again.trackingId, first.trackingId);
    assert.equal(woo.order(orderId)!.trackings.length, 1);
  });

  it('reports an unknown order as final and refused keys as a configuration problem', async () => {
    await assert.rejects(
      addWooCommerceTracking(
        { orderId: '999999', trackingNumber: '1Z5R89390357567127' },
        { completeOrder: true },
        context(),
      ),
      (err: unknown) =>
        err instanceof ChannelDeliveryError &&
        !err.retryable &&
        /woocommerce_rest_shop_order_invalid_id/.test(err.message),
    );
    const orderId = woo.addOrder();
    await assert.rejects(
      addWooCommerceTracking(
        { orderId, trackingNumber: '1Z5R89390357567127' },
        { completeOrder: true },
        context({ consumerKey: woo.consumerKey, consumerSecret: 'cs_wrong' }),
      ),
      (err: unknown) => err instanceof DropshipError && err.code === 'configuration',
    );
  });
});
