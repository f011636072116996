import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';
import request from 'supertest';
import storeNode from '../../nodes/store/store';
import supplierNode from '../../nodes/supplier/supplier';
import trackingInNode from '../../nodes/tracking-in/tracking-in';
import { acceptedOrder, collect, storeOfFlow, until } from './tracking-in-setup';

helper.init(require.resolve('node-red'));

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const fixture = (...parts: string[]) => readFileSync(path.join(FIXTURES, ...parts), 'utf8');
const CXML_SECRET = 'supplier-to-us-secret';
/** The supplier's bearer token for the webhook. */
const TRACKING_TOKEN = 'acme-tracking-token';

describe('dropship-tracking-in: supplier JSON mapped in the editor, EDI 856 and cXML ship notices', function () {
  this.timeout(20_000);
  let dir: string;
  let RED: NodeAPI;
  const captureRed = (red: NodeAPI): void => {
    RED = red;
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-tracking-docs-'));
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(tracking: Record<string, unknown> = {}) {
    // Built before loading: a flow held in a variable is not checked against the helper's NodeDef literal type.
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      {
        id: 'supplier-acme',
        type: 'dropship-supplier',
        supplierId: 'acme',
        connector: 'rest-json',
        settings: { url: 'http://127.0.0.1:9/po' },
      },
      {
        id: 'tracking',
        type: 'dropship-tracking-in',
        store: 'store',
        supplier: 'supplier-acme',
        listen: true,
        path: '/dropship/tracking',
        wires: [['events'], ['errors'], ['labels']],
        senderAuth: 'token',
        ...tracking,
      },
      { id: 'events', type: 'helper' },
      { id: 'errors', type: 'helper' },
      { id: 'labels', type: 'helper' },
    ];
    await helper.load([captureRed, storeNode, supplierNode, trackingInNode], flow, {
      'supplier-acme': { inboundSharedSecret: CXML_SECRET },
      tracking: { senderSecret: TRACKING_TOKEN },
    });
    return { store: await storeOfFlow(), events: collect('events'), errors: collect('errors') };
  }

  it('reads a supplier webhook through the JSON paths set in the editor', async () => {
    const { store, events } = await load({
      mapping: {
        reports: '$.data.shipments',
        fields: {
          poNumber: 'po',
          trackingNumber: 'tracking["number"]',
          carrier: '$.tracking.carrier.scac',
          status: 'state',
          occurredAt: 'events[0].at',
        },
      },
    });
    const { order, pos } = await acceptedOrder(store, { orderNumber: '#5001' });
    const body = {
      data: {
        shipments: [
          {
            po: pos[0]!.number,
            tracking: { number: '1Z999AA10123456784', carrier: { scac: 'UPSN' } },
            state: 'In Transit',
            events: [{ at: '2026-11-24T09:00:00Z' }],
          },
        ],
      },
    };
    const answer = await request(RED.httpNode)
      .post('/dropship/tracking')
      .set('authorization', `Bearer ${TRACKING_TOKEN}`)
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal((answer.body as { recorded: number }).recorded, 1);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.orderId, order.id);
    assert.deepEqual(
      [events[0]!.shipmentEvent!.status, events[0]!.shipmentEvent!.carrier, events[0]!.shipmentEvent!.source],
      ['in_transit', 'ups', 'webhook'],
    );
    const [shipment] = await store.listShipments(order.id);
    assert.equal(shipment!.events[0]!.occurredAt, '2026-11-24T09:00:00.000Z');
    assert.equal(shipment!.rawStatus, 'In Transit');
    assert.equal((await store.getOrder(order.id))!.state, 'shipped');
  });

  it('answers 422 naming the path when the body has no reports where the mapping says', async () => {
    const { errors } = await load({ mapping: { reports: 'data.shipments' } });
    const answer = await request(RED.httpNode)
      .post('/dropship/tracking')
      .set('authorization', `Bearer ${TRACKING_TOKEN}`)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ shipments: [] }));
    assert.equal(answer.status, 422);
    assert.equal(errors[0]!.error!.details[0]!.path, '/data/shipments');
  });

  it('refuses a tracking number whose check digit is wrong with 422 naming it, whatever carrier is declared', async () => {
    const { store, events, errors } = await load();
    const { order, pos } = await acceptedOrder(store);
    // 1Z999AA10123456784 is a valid UPS number; the last digit changed breaks its mod-10 check digit.
    for (const carrier of ['UPS', undefined]) {
      const answer = await request(RED.httpNode)
        .post('/dropship/tracking')
        .set('authorization', `Bearer ${TRACKING_TOKEN}`)
        .set('content-type', 'application/json')
        .send(
          JSON.stringify({
            poNumber: pos[0]!.number,
            trackingNumber: '1Z999AA10123456785',
            status: 'In Transit',
            ...(carrier ? { carrier } : {}),
          }),
        );
      assert.equal(answer.status, 422, JSON.stringify(answer.body));
      const [problem] = (answer.body as { errors: { details: { path: string; message: string }[] }[] })
        .errors[0]!.details;
      assert.equal(problem!.path, '/trackingNumber');
      assert.match(problem!.message, /1Z999AA10123456785.*UPS check digit/);
    }
    assert.equal(events.length, 0);
    assert.equal(errors.length, 2);
    assert.deepEqual(await store.listShipments(order.id), []);
  });

  it('keeps a number with a wrong check digit as unverified, without carrier or link, when set to', async () => {
    const { store, events } = await load({ invalidTracking: 'unverified' });
    const { order, pos } = await acceptedOrder(store);
    const answer = await request(RED.httpNode)
      .post('/dropship/tracking')
      .set('authorization', `Bearer ${TRACKING_TOKEN}`)
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({
          poNumber: pos[0]!.number,
          trackingNumber: '1Z999AA10123456785',
          carrier: 'UPS',
          status: 'In Transit',
        }),
      );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual((answer.body as { unverified: unknown }).unverified, [
      { trackingNumber: '1Z999AA10123456785', reason: '"1Z999AA10123456785" fails the UPS check digit' },
    ]);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.shipmentEvent!.carrier, undefined);
    const [shipment] = await store.listShipments(order.id);
    assert.equal(shipment!.carrier, undefined);
    assert.equal(shipment!.trackingUrl, undefined);
  });

  it('records every parcel of an X12 856 given as text, from both purchase orders of a split order', async () => {
    const { store, events, errors } = await load();
    const { order, pos } = await acceptedOrder(
      store,
      { orderNumber: '#5002' },
      { acme: ['MUG-01'], zeta: ['TEE-01'] },
    );
    const notice = fixture('x12', '856-pipe-newline.x12')
      .replace('POA1B2C3D4E5-1', pos[0]!.number)
      .replace('POZZ9XKQ4M7T-1', pos[1]!.number);
    helper.getNode('tracking').receive({ payload: Buffer.from(notice) });
    await until(() => (events.length === 3 ? events : undefined), 'three parcels');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      events.map((e) => [
        e.poNumber,
        e.shipmentEvent!.trackingNumber,
        e.shipmentEvent!.carrier,
        e.shipmentEvent!.status,
      ]),
      [
        [pos[0]!.number, '1Z999AA10123456784', 'ups', 'in_transit'],
        [pos[0]!.number, '1Z999AA10123456793', 'ups', 'in_transit'],
        [pos[1]!.number, '794644790131', 'fedex', 'info_received'],
      ],
    );
    assert.ok(events.every((e) => e.shipmentEvent!.source === 'x12-856:acme'));
    assert.equal((await store.getOrder(order.id))!.state, 'shipped');
    // The same notice again (a resend) changes nothing and announces nothing.
    helper.getNode('tracking').receive({ payload: notice });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(events.length, 3);
  });

  it('refuses an X12 file that holds no ship notice, naming the transaction set', async () => {
    const { errors } = await load();
    helper.getNode('tracking').receive({ payload: fixture('x12', '855-star-tilde-crlf.edi') });
    const [refused] = await until(() => (errors.length > 0 ? errors : undefined), 'an exception');
    assert.equal(refused!.error!.code, 'invalid_input');
    assert.match(refused!.error!.details[0]!.message, /transaction set 855 is not a ship notice/);
  });

  it("records a cXML ShipNoticeRequest checked against the supplier's shared secret", async () => {
    const { store, events, errors } = await load();
    const { order, pos } = await acceptedOrder(store, { orderNumber: '#5003' });
    const notice = fixture('cxml', 'shipnotice-actual.xml').replace('POA1B2C3D4E5-1', pos[0]!.number);
    helper.getNode('tracking').receive({ payload: notice });
    await until(() => (events.length === 1 ? events : undefined), 'the cXML parcel');
    assert.equal(events[0]!.orderId, order.id);
    assert.deepEqual(
      [events[0]!.shipmentEvent!.status, events[0]!.shipmentEvent!.source],
      ['in_transit', 'cxml-shipnotice:acme'],
    );
    const [shipment] = await store.listShipments(order.id);
    assert.equal(shipment!.estimatedDelivery?.slice(0, 10), '2026-11-25');

    helper.getNode('tracking').receive({ payload: notice.replace(CXML_SECRET, 'guessed-secret') });
    const [refused] = await until(() => (errors.length > 0 ? errors : undefined), 'the forged notice');
    assert.equal(refused!.error!.code, 'bad_signature');
    assert.equal(events.length, 1);
  });

  it('says what it expected when a message is neither JSON nor a ship notice', async () => {
    const { errors } = await load();
    helper.getNode('tracking').receive({ payload: 'Shipped today, tracking to follow' });
    const [refused] = await until(() => (errors.length > 0 ? errors : undefined), 'an exception');
    assert.equal(refused!.error!.code, 'invalid_input');
    assert.equal(refused!.error!.details[0]!.path, 'msg.payload');
  });
});
