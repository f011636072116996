import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../../core/store/open-store';
import type { OrderStore } from '../../core/store/order-store';
import { SmtpSink } from '../support/smtp-sink';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { TEST_POSTGRES_URL, dropSchemas, ensurePostgres, uniqueSchemaName } from '../support/postgres';
import { writePipelineFlow } from './support/pipeline-flow';
import { deliver, shopifyDelivery, type Delivery } from './support/shopify-delivery';
import { SupplierLedger } from './support/supplier-ledger';

const SECRET = 'two-instances-secret';
const SCALE = Math.max(1, Number(process.env.DROPSHIP_RELIABILITY_SCALE) || 1);

interface OrderDetail {
  state: string;
}

describe('reliability: two Node-RED instances sharing one PostgreSQL store', function () {
  this.timeout(180_000 * SCALE);
  let dir: string;
  let schema: string;
  let ledger: SupplierLedger;
  let smtp: SmtpSink;
  let instances: RunningNodeRed[] = [];

  before(async () => {
    assert.ok(existsSync(path.join(REPO, 'dist', 'nodes', 'order-in', 'order-in.js')), 'run `npm run build`');
    await ensurePostgres();
  });
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-two-'));
    schema = uniqueSchemaName('dropship_reliability');
    ledger = await new SupplierLedger().start();
    smtp = await new SmtpSink().start();
  });
  afterEach(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    instances = [];
    await ledger.stop();
    await smtp.stop();
    await dropSchemas([schema]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Both instances at once, as a deployment starts them: the first migrates, the other waits for it. */
  async function startBoth(options: { leaseSeconds: number }): Promise<[RunningNodeRed, RunningNodeRed]> {
    const flowFile = writePipelineFlow(dir, {
      store: { engine: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolSize: 4 },
      supplierUrl: ledger.url,
      smtpPort: smtp.port,
      leaseSeconds: options.leaseSeconds,
      sweepSeconds: 0.5,
    });
    const env = (name: string) => ({
      DROPSHIP_SHOPIFY_SECRET: SECRET,
      DROPSHIP_INSTANCE: name,
      DROPSHIP_DEMO_SMTP_PORT: 'off',
    });
    const [a, b] = await Promise.all([startNodeRed(flowFile, env('a')), startNodeRed(flowFile, env('b'))]);
    instances = [a, b];
    return [a, b];
  }

  async function storeView(): Promise<OrderStore> {
    return openStore({ engine: 'postgres', connectionString: TEST_POSTGRES_URL, schema, poolSize: 2 });
  }

  async function acknowledged(instance: RunningNodeRed, externalIds: string[]): Promise<void> {
    for (const id of externalIds) {
      await eventually(
        async () => {
          const res = await fetch(instance.url(`/dropship/api/orders/shopify:${id}`));
          return ((await res.json()) as OrderDetail).state === 'acknowledged' ? true : undefined;
        },
        60_000,
        `order ${id} to be acknowledged`,
      );
    }
  }

  it('takes every order delivered five times at once to both instances exactly once, answering each 200', async () => {
    ledger.behaviour = () => ({ kind: 'accept', delayMs: 20 });
    const [a, b] = await startBoth({ leaseSeconds: 10 });
    const orders = Array.from({ length: 20 * SCALE }, (_, i) => 7_000_000 + i);
    // Per order: a delivery and two retries of it (same event id), and two other events of the same order.
    const storm: { instance: RunningNodeRed; delivery: Delivery }[] = orders.flatMap((id, i) => {
      const eventId = randomUUID();
      const deliveries = [
        shopifyDelivery(id, SECRET, eventId),
        shopifyDelivery(id, SECRET, eventId),
        shopifyDelivery(id, SECRET, eventId),
        shopifyDelivery(id, SECRET),
        shopifyDelivery(id, SECRET),
      ];
      return deliveries.map((delivery, k) => ({ instance: (i + k) % 2 === 0 ? a : b, delivery }));
    });
    const answers = await Promise.all(
      storm.map(({ instance, delivery }) => deliver(instance.url(''), delivery)),
    );
    assert.deepEqual(
      answers.filter((answer) => answer?.status !== 200),
      [],
      'every delivery is answered 200',
    );
    const ids = new Map<string, Set<string>>();
    const created = new Map<string, number>();
    answers.forEach((answer, i) => {
      const externalId = storm[i]!.delivery.externalId;
      ids.set(externalId, new Set([...(ids.get(externalId) ?? []), answer!.body.id!]));
      if (!answer!.body.duplicate) created.set(externalId, (created.get(externalId) ?? 0) + 1);
    });
    for (const externalId of orders.map(String)) {
      assert.equal(ids.get(externalId)?.size, 1, `order ${externalId} answered with several ids`);
      assert.equal(
        created.get(externalId),
        1,
        `order ${externalId} created ${created.get(externalId)} times`,
      );
    }

    await acknowledged(a, orders.map(String));
    const store = await storeView();
    try {
      assert.equal((await store.listOrders({ limit: 1000 })).length, orders.length);
      const poNumbers: string[] = [];
      for (const externalId of orders.map(String)) {
        const order = (await store.findOrder(`shopify:${externalId}`))!;
        const pos = await store.listPurchaseOrders(order.id);
        assert.equal(pos.length, 1, `order ${externalId} has ${pos.length} POs`);
        poNumbers.push(pos[0]!.number);
        const events = await store.listEvents(order.id);
        assert.equal(events.filter((e) => e.type === 'order.received').length, 1);
        assert.equal(events.filter((e) => e.type === 'order.routed').length, 1);
      }
      // One request and one supplier order per PO: nobody sent a PO twice.
      assert.deepEqual([...ledger.ordersCreated()].sort(), poNumbers.sort());
      assert.equal(ledger.calls.length, orders.length);
    } finally {
      await store.close();
    }
  });

  it('never lets both instances hold one PO; when one is killed mid-send, the other finishes its work', async () => {
    // A slow supplier: the killed instance dies holding several POs mid-send.
    ledger.behaviour = () => ({ kind: 'accept', delayMs: 800 });
    const [a, b] = await startBoth({ leaseSeconds: 3 });
    let killedAt: number | undefined;
    ledger.onCall = (call) => {
      const fromA = ledger.calls.filter((c) => c.instance === 'a').length;
      if (call.instance === 'a' && fromA === 3 && killedAt === undefined) {
        killedAt = Date.now();
        void a.crash();
      }
    };
    const orders = Array.from({ length: 16 * SCALE }, (_, i) => 8_000_000 + i);
    const deliveries = orders.map((id) => shopifyDelivery(id, SECRET));
    const answers = await Promise.all(deliveries.map((d, i) => deliver((i % 2 === 0 ? a : b).url(''), d)));
    // What A could not answer, the storefront retries; the load balancer sends it to B.
    const retries = deliveries.filter((_, i) => answers[i]?.status !== 200);
    for (const answer of await Promise.all(retries.map((d) => deliver(b.url(''), d)))) {
      assert.equal(answer?.status, 200);
    }
    await acknowledged(b, orders.map(String));
    assert.ok(killedAt !== undefined, 'instance a was never killed');

    assert.deepEqual(ledger.concurrentSends(), [], 'two live instances sent the same PO at the same time');
    const store = await storeView();
    try {
      const poNumbers: string[] = [];
      let reclaimed = 0;
      for (const externalId of orders.map(String)) {
        const order = (await store.findOrder(`shopify:${externalId}`))!;
        const pos = await store.listPurchaseOrders(order.id);
        assert.deepEqual(
          pos.map((p) => p.state),
          ['accepted'],
        );
        poNumbers.push(pos[0]!.number);
        const calls = ledger.callsPerKey().get(pos[0]!.number) ?? [];
        if (calls.length > 1) {
          reclaimed += 1;
          // Every earlier send of a resent PO was a's, cut off by the kill; the last one completed.
          for (const earlier of calls.slice(0, -1)) {
            assert.equal(earlier.instance, 'a');
            assert.equal(earlier.answeredAt, undefined);
          }
          assert.ok(calls.at(-1)!.receivedAt >= killedAt);
          assert.equal(pos[0]!.sendAttempts, calls.length);
        }
      }
      assert.ok(reclaimed >= 1, 'no PO held by the killed instance was reclaimed');
      assert.deepEqual([...ledger.ordersCreated()].sort(), poNumbers.sort());
    } finally {
      await store.close();
    }
  });
});
