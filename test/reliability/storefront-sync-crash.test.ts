import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SyncReport } from '../../core/storefront-sync/sync-storefront';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { FakeStorefrontCatalogue } from '../fakes/storefront-catalogue';
import { until } from '../nodes/tracking-in-setup';

const VARIANTS = 40;
const WORKER = path.join(__dirname, 'support', 'storefront-sync-worker.ts');

/**
 * The in-memory shop over HTTP for the worker process. `hangAfterBatch`: that push batch is applied, then never
 * answered, as a shop whose answer was on its way when the process died.
 */
function shopServer(
  shop: FakeStorefrontCatalogue,
  control: { hangAfterBatch?: number; batches: number },
): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      void (async () => {
        const request = JSON.parse(body) as {
          cursor?: string;
          pushes?: Parameters<typeof shop.pushVariants>[0];
        };
        const answer =
          req.url === '/list'
            ? await shop.listVariants(request.cursor)
            : await shop.pushVariants(request.pushes!);
        if (req.url === '/push' && ++control.batches === control.hangAfterBatch) return;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer));
      })();
    });
  });
}

function runWorker(filename: string, url: string): { child: ChildProcess; report: Promise<SyncReport> } {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', WORKER, filename, url], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const report = new Promise<SyncReport>((resolve, reject) =>
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve(JSON.parse(output) as SyncReport)
        : reject(new Error(`worker ended ${signal ?? code}`)),
    ),
  );
  return { child, report };
}

describe('reliability: kill -9 of a storefront sync mid-push, restart on the same SQLite file', function () {
  this.timeout(60_000);
  let dir: string;
  let server: Server;
  let shop: FakeStorefrontCatalogue;
  const control: { hangAfterBatch?: number; batches: number } = { batches: 0 };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-sync-crash-'));
    shop = new FakeStorefrontCatalogue('shopify', 5, 7);
    for (let i = 0; i < VARIANTS; i++) {
      shop.add({ variantId: `v${i}`, productId: `p${i}`, title: `Item ${i}`, sku: `SKU-${i}`, quantity: 0 });
    }
    server = shopServer(shop, control);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const store = new SqliteOrderStore({ filename: path.join(dir, 'orders.sqlite') });
    await store.migrate();
    await store.applyStockFeed(
      'acme',
      new Date(),
      Array.from({ length: VARIANTS }, (_, i) => ({ sku: `SKU-${i}`, quantity: 10 + i })),
    );
    await store.close();
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('resends the pushes in flight with their stored keys: each applied once, every variant right', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const filename = path.join(dir, 'orders.sqlite');
    control.hangAfterBatch = 3;
    const first = runWorker(filename, url);
    // The shop has applied the third batch; its answer never comes: the process dies waiting for it.
    await until(() => (control.batches === 3 ? true : undefined), 'the third push batch');
    first.child.kill('SIGKILL');
    await assert.rejects(first.report, /SIGKILL/);
    const inFlight = shop.received.slice(10, 15).map((push) => push.idempotencyKey);
    assert.equal(new Set(inFlight).size, 5);

    control.hangAfterBatch = undefined;
    const report = await runWorker(filename, url).report;
    assert.equal(report.resumed, 5, 'the batch in flight was resumed');
    assert.equal(report.pushed, VARIANTS - 10, 'the resumed batch and the 25 never sent');
    assert.deepEqual(report.failed, []);
    for (const key of inFlight) {
      assert.equal(
        shop.received.filter((push) => push.idempotencyKey === key).length,
        2,
        `${key} sent twice`,
      );
    }
    assert.ok(
      [...shop.applications.values()].every((times) => times === 1),
      'no key changed the shop twice',
    );
    assert.equal(shop.applications.size, VARIANTS, 'one applied push per variant, none lost');
    for (let i = 0; i < VARIANTS; i++) assert.equal(shop.variants.get(`v${i}`)!.quantity, 10 + i);

    const quiet = await runWorker(filename, url).report;
    assert.deepEqual([quiet.pushed, quiet.unchanged, quiet.resumed], [0, VARIANTS, 0]);
  });
});
