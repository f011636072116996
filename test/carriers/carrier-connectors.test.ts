import assert from 'node:assert/strict';
import { fixedClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import type { TrackingStatus } from '../../core/model/shipment';
import type { CarrierConnector, CarrierContext } from '../../core/ports/carrier-connector';
import { CarrierUnavailableError } from '../../core/ports/carrier-connector';
import { carrierConnector } from '../../connectors/carriers/registry';
import {
  startFakeDhl,
  startFakeFedex,
  startFakeUps,
  startFakeUsps,
  type FakeCarrier,
  type FakeScan,
} from '../fakes/carriers';

const quietLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };

interface CarrierCase {
  kind: string;
  start: () => Promise<FakeCarrier>;
  credentials: (fake: FakeCarrier) => Record<string, string>;
  oauth: boolean;
  trackingNumber: string;
  /** The same journey in each carrier's own codes and words. */
  scans: [code: string, description: string][];
}

const JOURNEY: TrackingStatus[] = [
  'info_received',
  'in_transit',
  'in_transit',
  'failed_attempt',
  'out_for_delivery',
  'delivered',
];

const CASES: CarrierCase[] = [
  {
    kind: 'ups',
    start: startFakeUps,
    credentials: (f) => ({ clientId: f.clientId, clientSecret: f.clientSecret }),
    oauth: true,
    trackingNumber: '1Z5R89390357567127',
    scans: [
      ['M', 'Shipper created a label, UPS has not received the package yet.'],
      ['P', 'Pickup Scan'],
      ['I', 'Departed from Facility'],
      [
        'X',
        "The receiver was not available for delivery. We'll make a second attempt the next business day.",
      ],
      ['I', 'Out For Delivery Today'],
      ['D', 'DELIVERED'],
    ],
  },
  {
    kind: 'fedex',
    start: startFakeFedex,
    credentials: (f) => ({ clientId: f.clientId, clientSecret: f.clientSecret }),
    oauth: true,
    trackingNumber: '041441760228964',
    scans: [
      ['OC', 'Shipment information sent to FedEx'],
      ['PU', 'Picked up'],
      ['DP', 'Departed FedEx location'],
      ['DE', 'Delivery exception - Customer not available or business closed'],
      ['OD', 'On FedEx vehicle for delivery'],
      ['DL', 'Delivered'],
    ],
  },
  {
    kind: 'usps',
    start: startFakeUsps,
    credentials: (f) => ({ clientId: f.clientId, clientSecret: f.clientSecret }),
    oauth: true,
    trackingNumber: '9400111202555842332669',
    scans: [
      ['MA', 'Shipping Label Created, USPS Awaiting Item'],
      ['03', 'USPS picked up item'],
      ['10', 'Departed USPS Regional Facility'],
      ['02', 'Notice Left (No Authorized Recipient Available)'],
      ['OF', 'Out for Delivery'],
      ['01', 'Delivered, In/At Mailbox'],
    ],
  },
  {
    kind: 'dhl',
    start: startFakeDhl,
    credentials: (f) => ({ apiKey: f.clientSecret }),
    oauth: false,
    trackingNumber: '3318810025',
    scans: [
      ['pre-transit', 'The shipment has been electronically announced'],
      ['transit', 'Processed at LEIPZIG - GERMANY'],
      ['transit', 'Arrived at DHL Delivery Facility'],
      ['failure', 'Delivery attempted; recipient not home'],
      ['transit', 'With delivery courier'],
      ['delivered', 'Delivered'],
    ],
  },
];

// Scan times in carriers' local time with offsets; the connectors must turn them into the same UTC instants.
const SCAN_TIMES = [
  '2026-11-20T16:05:00-05:00',
  '2026-11-20T19:30:00-05:00',
  '2026-11-21T02:10:00-06:00',
  '2026-11-23T10:45:00-08:00',
  '2026-11-24T07:20:00-08:00',
  '2026-11-24T13:02:00-08:00',
];

for (const testCase of CASES) {
  describe(`${testCase.kind} tracking connector against a fake in the carrier's published format`, () => {
    let fake: FakeCarrier;
    let connector: CarrierConnector;
    const clock = fixedClock('2026-11-24T22:00:00Z');
    const context = (credentials = testCase.credentials(fake)): CarrierContext => ({
      settings: { baseUrl: fake.url, timeoutMs: 5000 },
      credentials,
      log: quietLog,
      clock,
    });

    beforeEach(async () => {
      fake = await testCase.start();
      connector = carrierConnector(testCase.kind);
      const scans: FakeScan[] = testCase.scans.map(([code, description], i) => ({
        at: SCAN_TIMES[i]!,
        code,
        description,
        city: 'Portland',
        state: 'OR',
        country: 'US',
      }));
      fake.setParcel({ trackingNumber: testCase.trackingNumber, scans, estimatedDelivery: '2026-11-24' });
    });
    afterEach(() => fake.close());

    it('reports the journey oldest first, in the one vocabulary, with the carrier words kept', async () => {
      const [result] = await connector.track([testCase.trackingNumber], context());
      assert.ok(result?.found);
      assert.deepEqual(
        result.events.map((e) => e.status),
        JOURNEY,
      );
      assert.deepEqual(
        result.events.map((e) => e.occurredAt),
        SCAN_TIMES.map((t) => new Date(t).toISOString()),
      );
      assert.deepEqual(result.unrecognisedStatuses, []);
      const first = result.events[0]!;
      assert.ok(first.rawStatus?.includes(testCase.scans[0]![1]), `rawStatus ${first.rawStatus}`);
      assert.ok(first.rawStatus?.startsWith(testCase.scans[0]![0]));
      assert.equal(first.carrier, testCase.kind);
      assert.equal(first.source, `carrier:${testCase.kind}`);
      assert.match(first.location ?? '', /Portland/);
      assert.match(first.trackingUrl ?? '', new RegExp(testCase.trackingNumber));
      if (testCase.kind !== 'usps') {
        // USPS Tracking 3.0 publishes no estimate field this connector relies on.
        assert.equal(result.estimatedDelivery?.slice(0, 10), '2026-11-24');
      }
    });

    it('says when the carrier does not know a number, with its message, and still answers for the others', async () => {
      const results = await connector.track(['1Z999AA10123456784', testCase.trackingNumber], context());
      assert.equal(results.length, 2);
      assert.equal(results[0]?.found, false);
      assert.ok((results[0]?.message ?? '').length > 0);
      assert.equal(results[1]?.found, true);
    });

    it('turns a 429 with Retry-After into a retryable error carrying the wait', async () => {
      fake.failNext(1, 429, { 'Retry-After': '30' });
      await assert.rejects(connector.track([testCase.trackingNumber], context()), (err: unknown) => {
        assert.ok(err instanceof CarrierUnavailableError);
        assert.equal(err.retryAfterMs, 30_000);
        return true;
      });
    });

    it('treats a 503 as an outage, not as an answer', async () => {
      fake.failNext(1, 503);
      await assert.rejects(connector.track([testCase.trackingNumber], context()), CarrierUnavailableError);
    });

    it('names missing credentials as a configuration problem', async () => {
      await assert.rejects(connector.track([testCase.trackingNumber], context({})), (err: unknown) => {
        assert.ok(err instanceof DropshipError);
        assert.equal(err.code, 'configuration');
        assert.ok(err.details.length > 0);
        return true;
      });
    });

    it('reports refused credentials as a configuration problem', async () => {
      const wrong = Object.fromEntries(Object.keys(testCase.credentials(fake)).map((k) => [k, 'wrong']));
      await assert.rejects(connector.track([testCase.trackingNumber], context(wrong)), (err: unknown) => {
        assert.ok(err instanceof DropshipError);
        assert.equal(err.code, 'configuration');
        return true;
      });
    });

    if (testCase.oauth) {
      it('reuses one OAuth token across calls and fetches a new one when the carrier revokes it', async () => {
        await connector.track([testCase.trackingNumber], context());
        await connector.track([testCase.trackingNumber], context());
        assert.equal(fake.tokenCalls().length, 1);
        fake.revokeTokens();
        const [result] = await connector.track([testCase.trackingNumber], context());
        assert.equal(result?.found, true);
        assert.equal(fake.tokenCalls().length, 2);
      });

      it('fetches a new token once the cached one is about to expire', async () => {
        const local = fixedClock('2026-11-24T22:00:00Z');
        const ctx = { ...context(), clock: local };
        await connector.track([testCase.trackingNumber], ctx);
        local.advance(24 * 3600 * 1000);
        await connector.track([testCase.trackingNumber], ctx);
        assert.equal(fake.tokenCalls().length, 2);
      });
    }
  });
}

describe('fedex tracking connector batching', () => {
  it('asks for at most 30 numbers per request, as the Track API allows', async () => {
    const fake = await startFakeFedex();
    try {
      const numbers = Array.from({ length: 31 }, (_, i) => `7946${String(i).padStart(8, '0')}`);
      const results = await carrierConnector('fedex').track(numbers, {
        settings: { baseUrl: fake.url },
        credentials: { clientId: fake.clientId, clientSecret: fake.clientSecret },
        log: quietLog,
        clock: fixedClock('2026-11-24T22:00:00Z'),
      });
      assert.equal(results.length, 31);
      assert.ok(results.every((r) => !r.found));
      assert.deepEqual(
        fake
          .trackingCalls()
          .map((r) => (JSON.parse(r.body) as { trackingInfo: unknown[] }).trackingInfo.length),
        [30, 1],
      );
    } finally {
      await fake.close();
    }
  });
});
