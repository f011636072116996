import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
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
import supplierNode from '../../nodes/supplier/supplier';
import { acmeX12Settings } from '../support/x12-supplier';
import { startSftpServer, type SftpTestServer } from '../servers/sftp-server';
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

  it('answers an 846 with a 997 through the X12 supplier it is for', async () => {
    const root = path.join(dir, 'acme-sftp');
    // Built before loading: a flow held in a variable is not checked against the helper's NodeDef literal type.
    const nodes = [
      ...flow({}),
      {
        id: 'supplier-acme',
        type: 'dropship-supplier',
        supplierId: 'acme',
        connector: 'x12-sftp',
        settings: acmeX12Settings({ type: 'local', root }),
      },
    ];
    await helper.load([storeNode, routerNode, supplierNode, inventoryInNode], nodes);
    const inventory = helper.getNode('inventory') as unknown as TestNode;
    const changed = nextMessage('changed');
    inventory.receive({ payload: Buffer.from(INVENTORY_846) });
    await changed;
    const outbound = path.join(root, 'to-acme');
    for (let waited = 0; !existsSync(outbound) && waited < 5000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const [file] = existsSync(outbound) ? readdirSync(outbound) : [];
    assert.ok(file, 'a 997 in the supplier outbound folder');
    const text = readFileSync(path.join(outbound, file), 'utf8');
    assert.ok(text.includes('AK1*IB*401~'), text);
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

  describe('reading a folder on a schedule', () => {
    /** Drops the supplier's files into `folder`, each a second newer than the last, readable and movable by anyone. */
    function dropFiles(folder: string, files: Record<string, string>): void {
      mkdirSync(folder, { recursive: true });
      chmodSync(folder, 0o777);
      let second = Date.parse('2026-11-21T06:00:00Z') / 1000;
      for (const [name, content] of Object.entries(files)) {
        writeFileSync(path.join(folder, name), content, { mode: 0o666 });
        const at = new Date(++second * 1000);
        utimesSync(path.join(folder, name), at, at);
      }
    }
    const namesIn = (folder: string): string[] => readdirSync(folder).sort();

    it('stores the files of a local folder, archives them, and reports bad rows and unreadable files by name', async () => {
      dropFiles(path.join(dir, 'feeds', 'stock'), {
        'acme.csv': 'sku,qty\nMUG-01,9\nTEE-01,-\n',
        'notes.csv': 'hello\n',
      });
      const { store } = await loaded({
        source: 'local',
        root: path.join(dir, 'feeds'),
        inboundFolder: 'stock',
        archiveFolder: 'stock/archive',
        errorFolder: 'stock/error',
      });
      // The node polls half a second after start.
      const changed = nextMessage('changed');
      const bad: Record<string, unknown>[] = [];
      const twoBad = new Promise<void>((resolve) =>
        (helper.getNode('bad') as unknown as TestNode).on('input', (msg: Record<string, unknown>) => {
          bad.push(msg);
          if (bad.length === 2) resolve();
        }),
      );
      const [changes] = await Promise.all([changed, twoBad]);
      assert.deepEqual((changes.stock as { file: string }).file, 'acme.csv');
      assert.deepEqual(bad[0]!.payload, [
        { file: 'acme.csv', line: 3, reason: 'quantity for TEE-01 is "-", not a whole number' },
      ]);
      assert.deepEqual((bad[0]!.error as { details: unknown[] }).details, [
        { path: 'acme.csv line 3', message: 'quantity for TEE-01 is "-", not a whole number' },
      ]);
      assert.deepEqual(bad[1]!.payload, [
        { file: 'notes.csv', line: 1, reason: 'the header needs a SKU and a quantity column; found "hello"' },
      ]);
      assert.match(
        (bad[1]!.error as { message: string }).message,
        /notes\.csv could not be read and was moved to stock\/error/,
      );
      assert.deepEqual(
        (await store.listStock({ skus: ['MUG-01'] })).map((r) => [r.supplierId, r.quantity, r.feedAt]),
        [['acme', 9, '2026-11-21T06:00:01.000Z']],
      );
      assert.deepEqual(namesIn(path.join(dir, 'feeds', 'stock')), ['archive', 'error']);
      assert.deepEqual(namesIn(path.join(dir, 'feeds', 'stock', 'archive')), ['acme.csv']);
      assert.deepEqual(namesIn(path.join(dir, 'feeds', 'stock', 'error')), ['notes.csv']);
    });

    it('refuses a folder that climbs out of the base folder and reads nothing', async () => {
      dropFiles(path.join(dir, 'outside'), { 'secret.csv': 'sku,qty\nMUG-01,1\n' });
      const { store } = await loaded({
        source: 'local',
        root: path.join(dir, 'feeds'),
        inboundFolder: '../outside',
        archiveFolder: 'archive',
        errorFolder: 'error',
      });
      await new Promise((resolve) => setTimeout(resolve, 800));
      // Node-RED's log entries: level 20 is an error.
      const errors = (helper.log().args as [{ level: number; msg: unknown }][])
        .map(([entry]) => entry)
        .filter((entry) => entry.level === 20);
      assert.ok(
        errors.some((entry) => /path traversal/.test(String(entry.msg))),
        'the node says why it does not poll',
      );
      assert.deepEqual(namesIn(path.join(dir, 'outside')), ['secret.csv']);
      assert.deepEqual(await store.listStock({ skus: ['MUG-01'] }), []);
    });

    it('leaves a file written just now for a later read, and reads it at once with Wait until unchanged 0', async () => {
      const folder = path.join(dir, 'feeds', 'stock');
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, 'fresh.csv'), 'sku,qty\nMUG-01,9\n');
      const settings = {
        source: 'local',
        root: path.join(dir, 'feeds'),
        inboundFolder: 'stock',
        archiveFolder: 'stock/archive',
        errorFolder: 'stock/error',
      };
      const { store, inventory } = await loaded(settings);
      const skipped = await new Promise<string>((resolve) =>
        inventory.on('call:debug', (call: { args: unknown[] }) => {
          if (String(call.args[0]).includes('fresh.csv')) resolve(String(call.args[0]));
        }),
      );
      assert.match(
        skipped,
        /^inbound file fresh\.csv left for a later poll: changed \d s ago, .* unchanged for 10 s$/,
      );
      assert.deepEqual(namesIn(folder), ['fresh.csv'], 'left in place, not moved aside');
      assert.deepEqual(await store.listStock({ skus: ['MUG-01'] }), []);

      await helper.unload();
      const changed = loaded({ ...settings, settleSeconds: '0' }).then(() => nextMessage('changed'));
      assert.equal(((await changed).stock as { file: string }).file, 'fresh.csv');
      assert.deepEqual(namesIn(path.join(folder, 'archive')), ['fresh.csv']);
    });

    it('refuses a Wait until unchanged that is not a whole number of seconds from 0 to 3600, naming it', async () => {
      dropFiles(path.join(dir, 'feeds', 'stock'), { 'acme.csv': 'sku,qty\nMUG-01,1\n' });
      const { store } = await loaded({
        source: 'local',
        root: path.join(dir, 'feeds'),
        inboundFolder: 'stock',
        archiveFolder: 'stock/archive',
        errorFolder: 'stock/error',
        settleSeconds: '-5',
      });
      await new Promise((resolve) => setTimeout(resolve, 800));
      const errors = (helper.log().args as [{ level: number; msg: unknown }][])
        .map(([entry]) => String(entry.msg))
        .filter((msg) => msg.includes('settleSeconds'));
      assert.match(errors[0] ?? '', /stock folder settings.*\/settleSeconds must be >= 0/);
      assert.deepEqual(namesIn(path.join(dir, 'feeds', 'stock')), ['acme.csv']);
      assert.deepEqual(await store.listStock({ skus: ['MUG-01'] }), []);
    });

    describe('over OpenSSH', function () {
      let server: SftpTestServer;
      before(async () => {
        server = await startSftpServer();
      });
      after(async () => server?.stop());

      it('reads an SFTP folder with the password from the credentials and the host key pinned', async () => {
        const base = mkdtempSync(path.join(server.root, 'node-'));
        chmodSync(base, 0o777);
        dropFiles(path.join(base, 'outbound'), { 'stock.846': INVENTORY_846 });
        const { store } = await loaded(
          {
            supplier: 'zeta',
            source: 'sftp',
            host: server.host,
            port: server.port,
            username: server.username,
            hostKeySha256: server.hostKeySha256,
            root: path.basename(base),
            inboundFolder: 'outbound',
            archiveFolder: 'outbound/done',
            errorFolder: 'outbound/failed',
          },
          { inventory: { password: server.password } },
        );
        const msg = await nextMessage('changed');
        assert.equal(msg.topic, `sftp://${server.host}:${server.port}/outbound`);
        assert.deepEqual(
          (await store.listStock({ skus: ['MUG-01', 'CAP-01'] })).map((r) => [
            r.sku,
            r.supplierId,
            r.quantity,
          ]),
          [
            ['CAP-01', 'zeta', 12],
            ['MUG-01', 'zeta', 140],
          ],
        );
        assert.deepEqual(namesIn(path.join(base, 'outbound', 'done')), ['stock.846']);
      });
    });
  });
});
