import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Lease, OrderStore } from '../../core/store/order-store';
import { PostgresOrderStore } from '../../core/store/postgres/postgres-store';
import { POSTGRES_MIGRATIONS } from '../../core/store/postgres/migrations';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { SQLITE_MIGRATIONS } from '../../core/store/sqlite/migrations';
import { sampleOrderDraft } from '../support/orders';
import { TEST_POSTGRES_URL, dropSchemas, ensurePostgres, uniqueSchemaName } from '../support/postgres';
import { cancelledBeforeWithdrawal } from '../support/withdrawals';

const WORK_ITEMS = 200;
const actor = 'seed';

/** 200 due POs (100 orders split over two suppliers) and one queued e-mail per order and milestone. */
async function seedDueWork(store: OrderStore): Promise<{ poNumbers: string[]; notificationIds: number[] }> {
  const poNumbers: string[] = [];
  const notificationIds: number[] = [];
  for (let i = 0; i < WORK_ITEMS / 2; i++) {
    const { order } = await store.receiveOrder(sampleOrderDraft({ externalId: `race-${i}` }), { actor });
    const pos = await store.assignPurchaseOrders(
      order.id,
      ['received'],
      ['acme', 'zeta'].map((supplierId, index) => ({
        orderId: order.id,
        supplierId,
        attempt: 1,
        currency: order.currency,
        shipTo: order.shipTo,
        lines: [{ orderLineId: order.lines[index]!.lineId, sku: order.lines[index]!.sku, quantity: 1 }],
        alternatives: [],
      })),
      { type: 'order.routed', actor },
    );
    poNumbers.push(...pos!.map((po) => po.number));
    for (const milestone of ['confirmed', 'shipped']) {
      await store.enqueueNotification(order.id, milestone, 'email', { template: milestone });
    }
    notificationIds.push(...(await store.listNotifications(order.id)).map((n) => n.id));
  }
  return { poNumbers, notificationIds };
}

const WITHDRAWALS = 40;

/** Cancelled POs their supplier had, each with its withdrawal pending: what a sweep resumes. */
async function seedWithdrawals(store: OrderStore): Promise<string[]> {
  const numbers: string[] = [];
  for (let i = 0; i < WITHDRAWALS; i++) numbers.push((await cancelledBeforeWithdrawal(store)).po.number);
  return numbers;
}

/** Every item claimed exactly once, by someone. */
function assertClaimedOnce<T>(claims: Map<string, T[]>, expected: T[]): void {
  const all = [...claims.values()].flat();
  const seen = new Set<T>();
  const doubles = all.filter((item) => (seen.has(item) ? true : (seen.add(item), false)));
  assert.deepEqual(doubles, [], 'claimed twice');
  assert.deepEqual([...seen].sort(), [...expected].sort(), 'every due item is claimed');
}

const lease = (owner: string, now: Date, durationMs = 60_000): Lease => ({ owner, now, durationMs });

describe('claims shared by two instances', function () {
  this.timeout(120_000);

  describe('PostgreSQL: two pools on one database', () => {
    let schema: string;
    let first: PostgresOrderStore;
    let second: PostgresOrderStore;
    const open = () => new PostgresOrderStore({ connectionString: TEST_POSTGRES_URL, schema, poolSize: 4 });

    before(() => ensurePostgres());
    beforeEach(async () => {
      schema = uniqueSchemaName('dropship_race');
      first = open();
      second = open();
      await first.migrate();
    });
    afterEach(async () => {
      await Promise.all([first.close(), second.close()]);
      await dropSchemas([schema]);
    });

    it('claims each of 200 due POs exactly once while both instances race for them', async () => {
      const { poNumbers } = await seedDueWork(first);
      const now = new Date();
      const claims = new Map<string, string[]>();
      // Per instance: three batch sweepers and one worker claiming POs one by one, as dispatch nodes do.
      const sweeper = async (store: OrderStore, owner: string) => {
        const mine: string[] = [];
        claims.set(owner, mine);
        for (;;) {
          const batch = await store.claimDuePurchaseOrders(lease(owner, now), 5);
          if (batch.length === 0) return;
          mine.push(...batch.map((po) => po.number));
        }
      };
      const singleClaimer = async (store: OrderStore, owner: string, order: string[]) => {
        const mine: string[] = [];
        claims.set(owner, mine);
        for (const number of order) {
          const po = await store.claimPurchaseOrder(number, lease(owner, now));
          if (po) mine.push(po.number);
        }
      };
      await Promise.all([
        ...[1, 2, 3].map((n) => sweeper(first, `first-${n}`)),
        ...[1, 2, 3].map((n) => sweeper(second, `second-${n}`)),
        singleClaimer(first, 'first-single', poNumbers),
        singleClaimer(second, 'second-single', [...poNumbers].reverse()),
      ]);

      assertClaimedOnce(claims, poNumbers);
      const byInstance = (prefix: string) =>
        [...claims].filter(([owner]) => owner.startsWith(prefix)).flatMap(([, numbers]) => numbers).length;
      assert.ok(byInstance('first') > 0 && byInstance('second') > 0, 'both instances took part of the work');
      // The database agrees: one attempt each, leased to the worker that got it back.
      const stored = await first.pool.query<{ number: string; lease_owner: string; send_attempts: number }>(
        "SELECT number, lease_owner, send_attempts FROM purchase_orders WHERE state = 'sending'",
      );
      assert.equal(stored.rowCount, WORK_ITEMS);
      for (const row of stored.rows) {
        assert.equal(row.send_attempts, 1);
        assert.ok(
          claims.get(row.lease_owner)?.includes(row.number),
          `${row.number} leased to ${row.lease_owner}`,
        );
      }
    });

    it('claims each of 200 queued notifications exactly once while both instances race for them', async () => {
      const { notificationIds } = await seedDueWork(first);
      const now = new Date(Date.now() + 1000);
      const claims = new Map<string, number[]>();
      const sender = async (store: OrderStore, owner: string) => {
        const mine: number[] = [];
        claims.set(owner, mine);
        for (;;) {
          const batch = await store.claimNotifications('email', lease(owner, now), 4);
          if (batch.length === 0) return;
          mine.push(...batch.map((n) => n.id));
        }
      };
      await Promise.all(
        [1, 2, 3].flatMap((n) => [sender(first, `first-${n}`), sender(second, `second-${n}`)]),
      );
      assertClaimedOnce(claims, notificationIds);
      const attempts = await first.pool.query<{ attempts: number; count: string }>(
        'SELECT attempts, count(*) FROM notifications GROUP BY attempts',
      );
      assert.deepEqual(attempts.rows, [{ attempts: 1, count: String(WORK_ITEMS) }]);
    });

    it('hands each of 40 pending withdrawals to exactly one claimant while both instances race for them', async () => {
      const numbers = await seedWithdrawals(first);
      const now = new Date(Date.now() + 1000);
      const claims = new Map<string, string[]>();
      // Per instance: sweeps taking batches, and an inline path claiming each withdrawal right after its cancel.
      const sweeper = async (store: OrderStore, owner: string) => {
        const mine: string[] = [];
        claims.set(owner, mine);
        for (;;) {
          const batch = await store.claimDueWithdrawals(lease(owner, now), 3, ['acme'], 0);
          if (batch.length === 0) return;
          mine.push(...batch.map((po) => po.number));
        }
      };
      const inline = async (store: OrderStore, owner: string, order: string[]) => {
        const mine: string[] = [];
        claims.set(owner, mine);
        for (const number of order) {
          const po = await store.claimWithdrawal(number, lease(owner, now));
          if (po) mine.push(po.number);
        }
      };
      await Promise.all([
        ...[1, 2].map((n) => sweeper(first, `first-${n}`)),
        ...[1, 2].map((n) => sweeper(second, `second-${n}`)),
        inline(first, 'first-inline', numbers),
        inline(second, 'second-inline', [...numbers].reverse()),
      ]);
      assertClaimedOnce(claims, numbers);
      const stored = await first.pool.query<{ number: string; lease_owner: string }>(
        "SELECT number, lease_owner FROM purchase_orders WHERE withdrawal = 'pending'",
      );
      assert.equal(stored.rowCount, WITHDRAWALS);
      for (const row of stored.rows) assert.ok(claims.get(row.lease_owner)?.includes(row.number));
    });

    it('lets the other instance reclaim the work of an instance that died holding leases', async () => {
      const { poNumbers, notificationIds } = await seedDueWork(first);
      const t0 = new Date(Date.now() + 1000);
      const held = await first.claimDuePurchaseOrders(lease('first', t0, 30_000), 20);
      const heldMail = await first.claimNotifications('email', lease('first', t0, 30_000), 20);
      assert.equal(held.length, 20);
      await first.close(); // the instance dies mid-send: its leases stay behind

      const early = new Date(t0.getTime() + 10_000);
      const whileLeased = await second.claimDuePurchaseOrders(lease('second', early), WORK_ITEMS);
      assert.deepEqual(
        whileLeased.map((po) => po.number).filter((n) => held.some((h) => h.number === n)),
        [],
      );
      assert.equal(whileLeased.length, WORK_ITEMS - 20);
      assert.equal(
        (await second.claimNotifications('email', lease('second', early), WORK_ITEMS)).length,
        180,
      );

      const expired = new Date(t0.getTime() + 30_001);
      const reclaimed = await second.claimDuePurchaseOrders(lease('second', expired), WORK_ITEMS);
      assert.deepEqual(reclaimed.map((po) => po.number).sort(), held.map((po) => po.number).sort());
      assert.ok(reclaimed.every((po) => po.sendAttempts === 2));
      const reclaimedMail = await second.claimNotifications('email', lease('second', expired), WORK_ITEMS);
      assert.deepEqual(
        reclaimedMail.map((n) => n.id),
        heldMail.map((n) => n.id),
      );
      assert.ok(reclaimedMail.every((n) => n.attempts === 2));
      assert.equal(poNumbers.length, WORK_ITEMS);
      assert.equal(notificationIds.length, WORK_ITEMS);
    });

    it('applies the migrations once when instances start together', async () => {
      const fresh = uniqueSchemaName('dropship_race');
      const instances = [1, 2, 3, 4].map(
        () => new PostgresOrderStore({ connectionString: TEST_POSTGRES_URL, schema: fresh, poolSize: 1 }),
      );
      try {
        await Promise.all(instances.map((store) => store.migrate()));
        const versions = await instances[0]!.pool.query<{ version: number }>(
          'SELECT version FROM schema_migrations ORDER BY version',
        );
        assert.deepEqual(
          versions.rows.map((r) => r.version),
          POSTGRES_MIGRATIONS.map((m) => m.version),
        );
        const { order } = await instances[1]!.receiveOrder(sampleOrderDraft(), { actor });
        assert.equal((await instances[2]!.getOrder(order.id))?.id, order.id);
      } finally {
        await Promise.all(instances.map((store) => store.close()));
        await dropSchemas([fresh]);
      }
    });
  });

  describe('SQLite: two connections to one file, in two threads', () => {
    let dir: string;
    let filename: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'dropship-race-'));
      filename = path.join(dir, 'store.sqlite');
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('claims each of 200 due POs and notifications exactly once', async () => {
      const seeding = new SqliteOrderStore({ filename, synchronous: 'NORMAL' });
      await seeding.migrate();
      const { poNumbers, notificationIds } = await seedDueWork(seeding);
      await seeding.close();

      const results = await raceWorkers(filename, 'claim', ['left', 'right']);
      assertClaimedOnce(new Map(results.map((r) => [r.owner, r.poNumbers])), poNumbers);
      assertClaimedOnce(new Map(results.map((r) => [r.owner, r.notificationIds])), notificationIds);
    });

    it('hands each of 40 pending withdrawals to exactly one of two connections', async () => {
      const seeding = new SqliteOrderStore({ filename, synchronous: 'NORMAL' });
      await seeding.migrate();
      const numbers = await seedWithdrawals(seeding);
      await seeding.close();

      const results = await raceWorkers(filename, 'withdraw', ['left', 'right']);
      assertClaimedOnce(new Map(results.map((r) => [r.owner, r.poNumbers])), numbers);
    });

    it('applies the migrations once when two connections migrate a new file together', async () => {
      await raceWorkers(filename, 'migrate', ['left', 'right']);
      const store = new SqliteOrderStore({ filename });
      const versions = store.database
        .prepare('SELECT version FROM schema_migrations ORDER BY version')
        .all() as {
        version: number;
      }[];
      assert.deepEqual(
        versions.map((v) => v.version),
        SQLITE_MIGRATIONS.map((m) => m.version),
      );
      await store.close();
    });
  });
});

interface WorkerResult {
  owner: string;
  poNumbers: string[];
  notificationIds: number[];
}

/**
 * Each worker thread opens its own connection, then all wait on one barrier so they really start together
 * (better-sqlite3 is synchronous: two connections in one thread would only ever take turns).
 */
const RACE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
require('tsx/cjs');
const { SqliteOrderStore } = require(workerData.storeModule);
const store = new SqliteOrderStore({ filename: workerData.filename, synchronous: 'NORMAL' });
const barrier = new Int32Array(workerData.barrier);
parentPort.postMessage('ready');
Atomics.wait(barrier, 0, 0);
(async () => {
  const result = { owner: workerData.owner, poNumbers: [], notificationIds: [] };
  if (workerData.mode === 'migrate') {
    await store.migrate();
  } else if (workerData.mode === 'withdraw') {
    const lease = { owner: workerData.owner, now: new Date(workerData.now), durationMs: 60000 };
    for (;;) {
      const pos = await store.claimDueWithdrawals(lease, 3, ['acme'], 0);
      if (pos.length === 0) break;
      result.poNumbers.push(...pos.map((po) => po.number));
    }
  } else {
    const lease = { owner: workerData.owner, now: new Date(workerData.now), durationMs: 60000 };
    for (;;) {
      const pos = await store.claimDuePurchaseOrders(lease, 3);
      const mails = await store.claimNotifications('email', lease, 3);
      if (pos.length === 0 && mails.length === 0) break;
      result.poNumbers.push(...pos.map((po) => po.number));
      result.notificationIds.push(...mails.map((n) => n.id));
    }
  }
  await store.close();
  parentPort.postMessage(result);
})().catch((err) => { throw err; });
`;

async function raceWorkers(
  filename: string,
  mode: 'claim' | 'withdraw' | 'migrate',
  owners: string[],
): Promise<WorkerResult[]> {
  const barrier = new SharedArrayBuffer(4);
  const now = Date.now() + 1000;
  const storeModule = path.resolve(__dirname, '../../core/store/sqlite/sqlite-store.ts');
  let ready = 0;
  return Promise.all(
    owners.map(
      (owner) =>
        new Promise<WorkerResult>((resolve, reject) => {
          const worker = new Worker(RACE_WORKER, {
            eval: true,
            workerData: { filename, mode, owner, barrier, now, storeModule },
          });
          worker.on('message', (message: WorkerResult | 'ready') => {
            if (message !== 'ready') return resolve(message);
            if (++ready === owners.length) {
              const flag = new Int32Array(barrier);
              Atomics.store(flag, 0, 1);
              Atomics.notify(flag, 0);
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`race worker ${owner} exited with code ${code}`));
          });
        }),
    ),
  );
}
