import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Acknowledgement } from '../../core/ports/supplier-connector';
import type { ShipmentEvent } from '../../core/model/shipment';
import { openStore } from '../../core/store/open-store';
import type { OrderStore } from '../../core/store/order-store';
import { restJsonConnector, type RestJsonSettings } from '../../connectors/suppliers/rest-json/rest-json';
import { statusPollSchedule } from '../../nodes/adapter/supplier-registry';
import { HttpSupplier, jsonReply } from '../support/http-supplier';
import { dropSchemas, ensurePostgres, TEST_POSTGRES_URL, uniqueSchemaName } from '../support/postgres';
import { sentPurchaseOrder } from '../support/withdrawals';
import { connectorContext } from './support/context';

const INTERVAL_S = 60;
const MINUTE = 60_000;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * Status polling of a REST supplier (GET /orders/{id}) against a real HTTP supplier and a real store on each
 * engine, on a clock the test moves: what is picked up, the schedule and backoff, and that both survive a reopen.
 */
function describeStatusPolling(engine: 'sqlite' | 'postgres'): void {
  describe(`rest-json status polling (${engine})`, function () {
    this.timeout(30_000);
    let supplier: HttpSupplier;
    let dir: string;
    let schema: string;
    let store: OrderStore;
    let now: Date;

    const open = (): Promise<OrderStore> =>
      engine === 'sqlite'
        ? openStore({ engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') })
        : openStore({ engine: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolSize: 2 });

    before(async () => {
      if (engine === 'postgres') await ensurePostgres();
    });
    beforeEach(async () => {
      supplier = await new HttpSupplier().start();
      dir = mkdtempSync(path.join(tmpdir(), 'dropship-status-poll-'));
      schema = uniqueSchemaName();
      store = await open();
      now = new Date('2026-11-21T08:00:00.000Z');
    });
    afterEach(async () => {
      await store.close();
      await supplier.stop();
      rmSync(dir, { recursive: true, force: true });
      if (engine === 'postgres') await dropSchemas([schema]);
    });

    const settings = (): RestJsonSettings => ({
      url: supplier.url,
      timeoutMs: 1000,
      statusPolling: {
        url: `${supplier.url}/{{po.number}}`,
        intervalSeconds: INTERVAL_S,
        maxBackoffSeconds: 10 * 60,
        statusPath: 'order.state',
        statusMap: { OPEN: 'accepted', HELD: 'backordered', DISPATCHED: 'shipped' },
        referencePath: 'order.id',
        carrierPath: 'order.shipment.carrier',
        trackingNumberPath: 'order.shipment.tracking_number',
        shippedAtPath: 'order.shipment.shipped_at',
        linesPath: 'order.items',
        lineFields: { sku: 'part_number', quantity: 'qty', status: 'state' },
      },
    });
    const context = (s = settings()) =>
      connectorContext(s, {}, { clock: { now: () => now }, statusPolls: statusPollSchedule(store, 'acme') });
    const advance = (ms: number): void => {
      now = new Date(now.getTime() + ms);
    };
    const acknowledgements = (): Promise<Acknowledgement[]> =>
      collect(restJsonConnector.readAcknowledgements!(context()));
    const shipments = (): Promise<ShipmentEvent[]> => collect(restJsonConnector.readShipments!(context()));

    it('reads an acknowledgement by polling a sent PO, and asks again only once the interval has passed', async () => {
      const { po } = await sentPurchaseOrder(store, 'acme');
      const orderPath = `/orders/${po.number}`;
      supplier.statusReplies.set(orderPath, jsonReply(200, { order: { id: 'SO-77', state: 'open' } }));
      assert.deepEqual(await acknowledgements(), [
        {
          poNumber: po.number,
          outcome: 'accepted',
          supplierReference: 'SO-77',
          lines: undefined,
          reason: undefined,
          receivedAt: now.toISOString(),
        },
      ]);
      assert.equal(supplier.getsOf(orderPath).length, 1);
      assert.equal(
        supplier.getsOf(orderPath)[0]!.headers['idempotency-key'],
        undefined,
        'a GET changes nothing',
      );
      advance(INTERVAL_S * 1000 - 1);
      assert.deepEqual(await acknowledgements(), []);
      assert.equal(supplier.getsOf(orderPath).length, 1, 'not due yet');
      advance(1);
      assert.equal((await acknowledgements()).length, 1, 'asked again at the interval');
      assert.equal(supplier.getsOf(orderPath).length, 2);
    });

    it('reads a shipment with its carrier, tracking number, time and lines; the same answer again is no news', async () => {
      const { po } = await sentPurchaseOrder(store, 'acme');
      const orderPath = `/orders/${po.number}`;
      supplier.statusReplies.set(
        orderPath,
        jsonReply(200, {
          order: {
            id: 'SO-77',
            state: 'DISPATCHED',
            shipment: {
              carrier: 'UPS',
              tracking_number: '1Z999AA10123456784',
              shipped_at: '2026-11-21T07:30:00Z',
            },
            items: [
              { part_number: 'MUG-01', qty: 2, state: 'DISPATCHED' },
              { part_number: 'TEE-01', qty: 1, state: 'HELD' },
            ],
          },
        }),
      );
      assert.deepEqual(await shipments(), [
        {
          poNumber: po.number,
          carrier: 'UPS',
          trackingNumber: '1Z999AA10123456784',
          trackingUrl: undefined,
          status: 'in_transit',
          rawStatus: 'DISPATCHED',
          occurredAt: '2026-11-21T07:30:00.000Z',
          lines: [{ sku: 'MUG-01', quantity: 2 }],
          source: 'supplier-api:acme',
        },
      ]);
      advance(INTERVAL_S * 1000);
      assert.deepEqual(await shipments(), [], 'the same parcel again is not reported twice');
      assert.equal(supplier.getsOf(orderPath).length, 2);
      // The acknowledgement reader sees the mixed lines as a partial answer.
      const [ack] = await acknowledgements();
      assert.equal(ack!.outcome, 'partial');
      assert.deepEqual(
        ack!.lines!.map((l) => [l.sku, l.status]),
        [
          ['MUG-01', 'accepted'],
          ['TEE-01', 'backordered'],
        ],
      );
    });

    it('backs off on errors, doubling up to the cap, and keeps the schedule across a reopen of the store', async () => {
      const { po } = await sentPurchaseOrder(store, 'acme');
      const orderPath = `/orders/${po.number}`;
      supplier.statusReplies.set(orderPath, jsonReply(503, { error: 'maintenance' }));
      const gets = (): number => supplier.getsOf(orderPath).length;
      const log = context().log;
      assert.deepEqual(await collect(restJsonConnector.readShipments!({ ...context(), log })), []);
      assert.equal(gets(), 1);
      assert.match(
        log.entries.map((e) => e.message).join('\n'),
        /status poll of .* failed \(supplier answered HTTP 503\); 1 in a row, next in 120 s/,
      );
      // The first failure waits twice the interval: at one interval nothing is asked.
      advance(INTERVAL_S * 1000);
      await shipments();
      assert.equal(gets(), 1, 'waits after a failure');
      advance(INTERVAL_S * 1000);
      await shipments();
      assert.equal(gets(), 2, 'asked again after twice the interval');
      // Node-RED restarts: the store is opened again; the second failure's wait (4 intervals) still holds.
      await store.close();
      store = await open();
      advance(3 * INTERVAL_S * 1000);
      await shipments();
      assert.equal(gets(), 2, 'the backoff survived the reopen');
      advance(INTERVAL_S * 1000);
      await shipments();
      assert.equal(gets(), 3, 'third failure');
      // The fourth wait would be 8 intervals (480 s) and is; the fifth would be 960 s and is capped at 600 s.
      advance(8 * INTERVAL_S * 1000);
      await shipments();
      assert.equal(gets(), 4, 'fourth failure');
      advance(600_000 - 1);
      await shipments();
      assert.equal(gets(), 4, 'waits the cap');
      advance(1);
      supplier.statusReplies.set(
        orderPath,
        jsonReply(200, {
          order: { state: 'DISPATCHED', shipment: { carrier: 'UPS', tracking_number: '1Z999AA10123456784' } },
        }),
      );
      const [event] = await shipments();
      assert.equal(gets(), 5, 'asked again at the cap');
      assert.equal(event!.occurredAt, now.toISOString(), 'no shipped time in the answer: the poll time');
      const [again] = await store.claimSupplierStatusPolls(
        'acme',
        'shipments',
        ['sent'],
        { owner: 't', now: new Date(now.getTime() + INTERVAL_S * 1000), durationMs: 1000 },
        1,
      );
      assert.equal(again!.failures, 0, 'an answer resets the failures');
    });

    it("honours the supplier's Retry-After, and ends the round when the supplier is down", async () => {
      const first = (await sentPurchaseOrder(store, 'acme')).po;
      // Created a moment later, so it is asked about after the first (the longest waiting go first).
      await new Promise((resolve) => setTimeout(resolve, 5));
      const second = (await sentPurchaseOrder(store, 'acme')).po;
      supplier.statusReplies.set(
        `/orders/${first.number}`,
        jsonReply(503, { error: 'maintenance' }, { 'Retry-After': '3600' }),
      );
      supplier.statusReplies.set(`/orders/${second.number}`, jsonReply(200, { order: { state: 'OPEN' } }));
      assert.deepEqual(await acknowledgements(), []);
      assert.equal(supplier.getsOf(`/orders/${second.number}`).length, 0, 'the round ended at the 503');
      advance(INTERVAL_S * 1000);
      assert.equal((await acknowledgements()).length, 1, 'the other PO is asked at its next turn');
      advance(10 * MINUTE);
      await acknowledgements();
      assert.equal(supplier.getsOf(`/orders/${first.number}`).length, 1, 'Retry-After (an hour) is obeyed');
    });

    it('waits for the supplier reference a URL names, and says what is missing for shipments', async () => {
      const { po } = await sentPurchaseOrder(store, 'acme');
      const base = settings();
      const byReference = {
        ...base,
        statusPolling: { ...base.statusPolling!, url: `${supplier.url}/{{po.supplierReference}}` },
      };
      assert.deepEqual(await collect(restJsonConnector.readAcknowledgements!(context(byReference))), []);
      assert.equal(supplier.requests.length, 0, 'no reference yet: nothing to ask');
      await store.transitionPurchaseOrder(
        po.number,
        ['sent'],
        'accepted',
        { supplierReference: 'SO 9/1' },
        { type: 'po.accepted', actor: 't' },
      );
      supplier.statusReplies.set('/orders/SO%209%2F1', jsonReply(200, { order: { state: 'OPEN' } }));
      advance(INTERVAL_S * 1000);
      await collect(restJsonConnector.readShipments!(context(byReference)));
      assert.equal(
        supplier.getsOf('/orders/SO%209%2F1').length,
        1,
        'the reference is filled in, URL-encoded',
      );
      await assert.rejects(
        collect(restJsonConnector.readShipments!(context({ url: supplier.url }))),
        /no status polling set up/,
      );
      assert.deepEqual(
        await collect(restJsonConnector.readAcknowledgements!(context({ url: supplier.url }))),
        [],
      );
    });
  });
}

describeStatusPolling('sqlite');
describeStatusPolling('postgres');
