import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../core/store/open-store';
import type { OrderStore } from '../../core/store/order-store';
import { sampleOrderDraft } from '../support/orders';

describe('reliability: intakes arriving together share one SQLite commit', () => {
  let dir: string;
  let store: OrderStore;
  const file = (): string => path.join(dir, 'orders.sqlite');

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-group-'));
    store = await openStore({ engine: 'sqlite', filename: file() });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every intake after the commit, with duplicates inside one group collapsed', async () => {
    const drafts = Array.from({ length: 20 }, (_, i) => sampleOrderDraft({ externalId: `group-${i % 10}` }));
    const results = await Promise.all(
      drafts.map((draft, i) => store.receiveOrder(draft, { actor: 'test', deliveryId: `d-${i}` })),
    );
    assert.equal(results.filter((r) => r.created).length, 10);
    for (let i = 10; i < 20; i++) {
      assert.equal(results[i]!.created, false);
      assert.equal(results[i]!.duplicateOf, 'order');
      assert.equal(results[i]!.order.id, results[i - 10]!.order.id);
    }
    // Another connection, as another process would read the file, sees every order once it was answered.
    const reader = new Database(file(), { readonly: true });
    try {
      const count = reader.prepare('SELECT count(*) AS n FROM orders').get() as { n: number };
      assert.equal(count.n, 10);
    } finally {
      reader.close();
    }
  });

  it('writes the log once for a group, not once per intake', async () => {
    const walBytes = (): number => statSync(`${file()}-wal`).size;
    const start = walBytes();
    for (let i = 0; i < 10; i++) {
      await store.receiveOrder(sampleOrderDraft({ externalId: `one-by-one-${i}` }), { actor: 'test' });
    }
    const oneByOne = walBytes() - start;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.receiveOrder(sampleOrderDraft({ externalId: `together-${i}` }), { actor: 'test' }),
      ),
    );
    const together = walBytes() - start - oneByOne;
    assert.ok(together * 3 < oneByOne, `10 intakes together wrote ${together} bytes, one by one ${oneByOne}`);
  });

  it('refuses an intake that fails without undoing the others of its group', async () => {
    const broken = sampleOrderDraft({ externalId: 'broken' });
    // The same line id twice breaks the order_lines key inside the store: only this intake is rolled back.
    broken.lines = [broken.lines[0]!, { ...broken.lines[1]!, lineId: broken.lines[0]!.lineId }];
    const outcomes = await Promise.allSettled([
      store.receiveOrder(sampleOrderDraft({ externalId: 'before' }), { actor: 'test' }),
      store.receiveOrder(broken, { actor: 'test', deliveryId: 'broken-delivery' }),
      store.receiveOrder(sampleOrderDraft({ externalId: 'after' }), { actor: 'test' }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    // The group ran twice (all together, then each write in a savepoint once one failed): the first run left
    // nothing behind, and the callers heard of the run that was committed.
    for (const [i, ref] of [
      [0, 'generic:before'],
      [2, 'generic:after'],
    ] as const) {
      const stored = await store.findOrder(ref);
      assert.ok(stored);
      assert.equal(
        (outcomes[i] as PromiseFulfilledResult<{ order: { id: string } }>).value.order.id,
        stored.id,
      );
      const received = (await store.listEvents(stored.id)).filter((e) => e.type === 'order.received');
      assert.equal(received.length, 1);
    }
    assert.equal((await store.listOrders({})).length, 2);
    assert.equal(await store.findOrder('generic:broken'), undefined, 'half an order was kept');
    // The failed intake left no delivery id behind: its redelivery is taken, not called a duplicate.
    const again = await store.receiveOrder(sampleOrderDraft({ externalId: 'broken' }), {
      actor: 'test',
      deliveryId: 'broken-delivery',
    });
    assert.equal(again.created, true);
  });

  it('rejects the waiting intakes when the store closes before their commit', async () => {
    const pending = store.receiveOrder(sampleOrderDraft({ externalId: 'late' }), { actor: 'test' });
    await store.close();
    await assert.rejects(pending);
    store = await openStore({ engine: 'sqlite', filename: file() });
    assert.equal(await store.findOrder('generic:late'), undefined);
  });
});

describe('reliability: shipment events and outbox updates arriving together share one SQLite commit', () => {
  let dir: string;
  let store: OrderStore;
  const file = (): string => path.join(dir, 'orders.sqlite');
  const lease = () => ({ owner: 'test', now: new Date(), durationMs: 60_000 });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-group-'));
    store = await openStore({ engine: 'sqlite', filename: file() });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ordersWithNotices(count: number): Promise<number[]> {
    const orders = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        store.receiveOrder(sampleOrderDraft({ externalId: `notice-${i}` }), { actor: 'test' }),
      ),
    );
    const queued = await Promise.all(
      orders.map(({ order }) =>
        store.enqueueNotifications(
          order.id,
          [
            { milestone: 'shipped', channel: 'email', payload: { kind: 'shipped' } },
            { milestone: 'shipped', channel: 'storefront', payload: { kind: 'shipped' } },
          ],
          lease(),
        ),
      ),
    );
    return queued.flat().map((n) => n.id);
  }

  it('marks notifications sent with one log write for the group, and every caller sees its row sent', async () => {
    const ids = await ordersWithNotices(10);
    const walBytes = (): number => statSync(`${file()}-wal`).size;
    const start = walBytes();
    for (const id of ids.slice(0, 10)) await store.completeNotification(id, { sent: true }, new Date());
    const oneByOne = walBytes() - start;
    await Promise.all(ids.slice(10).map((id) => store.completeNotification(id, { sent: true }, new Date())));
    const together = walBytes() - start - oneByOne;
    assert.ok(together * 3 < oneByOne, `10 marks together wrote ${together} bytes, one by one ${oneByOne}`);
    const reader = new Database(file(), { readonly: true });
    try {
      const row = reader.prepare("SELECT count(*) AS n FROM notifications WHERE state = 'sent'").get() as {
        n: number;
      };
      assert.equal(row.n, 20);
    } finally {
      reader.close();
    }
  });

  it('refuses a shipment event that fails without undoing the outbox updates of its group', async () => {
    const [first, second] = await ordersWithNotices(1);
    const outcomes = await Promise.allSettled([
      store.completeNotification(first!, { sent: true }, new Date()),
      store.recordShipmentEvent(
        {
          orderId: 'ord_missing',
          carrier: 'ups',
          trackingNumber: '1Z999AA10123456784',
          status: 'in_transit',
          occurredAt: new Date().toISOString(),
          source: 'webhook',
        },
        'test',
      ),
      store.completeNotification(
        second!,
        { error: 'SMTP 451', retryAt: new Date(Date.now() + 30_000) },
        new Date(),
      ),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const [order] = await store.listOrders({});
    const notifications = await store.listNotifications(order!.id);
    assert.deepEqual(
      notifications.map((n) => [n.id, n.state]),
      [
        [first, 'sent'],
        [second, 'pending'],
      ],
    );
  });

  it('rejects the waiting outbox updates when the store closes before their commit', async () => {
    const [id] = await ordersWithNotices(1);
    const pending = store.completeNotification(id!, { sent: true }, new Date());
    await store.close();
    await assert.rejects(pending);
    store = await openStore({ engine: 'sqlite', filename: file() });
    const [order] = await store.listOrders({});
    assert.equal((await store.listNotifications(order!.id))[0]?.state, 'sending');
  });
});
