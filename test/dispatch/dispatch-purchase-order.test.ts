import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../core/clock';
import { CircuitBreaker } from '../../core/dispatch/circuit-breaker';
import {
  sendClaimedPurchaseOrder,
  type DispatchEnvironment,
  type DispatchOutcome,
} from '../../core/dispatch/dispatch-purchase-order';
import type { RetryPolicy } from '../../core/dispatch/retry-policy';
import { withdrawPurchaseOrder } from '../../core/dispatch/withdraw-purchase-order';
import type { Order } from '../../core/model/order';
import {
  purchaseOrderNumber,
  type PurchaseOrder,
  type PurchaseOrderLine,
} from '../../core/model/purchase-order';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import type { ConnectorContext, SupplierConnector } from '../../core/ports/supplier-connector';
import { restJsonConnector } from '../../connectors/suppliers/rest-json/rest-json';
import {
  dropConnection,
  HttpSupplier,
  jsonReply,
  linesReply,
  neverAnswer,
  retryAfterReply,
  slowReply,
  type RecordedRequest,
  type SupplierReply,
} from '../support/http-supplier';
import { sampleOrderDraft } from '../support/orders';

const T0 = Date.parse('2026-11-21T08:00:00.000Z');
const ACTOR = 'dispatch:test';
const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 60_000 };
// The contract's settings type parameter is erased the way the connector registry erases it.
const connector: SupplierConnector = restJsonConnector as SupplierConnector<never>;

type SupplierId = 'acme' | 'globex';

interface PlannedPo {
  supplierId: SupplierId;
  skus: string[];
  alternatives: SupplierId[];
  /** The supplier's own part number for a SKU, as a catalogue mapping would give it. */
  supplierSkus?: Record<string, string>;
}

function kindOf<K extends DispatchOutcome['kind']>(
  outcome: DispatchOutcome,
  kind: K,
): DispatchOutcome & { kind: K } {
  assert.equal(outcome.kind, kind, 'reason' in outcome ? outcome.reason : outcome.kind);
  return outcome as DispatchOutcome & { kind: K };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

describe('dispatching purchase orders to a REST supplier (SQLite store, supplier API on 127.0.0.1)', () => {
  let clock: ReturnType<typeof fixedClock>;
  let store: SqliteOrderStore;
  let suppliers: Record<SupplierId, HttpSupplier>;

  beforeEach(async () => {
    clock = fixedClock(new Date(T0));
    store = new SqliteOrderStore({ filename: ':memory:', clock });
    await store.migrate();
    suppliers = { acme: await new HttpSupplier().start(), globex: await new HttpSupplier().start() };
  });

  afterEach(async () => {
    await Promise.all([suppliers.acme.stop(), suppliers.globex.stop()]);
    await store.close();
  });

  function environment(
    supplierId: SupplierId,
    options: Partial<Pick<DispatchEnvironment, 'policy' | 'breaker' | 'random' | 'onBackorder'>> & {
      timeoutMs?: number;
      /** Withdraw POs at `<orders URL>/{poNumber}/cancel`; without it the supplier cannot be told to cancel. */
      cancels?: true;
    } = {},
  ): DispatchEnvironment {
    const url = suppliers[supplierId].url;
    const context: ConnectorContext = {
      supplierId,
      settings: {
        url,
        timeoutMs: options.timeoutMs ?? 2_000,
        ...(options.cancels ? { cancelUrl: `${url}/{poNumber}/cancel` } : {}),
      },
      credentials: {},
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
      clock,
      nextSequenceValue: (scope) => store.nextSequenceValue(`${supplierId}:${scope}`),
    };
    return {
      store,
      connector,
      context,
      policy: options.policy ?? POLICY,
      breaker: options.breaker,
      actor: ACTOR,
      random: options.random ?? (() => 0.5),
      onBackorder: options.onBackorder,
      // Cancel retries are inline; the tests do not wait for their backoff.
      sleep: async () => undefined,
    };
  }

  /** A received order (MUG-01 x2, TEE-01 x1) routed into the planned POs. */
  async function routedOrder(
    planned: PlannedPo[] = [{ supplierId: 'acme', skus: ['MUG-01', 'TEE-01'], alternatives: ['globex'] }],
  ): Promise<{ order: Order; pos: PurchaseOrder[] }> {
    const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 'order-in:test' });
    const pos = await store.assignPurchaseOrders(
      order.id,
      ['received'],
      planned.map((plan) => ({
        orderId: order.id,
        supplierId: plan.supplierId,
        attempt: 1,
        currency: order.currency,
        shipTo: order.shipTo,
        shippingMethod: 'UPS GROUND',
        lines: order.lines
          .filter((l) => plan.skus.includes(l.sku))
          .map((l) => ({
            orderLineId: l.lineId,
            sku: l.sku,
            supplierSku: plan.supplierSkus?.[l.sku],
            title: l.title,
            quantity: l.quantity,
            unitCost: 5,
          })),
        alternatives: plan.alternatives,
      })),
      { type: 'order.routed', actor: 'router:test' },
    );
    assert.ok(pos);
    return { order, pos };
  }

  async function claim(po: PurchaseOrder, owner = 'worker-1', durationMs = 60_000): Promise<PurchaseOrder> {
    const claimed = await store.claimPurchaseOrder(po.number, { owner, now: clock.now(), durationMs });
    assert.ok(claimed, `${po.number} could not be claimed`);
    return claimed;
  }

  /** Claims the PO for `owner` and sends it under that claim. */
  async function send(
    po: PurchaseOrder,
    env = environment(po.supplierId as SupplierId),
    owner = 'worker-1',
    leaseMs = 60_000,
  ): Promise<DispatchOutcome> {
    return sendClaimedPurchaseOrder(env, await claim(po, owner, leaseMs), { leaseOwner: owner });
  }

  async function reload(po: PurchaseOrder): Promise<PurchaseOrder> {
    const stored = await store.getPurchaseOrder(po.number);
    assert.ok(stored);
    return stored;
  }

  async function orderState(order: Order): Promise<string | undefined> {
    return (await store.getOrder(order.id))?.state;
  }

  async function eventsOf(order: Order, type: string) {
    return (await store.listEvents(order.id)).filter((e) => e.type === type);
  }

  describe('the request', () => {
    it('carries the PO as JSON with the PO number as Idempotency-Key', async () => {
      const { order, pos } = await routedOrder();
      const po = pos[0]!;
      assert.equal(po.number, purchaseOrderNumber(order.id, 'acme', 1));
      kindOf(await send(po), 'accepted');
      const [request] = suppliers.acme.requests;
      assert.equal(request?.method, 'POST');
      assert.equal(request?.headers['idempotency-key'], po.number);
      assert.match(String(request?.headers['content-type']), /^application\/json/);
      const body = request?.body as { poNumber: string; lines: { sku: string; quantity: number }[] };
      assert.equal(body.poNumber, po.number);
      assert.deepEqual(
        body.lines.map((l) => [l.sku, l.quantity]),
        [
          ['MUG-01', 2],
          ['TEE-01', 1],
        ],
      );
    });
  });

  describe('what the supplier answers', () => {
    it('accepted: the PO is accepted with the supplier reference and the order acknowledged', async () => {
      const { order, pos } = await routedOrder();
      const outcome = kindOf(await send(pos[0]!), 'accepted');
      assert.equal(outcome.result.supplierReference, `SO-${pos[0]!.number}`);
      const po = await reload(pos[0]!);
      assert.equal(po.state, 'accepted');
      assert.equal(po.supplierReference, `SO-${po.number}`);
      assert.equal(po.lastError, undefined);
      assert.equal(await orderState(order), 'acknowledged');
      const [accepted] = await eventsOf(order, 'po.accepted');
      assert.deepEqual(
        [accepted?.fromState, accepted?.toState, accepted?.actor],
        ['sending', 'accepted', ACTOR],
      );
    });

    const backorder = jsonReply(200, { id: 'SO-77', status: 'backordered', reason: 'restock on 2026-12-04' });

    it('backordered, told to wait: the whole PO stays with the supplier, backordered, with its words', async () => {
      const { order, pos } = await routedOrder();
      suppliers.acme.reply(backorder);
      const outcome = kindOf(
        await send(pos[0]!, environment('acme', { onBackorder: 'wait' })),
        'backordered',
      );
      assert.equal(outcome.result.reason, 'restock on 2026-12-04');
      assert.equal((await reload(pos[0]!)).state, 'backordered');
      assert.equal((await store.listPurchaseOrders(order.id)).length, 1);
      assert.equal(await orderState(order), 'acknowledged');
    });

    it('backordered with no other supplier: the PO waits, whatever the setting', async () => {
      const { pos } = await routedOrder([
        { supplierId: 'acme', skus: ['MUG-01', 'TEE-01'], alternatives: [] },
      ]);
      suppliers.acme.reply(backorder);
      kindOf(await send(pos[0]!), 'backordered');
      assert.equal((await reload(pos[0]!)).state, 'backordered');
    });

    it('backordered while another supplier could ship: the lines move on, the PO is cancelled with a reason', async () => {
      const { order, pos } = await routedOrder();
      suppliers.acme.reply(backorder);
      const outcome = kindOf(await send(pos[0]!), 'failed_over');
      assert.equal(outcome.reason, 'supplier acme backordered the PO: restock on 2026-12-04');
      assert.deepEqual(
        outcome.replacements.map((r) => [r.supplierId, r.attempt, r.lines.map((l) => l.sku)]),
        [['globex', 1, ['MUG-01', 'TEE-01']]],
      );
      const cancelled = await reload(pos[0]!);
      assert.deepEqual([cancelled.state, cancelled.supplierReference], ['cancelled', 'SO-77']);
      const [event] = await eventsOf(order, 'po.cancelled');
      assert.equal(event?.reason, `lines moved to globex; withdraw ${cancelled.number} at acme`);
      // Nobody has acknowledged the lines now: the order waits for globex, as it waited for acme.
      assert.equal(await orderState(order), 'routed');
      kindOf(await send(outcome.replacements[0]!), 'accepted');
      assert.equal(await orderState(order), 'acknowledged');
      assert.deepEqual(
        (await eventsOf(order, 'order.state')).map((e) => [e.fromState, e.toState, e.reason]),
        [
          ['routed', 'acknowledged', 'supplier acme backordered the PO: restock on 2026-12-04'],
          [
            'acknowledged',
            'routed',
            'supplier acme backordered the PO: restock on 2026-12-04; lines go to globex',
          ],
          ['routed', 'acknowledged', undefined],
        ],
      );
    });

    it('backordered and failed over: the REST supplier is told to cancel, and confirms', async () => {
      const { order, pos } = await routedOrder();
      suppliers.acme.reply(backorder);
      const outcome = kindOf(await send(pos[0]!, environment('acme', { cancels: true })), 'failed_over');
      const po = pos[0]!;
      assert.deepEqual(outcome.withdrawal, {
        kind: 'confirmed',
        poNumber: po.number,
        supplierId: 'acme',
        reason: 'supplier acme confirmed the cancellation',
      });
      const [, cancel] = suppliers.acme.requests;
      assert.deepEqual(
        [cancel?.method, cancel?.path, cancel?.headers['idempotency-key']],
        ['POST', `/orders/${po.number}/cancel`, `cancel-${po.number}`],
      );
      assert.deepEqual(cancel?.body, {
        poNumber: po.number,
        supplierReference: 'SO-77',
        reason: 'backordered; the purchase order is no longer needed',
      });
      const [confirmed] = await eventsOf(order, 'po.cancel_confirmed');
      assert.deepEqual([confirmed?.poNumber, confirmed?.actor], [po.number, ACTOR]);
      assert.deepEqual(await eventsOf(order, 'po.cancel_failed'), []);
      // Asked again (a second path cancelling the same PO), nothing more goes to the supplier.
      const again = await withdrawPurchaseOrder(
        {
          store,
          actor: ACTOR,
          channel: { connector, context: environment('acme', { cancels: true }).context },
        },
        await reload(po),
        'again',
      );
      assert.equal(again?.kind, 'confirmed');
      assert.equal(suppliers.acme.requests.length, 2);
      assert.equal((await eventsOf(order, 'po.cancel_confirmed')).length, 1);
      kindOf(await send(outcome.replacements[0]!), 'accepted');
    });

    it('backordered and failed over to a supplier that cannot cancel: the replacement goes out, the operator is told', async () => {
      const { order, pos } = await routedOrder();
      suppliers.acme.reply(backorder);
      const outcome = kindOf(await send(pos[0]!), 'failed_over');
      const po = pos[0]!;
      assert.equal(outcome.withdrawal?.kind, 'unsupported');
      assert.match(outcome.withdrawal.reason, new RegExp(`withdraw ${po.number} at acme by hand`));
      assert.equal(suppliers.acme.requests.length, 1, 'no cancel request was invented');
      const [failed] = await eventsOf(order, 'po.cancel_failed');
      assert.equal(failed?.poNumber, po.number);
      assert.match(failed?.reason ?? '', /no cancel URL configured.*withdraw .* at acme by hand/);
      kindOf(await send(outcome.replacements[0]!), 'accepted');
      assert.equal(suppliers.globex.requests.length, 1);
    });

    it('a cancel that fails transiently is tried again; one that keeps failing is left to the operator', async () => {
      const first = await routedOrder();
      suppliers.acme.reply(backorder, retryAfterReply(503, '1'), jsonReply(200, { id: 'SO-77' }));
      const recovered = kindOf(
        await send(first.pos[0]!, environment('acme', { cancels: true })),
        'failed_over',
      );
      assert.equal(recovered.withdrawal?.kind, 'confirmed');
      assert.equal(suppliers.acme.requestsFor(`cancel-${first.pos[0]!.number}`).length, 2);

      const second = await routedOrder();
      const po = second.pos.find((p) => p.state === 'pending')!;
      suppliers.acme.reply(backorder, jsonReply(500, {}), dropConnection, jsonReply(502, {}));
      const gaveUp = kindOf(await send(po, environment('acme', { cancels: true })), 'failed_over');
      assert.equal(gaveUp.withdrawal?.kind, 'failed');
      assert.match(gaveUp.withdrawal.reason, /^gave up after 3 tries: .*withdraw .* at acme by hand$/);
      assert.equal(gaveUp.replacements.length, 1);
    });

    it('a supplier that refuses the cancel (already shipped) is not asked again', async () => {
      const { order, pos } = await routedOrder();
      suppliers.acme.reply(backorder, jsonReply(409, { error: 'already shipped' }));
      const outcome = kindOf(await send(pos[0]!, environment('acme', { cancels: true })), 'failed_over');
      assert.equal(outcome.withdrawal?.kind, 'failed');
      assert.match(outcome.withdrawal.reason, /^supplier refused: .*HTTP 409: already shipped; withdraw/);
      assert.equal(suppliers.acme.requests.length, 2);
      assert.equal((await eventsOf(order, 'po.cancel_failed')).length, 1);
    });

    it('sent: a reply without a known status means delivered, no answer yet', async () => {
      const { order, pos } = await routedOrder();
      suppliers.acme.reply(jsonReply(202, { queued: true }));
      kindOf(await send(pos[0]!), 'sent');
      assert.equal((await reload(pos[0]!)).state, 'sent');
      assert.equal(await orderState(order), 'dispatched');
    });
  });

  describe('transient failures', () => {
    it('503 with Retry-After in seconds: pending until then, then resent under the same key', async () => {
      const { order, pos } = await routedOrder();
      const po = pos[0]!;
      suppliers.acme.reply(retryAfterReply(503, '120'));
      const outcome = kindOf(await send(po), 'retrying');
      assert.equal(outcome.retryAt.toISOString(), new Date(T0 + 120_000).toISOString());
      const pending = await reload(po);
      assert.equal(pending.state, 'pending');
      assert.equal(pending.nextAttemptAt, new Date(T0 + 120_000).toISOString());
      assert.equal(pending.lastError, 'supplier answered HTTP 503');
      const [retry] = await eventsOf(order, 'po.retry');
      assert.equal(retry?.reason, 'supplier_transient: supplier answered HTTP 503');
      assert.deepEqual(retry?.data, { attempt: 1, retryAt: new Date(T0 + 120_000).toISOString() });

      clock.advance(119_000);
      assert.equal(
        await store.claimPurchaseOrder(po.number, { owner: 'w', now: clock.now(), durationMs: 1 }),
        undefined,
      );
      clock.advance(1_000);
      kindOf(await send(po), 'accepted');
      assert.deepEqual(
        suppliers.acme.requests.map((r) => r.headers['idempotency-key']),
        [po.number, po.number],
      );
      assert.equal((await reload(po)).sendAttempts, 2);
    });

    it('429 with Retry-After as an HTTP-date: the PO waits until that date', async () => {
      const { pos } = await routedOrder();
      suppliers.acme.reply(retryAfterReply(429, new Date(T0 + 300_000).toUTCString()));
      const outcome = kindOf(await send(pos[0]!), 'retrying');
      assert.equal(outcome.retryAt.getTime(), T0 + 300_000);
      assert.equal((await reload(pos[0]!)).nextAttemptAt, new Date(T0 + 300_000).toISOString());
    });

    it('500: exponential backoff, jitter inside [delay/2, delay]', async () => {
      const { pos } = await routedOrder();
      const po = pos[0]!;
      suppliers.acme.reply(jsonReply(500, { error: 'boom' }), jsonReply(500, { error: 'boom' }));
      const first = kindOf(await send(po, environment('acme', { random: () => 0 })), 'retrying');
      assert.equal(first.retryAt.getTime() - T0, 500, 'first attempt, lowest jitter: half of 1 s');
      clock.set(first.retryAt);
      const second = kindOf(await send(po, environment('acme', { random: () => 1 })), 'retrying');
      assert.equal(
        second.retryAt.getTime() - first.retryAt.getTime(),
        2_000,
        'second attempt, highest jitter: 2 s',
      );
      assert.equal((await reload(po)).lastError, 'supplier answered HTTP 500');
    });

    it('a timeout leaves the outcome unknown: retried later with the same PO number', async () => {
      const { order, pos } = await routedOrder();
      const po = pos[0]!;
      suppliers.acme.reply(neverAnswer);
      const outcome = kindOf(await send(po, environment('acme', { timeoutMs: 300 })), 'retrying');
      assert.match(outcome.reason, /^no reply from supplier/);
      const [retry] = await eventsOf(order, 'po.retry');
      assert.match(String(retry?.reason), /^outcome_unknown: /);
      clock.set(outcome.retryAt);
      kindOf(await send(po), 'accepted');
      assert.equal(suppliers.acme.requestsFor(po.number).length, 2);
      assert.deepEqual(
        (await store.listPurchaseOrders(order.id)).map((p) => p.number),
        [po.number],
      );
    });

    it('a connection dropped after the request is an unknown outcome too', async () => {
      const { pos } = await routedOrder();
      suppliers.acme.reply(dropConnection);
      const outcome = kindOf(await send(pos[0]!), 'retrying');
      assert.match(outcome.reason, /^no reply from supplier \(ECONNRESET\)/);
      assert.equal((await reload(pos[0]!)).state, 'pending');
    });

    it('after maxAttempts the PO fails and its lines go to the next supplier', async () => {
      const { order, pos } = await routedOrder();
      const po = pos[0]!;
      const env = environment('acme', { policy: { ...POLICY, maxAttempts: 2 } });
      suppliers.acme.reply(jsonReply(500, {}), jsonReply(500, {}));
      const first = kindOf(await send(po, env), 'retrying');
      clock.set(first.retryAt);
      const failed = kindOf(await send(po, env), 'failed_over');
      assert.equal(failed.reason, 'gave up after 2 attempts: supplier answered HTTP 500');
      const settled = await reload(po);
      assert.deepEqual([settled.state, settled.lastError], ['failed', failed.reason]);
      assert.deepEqual(
        failed.replacements.map((r) => [r.supplierId, r.attempt, r.state, r.lines.map((l) => l.sku)]),
        [['globex', 1, 'pending', ['MUG-01', 'TEE-01']]],
      );
      assert.equal(await orderState(order), 'routed');
    });
  });

  describe('refusals and failover', () => {
    it('4xx: rejected, lines go to the next alternative as a new PO and the order stays routed', async () => {
      const { order, pos } = await routedOrder();
      suppliers.acme.reply(jsonReply(422, { error: 'unknown sku MUG-01' }));
      const outcome = kindOf(await send(pos[0]!), 'failed_over');
      const rejected = await reload(pos[0]!);
      assert.equal(rejected.state, 'rejected');
      assert.equal(rejected.lastError, 'supplier refused the PO with HTTP 422: unknown sku MUG-01');
      const [replacement] = outcome.replacements;
      assert.equal(replacement?.number, purchaseOrderNumber(order.id, 'globex', 1));
      assert.deepEqual(replacement?.alternatives, []);
      assert.deepEqual(replacement?.lines, [
        { orderLineId: '1', sku: 'MUG-01', title: 'Mug', quantity: 2 },
        { orderLineId: '2', sku: 'TEE-01', title: 'T-shirt', quantity: 1 },
      ]);
      assert.equal(await orderState(order), 'routed');
      const created = (await eventsOf(order, 'po.created')).find((e) => e.poNumber === replacement?.number);
      assert.equal(
        created?.reason,
        'supplier refused the PO with HTTP 422: unknown sku MUG-01; lines go to globex',
      );
      assert.equal(created?.data?.from, pos[0]!.number);
      assert.equal(
        (await eventsOf(order, 'po.created')).filter((e) => e.poNumber === pos[0]!.number).length,
        1,
        'the refused PO was created once',
      );

      kindOf(await send(replacement), 'accepted');
      assert.equal(suppliers.globex.requests[0]?.headers['idempotency-key'], replacement?.number);
      assert.equal(await orderState(order), 'acknowledged');
    });

    it('numbers attempts per supplier: the alternative that already has a PO on the order gets attempt 2', async () => {
      const { order, pos } = await routedOrder([
        { supplierId: 'acme', skus: ['MUG-01'], alternatives: ['globex'] },
        { supplierId: 'globex', skus: ['TEE-01'], alternatives: [] },
      ]);
      suppliers.acme.reply(jsonReply(400, { message: 'discontinued' }));
      const outcome = kindOf(await send(pos[0]!), 'failed_over');
      const [replacement] = outcome.replacements;
      assert.deepEqual([replacement?.supplierId, replacement?.attempt], ['globex', 2]);
      assert.equal(replacement?.number, purchaseOrderNumber(order.id, 'globex', 2));
      assert.notEqual(replacement?.number, pos[1]!.number);
      assert.deepEqual(
        (await store.listPurchaseOrders(order.id)).map((p) => [p.supplierId, p.attempt, p.state]).sort(),
        [
          ['acme', 1, 'rejected'],
          ['globex', 1, 'pending'],
          ['globex', 2, 'pending'],
        ],
      );
    });

    it('no alternative left: the order needs attention, with the reason in its events', async () => {
      const { order, pos } = await routedOrder([
        { supplierId: 'acme', skus: ['MUG-01', 'TEE-01'], alternatives: [] },
      ]);
      suppliers.acme.reply(jsonReply(400, { error: 'account on hold' }));
      const outcome = kindOf(await send(pos[0]!), 'needs_attention');
      assert.equal(outcome.reason, 'supplier refused the PO with HTTP 400: account on hold');
      assert.equal(await orderState(order), 'needs_attention');
      const [held] = await eventsOf(order, 'order.needs_attention');
      assert.equal(
        held?.reason,
        'supplier refused the PO with HTTP 400: account on hold; no other supplier can take MUG-01, TEE-01',
      );
      assert.deepEqual([held?.fromState, held?.toState], ['routed', 'needs_attention']);
    });

    it('partial refusal with no alternative: the problem names the refused line by its place and why', async () => {
      const { pos } = await routedOrder([
        { supplierId: 'acme', skus: ['MUG-01', 'TEE-01'], alternatives: [] },
      ]);
      suppliers.acme.reply((request: RecordedRequest) =>
        jsonReply(200, {
          id: 'SO-502',
          lines: linesReply(request, (sku) => (sku === 'TEE-01' ? 'rejected' : 'accepted')),
        }),
      );
      const outcome = kindOf(await send(pos[0]!), 'needs_attention');
      assert.equal(outcome.problem.code, 'supplier_permanent');
      assert.deepEqual(outcome.problem.details, [
        { path: 'lines/TEE-01', message: 'rejected' },
        { path: 'lines/1', message: 'TEE-01 × 1: no other supplier can take it' },
      ]);
    });

    it('partial acceptance: accepted lines stay, the others go to the next supplier', async () => {
      const { order, pos } = await routedOrder();
      suppliers.acme.reply((request: RecordedRequest) =>
        jsonReply(200, {
          id: 'SO-501',
          status: 'partial',
          lines: linesReply(request, (sku) => (sku === 'TEE-01' ? 'backordered' : 'accepted')),
        }),
      );
      const outcome = kindOf(await send(pos[0]!), 'failed_over');
      const kept = await reload(pos[0]!);
      assert.equal(kept.state, 'accepted');
      assert.deepEqual(
        kept.lines.map((l) => l.sku),
        ['MUG-01'],
      );
      assert.deepEqual(
        outcome.replacements.map((r) => [r.supplierId, r.lines.map((l) => l.sku)]),
        [['globex', ['TEE-01']]],
      );
      const [partial] = await eventsOf(order, 'po.partial');
      assert.equal(partial?.reason, 'supplier accepted 1 of 2 lines');
      const created = (await eventsOf(order, 'po.created')).find(
        (e) => e.poNumber === outcome.replacements[0]?.number,
      );
      assert.equal(created?.reason, 'supplier acme refused or backordered TEE-01; lines go to globex');
      assert.equal(await orderState(order), 'routed', 'TEE-01 waits for globex');
      kindOf(await send(outcome.replacements[0]!), 'accepted');
      assert.equal(await orderState(order), 'acknowledged');
    });

    it("partial acceptance recognises lines by the supplier's own part number", async () => {
      const { pos } = await routedOrder([
        {
          supplierId: 'acme',
          skus: ['MUG-01', 'TEE-01'],
          alternatives: ['globex'],
          supplierSkus: { 'MUG-01': 'ACME-7731' },
        },
      ]);
      suppliers.acme.reply((request: RecordedRequest) =>
        jsonReply(200, {
          id: 'SO-502',
          lines: linesReply(request, (sku) => (sku === 'ACME-7731' ? 'accepted' : 'rejected')),
        }),
      );
      kindOf(await send(pos[0]!), 'failed_over');
      assert.deepEqual(
        (suppliers.acme.requests[0]?.body as { lines: { sku: string }[] }).lines.map((l) => l.sku),
        ['ACME-7731', 'TEE-01'],
      );
      const kept = await reload(pos[0]!);
      assert.deepEqual(
        [kept.state, kept.lines.map((l: PurchaseOrderLine) => l.sku)],
        ['accepted', ['MUG-01']],
      );
    });
  });

  describe('circuit breaker per supplier', () => {
    async function openBreaker(breaker: CircuitBreaker): Promise<PurchaseOrder[]> {
      const planned = [];
      for (let i = 0; i < 3; i++) planned.push((await routedOrder()).pos[0]!);
      suppliers.acme.reply(jsonReply(500, {}), jsonReply(500, {}));
      const env = environment('acme', { breaker, random: () => 0 });
      kindOf(await send(planned[0]!, env), 'retrying');
      kindOf(await send(planned[1]!, env), 'retrying');
      return planned;
    }

    it('opens after N failures and defers POs without a request reaching the supplier', async () => {
      const breaker = new CircuitBreaker(2, 30_000);
      const [, , third] = await openBreaker(breaker);
      assert.equal(breaker.stateAt(clock.now()), 'open');
      const outcome = kindOf(await send(third!, environment('acme', { breaker })), 'retrying');
      assert.equal(outcome.reason, 'circuit open for supplier acme');
      assert.equal(outcome.retryAt.getTime(), T0 + 30_000);
      assert.equal(suppliers.acme.requests.length, 2);
      const deferred = await reload(third!);
      assert.deepEqual(
        [deferred.state, deferred.nextAttemptAt],
        ['pending', new Date(T0 + 30_000).toISOString()],
      );
      assert.equal((await eventsOf({ id: deferred.orderId } as Order, 'po.deferred')).length, 1);
    });

    it('half-open: one probe goes through while the others wait; its success closes the breaker', async () => {
      const breaker = new CircuitBreaker(2, 30_000);
      const [first, second] = await openBreaker(breaker);
      clock.set(new Date(T0 + 30_000));
      const env = environment('acme', { breaker });
      suppliers.acme.reply((request: RecordedRequest) =>
        slowReply(
          200,
          jsonReply(201, {
            id: 'SO-probe',
            status: 'accepted',
            lines: linesReply(request, () => 'accepted'),
          }),
        ),
      );
      const probe = send(first!, env);
      await waitFor(() => suppliers.acme.requests.length === 3, 'the probe to reach the supplier');
      const waiting = kindOf(await send(second!, env), 'retrying');
      assert.equal(waiting.reason, 'circuit open for supplier acme');
      assert.equal(suppliers.acme.requests.length, 3, 'only the probe reached the supplier');
      kindOf(await probe, 'accepted');
      assert.equal(breaker.stateAt(clock.now()), 'closed');
      clock.set(waiting.retryAt);
      kindOf(await send(second!, env), 'accepted');
      assert.equal(suppliers.acme.requests.length, 4);
    });

    it('a failed probe opens the breaker for another cooldown', async () => {
      const breaker = new CircuitBreaker(2, 30_000);
      const [first, second] = await openBreaker(breaker);
      clock.set(new Date(T0 + 30_000));
      const env = environment('acme', { breaker });
      suppliers.acme.reply(jsonReply(503, {}));
      kindOf(await send(first!, env), 'retrying');
      assert.equal(breaker.stateAt(clock.now()), 'open');
      const deferred = kindOf(await send(second!, env), 'retrying');
      assert.equal(deferred.retryAt.getTime(), T0 + 60_000);
    });

    it('deferrals by the open breaker do not use up the attempts of a PO', async () => {
      const breaker = new CircuitBreaker(1, 60_000);
      const env = environment('acme', { breaker, policy: { ...POLICY, maxAttempts: 3 } });
      const probe = (await routedOrder()).pos[0]!;
      const waiting = (await routedOrder()).pos[0]!;
      for (let i = 0; i < 10; i++) suppliers.acme.reply(jsonReply(500, {}));
      for (let cycle = 0; cycle < 3; cycle++) {
        kindOf(await send(probe, env), cycle < 2 ? 'retrying' : 'failed_over');
        assert.equal(kindOf(await send(waiting, env), 'retrying').reason, 'circuit open for supplier acme');
        clock.advance(60_000);
      }
      assert.equal(suppliers.acme.requestsFor(waiting.number).length, 0);
      const deferred = await eventsOf({ id: waiting.orderId } as Order, 'po.deferred');
      assert.deepEqual(
        deferred.map((e) => e.reason),
        Array(3).fill('circuit open for supplier acme'),
      );
      const firstSend = kindOf(await send(waiting, env), 'retrying');
      assert.equal(
        firstSend.reason,
        'supplier answered HTTP 500',
        'three deferrals and one send: not yet given up',
      );
      const [retry] = await eventsOf({ id: waiting.orderId } as Order, 'po.retry');
      assert.equal(retry?.data?.attempt, 1);
    });

    it('a store failure before the send does not strand the half-open breaker', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'dropship-dispatch-'));
      const file = path.join(dir, 'store.sqlite');
      await store.close();
      store = new SqliteOrderStore({ filename: file, clock });
      await store.migrate();
      try {
        const breaker = new CircuitBreaker(1, 30_000);
        const first = (await routedOrder()).pos[0]!;
        const second = (await routedOrder()).pos[0]!;
        suppliers.acme.reply(jsonReply(500, {}));
        kindOf(await send(first, environment('acme', { breaker })), 'retrying');
        clock.advance(30_000);
        const claimed = await claim(second);
        const env = environment('acme', { breaker });
        await store.close();
        await assert.rejects(
          sendClaimedPurchaseOrder(env, claimed, { leaseOwner: 'worker-1' }),
          /database connection is not open/,
        );
        store = new SqliteOrderStore({ filename: file, clock });
        kindOf(await send(first, environment('acme', { breaker })), 'accepted');
        assert.equal(breaker.stateAt(clock.now()), 'closed');
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a refusal shows the supplier is up: it does not count towards opening', async () => {
      const breaker = new CircuitBreaker(2, 30_000);
      const orders = [
        (await routedOrder()).pos[0]!,
        (await routedOrder()).pos[0]!,
        (await routedOrder()).pos[0]!,
      ];
      const env = environment('acme', { breaker });
      suppliers.acme.reply(jsonReply(500, {}), jsonReply(400, { error: 'bad address' }), jsonReply(500, {}));
      for (const po of orders) await send(po, env);
      assert.equal(breaker.stateAt(clock.now()), 'closed');
    });
  });

  describe('claims', () => {
    it('a PO claimed by one worker can be neither claimed nor sent by another', async () => {
      const { pos } = await routedOrder();
      const lease = { now: clock.now(), durationMs: 60_000 };
      const [first, second, swept] = await Promise.all([
        store.claimPurchaseOrder(pos[0]!.number, { ...lease, owner: 'worker-1' }),
        store.claimPurchaseOrder(pos[0]!.number, { ...lease, owner: 'worker-2' }),
        store.claimDuePurchaseOrders({ ...lease, owner: 'worker-3' }, 10),
      ]);
      const winners = [
        ...(first ? [{ po: first, leaseOwner: 'worker-1' }] : []),
        ...(second ? [{ po: second, leaseOwner: 'worker-2' }] : []),
        ...swept.map((po) => ({ po, leaseOwner: 'worker-3' })),
      ];
      assert.equal(winners.length, 1);
      const [winner] = winners;
      kindOf(
        await sendClaimedPurchaseOrder(environment('acme'), winner!.po, { leaseOwner: winner!.leaseOwner }),
        'accepted',
      );
      assert.equal(suppliers.acme.requests.length, 1);
      assert.deepEqual(await store.claimDuePurchaseOrders({ ...lease, owner: 'worker-2' }, 10), []);
    });

    it("a dead worker's lease runs out, and another worker resends under the same number", async () => {
      const { pos } = await routedOrder();
      const po = pos[0]!;
      await claim(po, 'worker-1', 10_000);
      clock.advance(5_000);
      assert.deepEqual(
        await store.claimDuePurchaseOrders({ owner: 'worker-2', now: clock.now(), durationMs: 10_000 }, 10),
        [],
      );
      clock.advance(6_000);
      const [taken] = await store.claimDuePurchaseOrders(
        { owner: 'worker-2', now: clock.now(), durationMs: 10_000 },
        10,
      );
      assert.equal(taken?.number, po.number);
      assert.equal(taken?.sendAttempts, 2);
      kindOf(
        await sendClaimedPurchaseOrder(environment('acme'), taken, { leaseOwner: 'worker-2' }),
        'accepted',
      );
      assert.equal(suppliers.acme.requests[0]?.headers['idempotency-key'], po.number);
    });

    it('a worker that outlived its lease finds the PO settled by another and writes nothing', async () => {
      const { order, pos } = await routedOrder();
      const po = pos[0]!;
      suppliers.acme.reply((request: RecordedRequest) =>
        slowReply(
          300,
          jsonReply(201, { id: 'SO-slow', status: 'accepted', lines: linesReply(request, () => 'accepted') }),
        ),
      );
      const slow = send(po, environment('acme'), 'worker-1', 1_000);
      await waitFor(() => suppliers.acme.requests.length === 1, 'the first send');
      clock.advance(2_000);
      kindOf(await send(po, environment('acme'), 'worker-2'), 'accepted');
      assert.equal(kindOf(await slow, 'superseded').leaseLost, true);
      assert.deepEqual(
        suppliers.acme.requests.map((r) => r.headers['idempotency-key']),
        [po.number, po.number],
      );
      assert.equal((await eventsOf(order, 'po.accepted')).length, 1);
      assert.equal((await reload(po)).supplierReference, `SO-${po.number}`);
    });

    describe('a worker whose lease was taken over while the supplier answered', () => {
      const firstAnswers: [string, (request: RecordedRequest) => SupplierReply][] = [
        [
          'accepted',
          (request) =>
            jsonReply(201, {
              id: 'SO-first',
              status: 'accepted',
              lines: linesReply(request, () => 'accepted'),
            }),
        ],
        ['refused (HTTP 422)', () => jsonReply(422, { error: 'unknown sku MUG-01' })],
        ['busy (HTTP 503)', () => jsonReply(503, { error: 'try again later' })],
        ['backordered (a failover)', () => jsonReply(200, { id: 'SO-first', status: 'backordered' })],
        [
          'partly accepted (a failover of the rest)',
          (request) =>
            jsonReply(200, {
              id: 'SO-first',
              status: 'partial',
              lines: linesReply(request, (sku) => (sku === 'TEE-01' ? 'rejected' : 'accepted')),
            }),
        ],
      ];
      for (const [answer, firstReply] of firstAnswers) {
        it(`${answer}: superseded, nothing written; the worker holding the lease records its own answer`, async () => {
          const { order, pos } = await routedOrder();
          const po = pos[0]!;
          // The first answer arrives while the second send still waits for its own.
          suppliers.acme.reply(
            (request) => slowReply(300, firstReply(request)),
            (request) =>
              slowReply(
                1_200,
                jsonReply(201, {
                  id: 'SO-second',
                  status: 'accepted',
                  lines: linesReply(request, () => 'accepted'),
                }),
              ),
          );
          const late = send(po, environment('acme'), 'worker-1', 1_000);
          await waitFor(() => suppliers.acme.requests.length === 1, 'the first send');
          clock.advance(2_000);
          const current = send(po, environment('acme'), 'worker-2');
          assert.equal(kindOf(await late, 'superseded').leaseLost, true);
          const held = await reload(po);
          assert.deepEqual(
            [held.state, held.sendAttempts, held.supplierReference],
            ['sending', 2, undefined],
          );
          kindOf(await current, 'accepted');
          assert.deepEqual(
            (await store.listPurchaseOrders(order.id)).map((p) => [p.number, p.state, p.supplierReference]),
            [[po.number, 'accepted', 'SO-second']],
          );
          assert.deepEqual(
            (await store.listEvents(order.id)).map((e) => e.type),
            ['order.received', 'order.routed', 'po.created', 'po.accepted', 'order.state'],
          );
          assert.equal(await orderState(order), 'acknowledged');
        });
      }

      it('turned back by the open breaker: superseded, the PO stays with the worker holding the lease', async () => {
        const { order, pos } = await routedOrder();
        const po = pos[0]!;
        const claimed = await claim(po, 'worker-1', 1_000);
        clock.advance(2_000);
        await claim(po, 'worker-2');
        const breaker = new CircuitBreaker(1, 30_000);
        breaker.recordFailure(clock.now());
        const outcome = kindOf(
          await sendClaimedPurchaseOrder(environment('acme', { breaker }), claimed, {
            leaseOwner: 'worker-1',
          }),
          'superseded',
        );
        assert.equal(outcome.leaseLost, true);
        assert.equal((await reload(po)).state, 'sending');
        assert.deepEqual(await eventsOf(order, 'po.deferred'), []);
        assert.equal(suppliers.acme.requests.length, 0);
      });
    });
  });
});
