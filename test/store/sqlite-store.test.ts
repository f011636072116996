import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { SQLITE_MIGRATIONS } from '../../core/store/sqlite/migrations';
import { fixedClock } from '../../core/clock';
import { describeOrderStoreBehaviour } from './order-store.behaviour';
import { describeWithdrawalBehaviour } from './withdrawals.behaviour';
import { describeRefundStoreBehaviour } from './refunds.behaviour';
import { describeStatusPollBehaviour } from './status-polls.behaviour';
import { describePortalStoreBehaviour } from './portal.behaviour';
import { describeStorefrontSyncBehaviour } from './storefront-sync.behaviour';
import { describeFunctionalGroupBehaviour } from './functional-groups.behaviour';
import { describeSupplierReferenceBehaviour } from './supplier-references.behaviour';
import { describePurchaseOrderTransitionBehaviour } from './purchase-order-transitions.behaviour';
import { purchaseOrderDraftFor, sampleOrderDraft } from '../support/orders';

async function memoryStore(): Promise<SqliteOrderStore> {
  const store = new SqliteOrderStore({ filename: ':memory:' });
  await store.migrate();
  return store;
}

describeOrderStoreBehaviour('sqlite', memoryStore);
describeWithdrawalBehaviour('sqlite', memoryStore);
describeRefundStoreBehaviour('sqlite', memoryStore);
describeStatusPollBehaviour('sqlite', memoryStore);
describePortalStoreBehaviour('sqlite', memoryStore);
describeStorefrontSyncBehaviour('sqlite', memoryStore);
describeFunctionalGroupBehaviour('sqlite', memoryStore);
describeSupplierReferenceBehaviour('sqlite', memoryStore);
describePurchaseOrderTransitionBehaviour('sqlite', memoryStore);

describe('SqliteOrderStore on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps orders across a reopen and migrates only once', async () => {
    const file = path.join(dir, 'store.sqlite');
    const first = new SqliteOrderStore({ filename: file });
    await first.migrate();
    const { order } = await first.receiveOrder(sampleOrderDraft({ externalId: 'keep-1' }), { actor: 't' });
    await first.close();
    const second = new SqliteOrderStore({ filename: file, synchronous: 'NORMAL' });
    await second.migrate();
    assert.equal((await second.getOrder(order.id))?.externalId, 'keep-1');
    assert.equal(second.database.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(second.database.pragma('synchronous', { simple: true }), 1);
    const versions = second.database.prepare('SELECT version FROM schema_migrations').all();
    assert.equal(versions.length, SQLITE_MIGRATIONS.length);
    await second.close();
  });

  it('defaults to synchronous FULL', async () => {
    const store = new SqliteOrderStore({ filename: path.join(dir, 'full.sqlite') });
    assert.equal(store.database.pragma('synchronous', { simple: true }), 2);
    await store.close();
  });
});

describe('SqliteOrderStore claiming a backlog', () => {
  const t0 = new Date('2026-11-20T10:00:00Z');
  let store: SqliteOrderStore;
  let clock: ReturnType<typeof fixedClock>;
  beforeEach(async () => {
    clock = fixedClock(t0);
    store = new SqliteOrderStore({ filename: ':memory:', clock });
    await store.migrate();
  });
  afterEach(() => store.close());

  /** A routed order with one PO to `supplierId`, created a second after the previous one. */
  async function purchaseOrder(supplierId = 'acme'): Promise<string> {
    clock.advance(1000);
    const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 't' });
    const [po] = (await store.assignPurchaseOrders(
      order.id,
      ['received'],
      [purchaseOrderDraftFor(order, supplierId)],
      { type: 'order.routed', actor: 't' },
    ))!;
    return po!.number;
  }

  it('claims the oldest claimable POs first, due and lease-expired alike, and skips POs deferred to later', async () => {
    const [leased, deferred, due1, otherSupplier, due2, due3] = [
      await purchaseOrder(),
      await purchaseOrder(),
      await purchaseOrder(),
      await purchaseOrder('other'),
      await purchaseOrder(),
      await purchaseOrder(),
    ];
    const now = clock.now();
    await store.claimPurchaseOrder(leased, { owner: 'dead-worker', now, durationMs: 1000 });
    await store.claimPurchaseOrder(deferred, { owner: 'w', now, durationMs: 60_000 });
    await store.transitionPurchaseOrder(
      deferred,
      ['sending'],
      'pending',
      { nextAttemptAt: new Date(now.getTime() + 3_600_000) },
      { type: 'po.deferred', actor: 't' },
    );
    const later = new Date(now.getTime() + 5000);
    const lease = { owner: 'w2', now: later, durationMs: 60_000 };
    const first = await store.claimDuePurchaseOrders(lease, 3, ['acme']);
    assert.deepEqual(
      first.map((po) => po.number),
      [leased, due1, due2],
    );
    const rest = await store.claimDuePurchaseOrders(lease, 3, ['acme']);
    assert.deepEqual(
      rest.map((po) => po.number),
      [due3],
    );
    assert.deepEqual(
      (await store.claimDuePurchaseOrders(lease, 3)).map((po) => po.number),
      [otherSupplier],
    );
  });

  it('reads the claimable POs from the claim index and sorts no more than a batch', () => {
    const plan = (
      store.database
        .prepare(`EXPLAIN QUERY PLAN ${SqliteOrderStore['oldestClaimable']('')}`)
        .all({ now: 0, limit: 50 }) as { detail: string }[]
    ).map((step) => step.detail);
    assert.equal(
      plan.filter((step) => step.includes('USING INDEX purchase_orders_claim')).length,
      2,
      plan.join('\n'),
    );
    // A scan of the whole table (and the sort of all of it that came with one) costs in proportion to the backlog.
    assert.ok(!plan.some((step) => /^SCAN purchase_orders\b/.test(step)), plan.join('\n'));
  });

  it('finds pending withdrawals in their partial index (which holds nothing else), without sorting', () => {
    const plan = (
      store.database
        .prepare(`EXPLAIN QUERY PLAN ${SqliteOrderStore['DUE_WITHDRAWALS']}`)
        .all({ now: 0, othersFreeSince: 0, suppliers: '["acme"]', limit: 20 }) as { detail: string }[]
    ).map((step) => step.detail);
    assert.ok(
      plan.some((step) =>
        /^SEARCH purchase_orders USING INDEX purchase_orders_withdrawal \(lease_until<\?\)/.test(step),
      ),
      plan.join('\n'),
    );
    assert.ok(!plan.some((step) => /^SCAN purchase_orders\b|TEMP B-TREE/.test(step)), plan.join('\n'));
  });
});
