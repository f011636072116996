import assert from 'node:assert/strict';
import { PostgresOrderStore } from '../../core/store/postgres/postgres-store';
import { POSTGRES_MIGRATIONS } from '../../core/store/postgres/migrations';
import { openStore } from '../../core/store/open-store';
import { DropshipError } from '../../core/errors';
import { describeOrderStoreBehaviour } from './order-store.behaviour';
import { describeWithdrawalBehaviour } from './withdrawals.behaviour';
import { describeRefundStoreBehaviour } from './refunds.behaviour';
import { describeStatusPollBehaviour } from './status-polls.behaviour';
import { describePortalStoreBehaviour } from './portal.behaviour';
import { describeStorefrontSyncBehaviour } from './storefront-sync.behaviour';
import { describeFunctionalGroupBehaviour } from './functional-groups.behaviour';
import { describeSupplierReferenceBehaviour } from './supplier-references.behaviour';
import { describePurchaseOrderTransitionBehaviour } from './purchase-order-transitions.behaviour';
import { sampleOrderDraft } from '../support/orders';
import {
  TEST_POSTGRES_URL,
  dropSchemas,
  ensurePostgres,
  startPasswordProtectedCluster,
  uniqueSchemaName,
} from '../support/postgres';

describe('PostgresOrderStore', function () {
  this.timeout(60_000);
  const schemas: string[] = [];

  before(() => ensurePostgres());
  // Runs after the behaviour suite's own afterEach has closed the store.
  afterEach(async () => {
    await dropSchemas(schemas.splice(0));
  });

  const freshStore = async () => {
    const schema = uniqueSchemaName();
    schemas.push(schema);
    return openStore({ engine: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolSize: 4 });
  };
  describeOrderStoreBehaviour('postgres', freshStore);
  describeWithdrawalBehaviour('postgres', freshStore);
  describeRefundStoreBehaviour('postgres', freshStore);
  describeStatusPollBehaviour('postgres', freshStore);
  describePortalStoreBehaviour('postgres', freshStore);
  describeStorefrontSyncBehaviour('postgres', freshStore);
  describeFunctionalGroupBehaviour('postgres', freshStore);
  describeSupplierReferenceBehaviour('postgres', freshStore);
  describePurchaseOrderTransitionBehaviour('postgres', freshStore);

  describe('schema and connection', () => {
    it('creates its tables in its own schema and records each migration once', async () => {
      const schema = uniqueSchemaName();
      schemas.push(schema);
      const store = new PostgresOrderStore({ connectionString: TEST_POSTGRES_URL, schema });
      await store.migrate();
      await store.migrate();
      const { order } = await store.receiveOrder(sampleOrderDraft({ externalId: 'schema-1' }), {
        actor: 't',
      });
      const tables = await store.pool.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'orders'",
        [schema],
      );
      assert.equal(tables.rowCount, 1);
      const versions = await store.pool.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY 1',
      );
      assert.deepEqual(
        versions.rows.map((r) => r.version),
        POSTGRES_MIGRATIONS.map((m) => m.version),
      );
      const stored = await store.pool.query<{ placed_at: string; data: unknown }>(
        'SELECT placed_at, data FROM orders WHERE id = $1',
        [order.id],
      );
      // Times are epoch milliseconds as in SQLite; documents are JSONB, queryable in place.
      assert.equal(Number(stored.rows[0]!.placed_at), Date.parse(order.placedAt));
      assert.equal(typeof stored.rows[0]!.data, 'object');
      await store.close();
      await store.close();
    });

    it('authenticates with the password kept apart from the connection string', async () => {
      const cluster = await startPasswordProtectedCluster();
      try {
        await assert.rejects(
          openStore({ engine: 'postgres', connectionString: cluster.url, password: 'wrong' }),
          /password authentication failed for user "postgres"/,
        );
        const store = new PostgresOrderStore({ connectionString: cluster.url, password: cluster.password });
        await store.migrate();
        const { order } = await store.receiveOrder(sampleOrderDraft(), { actor: 't' });
        assert.equal((await store.getOrder(order.id))?.id, order.id);
        const session = await store.pool.query<{ name: string }>(
          "SELECT current_setting('application_name') AS name",
        );
        assert.equal(session.rows[0]?.name, 'node-red-contrib-dropship');
        await store.close();
      } finally {
        cluster.stop();
      }
    });

    it('rejects a schema name that cannot be used as an identifier as it is', () => {
      assert.throws(
        () => new PostgresOrderStore({ connectionString: TEST_POSTGRES_URL, schema: 'x; DROP TABLE orders' }),
        (err: unknown) =>
          err instanceof DropshipError && err.code === 'configuration' && err.details[0]?.path === '/schema',
      );
      assert.throws(
        () => new PostgresOrderStore({ connectionString: TEST_POSTGRES_URL, poolSize: 0 }),
        (err: unknown) => err instanceof DropshipError && err.details[0]?.path === '/poolSize',
      );
    });

    it("fails to open with the server's reason", async () => {
      const url = new URL(TEST_POSTGRES_URL);
      url.pathname = '/no_such_database_for_dropship';
      await assert.rejects(
        openStore({ engine: 'postgres', connectionString: url.toString(), schema: uniqueSchemaName() }),
        /database "no_such_database_for_dropship" does not exist/,
      );
    });

    it('can find pending withdrawals in their partial index, whatever the number of POs', async () => {
      const schema = uniqueSchemaName();
      schemas.push(schema);
      const store = new PostgresOrderStore({ connectionString: TEST_POSTGRES_URL, schema, poolSize: 1 });
      await store.migrate();
      const client = await store.pool.connect();
      try {
        // On a small table the planner rightly prefers a scan; barred from it, it shows the index fits the query.
        await client.query('SET enable_seqscan = off');
        // The sweep's own statement, explained (not run) with the values it is given.
        const statement = PostgresOrderStore['claimWithdrawalsSql'](PostgresOrderStore['DUE_WITHDRAWAL']);
        const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement}`, [
          Date.now(),
          20,
          'w',
          Date.now() + 60_000,
          ['acme'],
          Date.now() - 60_000,
        ]);
        const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
        assert.match(text, /Index Scan using purchase_orders_withdrawal/, text);
        assert.doesNotMatch(text, /Sort/, text);
      } finally {
        client.release();
        await store.close();
      }
    });

    it('keeps one order consistent when PO transitions and parcel events race on it', async () => {
      const schema = uniqueSchemaName();
      schemas.push(schema);
      const store = await openStore({
        engine: 'postgres',
        connectionString: TEST_POSTGRES_URL,
        schema,
        poolSize: 8,
      });
      const actor = 'race';
      const { order } = await store.receiveOrder(sampleOrderDraft(), { actor });
      const pos = (await store.assignPurchaseOrders(
        order.id,
        ['received'],
        ['acme', 'zeta'].map((supplierId) => ({
          orderId: order.id,
          supplierId,
          attempt: 1,
          currency: order.currency,
          shipTo: order.shipTo,
          lines: [{ orderLineId: '1', sku: supplierId === 'acme' ? 'MUG-01' : 'TEE-01', quantity: 1 }],
          alternatives: [],
        })),
        { type: 'order.routed', actor },
      ))!;
      const now = new Date();
      for (const po of pos) {
        await store.claimPurchaseOrder(po.number, { owner: actor, now, durationMs: 60_000 });
        await store.transitionPurchaseOrder(po.number, ['sending'], 'sent', {}, { type: 'po.sent', actor });
      }
      // Acknowledgements and parcel events for both POs at once: each takes the order, then the POs.
      await Promise.all([
        store.transitionPurchaseOrder(pos[0]!.number, ['sent'], 'accepted', {}, { type: 'po.ack', actor }),
        store.recordShipmentEvent(
          {
            orderId: order.id,
            poNumber: pos[1]!.number,
            trackingNumber: 'TRACK-RACE-1',
            status: 'in_transit',
            occurredAt: now.toISOString(),
            source: 'webhook',
          },
          actor,
        ),
        store.transitionPurchaseOrder(pos[1]!.number, ['sent'], 'accepted', {}, { type: 'po.ack', actor }),
        store.recordShipmentEvent(
          {
            orderId: order.id,
            poNumber: pos[0]!.number,
            trackingNumber: 'TRACK-RACE-0',
            status: 'in_transit',
            occurredAt: now.toISOString(),
            source: 'webhook',
          },
          actor,
        ),
      ]);
      assert.deepEqual(
        (await store.listPurchaseOrders(order.id)).map((po) => po.state),
        ['shipped', 'shipped'],
      );
      assert.equal((await store.getOrder(order.id))?.state, 'shipped');
      await store.close();
    });
  });
});
