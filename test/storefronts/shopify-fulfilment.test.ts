import assert from 'node:assert/strict';
import { fixedClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { ChannelDeliveryError } from '../../connectors/messaging/delivery-error';
import {
  createShopifyFulfilment,
  updateShopifyTracking,
  type ShopifyContext,
  type ShopifyFulfilmentSettings,
} from '../../connectors/storefronts/shopify-fulfilment';
import { startFakeShopify, type FakeShopify } from '../fakes/shopify-admin';

describe('Shopify fulfilment through the GraphQL Admin API', () => {
  let shopify: FakeShopify;
  const context = (
    settings: Partial<ShopifyFulfilmentSettings> = {},
    accessToken?: string,
  ): ShopifyContext => ({
    settings: {
      shopDomain: 'acme-goods.myshopify.com',
      apiVersion: shopify.apiVersion,
      baseUrl: shopify.url,
      ...settings,
    },
    credentials: { accessToken: accessToken ?? shopify.accessToken },
    clock: fixedClock('2026-11-24T12:00:00Z'),
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
  });
  const twoLineOrder = () =>
    shopify.addOrder({
      name: '#1001',
      locations: [
        {
          name: 'Acme Supply',
          lines: [
            { sku: 'MUG-01', quantity: 2 },
            { sku: 'TEE-01', quantity: 1 },
          ],
        },
      ],
    });

  beforeEach(async () => {
    shopify = await startFakeShopify();
  });
  afterEach(() => shopify.close());

  it('fulfils everything still open with the tracking number, the company Shopify knows and the link', async () => {
    const orderId = twoLineOrder();
    const result = await createShopifyFulfilment(
      {
        orderId,
        trackingNumber: '1Z5R89390357567127',
        carrier: 'UPSN',
        trackingUrl: 'https://www.ups.com/track?tracknum=1Z5R89390357567127',
      },
      context({ notifyCustomer: true }),
    );
    assert.equal(result.created, true);
    assert.equal(result.fulfillmentIds.length, 1);
    const order = shopify.order(orderId)!;
    assert.deepEqual(order.fulfillments[0]?.tracking, [
      {
        company: 'UPS',
        number: '1Z5R89390357567127',
        url: 'https://www.ups.com/track?tracknum=1Z5R89390357567127',
      },
    ]);
    assert.equal(order.fulfillments[0]?.notifyCustomer, true);
    assert.equal(order.fulfillmentOrders[0]?.status, 'CLOSED');
  });

  it('fulfils only the lines a split parcel holds, and the rest with the second parcel', async () => {
    const orderId = twoLineOrder();
    const first = await createShopifyFulfilment(
      {
        orderId,
        trackingNumber: '1Z5R89390357567127',
        carrier: 'ups',
        lines: [{ sku: 'MUG-01', quantity: 2 }],
      },
      context(),
    );
    assert.deepEqual(first.unfulfilled, []);
    const order = shopify.order(orderId)!;
    assert.equal(order.fulfillmentOrders[0]?.status, 'IN_PROGRESS');
    assert.deepEqual(
      order.fulfillmentOrders[0]?.lines.map((l) => [l.sku, l.remaining]),
      [
        ['MUG-01', 0],
        ['TEE-01', 1],
      ],
    );
    assert.equal(order.fulfillments[0]?.notifyCustomer, false);
    await createShopifyFulfilment(
      { orderId, trackingNumber: '9400111202555842332669', carrier: 'usps' },
      context(),
    );
    assert.equal(order.fulfillmentOrders[0]?.status, 'CLOSED');
    assert.equal(order.fulfillments.length, 2);
  });

  it('does not fulfil twice when the same parcel is sent again after a crash', async () => {
    const orderId = twoLineOrder();
    const parcel = {
      orderId,
      trackingNumber: '1Z5R89390357567127',
      carrier: 'ups',
      lines: [{ sku: 'MUG-01', quantity: 1 }],
    };
    const first = await createShopifyFulfilment(parcel, context());
    const again = await createShopifyFulfilment(parcel, context());
    assert.equal(again.created, false);
    assert.deepEqual(again.fulfillmentIds, first.fulfillmentIds);
    assert.equal(shopify.order(orderId)!.fulfillments.length, 1);
  });

  it('creates one fulfilment per location, as fulfillmentCreate requires', async () => {
    const orderId = shopify.addOrder({
      name: '#1002',
      locations: [
        { name: 'Acme Supply', lines: [{ sku: 'MUG-01', quantity: 1 }] },
        { name: 'Brightware', lines: [{ sku: 'LAMP-02', quantity: 1 }] },
      ],
    });
    const result = await createShopifyFulfilment(
      { orderId, trackingNumber: '3318810025', carrier: 'dhl' },
      context(),
    );
    assert.equal(result.fulfillmentIds.length, 2);
    assert.equal(shopify.order(orderId)!.fulfillments[0]?.tracking[0]?.company, 'DHL Express');
  });

  it('reports SKUs with nothing left, and refuses a parcel that covers nothing open', async () => {
    const orderId = twoLineOrder();
    const result = await createShopifyFulfilment(
      {
        orderId,
        trackingNumber: '1Z5R89390357567127',
        carrier: 'ups',
        lines: [{ sku: 'MUG-01', quantity: 3 }],
      },
      context(),
    );
    assert.deepEqual(result.unfulfilled, [{ sku: 'MUG-01', quantity: 1 }]);
    await assert.rejects(
      createShopifyFulfilment(
        { orderId, trackingNumber: '1Z879E930346834440', lines: [{ sku: 'MUG-01', quantity: 1 }] },
        context(),
      ),
      (err: unknown) =>
        err instanceof ChannelDeliveryError &&
        !err.retryable &&
        /nothing left to fulfil for MUG-01/.test(err.message),
    );
  });

  it('sits out a short throttle and retries', async () => {
    const orderId = twoLineOrder();
    shopify.throttleNext(2);
    const result = await createShopifyFulfilment(
      { orderId, trackingNumber: '1Z5R89390357567127', carrier: 'ups' },
      context(),
    );
    assert.equal(result.created, true);
    assert.equal(shopify.requests.length, 4);
  });

  it('hands a long throttle back to the outbox as retryable with the wait', async () => {
    const orderId = twoLineOrder();
    shopify.throttleNext(1);
    await assert.rejects(
      createShopifyFulfilment(
        { orderId, trackingNumber: '1Z5R89390357567127' },
        context({ maxThrottleWaitMs: 50 }),
      ),
      (err: unknown) => err instanceof ChannelDeliveryError && err.retryable && err.retryAfterMs === 120,
    );
  });

  it('changes the tracking of a fulfilment with fulfillmentTrackingInfoUpdate', async () => {
    const orderId = twoLineOrder();
    const { fulfillmentIds } = await createShopifyFulfilment(
      { orderId, trackingNumber: '1Z5R89390357567127', carrier: 'ups' },
      context(),
    );
    await updateShopifyTracking(
      fulfillmentIds[0]!,
      { trackingNumber: '041441760228964', carrier: 'FDEG' },
      context(),
    );
    assert.deepEqual(shopify.order(orderId)!.fulfillments[0]?.tracking, [
      { company: 'FedEx', number: '041441760228964' },
    ]);
  });

  it('turns userErrors into a final error naming the field', async () => {
    await assert.rejects(
      updateShopifyTracking('gid://shopify/Fulfillment/1', { trackingNumber: '041441760228964' }, context()),
      (err: unknown) =>
        err instanceof ChannelDeliveryError && !err.retryable && err.details[0]?.path === '/fulfillmentId',
    );
  });

  it('reports a refused access token as a configuration problem and an unknown order as final', async () => {
    const orderId = twoLineOrder();
    await assert.rejects(
      createShopifyFulfilment({ orderId, trackingNumber: '1Z5R89390357567127' }, context({}, 'shpat_wrong')),
      (err: unknown) => err instanceof DropshipError && err.code === 'configuration',
    );
    await assert.rejects(
      createShopifyFulfilment({ orderId: '999', trackingNumber: '1Z5R89390357567127' }, context()),
      (err: unknown) => err instanceof ChannelDeliveryError && !err.retryable,
    );
  });
});
