import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { SQLITE_MIGRATIONS } from '../../core/store/sqlite/migrations';
import { describeOrderStoreBehaviour } from './order-store.behaviour';
import { sampleOrderDraft } from '../support/orders';

describeOrderStoreBehaviour('sqlite', async () => {
  const store = new SqliteOrderStore({ filename: ':memory:' });
  await store.migrate();
  return store;
});

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
