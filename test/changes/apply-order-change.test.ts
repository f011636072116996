import assert from 'node:assert/strict';
import {
  applyRecordedChange,
  resumeOrderChanges,
  type ChangeEnvironment,
} from '../../core/changes/apply-order-change';
import { recordStorefrontChange } from '../../core/changes/record-order-change';
import { recordChangeAnswer } from '../../core/changes/change-answers';
import { proposeCancellationRefund } from '../../core/refunds/cancellation-refund';
import { shopifyCancellation } from '../../connectors/storefronts/shopify-changes';
import type { OrderChangeLine } from '../../core/model/order-change';
import type { Order } from '../../core/model/order';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import { routeStoredOrder } from '../../core/routing/route-stored-order';
import { parseRoutingRules } from '../../core/routing/routing-rules';
import { openStore } from '../../core/store/open-store';
import type { OrderStore } from '../../core/store/order-store';
import { restJsonConnector } from '../../connectors/suppliers/rest-json/rest-json';
import type { WithdrawChannel } from '../../core/dispatch/withdraw-purchase-order';
import type { SupplierConnector } from '../../core/ports/supplier-connector';
import { HttpSupplier, jsonReply } from '../support/http-supplier';
import { sampleOrderDraft, purchaseOrderDraftFor } from '../support/orders';
import { TEST_POSTGRES_URL, dropSchemas, ensurePostgres, uniqueSchemaName } from '../support/postgres';
import { sentPurchaseOrder } from '../support/withdrawals';

const actor = 'test';

const engines = [
  {
    name: 'sqlite',
    open: async () => ({
      store: await openStore({ engine: 'sqlite', filename: ':memory:' }),
      drop: async () => undefined,
    }),
  },
  {
    name: 'postgres',
    open: async () => {
      await ensurePostgres();
      const schema = uniqueSchemaName();
      const store = await openStore({
        engine: 'postgres',
        connectionString: TEST_POSTGRES_URL,
        schema,
        poolSize: 2,
      });
      return { store, drop: () => dropSchemas([schema]) };
    },
  },
];

for (const engine of engines) {
  describe(`storefront changes applied to orders and POs (${engine.name}, supplier API on 127.0.0.1)`, function () {
    this.timeout(30_000);
    let store: OrderStore;
    let drop: () => Promise<void>;
    let supplier: HttpSupplier;
    let settings: Record<string, unknown>;

    beforeEach(async () => {
      ({ store, drop } = await engine.open());
      supplier = await new HttpSupplier().start();
      settings = {
        url: supplier.url,
        timeoutMs: 2_000,
        cancelUrl: `${supplier.url}/{poNumber}/cancel`,
        changeUrl: `${supplier.url}/{poNumber}`,
      };
    });
    afterEach(async () => {
      await supplier.stop();
      await store.close();
      await drop();
    });

    function channel(): WithdrawChannel {
      return {
        connector: restJsonConnector as SupplierConnector<never>,
        context: {
          supplierId: 'acme',
          settings,
          credentials: {},
          log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
          clock: { now: () => new Date() },
          nextSequenceValue: async () => 1,
        },
      };
    }

    const env = (): ChangeEnvironment => ({
      store,
      actor: 'dispatch:test',
      channelOf: (supplierId) => (supplierId === 'acme' ? channel() : undefined),
      sleep: async () => undefined,
    });

    /** The storefront's change to `order`, recorded as intake records it. */
    async function change(order: Order, key: string, lines: OrderChangeLine[], whole = false) {
      const recorded = await recordStorefrontChange(
        store,
        {
          channel: order.channel,
          externalId: order.externalId,
          kind: whole ? 'cancel' : 'edit',
          whole,
          lines,
          key,
        },
        actor,
      );
      assert.equal(recorded.kind, 'change');
      return recorded.kind === 'change' ? recorded.change : assert.fail('not recorded');
    }

    const requestsTo = (po: PurchaseOrder) =>
      supplier.requests.filter((r) => r.path.startsWith(`/orders/${po.number}`));

    it('records a change once per key: the same cancellation delivered twice is one change', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const first = await recordStorefrontChange(
        store,
        {
          channel: order.channel,
          externalId: order.externalId,
          kind: 'cancel',
          whole: true,
          lines: [],
          key: 'cancel:t1',
        },
        actor,
      );
      const again = await recordStorefrontChange(
        store,
        {
          channel: order.channel,
          externalId: order.externalId,
          kind: 'cancel',
          whole: true,
          lines: [],
          key: 'cancel:t1',
        },
        actor,
      );
      assert.deepEqual(
        [first.kind === 'change' && first.created, again.kind === 'change' && again.created],
        [true, false],
      );
      assert.equal((await store.listOrderChanges(order.id)).length, 1);
      assert.equal(
        (await store.listEvents(order.id)).filter((e) => e.type === 'order.change_received').length,
        1,
      );
    });

    it('ignores a change to an order never received, and refuses a line the order does not have', async () => {
      const ignored = await recordStorefrontChange(
        store,
        { channel: 'generic', externalId: 'nobody', kind: 'cancel', whole: true, lines: [], key: 'k' },
        actor,
      );
      assert.equal(ignored.kind, 'ignored');
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      await assert.rejects(
        recordStorefrontChange(
          store,
          {
            channel: order.channel,
            externalId: order.externalId,
            kind: 'edit',
            whole: false,
            lines: [{ lineId: '9', mode: 'remove', quantity: 1 }],
            key: 'k',
          },
          actor,
        ),
        (err: Error & { details?: { path: string }[] }) => err.details?.[0]?.path === '/lines/0/lineId',
      );
    });

    it('cancels an order before dispatch: its pending PO is cancelled here and nothing reaches the supplier', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order)], {
        type: 'order.routed',
        actor,
      }))!;
      const recorded = await change(order, 'cancel:1', [], true);
      const outcome = await applyRecordedChange(env(), recorded.id);
      assert.equal(outcome?.kind, 'applied');
      assert.equal((await store.getPurchaseOrder(po!.number))?.state, 'cancelled');
      assert.equal((await store.getPurchaseOrder(po!.number))?.withdrawal, undefined);
      const after = await store.getOrder(order.id);
      assert.deepEqual([after?.state, after?.lines.length], ['cancelled', 0]);
      assert.equal(supplier.requests.length, 0);
      assert.equal((await store.listOrderChanges(order.id))[0]?.state, 'applied');
    });

    it('cancels inside the hold window: the held PO is due later, and is cancelled without a word to the supplier', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const rules = parseRoutingRules({
        strategy: 'priority',
        rules: [{ name: 'all', match: { sku: '*' }, suppliers: ['acme'] }],
      });
      const routed = await routeStoredOrder(store, order, rules, actor, new Date(), 10 * 60_000);
      assert.equal(routed.kind, 'routed');
      const po = routed.kind === 'routed' ? routed.purchaseOrders[0]! : assert.fail();
      assert.ok(Date.parse(po.nextAttemptAt!) > Date.now() + 9 * 60_000, 'held ten minutes');
      const routedEvent = (await store.listEvents(order.id)).find((e) => e.type === 'order.routed');
      assert.match(routedEvent?.reason ?? '', /held until .* \(hold window 10 minutes\)/);
      // A dispatch sweep inside the window finds nothing due.
      assert.deepEqual(
        await store.claimDuePurchaseOrders({ owner: 'd', now: new Date(), durationMs: 60_000 }, 10),
        [],
      );

      await change(order, 'cancel:1', [], true);
      const [outcome] = await resumeOrderChanges(env());
      assert.equal(outcome?.kind, 'applied');
      assert.deepEqual(outcome?.kind === 'applied' && outcome.purchaseOrders.map((p) => p.outcome), [
        'cancelled_before_dispatch',
      ]);
      assert.equal((await store.getOrder(order.id))?.state, 'cancelled');
      assert.equal(supplier.requests.length, 0);
    });

    it('cancels after the supplier accepted: the PO is withdrawn through its cancel URL, once, and the order is cancelled', async () => {
      const { order, po } = await sentPurchaseOrder(store);
      const recorded = await change(order, 'cancel:1', [], true);
      const outcome = await applyRecordedChange(env(), recorded.id);
      assert.deepEqual(outcome?.kind === 'applied' && outcome.purchaseOrders.map((p) => p.outcome), [
        'confirmed',
      ]);
      const cancels = requestsTo(po);
      assert.deepEqual(
        cancels.map((r) => [r.method, r.path]),
        [['POST', `/orders/${po.number}/cancel`]],
      );
      const events = await store.listEvents(order.id);
      assert.ok(events.some((e) => e.type === 'po.cancel_confirmed' && e.poNumber === po.number));
      assert.equal((await store.getOrder(order.id))?.state, 'cancelled');
      // The change is applied: a second try finds nothing to claim.
      assert.equal(await applyRecordedChange(env(), recorded.id), undefined);
      assert.equal(requestsTo(po).length, 1);
    });

    it('cancels part of a sent PO: the supplier gets the change with the new quantities, keyed by the PO and the change', async () => {
      const { order, po } = await sentPurchaseOrder(store);
      const recorded = await change(order, 'edit:1', [{ lineId: '1', mode: 'remove', quantity: 1 }]);
      const outcome = await applyRecordedChange(env(), recorded.id);
      assert.deepEqual(outcome?.kind === 'applied' && outcome.purchaseOrders.map((p) => p.outcome), [
        'confirmed',
      ]);
      const [request] = requestsTo(po);
      assert.equal(request?.method, 'PATCH');
      assert.equal(request?.headers['idempotency-key'], `${po.number}-C${recorded.id}`);
      assert.deepEqual((request?.body as { lines: unknown[] }).lines, [
        { sku: 'MUG-01', quantity: 1, previousQuantity: 2 },
        { sku: 'TEE-01', quantity: 1, previousQuantity: 1 },
      ]);
      assert.deepEqual(
        (await store.getPurchaseOrder(po.number))?.lines.map((l) => l.quantity),
        [1, 1],
      );
      const after = await store.getOrder(order.id);
      assert.deepEqual([after?.state, after?.lines.map((l) => l.quantity)], ['dispatched', [1, 1]]);
      assert.ok((await store.listEvents(order.id)).some((e) => e.type === 'po.change_confirmed'));
    });

    it('cancels part of a sent PO through the cancel URL with the cancelled lines when the supplier has no change URL', async () => {
      delete settings.changeUrl;
      const { order, po } = await sentPurchaseOrder(store);
      const recorded = await change(order, 'edit:1', [{ lineId: '2', mode: 'remove', quantity: 1 }]);
      await applyRecordedChange(env(), recorded.id);
      const [request] = requestsTo(po);
      assert.equal(request?.path, `/orders/${po.number}/cancel`);
      assert.deepEqual((request?.body as { lines: unknown[] }).lines, [{ sku: 'TEE-01', quantity: 1 }]);
      assert.deepEqual(
        (await store.getPurchaseOrder(po.number))?.lines.map((l) => [l.sku, l.quantity]),
        [['MUG-01', 2]],
      );
      assert.equal((await store.getPurchaseOrder(po.number))?.state, 'sent');
    });

    it('raises a quantity on a PO not yet sent in the store alone', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const [po] = (await store.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order)], {
        type: 'order.routed',
        actor,
      }))!;
      const recorded = await change(order, 'edit:1', [{ lineId: '2', mode: 'set', quantity: 3 }]);
      const outcome = await applyRecordedChange(env(), recorded.id);
      assert.deepEqual(outcome?.kind === 'applied' && outcome.purchaseOrders.map((p) => p.outcome), [
        'changed_before_dispatch',
      ]);
      assert.deepEqual(
        (await store.getPurchaseOrder(po!.number))?.lines.map((l) => l.quantity),
        [2, 3],
      );
      assert.deepEqual(
        (await store.getOrder(order.id))?.lines.map((l) => l.quantity),
        [2, 3],
      );
      assert.equal(supplier.requests.length, 0);
    });

    it('records a return candidate when the supplier refuses the cancellation because it shipped', async () => {
      const { order, po } = await sentPurchaseOrder(store);
      supplier.reply(jsonReply(409, { error: 'already shipped' }));
      const recorded = await change(order, 'edit:1', [{ lineId: '1', mode: 'remove', quantity: 2 }]);
      const outcome = await applyRecordedChange(env(), recorded.id);
      assert.deepEqual(outcome?.kind === 'applied' && outcome.purchaseOrders.map((p) => p.outcome), [
        'refused',
      ]);
      // The supplier keeps the PO as it was.
      assert.deepEqual(
        (await store.getPurchaseOrder(po.number))?.lines.map((l) => l.quantity),
        [2, 1],
      );
      const candidate = (await store.listEvents(order.id)).find((e) => e.type === 'order.return_candidate');
      assert.deepEqual(candidate?.data?.lines, [{ orderLineId: '1', sku: 'MUG-01', quantity: 2 }]);
      assert.deepEqual(
        (await store.getOrder(order.id))?.lines.map((l) => l.quantity),
        [2, 1],
      );
      // The units may still reach the customer: no refund until they come back.
      assert.deepEqual(await store.listRefunds({ orderId: order.id }), []);
    });

    it('makes shipped units return candidates and leaves the rest of the order shipping', async () => {
      const { order, po } = await sentPurchaseOrder(store);
      await store.transitionPurchaseOrder(po.number, ['sent'], 'shipped', {}, { type: 'po.shipped', actor });
      const recorded = await change(order, 'cancel:1', [], true);
      const outcome = await applyRecordedChange(env(), recorded.id);
      assert.deepEqual(outcome?.kind === 'applied' && outcome.purchaseOrders.map((p) => p.outcome), [
        'shipped',
      ]);
      assert.equal(outcome?.kind === 'applied' && outcome.returnCandidates[0]?.lines.length, 2);
      assert.notEqual((await store.getOrder(order.id))?.state, 'cancelled');
      assert.equal(supplier.requests.length, 0);
    });

    it('resumes a change whose worker died after rewriting the PO: the supplier is told once, with the same change id', async () => {
      const { order, po } = await sentPurchaseOrder(store);
      const recorded = await change(order, 'edit:1', [{ lineId: '1', mode: 'remove', quantity: 1 }]);
      // The first worker claimed the change and rewrote the PO, then died before telling the supplier.
      const claimed = await store.claimOrderChange(recorded.id, {
        owner: 'dead',
        now: new Date(),
        durationMs: 1,
      });
      assert.equal(claimed?.id, recorded.id);
      await store.changePurchaseOrderLines(
        po.number,
        ['sent'],
        po.version,
        [{ ...po.lines[0]!, quantity: 1 }, po.lines[1]!],
        { type: 'po.lines_changed', actor: 'dead', data: { changeId: recorded.id, previousLines: po.lines } },
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
      const [outcome] = await resumeOrderChanges(env());
      assert.deepEqual(outcome?.kind === 'applied' && outcome.purchaseOrders.map((p) => p.outcome), [
        'confirmed',
      ]);
      const changes = requestsTo(po);
      assert.equal(changes.length, 1);
      assert.equal(changes[0]?.headers['idempotency-key'], `${po.number}-C${recorded.id}`);
      assert.deepEqual(
        (await store.getPurchaseOrder(po.number))?.lines.map((l) => l.quantity),
        [1, 1],
      );
      assert.deepEqual(
        (await store.getOrder(order.id))?.lines.map((l) => l.quantity),
        [1, 1],
      );
      assert.deepEqual(await resumeOrderChanges(env()), []);
    });

    it('records the supplier answer to a change read later (an 865): accepted, or refused with the PO put back', async () => {
      // A channel that delivers the change and cannot confirm it (an EDI file): the partner answers later.
      const filed: ChangeEnvironment = {
        ...env(),
        channelOf: () => ({
          connector: {
            ...(restJsonConnector as SupplierConnector<never>),
            changePurchaseOrder: async () => ({ outcome: 'requested' as const }),
          },
          context: channel().context,
        }),
      };
      const accepted = await sentPurchaseOrder(store);
      const first = await change(accepted.order, 'edit:1', [{ lineId: '1', mode: 'remove', quantity: 1 }]);
      await applyRecordedChange(filed, first.id);
      const answer = (po: PurchaseOrder, id: number, outcome: 'accepted' | 'rejected') => ({
        poNumber: po.number,
        changeId: `${po.number}-C${id}`,
        outcome,
        receivedAt: '2026-12-07T23:00:00.000Z',
      });
      assert.deepEqual(await recordChangeAnswer(store, actor, answer(accepted.po, first.id, 'accepted')), {
        kind: 'recorded',
        orderId: accepted.order.id,
        confirmed: true,
      });
      // The same file read twice records nothing more.
      assert.equal(
        (await recordChangeAnswer(store, actor, answer(accepted.po, first.id, 'accepted'))).kind,
        'duplicate',
      );
      const types = (await store.listEvents(accepted.order.id)).map((e) => e.type);
      assert.deepEqual(
        types.filter((t) => t.startsWith('po.change_')),
        ['po.change_requested', 'po.change_confirmed'],
      );

      const refused = await sentPurchaseOrder(store);
      const second = await change(refused.order, 'edit:1', [{ lineId: '1', mode: 'remove', quantity: 2 }]);
      await applyRecordedChange(filed, second.id);
      assert.deepEqual(
        (await store.getPurchaseOrder(refused.po.number))?.lines.map((l) => l.quantity),
        [1],
      );
      await recordChangeAnswer(store, actor, answer(refused.po, second.id, 'rejected'));
      assert.deepEqual(
        (await store.getPurchaseOrder(refused.po.number))?.lines.map((l) => l.quantity),
        [2, 1],
      );
      const candidate = (await store.listEvents(refused.order.id)).find(
        (e) => e.type === 'order.return_candidate',
      );
      assert.deepEqual(candidate?.data?.lines, [{ orderLineId: '1', sku: 'MUG-01', quantity: 2 }]);
      assert.equal(
        (await recordChangeAnswer(store, actor, { ...answer(refused.po, 99, 'accepted') })).kind,
        'unknown',
      );
    });

    it('applies the changes of one order in the order they came', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const first = await change(order, 'edit:1', [{ lineId: '1', mode: 'remove', quantity: 1 }]);
      const second = await change(order, 'edit:2', [{ lineId: '1', mode: 'remove', quantity: 1 }]);
      // The second waits for the first.
      assert.equal(await applyRecordedChange(env(), second.id), undefined);
      await applyRecordedChange(env(), first.id);
      assert.deepEqual(
        (await store.getOrder(order.id))?.lines.map((l) => l.quantity),
        [1, 1],
      );
      await applyRecordedChange(env(), second.id);
      const after = await store.getOrder(order.id);
      assert.deepEqual(
        [after?.state, after?.lines.map((l) => [l.lineId, l.quantity])],
        ['received', [['2', 1]]],
      );
    });

    /** The order's refunds, as (trigger, state, total in minor units, lines as [lineId, quantity]). */
    async function refundsOf(orderId: string) {
      return (await store.listRefunds({ orderId })).map((r) => [
        r.trigger,
        r.state,
        r.amounts.total,
        r.amounts.lines.map((l) => [l.lineId, l.quantity]),
      ]);
    }

    it('proposes the refund of a whole cancellation the shop did not refund: every line and the shipping', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const cancel = await change(order, 'cancel:t1', [], true);
      const outcome = await applyRecordedChange(env(), cancel.id);
      assert.equal(outcome?.kind === 'applied' && outcome.refund?.amounts.total, 5000);
      assert.deepEqual(await refundsOf(order.id), [
        [
          'customer_cancelled',
          'proposed',
          5000,
          [
            ['1', 2],
            ['2', 1],
          ],
        ],
      ]);
      assert.ok((await store.listEvents(order.id)).some((e) => e.type === 'refund.proposed'));
    });

    it('proposes the share of the cancelled units of a partial cancellation, and of each later edit', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const first = await change(order, 'edit:1', [{ lineId: '1', mode: 'remove', quantity: 1 }]);
      await applyRecordedChange(env(), first.id);
      const second = await change(order, 'edit:2', [{ lineId: '1', mode: 'set', quantity: 0 }]);
      await applyRecordedChange(env(), second.id);
      // 12.50 a unit plus its share of the 5.00 shipping (12.50 / 45.00 of it, rounded on the running total).
      assert.deepEqual(await refundsOf(order.id), [
        ['customer_cancelled', 'proposed', 1389, [['1', 1]]],
        ['customer_cancelled', 'proposed', 1389, [['1', 1]]],
      ]);
    });

    it('proposes only for units taken off a sent PO the supplier confirmed the change of', async () => {
      const { order, po } = await sentPurchaseOrder(store);
      const partial = await change(order, 'edit:1', [{ lineId: '2', mode: 'remove', quantity: 1 }]);
      await applyRecordedChange(env(), partial.id);
      assert.equal(requestsTo(po).length, 1);
      assert.deepEqual(await refundsOf(order.id), [['customer_cancelled', 'proposed', 2222, [['2', 1]]]]);
    });

    it('proposes nothing for a Shopify cancellation whose payload says the shop refunded it', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft({ channel: 'shopify' }), { actor });
      const payload = {
        cancelled_at: '2026-12-07T20:02:41-05:00',
        cancel_reason: 'customer',
        financial_status: 'refunded',
      };
      const decision = shopifyCancellation(payload, order.externalId);
      assert.equal(decision.kind, 'change');
      if (decision.kind !== 'change') return;
      assert.equal(decision.change.shopRefunds, 'all');
      const recorded = await recordStorefrontChange(store, decision.change, actor);
      assert.equal(recorded.kind, 'change');
      if (recorded.kind !== 'change') return;
      const outcome = await applyRecordedChange(env(), recorded.change.id);
      assert.equal(outcome?.kind === 'applied' && outcome.order.state, 'cancelled');
      assert.deepEqual(await refundsOf(order.id), []);
    });

    it('leaves out of a Shopify cancellation the units its payload lists as refunded (returned units aside)', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft({ channel: 'shopify' }), { actor });
      const decision = shopifyCancellation(
        {
          cancelled_at: '2026-12-07T20:02:41-05:00',
          financial_status: 'partially_refunded',
          refunds: [
            {
              id: 509562969,
              refund_line_items: [
                { line_item_id: '1', quantity: 2, restock_type: 'cancel' },
                // Refunded as returned: shipped units, not part of what the cancellation takes off.
                { line_item_id: '2', quantity: 1, restock_type: 'return' },
              ],
            },
          ],
        },
        order.externalId,
      );
      if (decision.kind !== 'change') return assert.fail('not a change');
      const recorded = await recordStorefrontChange(store, decision.change, actor);
      if (recorded.kind !== 'change') return assert.fail('not recorded');
      await applyRecordedChange(env(), recorded.change.id);
      assert.deepEqual(await refundsOf(order.id), [['customer_cancelled', 'proposed', 2222, [['2', 1]]]]);
    });

    it('proposes nothing for a change that is the shop refund (refunds/create, WooCommerce refunded)', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const recorded = await recordStorefrontChange(
        store,
        {
          channel: order.channel,
          externalId: order.externalId,
          kind: 'refund',
          whole: true,
          lines: [],
          key: 'status:refunded',
        },
        actor,
      );
      if (recorded.kind !== 'change') return assert.fail('not recorded');
      await applyRecordedChange(env(), recorded.change.id);
      assert.equal((await store.getOrder(order.id))?.state, 'cancelled');
      assert.deepEqual(await refundsOf(order.id), []);
    });

    it('proposes once when the same cancellation is delivered again and its application resumed', async () => {
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const cancel = await change(order, 'cancel:t1', [], true);
      // A worker that died after proposing, before completing: the change is applied again by the resume.
      const lease = { owner: 'dead-worker', now: new Date(Date.now() - 3_600_000), durationMs: 1 };
      const claimed = await store.claimOrderChange(cancel.id, lease);
      assert.ok(claimed);
      await proposeCancellationRefund(store, order, [], claimed, 'dead-worker');
      await change(order, 'cancel:t1', [], true);
      await resumeOrderChanges(env());
      await applyRecordedChange(env(), cancel.id);
      assert.deepEqual(
        (await refundsOf(order.id)).map((r) => r[2]),
        [5000],
      );
      assert.equal((await store.listEvents(order.id)).filter((e) => e.type === 'refund.proposed').length, 1);
    });
  });
}
