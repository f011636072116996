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
import {
  HttpSupplier,
  jsonReply,
  neverAnswer,
  type RecordedRequest,
  type SupplierReply,
} from '../support/http-supplier';
import { eventually } from '../support/node-red-process';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';

helper.init(require.resolve('node-red'));

interface Received {
  orderId?: string;
  poNumber?: string;
  error?: { code: string; message: string; details: { path: string; message: string }[] };
}

const collect = (id: string): Received[] => collectInput<Received>(id);

/**
 * A supplier API that deduplicates on the order reference: every PO's first send reaches it but the answer never
 * comes back (the timeout); the resend is told the order exists, with its id.
 */
function answerOnlyResends(): (request: RecordedRequest) => SupplierReply {
  const seen = new Set<string>();
  return (request) => {
    const key = String(request.headers['idempotency-key']);
    if (!seen.has(key)) {
      seen.add(key);
      return neverAnswer;
    }
    return jsonReply(409, {
      error: {
        code: 'duplicate_reference',
        message: 'An order with this reference already exists',
        existing_order_id: `SO-${key}`,
      },
    });
  };
}

describe('dropship-dispatch reading what a REST supplier answers (real HTTP supplier)', function () {
  this.timeout(30_000);
  let dir: string;
  let acme: HttpSupplier;
  let zeta: HttpSupplier;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-rest-answers-'));
    acme = await new HttpSupplier().start();
    zeta = await new HttpSupplier().start();
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    await acme.stop();
    await zeta.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(acmeSettings: Record<string, unknown>): Promise<OrderStore> {
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      {
        id: 'supplier-acme',
        type: 'dropship-supplier',
        supplierId: 'acme',
        connector: 'rest-json',
        settings: { url: acme.url, timeoutMs: 300, ...acmeSettings },
      },
      {
        id: 'supplier-zeta',
        type: 'dropship-supplier',
        supplierId: 'zeta',
        connector: 'rest-json',
        settings: { url: zeta.url },
      },
      {
        id: 'dispatch',
        type: 'dropship-dispatch',
        store: 'store',
        sweepSeconds: 0.2,
        baseDelaySeconds: 0.2,
        maxDelaySeconds: 0.4,
        wires: [['sent'], ['errors']],
      },
      { id: 'sent', type: 'helper' },
      { id: 'errors', type: 'helper' },
    ];
    await helper.load([storeNode, supplierNode, dispatchNode], flow);
    return (helper.getNode('store') as unknown as { store(): Promise<OrderStore> }).store();
  }

  async function routedToAcme(store: OrderStore, alternatives: string[]): Promise<string> {
    const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 'test' });
    const [po] = (await store.assignPurchaseOrders(
      order.id,
      ['received'],
      [purchaseOrderDraftFor(order, 'acme', { alternatives })],
      { type: 'order.routed', actor: 'test' },
    ))!;
    return po!.number;
  }

  it('records a 409 "reference already exists" to a resend as accepted with its id: the fallback ships nothing', async () => {
    const answer = answerOnlyResends();
    acme.reply(answer, answer, answer, answer);
    const store = await load({
      duplicateAnswer: {
        httpStatuses: ['409'],
        bodyPath: 'error.code',
        bodyValues: ['duplicate_reference'],
        referencePath: 'error.existing_order_id',
      },
    });
    const sent = collect('sent');
    const errors = collect('errors');
    const poNumbers = [await routedToAcme(store, ['zeta']), await routedToAcme(store, ['zeta'])];
    for (const poNumber of poNumbers) {
      await eventually(
        async () => ((await store.getPurchaseOrder(poNumber))?.state === 'accepted' ? true : undefined),
        15_000,
        `${poNumber} to be accepted`,
      );
    }
    // Whatever else was still due would go out on the next sweeps: give them time.
    await new Promise((resolve) => setTimeout(resolve, 600));
    for (const poNumber of poNumbers) {
      const po = (await store.getPurchaseOrder(poNumber))!;
      assert.equal(po.state, 'accepted');
      assert.equal(po.supplierReference, `SO-${poNumber}`, "the supplier's id in the 409 body is recorded");
      assert.equal(acme.requestsFor(poNumber).length, 2, 'sent, then resent once with the same key');
      assert.equal((await store.getOrder(po.orderId))!.state, 'acknowledged');
      const events = await store.listEvents(po.orderId);
      assert.ok(events.some((e) => e.type === 'po.accepted' && e.poNumber === poNumber));
      assert.ok(!events.some((e) => e.type === 'po.rejected' || e.type === 'po.failover'));
      assert.equal((await store.listPurchaseOrders(po.orderId)).length, 1, 'no replacement PO');
      assert.equal(sent.filter((m) => m.poNumber === poNumber).length, 1);
    }
    // Each order ships once: its lines never went to the fallback supplier.
    assert.equal(zeta.requests.length, 0, 'nothing went to the fallback supplier');
    assert.deepEqual(errors, []);
  });

  it('takes the refusal text from reasonPath, reports code supplier_permanent with what the supplier said', async () => {
    acme.reply(jsonReply(422, { problem: { detail: 'MUG-01 is discontinued' } }));
    const store = await load({ reasonPath: 'problem.detail' });
    const errors = collect('errors');
    const poNumber = await routedToAcme(store, []);
    const [error] = await eventually(
      async () => (errors.length > 0 ? errors.map((m) => m.error!) : undefined),
      10_000,
      'the refusal to be reported',
    );
    assert.equal((await store.getPurchaseOrder(poNumber))!.state, 'rejected');
    assert.equal(error!.code, 'supplier_permanent');
    assert.match(error!.message, /HTTP 422: MUG-01 is discontinued/);
    assert.deepEqual(error!.details.slice(0, 2), [
      { path: 'httpStatus', message: '422' },
      { path: 'problem.detail', message: 'MUG-01 is discontinued' },
    ]);
    assert.deepEqual(
      error!.details.slice(2).map((d) => d.path),
      ['lines/0', 'lines/1'],
      'each held line is named',
    );
  });

  it("reads the supplier's refusal code from codePath on an error reply", async () => {
    acme.reply(
      jsonReply(400, {
        errors: [{ code: 'SKU_UNKNOWN', title: 'Unknown SKU', detail: 'no such SKU TEE-01' }],
      }),
    );
    const store = await load({ reasonPath: 'errors.0.detail', codePath: 'errors.0.code' });
    const errors = collect('errors');
    await routedToAcme(store, []);
    const [error] = await eventually(
      async () => (errors.length > 0 ? errors.map((m) => m.error!) : undefined),
      10_000,
      'the refusal to be reported',
    );
    assert.equal(error!.code, 'supplier_permanent');
    assert.match(error!.message, /HTTP 400: \[SKU_UNKNOWN\] no such SKU TEE-01/);
    assert.deepEqual(error!.details.slice(0, 3), [
      { path: 'httpStatus', message: '400' },
      { path: 'errors.0.code', message: 'SKU_UNKNOWN' },
      { path: 'errors.0.detail', message: 'no such SKU TEE-01' },
    ]);
  });

  it('refuses a misspelt template field when the supplier is deployed: red status naming it, nothing sent', async () => {
    const store = await load({
      requestTemplate: {
        ref: '{{po.numbr}}',
        items: { $each: 'lines', $item: { sku: '{{line.sku}}', qty: '{{line.quantity}}' } },
      },
    });
    const statuses: { fill?: string; text?: string }[] = [];
    (
      helper.getNode('dispatch') as unknown as {
        on(e: 'call:status', f: (call: { args: [{ fill?: string; text?: string }] }) => void): void;
      }
    ).on('call:status', (call) => statuses.push(call.args[0]));
    const errors = collect('errors');
    const dispatch = helper.getNode('dispatch') as unknown as {
      error: { getCalls(): { args: [string, { poNumber?: string }?]; thisValue: unknown }[] };
    };
    const poNumber = await routedToAcme(store, ['zeta']);
    // The node's settings are at fault, not the PO: reported to Catch nodes (node.error with a message).
    const [reported] = await eventually(
      async () => {
        const calls = dispatch.error.getCalls().filter((call) => call.thisValue === dispatch && call.args[1]);
        return calls.length > 0 ? calls.map((call) => call.args) : undefined;
      },
      10_000,
      'the settings problem to be reported',
    );
    assert.match(reported![0], /\/requestTemplate\/ref \{\{po\.numbr\}\} is not a known field/);
    assert.equal(reported![1]!.poNumber, poNumber);
    assert.deepEqual(errors, [], 'nothing out of the exceptions output: the PO is not at fault');
    assert.ok(
      statuses.some((s) => s.fill === 'red' && s.text?.includes('{{po.numbr}}')),
      `a red status names the field: ${JSON.stringify(statuses)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(acme.requests.length + zeta.requests.length, 0, 'nothing was sent');
    const po = (await store.getPurchaseOrder(poNumber))!;
    assert.equal(po.state, 'pending', 'the PO waits for the supplier to be fixed');
    const events = await store.listEvents(po.orderId);
    assert.ok(!events.some((e) => e.type === 'po.retry' || e.type === 'po.failed'), 'no retries spent');
    const supplier = helper.getNode('supplier-acme') as unknown as { settingsError?: string };
    assert.match(supplier.settingsError!, /supplier acme: \/requestTemplate\/ref \{\{po\.numbr\}\}/);
  });

  it('refuses {{line.supplierSku}} at deploy: empty for lines no catalogue maps', async () => {
    await load({
      requestTemplate: { items: { $each: 'lines', $item: { sku: '{{line.supplierSku}}' } } },
    });
    const supplier = helper.getNode('supplier-acme') as unknown as { settingsError?: string };
    assert.match(
      supplier.settingsError!,
      /\/requestTemplate\/items\/\$item\/sku \{\{line\.supplierSku\}\} is empty/,
    );
  });
});
