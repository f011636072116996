import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { TrackingStatus } from '../../core/model/shipment';
import type { OrderStore } from '../../core/store/order-store';
import carrierNode from '../../nodes/carrier/carrier';
import storeNode from '../../nodes/store/store';
import trackingInNode from '../../nodes/tracking-in/tracking-in';
import {
  startFakeDhl,
  startFakeFedex,
  startFakeUps,
  startFakeUsps,
  type FakeCarrier,
} from '../fakes/carriers';
import { acceptedOrder, collect, storeOfFlow, until } from './tracking-in-setup';

helper.init(require.resolve('node-red'));

const HOUR = 3_600_000;
/** A scan time as carriers record it (no milliseconds), `hoursAgo` before now. */
const ago = (hoursAgo: number): string =>
  new Date(Date.now() - hoursAgo * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Carriers {
  ups: FakeCarrier;
  fedex: FakeCarrier;
  usps: FakeCarrier;
  dhl: FakeCarrier;
}

const NUMBERS = {
  ups: '1Z5R89390357567127',
  fedex: '041441760228964',
  usps: '9400111202555842332669',
  dhl: '3318810025',
} as const;

describe('dropship-tracking-in: carrier polling and labels without scan', function () {
  this.timeout(30_000);
  let dir: string;
  let fakes: Carriers;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-tracking-carriers-'));
    fakes = {
      ups: await startFakeUps(),
      fedex: await startFakeFedex(),
      usps: await startFakeUsps(),
      dhl: await startFakeDhl(),
    };
  });
  afterEach(async () => {
    await helper.unload();
    for (const fake of Object.values(fakes)) await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(tracking: Record<string, unknown> = {}) {
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      ...(Object.keys(fakes) as (keyof Carriers)[]).map((code) => ({
        id: `carrier-${code}`,
        type: 'dropship-carrier',
        carrier: code,
        settings: { baseUrl: fakes[code].url, timeoutMs: 5000 },
      })),
      {
        id: 'tracking',
        type: 'dropship-tracking-in',
        store: 'store',
        listen: false,
        source: 'carriers',
        pollSeconds: 0.2,
        wires: [['events'], ['errors'], ['labels']],
        ...tracking,
      },
      { id: 'events', type: 'helper' },
      { id: 'errors', type: 'helper' },
      { id: 'labels', type: 'helper' },
    ];
    const credentials = {
      'carrier-ups': { clientId: fakes.ups.clientId, clientSecret: fakes.ups.clientSecret },
      'carrier-fedex': { clientId: fakes.fedex.clientId, clientSecret: fakes.fedex.clientSecret },
      'carrier-usps': { clientId: fakes.usps.clientId, clientSecret: fakes.usps.clientSecret },
      'carrier-dhl': { apiKey: fakes.dhl.clientSecret },
    };
    await helper.load([storeNode, carrierNode, trackingInNode], flow, credentials);
    return {
      store: await storeOfFlow(),
      events: collect('events'),
      errors: collect('errors'),
      labels: collect('labels'),
    };
  }

  /** An order with one parcel the supplier reported as a label `hoursAgo`; nothing polls it yet. */
  async function labelledOrder(store: OrderStore, trackingNumber: string, carrier: string, hoursAgo: number) {
    const { order, pos } = await acceptedOrder(store, { orderNumber: `#${trackingNumber.slice(-4)}` });
    await store.recordShipmentEvent(
      {
        orderId: order.id,
        poNumber: pos[0]!.number,
        carrier,
        trackingNumber,
        status: 'info_received',
        occurredAt: ago(hoursAgo).replace('Z', '.000Z'),
        source: 'webhook',
      },
      'test',
    );
    return order.id;
  }

  const statusOf = async (store: OrderStore, orderId: string): Promise<TrackingStatus> =>
    (await store.listShipments(orderId))[0]!.status;

  it('asks each carrier about its open parcels, records the news and stops polling a delivered parcel', async () => {
    fakes.ups.setParcel({
      trackingNumber: NUMBERS.ups,
      scans: [
        { at: ago(5), code: 'M', description: 'Shipper created a label' },
        { at: ago(4), code: 'P', description: 'Pickup Scan', city: 'Portland', state: 'OR', country: 'US' },
        {
          at: ago(2),
          code: 'I',
          description: 'Departed from Facility',
          city: 'Reno',
          state: 'NV',
          country: 'US',
        },
      ],
      estimatedDelivery: new Date(Date.now() + 48 * HOUR).toISOString().slice(0, 10),
    });
    fakes.fedex.setParcel({
      trackingNumber: NUMBERS.fedex,
      scans: [
        { at: ago(30), code: 'PU', description: 'Picked up' },
        { at: ago(3), code: 'OD', description: 'On FedEx vehicle for delivery' },
        { at: ago(1), code: 'DL', description: 'Delivered' },
      ],
    });
    fakes.usps.setParcel({
      trackingNumber: NUMBERS.usps,
      scans: [{ at: ago(6), code: 'MA', description: 'Shipping Label Created, USPS Awaiting Item' }],
    });
    fakes.dhl.setParcel({
      trackingNumber: NUMBERS.dhl,
      scans: [
        {
          at: ago(2),
          code: 'transit',
          description: 'Processed at LEIPZIG - GERMANY',
          city: 'Leipzig',
          country: 'DE',
        },
      ],
    });
    const { store: created } = await load({ source: 'none' });
    const orders = {
      ups: await labelledOrder(created, NUMBERS.ups, 'ups', 6),
      fedex: await labelledOrder(created, NUMBERS.fedex, 'fedex', 40),
      usps: await labelledOrder(created, NUMBERS.usps, 'usps', 6),
      dhl: await labelledOrder(created, NUMBERS.dhl, 'dhl', 3),
    };
    await helper.unload();

    const { store, events, errors } = await load();
    await until(
      () =>
        events.length >= 7 && Object.values(fakes).every((fake) => fake.trackingCalls().length > 0)
          ? true
          : undefined,
      'the carriers to be asked',
    );
    await new Promise((r) => setTimeout(r, 300)); // the round ends with each parcel's next poll recorded
    assert.deepEqual(errors, []);
    assert.equal(await statusOf(store, orders.ups), 'in_transit');
    assert.equal(await statusOf(store, orders.fedex), 'delivered');
    assert.equal(await statusOf(store, orders.usps), 'info_received');
    assert.equal(await statusOf(store, orders.dhl), 'in_transit');
    assert.equal((await store.getOrder(orders.fedex))!.state, 'delivered');
    const upsParcel = (await store.listShipments(orders.ups))[0]!;
    assert.ok(upsParcel.estimatedDelivery, 'the carrier estimate is kept');
    assert.deepEqual(
      upsParcel.events.map((e) => [e.status, e.source]),
      [
        ['info_received', 'webhook'],
        ['info_received', 'carrier:ups'],
        ['in_transit', 'carrier:ups'],
        ['in_transit', 'carrier:ups'],
      ],
    );
    assert.ok(
      events
        .filter((e) => e.shipmentEvent!.source === 'carrier:fedex')
        .some((e) => e.shipmentEvent!.status === 'delivered'),
    );

    // Asked once each; the next polls are scheduled later (moving parcels sooner), the delivered one never.
    const calls = (Object.keys(fakes) as (keyof Carriers)[]).map((c) => fakes[c].trackingCalls().length);
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(
      (Object.keys(fakes) as (keyof Carriers)[]).map((c) => fakes[c].trackingCalls().length),
      calls,
      'nothing is asked again before it is due',
    );
    const lease = (hours: number) => ({
      owner: 'test',
      now: new Date(Date.now() + hours * HOUR),
      durationMs: 1,
    });
    assert.deepEqual(await store.claimParcelPolls(['ups', 'fedex', 'usps', 'dhl'], lease(0.1), 10), []);
    const dueWithinTheHour = await store.claimParcelPolls(['ups', 'fedex', 'usps', 'dhl'], lease(0.6), 10);
    assert.deepEqual(
      dueWithinTheHour.map((p) => p.carrier).sort(),
      ['dhl', 'ups'],
      'parcels that moved lately',
    );
    const dueLater = await store.claimParcelPolls(['ups', 'fedex', 'usps', 'dhl'], lease(3), 10);
    assert.deepEqual(
      dueLater.map((p) => p.carrier).sort(),
      ['dhl', 'ups', 'usps'],
      'the still label is due later; the delivered parcel never',
    );
  });

  it('reports a carrier outage and waits at least its Retry-After before asking again', async () => {
    fakes.ups.setParcel({
      trackingNumber: NUMBERS.ups,
      scans: [{ at: ago(1), code: 'P', description: 'Pickup Scan' }],
    });
    fakes.ups.failNext(1, 503, { 'Retry-After': '7200' });
    const { store: created } = await load({ source: 'none' });
    const orderId = await labelledOrder(created, NUMBERS.ups, 'ups', 1);
    await helper.unload();

    const { store, events, errors } = await load();
    // A carrier that does not answer is a service failure, not the parcels': to Catch nodes, with the parcels.
    const tracking = helper.getNode('tracking') as unknown as {
      error: { getCalls(): { args: [string, { topic?: string; payload?: unknown }?]; thisValue: unknown }[] };
    };
    const [outage] = await until(() => {
      const calls = tracking.error.getCalls().filter((call) => call.thisValue === tracking && call.args[1]);
      return calls.length > 0 ? calls.map((call) => call.args) : undefined;
    }, 'the outage');
    assert.match(outage![0], /carrier ups did not answer/);
    assert.deepEqual(outage![1]!.payload, { carrier: 'ups', trackingNumbers: [NUMBERS.ups] });
    assert.equal(outage![1]!.topic, 'carrier:ups');
    assert.deepEqual(errors, []);
    assert.equal(events.length, 0);
    assert.equal(await statusOf(store, orderId), 'info_received');
    const at = (hours: number) => ({
      owner: 'test',
      now: new Date(Date.now() + hours * HOUR),
      durationMs: 1,
    });
    assert.deepEqual(await store.claimParcelPolls(['ups'], at(1.9), 10), [], 'not before the carrier said');
    assert.equal((await store.claimParcelPolls(['ups'], at(2.1), 10)).length, 1);
  });

  it('flags a label the carrier never scanned once, on the third output and on the order', async () => {
    const { store: created } = await load({ source: 'none' });
    const stale = await labelledOrder(created, NUMBERS.ups, 'ups', 30);
    await labelledOrder(created, NUMBERS.usps, 'usps', 2);
    await helper.unload();

    const { store, labels, events } = await load({ source: 'none', labelHours: 24 });
    await until(() => (labels.length > 0 ? labels : undefined), 'the stale label');
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(labels.length, 1, 'flagged once, however often the check runs');
    assert.equal(labels[0]!.orderId, stale);
    assert.equal(labels[0]!.labelWithoutScan!.trackingNumber, NUMBERS.ups);
    assert.ok(labels[0]!.labelWithoutScan!.hoursWithoutScan >= 29.9);
    assert.equal(events.length, 0);
    const flaggedEvents = (await store.listEvents(stale)).filter(
      (e) => e.type === 'shipment.label_without_scan',
    );
    assert.equal(flaggedEvents.length, 1);
    assert.match(flaggedEvents[0]!.reason!, /never scanned by the carrier/);

    await helper.unload();
    const again = await load({ source: 'none', labelHours: 24 });
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(again.labels.length, 0, 'a restart does not flag it again');
  });
});
