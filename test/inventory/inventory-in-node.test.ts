import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { SellableCrossing } from '../../core/inventory/ingest-stock-feed';
import type { OrderStore } from '../../core/store/order-store';
import inventoryInNode from '../../nodes/inventory-in/inventory-in';
import routerNode from '../../nodes/router/router';
import storeNode from '../../nodes/store/store';
import { INVENTORY_846 } from './feed-fixtures';

helper.init(require.resolve('node-red'));

interface TestNode {
  receive(msg: object): void;
  on(event: string, listener: (value: never) => void): void;
  store(): Promise<OrderStore>;
}

describe('dropship-inventory-in node', function () {
  let dir: string;
  let server: Server | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-inventory-node-'));
  });
  afterEach(async () => {
    await helper.unload();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function flow(inventory: Record<string, unknown>) {
    return [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'stock.sqlite') },
      {
        id: 'router',
        type: 'dropship-router',
        store: 'store',
        sweepSeconds: 3600,
        rules: { suppliers: { acme: { stock: { buffer: { units: 3 } } } } },
        wires: [[], []],
      },
      {
        id: 'inventory',
        type: 'dropship-inventory-in',
        store: 'store',
        supplier: 'acme',
        router: '',
        thresholds: '',
        url: '',
        intervalMinutes: 60,
        wires: [['changed'], ['bad']],
        ...inventory,
      },
      { id: 'changed', type: 'helper' },
      { id: 'bad', type: 'helper' },
    ];
  }

  async function loaded(inventory: Record<string, unknown> = {}, credentials: object = {}) {
    await helper.load([storeNode, routerNode, inventoryInNode], flow(inventory), credentials);
    const store = await (helper.getNode('store') as unknown as TestNode).store();
    return { store, inventory: helper.getNode('inventory') as unknown as TestNode };
  }

  const nextMessage = (id: string) =>
    new Promise<Record<string, unknown>>((resolve) =>
      (helper.getNode(id) as unknown as TestNode).on('input', resolve),
    );

  it('stores a CSV feed, sends the SKUs that came into stock and the rows it could not read', async () => {
    const { store, inventory } = await loaded();
    const changed = nextMessage('changed');
    const bad = nextMessage('bad');
    inventory.receive({ payload: '\uFEFFsku,quantity\r\n"MUG,RED",12\r\nTEE-01,none\r\nCAP-01,0\r\n' });
    const [changes, problems] = await Promise.all([changed, bad]);
    assert.deepEqual(
      (changes.payload as SellableCrossing[]).map((c) => [
        c.sku,
        c.previous,
        c.sellable,
        c.crossed,
        c.direction,
      ]),
      [['MUG,RED', 0, 12, [0], 'up']],
    );
    assert.deepEqual(problems.payload, [
      { line: 3, reason: 'quantity for TEE-01 is "none", not a whole number' },
    ]);
    assert.deepEqual((problems.error as { details: unknown[] }).details, [
      { path: 'line 3', message: 'quantity for TEE-01 is "none", not a whole number' },
    ]);
    assert.deepEqual(
      (await store.listStock({ skus: ['MUG,RED', 'CAP-01', 'TEE-01'] })).map((r) => [r.sku, r.quantity]),
      [
        ['CAP-01', 0],
        ['MUG,RED', 12],
      ],
    );
  });

  it("applies the chosen router's buffers and the thresholds", async () => {
    const { inventory } = await loaded({ router: 'router', thresholds: '5, 10' });
    const first = nextMessage('changed');
    inventory.receive({ payload: [{ sku: 'MUG-01', quantity: 20 }] });
    assert.deepEqual((await first).payload, [
      { sku: 'MUG-01', supplierId: 'acme', previous: 0, sellable: 17, crossed: [0, 5, 10], direction: 'up' },
    ]);
    const second = nextMessage('changed');
    inventory.receive({ payload: [{ sku: 'MUG-01', quantity: 9 }] });
    assert.deepEqual((await second).payload, [
      { sku: 'MUG-01', supplierId: 'acme', previous: 17, sellable: 6, crossed: [10], direction: 'down' },
    ]);
  });

  it('reads an X12 846 for the supplier named in the message', async () => {
    const { store, inventory } = await loaded();
    const changed = nextMessage('changed');
    inventory.receive({ payload: Buffer.from(INVENTORY_846), supplierId: 'zeta' });
    await changed;
    assert.deepEqual(
      (await store.listStock({ skus: ['MUG-01', 'CAP-01'] })).map((r) => [
        r.sku,
        r.supplierId,
        r.quantity,
        r.feedAt,
      ]),
      [
        ['CAP-01', 'zeta', 12, '2026-11-21T07:00:00.000Z'],
        ['MUG-01', 'zeta', 140, '2026-11-21T06:00:00.000Z'],
      ],
    );
  });

  it('reads a REST address at start with the bearer token', async () => {
    const requests: (string | undefined)[] = [];
    server = createServer((req, res) => {
      requests.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end('sku,qty\nMUG-01,4\n');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const { store } = await loaded(
      { url: `http://127.0.0.1:${port}/stock.csv` },
      { inventory: { token: 'feed-secret' } },
    );
    // The node reads half a second after start.
    const msg = await nextMessage('changed');
    assert.equal(msg.topic, `http://127.0.0.1:${port}/stock.csv`);
    assert.deepEqual(requests, ['Bearer feed-secret']);
    assert.equal((await store.listStock({ skus: ['MUG-01'] }))[0]?.quantity, 4);
  });
});
