import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { Order } from '../../core/model/order';
import type { OrderEvent } from '../../core/model/order-event';
import type { OrderStore } from '../../core/store/order-store';
import storeNode from '../../nodes/store/store';
import supplierNode from '../../nodes/supplier/supplier';
import orderInNode from '../../nodes/order-in/order-in';
import routerNode from '../../nodes/router/router';
import dispatchNode from '../../nodes/dispatch/dispatch';
import { eventually } from '../support/node-red-process';
import { SupplierLedger, type SupplierCall } from './support/supplier-ledger';

helper.init(require.resolve('node-red'));

const SCALE = Math.max(1, Number(process.env.DROPSHIP_RELIABILITY_SCALE) || 1);

interface DispatchSettings {
  supplierTimeoutMs?: number;
  maxAttempts?: number;
  breakerThreshold?: number;
  breakerCooldownSeconds?: number;
}

/** The first call of each PO number, then every later one: a fault script per PO. */
function attemptOf(ledger: SupplierLedger, call: SupplierCall): number {
  return ledger.calls.filter((c) => c.key === call.key).length;
}

describe('reliability: supplier faults end in dispatched, failed over or needs_attention with the reason', function () {
  this.timeout(90_000 * SCALE);
  let dir: string;
  let acme: SupplierLedger;
  let globex: SupplierLedger;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-faults-'));
    acme = await new SupplierLedger().start();
    globex = await new SupplierLedger().start();
    await new Promise<void>((resolve) => helper.startServer(resolve));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => helper.stopServer(resolve));
    await acme.stop();
    await globex.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(settings: DispatchSettings = {}): Promise<OrderStore> {
    const supplier = (id: string, ledger: SupplierLedger) => ({
      id: `supplier-${id}`,
      type: 'dropship-supplier',
      supplierId: id,
      connector: 'rest-json',
      settings: { url: ledger.url, timeoutMs: settings.supplierTimeoutMs ?? 5_000 },
    });
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      supplier('acme', acme),
      supplier('globex', globex),
      {
        id: 'in',
        type: 'dropship-order-in',
        store: 'store',
        platform: 'generic',
        listen: false,
        wires: [['router'], []],
      },
      {
        id: 'router',
        type: 'dropship-router',
        store: 'store',
        rules: {
          strategy: 'priority',
          rules: [
            { name: 'Acme only', match: { sku: 'ACME-*' }, suppliers: ['acme'] },
            { name: 'Acme, then Globex', match: { sku: '*' }, suppliers: ['acme', 'globex'] },
          ],
        },
        sweepSeconds: 3600,
        wires: [['dispatch'], []],
      },
      {
        id: 'dispatch',
        type: 'dropship-dispatch',
        store: 'store',
        leaseSeconds: 60,
        maxAttempts: settings.maxAttempts ?? 8,
        baseDelaySeconds: 0.2,
        maxDelaySeconds: 1,
        sweepSeconds: 0.2,
        breakerThreshold: settings.breakerThreshold ?? 1000,
        breakerCooldownSeconds: settings.breakerCooldownSeconds ?? 1,
        wires: [[], []],
      },
    ];
    await helper.load([storeNode, supplierNode, orderInNode, routerNode, dispatchNode], flow);
    return (helper.getNode('store') as unknown as { store(): Promise<OrderStore> }).store();
  }

  /** Canonical orders through the order-in node's input, as a flow would inject them. */
  async function place(store: OrderStore, skus: string[]): Promise<Order[]> {
    const orders: Order[] = [];
    for (const sku of skus) {
      const externalId = `${sku}-${orders.length}-${Date.now()}`;
      helper.getNode('in').receive({
        payload: {
          externalId,
          currency: 'USD',
          customer: { email: 'buyer@example.test' },
          shipTo: { line1: '1 Main St', city: 'Austin', country: 'US' },
          lines: [{ sku, quantity: 1, unitPrice: 10 }],
        },
      });
      orders.push(
        await eventually(async () => store.findOrder(`generic:${externalId}`), 5_000, `order ${externalId}`),
      );
    }
    return orders;
  }

  async function settled(store: OrderStore, orders: Order[], states: string[]): Promise<Order[]> {
    return Promise.all(
      orders.map((o) =>
        eventually(
          async () => {
            const current = await store.getOrder(o.id);
            return current && states.includes(current.state) ? current : undefined;
          },
          40_000,
          `order ${o.externalId} to end ${states.join(' or ')}`,
        ),
      ),
    );
  }

  async function eventsOf(store: OrderStore, orders: Order[]): Promise<OrderEvent[]> {
    return (await Promise.all(orders.map((o) => store.listEvents(o.id)))).flat();
  }

  it('retries 500s with backoff under the same PO number until the supplier takes the order', async () => {
    acme.behaviour = (call) =>
      attemptOf(acme, call) <= 2 ? { kind: 'status', status: 500 } : { kind: 'accept' };
    const store = await load();
    const orders = await place(
      store,
      Array.from({ length: 4 * SCALE }, () => 'MUG-01'),
    );
    await settled(store, orders, ['acknowledged']);
    for (const order of orders) {
      const [po] = await store.listPurchaseOrders(order.id);
      assert.equal(po!.supplierId, 'acme');
      assert.equal(po!.sendAttempts, 3);
      assert.equal(acme.callsPerKey().get(po!.number)?.length, 3);
    }
    const retries = (await eventsOf(store, orders)).filter((e) => e.type === 'po.retry');
    assert.equal(retries.length, 2 * orders.length);
    assert.ok(
      retries.every((e) => /HTTP 500/.test(e.reason ?? '')),
      'each retry says why',
    );
    assert.equal(globex.calls.length, 0);
  });

  it("waits out a 429's Retry-After before sending again", async () => {
    acme.behaviour = (call) =>
      attemptOf(acme, call) === 1
        ? { kind: 'status', status: 429, headers: { 'Retry-After': '2' } }
        : { kind: 'accept' };
    const store = await load();
    const orders = await place(store, ['MUG-01', 'MUG-02']);
    await settled(store, orders, ['acknowledged']);
    for (const calls of acme.callsPerKey().values()) {
      assert.equal(calls.length, 2);
      assert.ok(calls[1]!.receivedAt - calls[0]!.receivedAt >= 1_900, 'sent again before Retry-After');
    }
  });

  it('treats a timeout as an unknown outcome and resends under the same number', async () => {
    acme.behaviour = (call) => (attemptOf(acme, call) === 1 ? { kind: 'hang' } : { kind: 'accept' });
    const store = await load({ supplierTimeoutMs: 500 });
    const orders = await place(store, ['MUG-01', 'MUG-02', 'MUG-03']);
    await settled(store, orders, ['acknowledged']);
    const retries = (await eventsOf(store, orders)).filter((e) => e.type === 'po.retry');
    assert.equal(retries.length, orders.length);
    assert.ok(
      retries.every((e) => /outcome_unknown/.test(e.reason ?? '')),
      retries.map((e) => e.reason).join(),
    );
    for (const calls of acme.callsPerKey().values()) {
      assert.equal(calls.length, 2);
      assert.equal(calls[0]!.body, calls[1]!.body, 'the resend is the same document');
    }
  });

  it('gives up on a 30-second supplier: lines fail over to the next one, or the order needs attention', async () => {
    acme.behaviour = () => ({ kind: 'accept', delayMs: 30_000 });
    const store = await load({ supplierTimeoutMs: 700, maxAttempts: 2 });
    const [movable, stuck] = await place(store, ['MUG-01', 'ACME-ONLY-1']);
    const [moved, held] = await settled(store, [movable!, stuck!], ['acknowledged', 'needs_attention']);
    assert.equal(moved!.state, 'acknowledged');
    const pos = await store.listPurchaseOrders(movable!.id);
    assert.deepEqual(
      pos.map((p) => [p.supplierId, p.state]),
      [
        ['acme', 'failed'],
        ['globex', 'accepted'],
      ],
    );
    assert.match(pos[0]!.lastError ?? '', /gave up after 2 attempts/);
    assert.equal(held!.state, 'needs_attention');
    const reason = (await store.listEvents(stuck!.id)).find(
      (e) => e.type === 'order.needs_attention',
    )?.reason;
    assert.match(reason ?? '', /gave up after 2 attempts.*no other supplier can take ACME-ONLY-1/);
  });

  it('opens the circuit while the supplier is down, sends nothing meanwhile, and closes it once it is back', async () => {
    // Down: first answering 503 to everything, then not even listening.
    acme.behaviour = () => ({ kind: 'status', status: 503 });
    const store = await load({ breakerThreshold: 3, breakerCooldownSeconds: 1.5 });
    const orders = await place(
      store,
      Array.from({ length: 6 * SCALE }, (_, i) => `MUG-${i}`),
    );
    const deferral = await eventually(
      async () =>
        (await eventsOf(store, orders)).find(
          (e) => e.type === 'po.deferred' && /circuit open for supplier acme/.test(e.reason ?? ''),
        ),
      10_000,
      'the circuit to open',
    );
    await acme.down();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    acme.behaviour = () => ({ kind: 'accept' });
    await acme.up();
    await settled(store, orders, ['acknowledged']);

    // While open, the supplier saw at most the one probe per cooldown, not every due PO.
    const openedAt = new Date(deferral.at).getTime();
    const callsWhileOpen = acme.calls.filter(
      (c) => c.receivedAt > openedAt && c.receivedAt < openedAt + 1_400,
    );
    assert.ok(callsWhileOpen.length <= 1, `${callsWhileOpen.length} calls while the circuit was open`);
    // Closed again: a new order goes straight out, first try, with no deferral.
    const [late] = await place(store, ['MUG-LATE']);
    await settled(store, [late!], ['acknowledged']);
    const [po] = await store.listPurchaseOrders(late!.id);
    assert.equal(po!.sendAttempts, 1);
    assert.ok(!(await store.listEvents(late!.id)).some((e) => e.type === 'po.deferred'));
    assert.equal(globex.calls.length, 0, 'an outage is waited out, not failed over');
  });
});
