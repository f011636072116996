import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { collect as collectInput } from '../support/collect-input';
import type { OrderStore } from '../../core/store/order-store';
import storeNode from '../../nodes/store/store';
import supplierNode from '../../nodes/supplier/supplier';
import dispatchNode from '../../nodes/dispatch/dispatch';
import trackingInNode from '../../nodes/tracking-in/tracking-in';
import { HttpSupplier, jsonReply } from '../support/http-supplier';
import { eventually } from '../support/node-red-process';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';
import { dropSchemas, ensurePostgres, TEST_POSTGRES_URL, uniqueSchemaName } from '../support/postgres';

helper.init(require.resolve('node-red'));

interface Received {
  poNumber?: string;
  shipmentEvent?: { trackingNumber: string; carrier?: string; status: string };
}

const collect = (id: string): Received[] => collectInput<Received>(id);

/**
 * A REST supplier that takes the PO without a word on its fate (202, status "pending_review") and tells it later
 * at GET /orders/{its id}: the dispatch node picks the acknowledgement up by polling, the tracking-in node (source:
 * the supplier's channel) the parcel; the API key is the supplier's credential, the schedule is in the store.
 */
function describePolledSupplier(engine: 'sqlite' | 'postgres'): void {
  describe(`a REST supplier followed by status polling, through dispatch and tracking-in (${engine})`, function () {
    this.timeout(60_000);
    let dir: string;
    let schema: string;
    let supplier: HttpSupplier;

    before(async () => {
      if (engine === 'postgres') await ensurePostgres();
    });
    beforeEach(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'dropship-rest-polling-'));
      schema = uniqueSchemaName();
      supplier = await new HttpSupplier().start();
      supplier.reply((request) =>
        jsonReply(202, {
          id: `SO-${String(request.headers['idempotency-key'])}`,
          status: 'pending_review',
        }),
      );
      await new Promise<void>((resolve) => helper.startServer(resolve));
    });
    afterEach(async () => {
      await helper.unload();
      await new Promise<void>((resolve) => helper.stopServer(resolve));
      await supplier.stop();
      rmSync(dir, { recursive: true, force: true });
      if (engine === 'postgres') await dropSchemas([schema]);
    });

    async function load(): Promise<OrderStore> {
      const store =
        engine === 'sqlite'
          ? { id: 'store', type: 'dropship-store', engine, filename: path.join(dir, 'orders.sqlite') }
          : { id: 'store', type: 'dropship-store', engine, connectionString: TEST_POSTGRES_URL, schema };
      const flow = [
        store,
        {
          id: 'supplier-acme',
          type: 'dropship-supplier',
          supplierId: 'acme',
          connector: 'rest-json',
          settings: {
            url: supplier.url,
            auth: 'api-key',
            statusPolling: {
              url: `${supplier.url}/{{po.supplierReference}}`,
              intervalSeconds: 1,
              statusMap: { confirmed: 'accepted', in_transit: 'shipped' },
            },
          },
        },
        {
          id: 'dispatch',
          type: 'dropship-dispatch',
          store: 'store',
          sweepSeconds: 0.2,
          wires: [['sent'], ['errors']],
        },
        {
          id: 'tracking',
          type: 'dropship-tracking-in',
          store: 'store',
          supplier: 'supplier-acme',
          listen: false,
          source: 'supplier',
          pollSeconds: 0.2,
          wires: [['events'], ['trackingErrors'], ['labels']],
        },
        { id: 'sent', type: 'helper' },
        { id: 'errors', type: 'helper' },
        { id: 'events', type: 'helper' },
        { id: 'trackingErrors', type: 'helper' },
        { id: 'labels', type: 'helper' },
      ];
      await helper.load([storeNode, supplierNode, dispatchNode, trackingInNode], flow, {
        'supplier-acme': { apiKey: 'acme-key-1' },
      });
      return (helper.getNode('store') as unknown as { store(): Promise<OrderStore> }).store();
    }

    it('picks up the acceptance and then the parcel by polling GET /orders/{id}', async () => {
      const store = await load();
      const events = collect('events');
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 'test' });
      const [routed] = (await store.assignPurchaseOrders(
        order.id,
        ['received'],
        [purchaseOrderDraftFor(order, 'acme')],
        { type: 'order.routed', actor: 'test' },
      ))!;
      const poNumber = routed!.number;
      const orderPath = `/orders/SO-${poNumber}`;
      await eventually(
        async () => ((await store.getPurchaseOrder(poNumber))?.state === 'sent' ? true : undefined),
        10_000,
        'the PO to be sent',
      );
      supplier.statusReplies.set(
        orderPath,
        jsonReply(200, { id: `SO-${poNumber}`, status: 'pending_review' }),
      );
      await eventually(
        async () => (supplier.getsOf(orderPath).length > 0 ? true : undefined),
        10_000,
        'a poll',
      );
      assert.equal((await store.getPurchaseOrder(poNumber))!.state, 'sent', 'pending_review is no news');
      assert.equal(
        supplier.getsOf(orderPath)[0]!.headers['x-api-key'],
        'acme-key-1',
        "the supplier's API key",
      );

      supplier.statusReplies.set(orderPath, jsonReply(200, { id: `SO-${poNumber}`, status: 'CONFIRMED' }));
      await eventually(
        async () => ((await store.getPurchaseOrder(poNumber))?.state === 'accepted' ? true : undefined),
        10_000,
        'the acceptance to be picked up',
      );
      assert.equal((await store.getOrder(order.id))!.state, 'acknowledged');

      supplier.statusReplies.set(
        orderPath,
        jsonReply(200, {
          id: `SO-${poNumber}`,
          status: 'in_transit',
          carrier: 'UPS',
          trackingNumber: '1Z999AA10123456784',
          shippedAt: '2026-11-21T07:30:00Z',
        }),
      );
      await eventually(
        async () => ((await store.getOrder(order.id))?.state === 'shipped' ? true : undefined),
        10_000,
        'the parcel to be picked up',
      );
      assert.equal((await store.getPurchaseOrder(poNumber))!.state, 'shipped');
      const [parcel] = await store.listShipments(order.id);
      assert.deepEqual(
        [parcel!.carrier, parcel!.trackingNumber, parcel!.status],
        ['ups', '1Z999AA10123456784', 'in_transit'],
      );
      await eventually(async () => (events.length > 0 ? true : undefined), 5_000, 'the shipment message');
      assert.equal(events.length, 1);
      assert.equal(events[0]!.poNumber, poNumber);
      // A shipped PO is the carrier's to follow: its status is not asked again.
      const gets = supplier.getsOf(orderPath).length;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(supplier.getsOf(orderPath).length, gets);
    });

    it('keeps its backoff across a redeploy: a supplier that fails is not asked again before its time', async () => {
      let store = await load();
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 'test' });
      const [routed] = (await store.assignPurchaseOrders(
        order.id,
        ['received'],
        [purchaseOrderDraftFor(order, 'acme')],
        { type: 'order.routed', actor: 'test' },
      ))!;
      const orderPath = `/orders/SO-${routed!.number}`;
      supplier.statusReplies.set(orderPath, jsonReply(500, { error: 'database unavailable' }));
      // Two failures in a row for each reader (acknowledgements, shipments): each waits 4 s after its second.
      await eventually(
        async () => (supplier.getsOf(orderPath).length >= 4 ? true : undefined),
        20_000,
        'two failed polls of each reader',
      );
      await helper.unload();
      const before = supplier.getsOf(orderPath).length;
      store = await load();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(
        supplier.getsOf(orderPath).length,
        before,
        'the redeployed flow waits out the stored backoff',
      );
      assert.equal((await store.getPurchaseOrder(routed!.number))!.state, 'sent');
    });
  });
}

describePolledSupplier('sqlite');
describePolledSupplier('postgres');
