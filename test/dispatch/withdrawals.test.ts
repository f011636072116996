import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../core/clock';
import { applyAcknowledgement } from '../../core/dispatch/dispatch-purchase-order';
import {
  NO_LONGER_NEEDED,
  resumeWithdrawals,
  withdrawalProblem,
  withdrawPurchaseOrder,
  type ResumeWithdrawalsEnvironment,
  type WithdrawChannel,
} from '../../core/dispatch/withdraw-purchase-order';
import type { OrderStore } from '../../core/store/order-store';
import { PostgresOrderStore } from '../../core/store/postgres/postgres-store';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import type { SupplierConnector } from '../../core/ports/supplier-connector';
import { restJsonConnector } from '../../connectors/suppliers/rest-json/rest-json';
import { HttpSupplier, jsonReply, slowReply } from '../support/http-supplier';
import { TEST_POSTGRES_URL, dropSchemas, ensurePostgres, uniqueSchemaName } from '../support/postgres';
import { cancelledBeforeWithdrawal, sentPurchaseOrder } from '../support/withdrawals';

const connector: SupplierConnector = restJsonConnector as SupplierConnector<never>;
const LEASE_MS = 60_000;

type Clock = ReturnType<typeof fixedClock>;

/** Two stores on one database, as two Node-RED instances have them. */
interface Engine {
  name: string;
  open(clock: Clock): Promise<[OrderStore, OrderStore]>;
  drop(): Promise<void>;
}

function sqlite(): Engine {
  let dir: string | undefined;
  return {
    name: 'SQLite, two connections to one file',
    async open(clock) {
      dir = mkdtempSync(path.join(tmpdir(), 'dropship-withdraw-'));
      const filename = path.join(dir, 'store.sqlite');
      const first = new SqliteOrderStore({ filename, clock });
      await first.migrate();
      return [first, new SqliteOrderStore({ filename, clock })];
    },
    async drop() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgres(): Engine {
  const schema = uniqueSchemaName('dropship_withdraw');
  return {
    name: 'PostgreSQL, two pools',
    async open(clock) {
      await ensurePostgres();
      const open = () =>
        new PostgresOrderStore({ connectionString: TEST_POSTGRES_URL, schema, poolSize: 4, clock });
      const first = open();
      await first.migrate();
      return [first, open()];
    },
    drop: () => dropSchemas([schema]),
  };
}

for (const engine of [sqlite, postgres]) {
  describe(`resuming withdrawals of cancelled POs (${engine().name}, supplier API on 127.0.0.1)`, function () {
    this.timeout(30_000);
    let clock: Clock;
    let db: Engine;
    let store: OrderStore;
    let otherInstance: OrderStore;
    let supplier: HttpSupplier;

    beforeEach(async () => {
      clock = fixedClock(new Date());
      db = engine();
      [store, otherInstance] = await db.open(clock);
      supplier = await new HttpSupplier().start();
    });
    afterEach(async () => {
      await supplier.stop();
      await Promise.all([store.close(), otherInstance.close()]);
      await db.drop();
    });

    /** acme's REST API, which withdraws POs at `<orders URL>/{poNumber}/cancel`. */
    function acme(): WithdrawChannel {
      return {
        connector,
        context: {
          supplierId: 'acme',
          settings: { url: supplier.url, timeoutMs: 2_000, cancelUrl: `${supplier.url}/{poNumber}/cancel` },
          credentials: {},
          log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
          clock,
          nextSequenceValue: async () => 1,
        },
      };
    }

    /** A dispatch sweep of an instance where acme is deployed. */
    function sweep(on: OrderStore = store, overrides: Partial<ResumeWithdrawalsEnvironment> = {}) {
      return resumeWithdrawals({
        store: on,
        actor: 'dispatch:sweep',
        supplierIds: ['acme'],
        channelOf: (supplierId) => (supplierId === 'acme' ? acme() : undefined),
        othersAfterMs: LEASE_MS,
        leaseMs: LEASE_MS,
        clock,
        sleep: async () => undefined,
        ...overrides,
      });
    }

    const cancelsOf = (poNumber: string) => supplier.requestsFor(`cancel-${poNumber}`);
    const outcomesOf = async (orderId: string) =>
      (await store.listEvents(orderId))
        .filter((e) => e.type.startsWith('po.cancel_'))
        .map((e) => [e.type, e.poNumber, e.actor]);

    it('withdraws a PO left cancelled by a crash before its withdrawal, exactly once', async () => {
      const { order, po } = await cancelledBeforeWithdrawal(store);
      const resumed = await sweep();
      assert.deepEqual(
        resumed.map((r) => [r.purchaseOrder.number, r.withdrawal.kind]),
        [[po.number, 'confirmed']],
      );
      const [cancel] = cancelsOf(po.number);
      assert.deepEqual(
        [cancel?.method, cancel?.path, (cancel?.body as { reason?: string }).reason],
        ['POST', `/orders/${po.number}/cancel`, NO_LONGER_NEEDED],
      );
      assert.equal((await store.getPurchaseOrder(po.number))?.withdrawal, 'done');
      assert.deepEqual(await outcomesOf(order.id), [['po.cancel_confirmed', po.number, 'dispatch:sweep']]);
      // Later sweeps, on either instance and long after, find nothing more to do.
      clock.advance(10 * LEASE_MS);
      assert.deepEqual(await sweep(otherInstance), []);
      assert.equal(supplier.requests.length, 1);
    });

    it('leaves a withdrawal to the worker holding it, and resumes it once that lease has run out', async () => {
      const { order, po } = await cancelledBeforeWithdrawal(store);
      // The worker that cancelled claimed the withdrawal, then died before the supplier heard of it.
      await store.claimWithdrawal(po.number, { owner: 'dead', now: clock.now(), durationMs: LEASE_MS });
      assert.deepEqual(await sweep(), []);
      clock.advance(LEASE_MS - 1);
      assert.deepEqual(await sweep(otherInstance), []);
      assert.equal(supplier.requests.length, 0);
      clock.advance(1);
      assert.equal((await sweep(otherInstance))[0]?.withdrawal.kind, 'confirmed');
      assert.equal(cancelsOf(po.number).length, 1);
      assert.deepEqual(await outcomesOf(order.id), [['po.cancel_confirmed', po.number, 'dispatch:sweep']]);
    });

    it('calls the supplier once per withdrawal while two sweeps and the inline path race for them', async () => {
      const left = await Promise.all([1, 2, 3, 4, 5].map(() => cancelledBeforeWithdrawal(store)));
      // Slow answers keep every claimant busy while the others look for work.
      supplier.reply(...left.map(() => slowReply(150, jsonReply(200, { status: 'cancelled' }))));
      const [sweptHere, sweptThere, inline] = await Promise.all([
        sweep(store),
        sweep(otherInstance),
        withdrawPurchaseOrder(
          { store: otherInstance, actor: 'dispatch:inline', channel: acme(), clock, leaseMs: LEASE_MS },
          left[0]!.po,
          'backordered; the purchase order is no longer needed',
        ),
      ]);
      for (const { order, po } of left) {
        assert.equal(cancelsOf(po.number).length, 1, `${po.number} was withdrawn more than once`);
        assert.equal((await outcomesOf(order.id)).length, 1);
        assert.equal((await store.getPurchaseOrder(po.number))?.withdrawal, 'done');
      }
      const reported = [...sweptHere, ...sweptThere].map((r) => r.purchaseOrder.number);
      if (inline) reported.push(left[0]!.po.number);
      assert.deepEqual(reported.sort(), left.map((l) => l.po.number).sort(), 'each outcome reported once');
    });

    it('records a withdrawal the supplier refuses as the operator task, and does not send it again', async () => {
      const { order, po } = await cancelledBeforeWithdrawal(store);
      supplier.reply(jsonReply(409, { error: 'already shipped' }));
      const [resumed] = await sweep();
      assert.equal(resumed?.withdrawal.kind, 'failed');
      const problem = withdrawalProblem(resumed?.withdrawal);
      assert.equal(problem?.code, 'cancel_failed');
      assert.match(
        problem?.message ?? '',
        new RegExp(`supplier refused: .*409.*withdraw ${po.number} at acme by hand`),
      );
      assert.deepEqual(await outcomesOf(order.id), [['po.cancel_failed', po.number, 'dispatch:sweep']]);
      clock.advance(10 * LEASE_MS);
      assert.deepEqual(await sweep(), []);
      assert.equal(supplier.requests.length, 1);
    });

    it('leaves a supplier it lacks to an instance that has it, and reports one deployed nowhere after a lease', async () => {
      const { order, po } = await cancelledBeforeWithdrawal(store, 'zeta');
      const withoutZeta = { supplierIds: ['acme'] };
      assert.deepEqual(await sweep(store, withoutZeta), []);
      clock.advance(LEASE_MS - 1);
      assert.deepEqual(await sweep(store, withoutZeta), []);
      clock.advance(1);
      const [resumed] = await sweep(store, withoutZeta);
      assert.equal(resumed?.withdrawal.kind, 'unsupported');
      assert.match(resumed?.withdrawal.reason ?? '', /supplier zeta has no usable connection here/);
      assert.equal(withdrawalProblem(resumed?.withdrawal)?.code, 'cancel_failed');
      assert.deepEqual(await outcomesOf(order.id), [['po.cancel_failed', po.number, 'dispatch:sweep']]);
      assert.equal(supplier.requests.length, 0);
    });

    it('a backorder that fails over withdraws the PO inline under its own claim: nothing is left to resume', async () => {
      const { order, po } = await sentPurchaseOrder(store, 'acme', ['globex']);
      const outcome = await applyAcknowledgement(
        { store, actor: 'dispatch:acks', connector, context: acme().context, sleep: async () => undefined },
        {
          poNumber: po.number,
          outcome: 'backordered',
          reason: 'restock in May',
          receivedAt: clock.now().toISOString(),
        },
      );
      assert.equal(outcome.kind, 'failed_over');
      assert.equal(outcome.kind === 'failed_over' && outcome.withdrawal?.kind, 'confirmed');
      assert.equal((await store.getPurchaseOrder(po.number))?.withdrawal, 'done');
      assert.deepEqual(await outcomesOf(order.id), [['po.cancel_confirmed', po.number, 'dispatch:acks']]);
      clock.advance(10 * LEASE_MS);
      assert.deepEqual(await sweep(otherInstance), []);
      assert.equal(cancelsOf(po.number).length, 1);
    });
  });
}
