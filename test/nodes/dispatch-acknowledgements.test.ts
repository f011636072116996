import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { Order } from '../../core/model/order';
import type { OrderStore } from '../../core/store/order-store';
import { generatePurchaseOrderAcknowledgement855 } from '../../connectors/edi/x12/generate-supplier-side';
import type { X12EnvelopeSettings } from '../../connectors/edi/x12/writer';
import storeNode from '../../nodes/store/store';
import supplierNode from '../../nodes/supplier/supplier';
import dispatchNode from '../../nodes/dispatch/dispatch';
import { HttpSupplier } from '../support/http-supplier';
import { eventually } from '../support/node-red-process';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';
import { acmeX12Settings } from '../support/x12-supplier';

helper.init(require.resolve('node-red'));

/** The supplier's side of the interchange: it writes to us. */
const SUPPLIER_ENVELOPE: X12EnvelopeSettings = {
  senderQualifier: 'ZZ',
  senderId: 'ACMESUPPLY',
  receiverQualifier: 'ZZ',
  receiverId: 'DROPSHIPCO',
  usage: 'T',
};

describe('dropship-dispatch with acknowledgements that come back later (X12 855 in a folder)', function () {
  this.timeout(30_000);
  let dir: string;
  let root: string;
  let fallback: HttpSupplier;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-acks-'));
    root = path.join(dir, 'edi');
    mkdirSync(root);
    fallback = await new HttpSupplier().start();
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    await fallback.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(): Promise<OrderStore> {
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      {
        id: 'supplier-acme',
        type: 'dropship-supplier',
        supplierId: 'acme',
        connector: 'x12-sftp',
        settings: acmeX12Settings({ type: 'local', root }),
      },
      {
        id: 'supplier-zeta',
        type: 'dropship-supplier',
        supplierId: 'zeta',
        connector: 'rest-json',
        settings: { url: fallback.url },
      },
      {
        id: 'dispatch',
        type: 'dropship-dispatch',
        store: 'store',
        sweepSeconds: 0.2,
        wires: [['sent'], ['errors']],
      },
      { id: 'sent', type: 'helper' },
      { id: 'errors', type: 'helper' },
    ];
    await helper.load([storeNode, supplierNode, dispatchNode], flow);
    return (helper.getNode('store') as unknown as { store(): Promise<OrderStore> }).store();
  }

  async function routedToAcme(store: OrderStore): Promise<{ order: Order; poNumber: string }> {
    const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 'test' });
    const [po] = (await store.assignPurchaseOrders(
      order.id,
      ['received'],
      [purchaseOrderDraftFor(order, 'acme', { alternatives: ['zeta'] })],
      { type: 'order.routed', actor: 'test' },
    ))!;
    return { order, poNumber: po!.number };
  }

  function supplierAnswers(
    poNumber: string,
    statuses: Record<string, 'accepted' | 'rejected'>,
    file: string,
  ): void {
    const inbound = path.join(root, 'from-acme');
    mkdirSync(inbound, { recursive: true });
    const text = generatePurchaseOrderAcknowledgement855(
      {
        poNumber,
        supplierOrderNumber: 'ACME-77',
        lines: Object.entries(statuses).map(([sku, status], i) => ({
          lineId: String(i + 1),
          sku,
          quantity: 1,
          status,
        })),
      },
      SUPPLIER_ENVELOPE,
      { interchange: 501 + readdirSync(inbound).length },
      new Date(),
    );
    // Written elsewhere and renamed into place, as a partner's upload lands: the poller never sees half a file.
    const staging = path.join(dir, file);
    writeFileSync(staging, text);
    renameSync(staging, path.join(inbound, file));
    // Finished a minute ago: past the settle time, so the next poll reads it.
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path.join(inbound, file), minuteAgo, minuteAgo);
  }

  it('sends the 850 to the folder, then records the supplier 855 as accepted and archives it', async () => {
    const store = await load();
    const { order, poNumber } = await routedToAcme(store);
    await eventually(
      async () => ((await store.getPurchaseOrder(poNumber))?.state === 'sent' ? true : undefined),
      10_000,
      'the 850 to be sent',
    );
    const sent = readdirSync(path.join(root, 'to-acme'));
    assert.equal(sent.length, 1);
    assert.match(
      readFileSync(path.join(root, 'to-acme', sent[0]!), 'utf8'),
      new RegExp(`BEG\\*00\\*DS\\*${poNumber}\\*`),
    );

    supplierAnswers(poNumber, { 'MUG-01': 'accepted', 'TEE-01': 'accepted' }, 'ack-1.edi');
    await eventually(
      async () => ((await store.getPurchaseOrder(poNumber))?.state === 'accepted' ? true : undefined),
      10_000,
      'the 855 to be applied',
    );
    const po = await store.getPurchaseOrder(poNumber);
    assert.equal(po!.supplierReference, 'ACME-77');
    assert.equal((await store.getOrder(order.id))!.state, 'acknowledged');
    assert.ok(existsSync(path.join(root, 'from-acme', 'archive', 'ack-1.edi')), 'the 855 is archived');
    assert.ok(
      readdirSync(path.join(root, 'to-acme')).some((f) =>
        /997/.test(readFileSync(path.join(root, 'to-acme', f), 'utf8')),
      ),
      'a 997 went back',
    );
  });

  it('gives the lines the supplier rejected in its 855 to the next supplier', async () => {
    const store = await load();
    const { order, poNumber } = await routedToAcme(store);
    await eventually(
      async () => ((await store.getPurchaseOrder(poNumber))?.state === 'sent' ? true : undefined),
      10_000,
      'the 850 to be sent',
    );
    supplierAnswers(poNumber, { 'MUG-01': 'accepted', 'TEE-01': 'rejected' }, 'ack-2.edi');
    await eventually(
      async () => (fallback.requests.length === 1 ? true : undefined),
      10_000,
      'the failover PO to reach zeta',
    );
    const pos = await store.listPurchaseOrders(order.id);
    const acme = pos.find((p) => p.supplierId === 'acme')!;
    const zeta = pos.find((p) => p.supplierId === 'zeta')!;
    assert.equal(acme.state, 'accepted');
    assert.deepEqual(
      acme.lines.map((l) => l.sku),
      ['MUG-01'],
    );
    assert.deepEqual(
      zeta.lines.map((l) => l.sku),
      ['TEE-01'],
    );
    assert.equal(fallback.requests[0]!.headers['idempotency-key'], zeta.number);
  });

  it('reports an 850 its partner has not answered with a 997 within the hours set, once, out of the exceptions output', async () => {
    const store = await load();
    type Exception = { poNumber?: string; error?: { code: string; message: string } };
    const errors: Exception[] = [];
    (helper.getNode('errors') as unknown as { on(e: 'input', f: (m: Exception) => void): void }).on(
      'input',
      (msg) => errors.push(msg),
    );
    const { poNumber } = await routedToAcme(store);
    // The 850 goes out (its group recorded); the partner's 997 never comes.
    let waiting = await store.listUnacknowledgedFunctionalGroups(10);
    for (let waited = 0; waiting.length === 0 && waited < 10_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      waiting = await store.listUnacknowledgedFunctionalGroups(10);
    }
    const [group] = waiting;
    assert.equal(group?.poNumber, poNumber);
    // Five hours later as far as the store knows: past the default 4 h.
    await store.recordFunctionalGroupSent({
      ...group,
      groupControlNumber: '9001',
      sentAt: new Date(Date.now() - 5 * 3_600_000).toISOString(),
    });
    for (let waited = 0; errors.length === 0 && waited < 10_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0]!.error!.code, 'acknowledgement_overdue');
    assert.equal(errors[0]!.poNumber, poNumber);
    assert.match(
      errors[0]!.error!.message,
      new RegExp(`acme has not answered 850 ${poNumber} \\(group PO 9001\\) with a 997 within 4 hours`),
    );
  });
});
