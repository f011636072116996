import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Order } from '../../core/model/order';
import { openStore } from '../../core/store/open-store';
import type { Lease, OrderStore } from '../../core/store/order-store';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';

const lease = (owner: string): Lease => ({ owner, now: new Date(), durationMs: 60_000 });

describe('reliability: routing, claims and settlements arriving together share one SQLite commit', () => {
  let dir: string;
  let store: OrderStore;
  const file = (): string => path.join(dir, 'orders.sqlite');

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-pipeline-group-'));
    store = await openStore({ engine: 'sqlite', filename: file() });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function receive(prefix: string, count: number): Promise<Order[]> {
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        store.receiveOrder(sampleOrderDraft({ externalId: `${prefix}-${i}` }), { actor: 'test' }),
      ),
    );
    return results.map((r) => r.order);
  }

  /** Routes, claims and accepts each order's PO: one by one, or every order's step at once. */
  async function pipeline(orders: Order[], together: boolean): Promise<void> {
    const each = async <T>(step: (order: Order) => Promise<T>): Promise<T[]> => {
      if (together) return Promise.all(orders.map(step));
      const results: T[] = [];
      for (const order of orders) results.push(await step(order));
      return results;
    };
    const routed = await each((order) =>
      store.assignPurchaseOrders(order.id, ['received'], [purchaseOrderDraftFor(order)], {
        type: 'order.routed',
        actor: 'test',
      }),
    );
    const numbers = routed.map((pos) => pos![0]!.number);
    const byOrder = new Map(orders.map((order, i) => [order.id, numbers[i]!]));
    const claimed = await each((order) => store.claimPurchaseOrder(byOrder.get(order.id)!, lease('test')));
    assert.ok(claimed.every((po) => po?.state === 'sending'));
    const accepted = await each((order) =>
      store.transitionPurchaseOrder(
        byOrder.get(order.id)!,
        ['sending'],
        'accepted',
        { supplierReference: `SO-${order.id}` },
        { type: 'po.accepted', actor: 'test' },
      ),
    );
    assert.ok(accepted.every((po) => po?.state === 'accepted' && po.supplierReference?.startsWith('SO-')));
  }

  it('writes the log far less for orders moving together than one by one, with the same outcome', async () => {
    const walBytes = (): number => statSync(`${file()}-wal`).size;
    const oneByOneOrders = await receive('one-by-one', 10);
    const togetherOrders = await receive('together', 10);
    const start = walBytes();
    await pipeline(oneByOneOrders, false);
    const oneByOne = walBytes() - start;
    await pipeline(togetherOrders, true);
    const together = walBytes() - start - oneByOne;
    assert.ok(together * 3 < oneByOne, `10 orders together wrote ${together} bytes, one by one ${oneByOne}`);
    for (const order of [...oneByOneOrders, ...togetherOrders]) {
      assert.equal((await store.getOrder(order.id))?.state, 'acknowledged');
      const events = (await store.listEvents(order.id)).map((e) => e.type);
      assert.deepEqual(events, [
        'order.received',
        'order.routed',
        'po.created',
        'po.accepted',
        'order.state',
      ]);
    }
    // Another connection, as another process would read the file, sees every step once its caller heard back.
    const reader = new Database(file(), { readonly: true });
    try {
      const row = reader
        .prepare("SELECT count(*) AS n FROM purchase_orders WHERE state = 'accepted'")
        .get() as { n: number };
      assert.equal(row.n, 20);
    } finally {
      reader.close();
    }
  });

  it('gives a PO to one claimant only, and routes an order once, when both ask in the same group', async () => {
    const [order] = await receive('contested', 1);
    const routes = await Promise.all(
      [1, 2].map(() =>
        store.assignPurchaseOrders(order!.id, ['received'], [purchaseOrderDraftFor(order!)], {
          type: 'order.routed',
          actor: 'test',
        }),
      ),
    );
    assert.equal(routes.filter((r) => r !== undefined).length, 1);
    const number = routes.find((r) => r !== undefined)![0]!.number;
    const claims = await Promise.all([
      store.claimPurchaseOrder(number, lease('first')),
      store.claimPurchaseOrder(number, lease('second')),
    ]);
    assert.equal(claims.filter((c) => c !== undefined).length, 1);
    assert.equal((await store.getPurchaseOrder(number))?.sendAttempts, 1);
    assert.equal((await store.listPurchaseOrders(order!.id)).length, 1);
  });

  it('refuses a step that fails without undoing the others of its group', async () => {
    const [order] = await receive('neighbour', 1);
    const outcomes = await Promise.allSettled([
      store.transitionPurchaseOrder(
        'PO-MISSING-1',
        ['sending'],
        'accepted',
        {},
        { type: 'x', actor: 'test' },
      ),
      store.assignPurchaseOrders(order!.id, ['received'], [purchaseOrderDraftFor(order!)], {
        type: 'order.routed',
        actor: 'test',
      }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'fulfilled'],
    );
    assert.equal((await store.getOrder(order!.id))?.state, 'routed');
    assert.equal((await store.listPurchaseOrders(order!.id)).length, 1);
  });
});

describe('reliability: under synchronous=FULL a group is answered only after its log sync', () => {
  let dir: string;
  let store: OrderStore;
  const realSync = fs.fdatasync;
  /** Log syncs asked for and not yet let through. */
  let held: { fd: number; finish: (error: NodeJS.ErrnoException | null) => void }[];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-log-sync-'));
    store = await openStore({ engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') });
    held = [];
    (fs as { fdatasync: unknown }).fdatasync = (
      fd: number,
      finish: (error: NodeJS.ErrnoException | null) => void,
    ) => held.push({ fd, finish });
  });
  afterEach(async () => {
    (fs as { fdatasync: unknown }).fdatasync = realSync;
    for (const sync of held) sync.finish(null);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Lets the event loop run a few turns, so a commit that is due has happened. */
  const turns = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

  it('answers a webhook once the log is synced, and keeps FULL for writes outside the group', async () => {
    let answered = false;
    const intake = store
      .receiveOrder(sampleOrderDraft({ externalId: 'synced' }), { actor: 'test' })
      .then((result) => {
        answered = true;
        return result;
      });
    await turns();
    assert.equal(held.length, 1, 'the group asks for one log sync');
    assert.equal(answered, false, 'answered before its log sync');
    held.shift()!.finish(null);
    assert.equal((await intake).created, true);
    const database = (store as unknown as { database: Database.Database }).database;
    assert.equal(database.pragma('synchronous', { simple: true }), 2, 'synchronous is FULL again');
  });

  it('refuses every caller of a group whose log sync failed', async () => {
    const outcomes = Promise.allSettled([
      store.receiveOrder(sampleOrderDraft({ externalId: 'lost-1' }), { actor: 'test' }),
      store.receiveOrder(sampleOrderDraft({ externalId: 'lost-2' }), { actor: 'test' }),
    ]);
    await turns();
    assert.equal(held.length, 1);
    held.shift()!.finish(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    assert.deepEqual(
      (await outcomes).map((o) => o.status),
      ['rejected', 'rejected'],
    );
  });
});
