import assert from 'node:assert/strict';
import { PostgresOrderStore } from '../../core/store/postgres/postgres-store';
import { sampleOrderDraft } from '../support/orders';
import { TEST_POSTGRES_URL, dropSchemas, ensurePostgres, uniqueSchemaName } from '../support/postgres';

describe('PostgreSQL intake: the webhooks of one turn in one statement', function () {
  this.timeout(60_000);
  const schemas: string[] = [];
  const stores: PostgresOrderStore[] = [];

  before(() => ensurePostgres());
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await dropSchemas(schemas.splice(0));
  });

  /** A store (an instance) on `schema`, counting the statements it sends through its pool. */
  const instance = async (schema: string) => {
    const store = new PostgresOrderStore({ connectionString: TEST_POSTGRES_URL, schema, poolSize: 4 });
    stores.push(store);
    await store.migrate();
    const pool = store.pool;
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    const counted = { statements: 0 };
    (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counted.statements++;
      return query(...args);
    };
    return { store, counted };
  };
  const freshSchema = (): string => {
    const schema = uniqueSchemaName();
    schemas.push(schema);
    return schema;
  };

  it('takes in the orders of one turn in one statement, each with its lines and its event', async () => {
    const { store, counted } = await instance(freshSchema());
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.receiveOrder(sampleOrderDraft({ externalId: `turn-${i}` }), {
          actor: 'test',
          deliveryId: `d-${i}`,
        }),
      ),
    );
    assert.equal(counted.statements, 1);
    assert.ok(results.every((r) => r.created && r.duplicateOf === undefined));
    assert.equal(new Set(results.map((r) => r.order.id)).size, 20);
    for (const { order } of results) {
      assert.equal(order.state, 'received');
      assert.deepEqual(
        (await store.listEvents(order.id)).map((e) => [e.type, e.toState, e.actor]),
        [['order.received', 'received', 'test']],
      );
    }
    const lines = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM order_lines');
    assert.equal(Number(lines.rows[0]!.n), 40);
  });

  it('collapses duplicates inside one statement: the same order twice, the same delivery twice', async () => {
    const { store } = await instance(freshSchema());
    const before = await store.receiveOrder(sampleOrderDraft({ externalId: 'earlier' }), {
      actor: 'test',
      deliveryId: 'd-earlier',
    });
    const [first, sameOrder, sameDelivery, delivered, again] = await Promise.all([
      store.receiveOrder(sampleOrderDraft({ externalId: 'twice' }), { actor: 'test', deliveryId: 'd-1' }),
      store.receiveOrder(sampleOrderDraft({ externalId: 'twice' }), { actor: 'test', deliveryId: 'd-2' }),
      store.receiveOrder(sampleOrderDraft({ externalId: 'twice' }), { actor: 'test', deliveryId: 'd-1' }),
      store.receiveOrder(sampleOrderDraft({ externalId: 'earlier' }), {
        actor: 'test',
        deliveryId: 'd-earlier',
      }),
      store.receiveOrder(sampleOrderDraft({ externalId: 'earlier' }), { actor: 'test', deliveryId: 'd-3' }),
    ]);
    assert.equal(first.created, true);
    assert.deepEqual(
      [sameOrder, sameDelivery].map((r) => [r.created, r.duplicateOf, r.order.id]),
      [
        [false, 'order', first.order.id],
        [false, 'delivery', first.order.id],
      ],
    );
    assert.deepEqual(
      [delivered, again].map((r) => [r.created, r.duplicateOf, r.order.id]),
      [
        [false, 'delivery', before.order.id],
        [false, 'order', before.order.id],
      ],
    );
    const orders = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    assert.equal(Number(orders.rows[0]!.n), 2);
    const deliveries = await store.pool.query<{ delivery_id: string; order_id: string }>(
      'SELECT delivery_id, order_id FROM webhook_deliveries ORDER BY delivery_id',
    );
    assert.deepEqual(
      deliveries.rows.map((r) => [r.delivery_id, r.order_id]),
      [
        ['d-1', first.order.id],
        ['d-2', first.order.id],
        ['d-3', before.order.id],
        ['d-earlier', before.order.id],
      ],
    );
    assert.equal((await store.listEvents(first.order.id)).length, 1);
  });

  it('fails an order the database refuses alone, and takes in the others of its statement', async () => {
    const { store } = await instance(freshSchema());
    const good = sampleOrderDraft();
    // Two lines with one id break the lines' primary key.
    const bad = sampleOrderDraft({
      lines: [good.lines[0]!, { ...good.lines[1]!, lineId: good.lines[0]!.lineId }],
    });
    const outcomes = await Promise.allSettled([
      store.receiveOrder(sampleOrderDraft({ externalId: 'good-1' }), { actor: 'test' }),
      store.receiveOrder({ ...bad, externalId: 'bad' }, { actor: 'test' }),
      store.receiveOrder(sampleOrderDraft({ externalId: 'good-2' }), { actor: 'test' }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const stored = await store.pool.query<{ external_id: string }>(
      'SELECT external_id FROM orders ORDER BY 1',
    );
    assert.deepEqual(
      stored.rows.map((r) => r.external_id),
      ['good-1', 'good-2'],
    );
    assert.equal((await store.findOrder('generic:bad')) === undefined, true);
  });

  it('takes each order once when two instances receive the same orders at the same time', async () => {
    const schema = freshSchema();
    const [a, b] = [await instance(schema), await instance(schema)];
    const drafts = Array.from({ length: 50 }, (_, i) => sampleOrderDraft({ externalId: `both-${i}` }));
    const [fromA, fromB] = await Promise.all([
      Promise.all(drafts.map((d, i) => a.store.receiveOrder(d, { actor: 'a', deliveryId: `d-${i}` }))),
      Promise.all(drafts.map((d, i) => b.store.receiveOrder(d, { actor: 'b', deliveryId: `d-${i}` }))),
    ]);
    for (let i = 0; i < drafts.length; i++) {
      const pair = [fromA[i]!, fromB[i]!];
      assert.equal(pair[0]!.order.id, pair[1]!.order.id);
      assert.equal(pair.filter((r) => r.created).length, 1, `order ${i} created once`);
      assert.deepEqual(
        pair.filter((r) => !r.created).map((r) => r.duplicateOf),
        ['delivery'],
      );
    }
    const orders = await a.store.pool.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    assert.equal(Number(orders.rows[0]!.n), 50);
    const events = await a.store.pool.query<{ n: string }>('SELECT count(*) AS n FROM order_events');
    assert.equal(Number(events.rows[0]!.n), 50);
  });
});
