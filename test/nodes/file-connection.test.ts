import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { supplierConnector } from '../../connectors/registry';
import type { SupplierConfigNode } from '../../nodes/adapter/config-nodes';
import type { FileConnectionConfigNode } from '../../nodes/adapter/file-connection';
import { supplierConnectorContext } from '../../nodes/adapter/supplier-registry';
import fileConnectionNode from '../../nodes/file-connection/file-connection';
import inventoryInNode from '../../nodes/inventory-in/inventory-in';
import storeNode from '../../nodes/store/store';
import supplierNode from '../../nodes/supplier/supplier';
import trackingInNode from '../../nodes/tracking-in/tracking-in';
import { startSftpServer, type SftpTestServer } from '../servers/sftp-server';
import { acmeX12Settings } from '../support/x12-supplier';
import { acceptedOrder, collect, shipNotice, storeOfFlow, until, writeSettled } from './tracking-in-setup';

helper.init(require.resolve('node-red'));

/** The acme partner's X12 settings as a supplier saved with a file connection keeps them: no transport. */
function x12SettingsWithoutTransport(): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...acmeX12Settings({ type: 'local', root: '/unused' }) };
  delete settings.transport;
  return settings;
}

const NODES = [storeNode, fileConnectionNode, supplierNode, trackingInNode, inventoryInNode];

/**
 * One `dropship-file-connection` shared by the nodes that read or write files: tracking in (ship notices), stock in
 * (stock feeds) and the file suppliers, over a local folder and over the real OpenSSH SFTP server; and flows saved
 * before it existed, whose inline settings and secrets keep working and move into a connection.
 */
describe('dropship-file-connection', function () {
  this.timeout(60_000);
  let dir: string;
  let server: SftpTestServer;

  before(async () => {
    server = await startSftpServer();
  });
  after(async () => {
    await server?.stop();
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-file-connection-'));
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A folder of its own on the SFTP server, writable by its user. */
  function sftpFolder(): string {
    const base = mkdtempSync(path.join(server.root, 'connection-'));
    chmodSync(base, 0o777);
    return base;
  }

  function sftpConnection(root: string, extra: Record<string, unknown> = {}) {
    return {
      id: 'files',
      type: 'dropship-file-connection',
      name: 'ACME SFTP',
      kind: 'sftp',
      host: server.host,
      port: server.port,
      username: server.username,
      hostKeySha256: server.hostKeySha256,
      root,
      secretsFrom: '',
      ...extra,
    };
  }

  const storeConfig = () => ({
    id: 'store',
    type: 'dropship-store',
    engine: 'sqlite',
    filename: path.join(dir, 'orders.sqlite'),
  });
  const restSupplier = {
    id: 'supplier-acme',
    type: 'dropship-supplier',
    supplierId: 'acme',
    connector: 'rest-json',
    settings: { url: 'http://127.0.0.1:9/po' },
  };

  function trackingIn(extra: Record<string, unknown>) {
    return {
      id: 'tracking',
      type: 'dropship-tracking-in',
      store: 'store',
      supplier: 'supplier-acme',
      listen: false,
      pollSeconds: 0.2,
      wires: [['events'], ['errors'], []],
      ...extra,
    };
  }

  /** Drops a ship notice for a stored order into `inbound`; resolves with the order. */
  async function dropShipNotice(inbound: string) {
    const store = await storeOfFlow();
    const { order, pos } = await acceptedOrder(
      store,
      { orderNumber: '#7001' },
      { acme: ['MUG-01'], zeta: ['TEE-01'] },
    );
    writeSettled(path.join(inbound, '856_20261208.x12'), shipNotice(pos.map((p) => p.number)));
    return { store, order };
  }

  describe('tracking in', () => {
    it('reads ship notices from a local folder through a folder connection', async () => {
      const flow = [
        storeConfig(),
        restSupplier,
        { id: 'files', type: 'dropship-file-connection', kind: 'folder', root: path.join(dir, 'edi') },
        trackingIn({ source: 'files', connection: 'files', inboundFolder: 'inbound' }),
        { id: 'events', type: 'helper' },
        { id: 'errors', type: 'helper' },
      ];
      await helper.load(NODES, flow);
      const events = collect('events');
      const { store, order } = await dropShipNotice(path.join(dir, 'edi', 'inbound'));
      await until(() => (events.length === 3 ? true : undefined), 'the notice to be read');
      assert.equal((await store.getOrder(order.id))!.state, 'shipped');
      await until(
        () =>
          existsSync(path.join(dir, 'edi', 'inbound', 'archive', '856_20261208.x12')) ? true : undefined,
        'the archived notice',
      );
      assert.deepEqual(readdirSync(path.join(dir, 'edi', 'inbound')).sort(), ['archive']);
    });

    it('reads ship notices over SFTP through a connection holding the private key and pinning the host key', async () => {
      const base = sftpFolder();
      const flow = [
        storeConfig(),
        restSupplier,
        sftpConnection(path.basename(base)),
        trackingIn({ source: 'files', connection: 'files', inboundFolder: 'inbound' }),
        { id: 'events', type: 'helper' },
        { id: 'errors', type: 'helper' },
      ];
      await helper.load(NODES, flow, { files: { privateKey: server.privateKey } });
      const events = collect('events');
      const inbound = path.join(base, 'inbound');
      const { store, order } = await dropShipNotice(inbound);
      chmodSync(inbound, 0o777);
      await until(() => (events.length === 3 ? true : undefined), 'the SFTP notice to be read');
      assert.equal((await store.getOrder(order.id))!.state, 'shipped');
      await until(
        () => (existsSync(path.join(inbound, 'archive', '856_20261208.x12')) ? true : undefined),
        'the archived notice',
      );
    });

    it('reports a source without a connection, naming the field, and reads nothing', async () => {
      const flow = [
        storeConfig(),
        restSupplier,
        trackingIn({ source: 'files', connection: '' }),
        { id: 'events', type: 'helper' },
        { id: 'errors', type: 'helper' },
      ];
      await helper.load(NODES, flow);
      const errors = (helper.log().args as [{ level: number; msg: unknown }][])
        .map(([entry]) => entry)
        .filter((entry) => entry.level === 20)
        .map((entry) => String(entry.msg));
      assert.ok(
        errors.some((message) => /folder settings: no file connection chosen/.test(message)),
        errors.join('\n'),
      );
    });
  });

  describe('stock in', () => {
    it('reads a stock file over SFTP through the same kind of connection', async () => {
      const base = sftpFolder();
      writeSettled(path.join(base, 'stock', 'acme.csv'), 'sku,qty\nMUG-01,9\n');
      chmodSync(path.join(base, 'stock'), 0o777);
      const flow = [
        storeConfig(),
        sftpConnection(path.basename(base)),
        {
          id: 'inventory',
          type: 'dropship-inventory-in',
          store: 'store',
          supplier: 'acme',
          source: 'files',
          connection: 'files',
          inboundFolder: 'stock',
          archiveFolder: 'stock/archive',
          errorFolder: 'stock/error',
          intervalMinutes: 60,
          wires: [[], []],
        },
      ];
      await helper.load(NODES, flow, { files: { password: server.password } });
      const store = await storeOfFlow();
      const stock = await until(async () => {
        const rows = await store.listStock({ skus: ['MUG-01'] });
        return rows.length > 0 ? rows : undefined;
      }, 'the stock to be stored');
      assert.equal(stock[0]!.quantity, 9);
      await until(
        () => (existsSync(path.join(base, 'stock', 'archive', 'acme.csv')) ? true : undefined),
        'the archived feed',
      );
    });
  });

  describe('suppliers', () => {
    it("gives an EDI X12 supplier the connection's transport and secrets: its connection test logs in and lists its folders", async () => {
      const base = sftpFolder();
      const settings = x12SettingsWithoutTransport();
      const flow = [
        storeConfig(),
        sftpConnection(path.basename(base)),
        {
          id: 'supplier-edi',
          type: 'dropship-supplier',
          supplierId: 'acme-edi',
          connector: 'x12-sftp',
          connection: 'files',
          settings,
        },
      ];
      await helper.load(NODES, flow, { files: { password: server.password } });
      const supplier = helper.getNode('supplier-edi') as unknown as SupplierConfigNode;
      assert.equal(supplier.settingsError, undefined);
      assert.equal((supplier.settings!.transport as { host: string }).host, server.host);
      const { context } = supplierConnectorContext(await storeOfFlow(), 'acme-edi', {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
      });
      const answer = await supplierConnector('x12-sftp').testConnection!(context);
      assert.match(answer, new RegExp(`Logged in to 127\\.0\\.0\\.1:${server.port} as ${server.username}`));
    });

    it('refuses a file supplier without a connection, saying which field to fill in', async () => {
      const settings = x12SettingsWithoutTransport();
      const flow = [
        storeConfig(),
        {
          id: 'supplier-edi',
          type: 'dropship-supplier',
          supplierId: 'acme-edi',
          connector: 'x12-sftp',
          settings,
        },
      ];
      await helper.load(NODES, flow);
      const supplier = helper.getNode('supplier-edi') as unknown as SupplierConfigNode;
      assert.equal(supplier.settings, undefined);
      assert.match(supplier.settingsError!, /settings of supplier acme-edi: no file connection chosen/);
    });
  });

  describe('the "Test connection" route', () => {
    const folderConnection = () => ({
      id: 'files',
      type: 'dropship-file-connection',
      kind: 'folder',
      root: dir,
    });
    async function test(body: Record<string, unknown>): Promise<{ ok: boolean; message: string }> {
      const response = await helper
        .request()
        .post('/dropship/file-connections/test')
        .set('Content-Type', 'application/json')
        .send(body);
      return response.body as { ok: boolean; message: string };
    }

    it('logs in with the typed secret and checks the host key; a wrong key is refused in words', async () => {
      await helper.load(NODES, [folderConnection()]);
      const login = { kind: 'sftp', host: server.host, port: server.port, username: server.username };
      const ok = await test({
        ...login,
        hostKeySha256: server.hostKeySha256,
        credentials: { password: server.password },
      });
      assert.deepEqual(ok, {
        ok: true,
        message: `Logged in to 127.0.0.1:${server.port} as ${server.username}.`,
      });
      const wrongKey = await test({
        ...login,
        hostKeySha256: `SHA256:${'A'.repeat(43)}`,
        credentials: { password: server.password },
      });
      assert.equal(wrongKey.ok, false);
      assert.match(wrongKey.message, /refused: .*Host denied/);
      assert.doesNotMatch(wrongKey.message, /\n\s+at |node_modules/);
    });

    it('finds a folder on this machine, and says so when it does not exist', async () => {
      await helper.load(NODES, [folderConnection()]);
      assert.deepEqual(await test({ kind: 'folder', root: dir }), {
        ok: true,
        message: `The folder ${dir} exists.`,
      });
      const missing = await test({ kind: 'folder', root: path.join(dir, 'nowhere') });
      assert.deepEqual(missing, {
        ok: false,
        message: `the folder ${path.join(dir, 'nowhere')} does not exist on this machine`,
      });
    });
  });

  describe('flows saved before file connections', () => {
    it('an old tracking in node with inline SFTP settings and secrets loads and reads its folder', async () => {
      const base = sftpFolder();
      const flow = [
        storeConfig(),
        restSupplier,
        trackingIn({
          source: 'sftp',
          sftpHost: server.host,
          sftpPort: server.port,
          sftpUser: server.username,
          sftpHostKey: server.hostKeySha256,
          inboundFolder: `${path.basename(base)}/inbound`,
          archiveFolder: `${path.basename(base)}/inbound/archive`,
          errorFolder: `${path.basename(base)}/inbound/error`,
        }),
        { id: 'events', type: 'helper' },
        { id: 'errors', type: 'helper' },
      ];
      await helper.load(NODES, flow, { tracking: { sftpPassword: server.password } });
      const events = collect('events');
      const inbound = path.join(base, 'inbound');
      const { store, order } = await dropShipNotice(inbound);
      chmodSync(inbound, 0o777);
      await until(() => (events.length === 3 ? true : undefined), 'the old node to read its folder');
      assert.equal((await store.getOrder(order.id))!.state, 'shipped');
    });

    it('an old EDI X12 supplier with its transport in its settings loads with that transport and its own secrets', async () => {
      const base = sftpFolder();
      const flow = [
        storeConfig(),
        {
          id: 'supplier-edi',
          type: 'dropship-supplier',
          supplierId: 'acme-edi',
          connector: 'x12-sftp',
          version: 1,
          // Saved as JSON text, as the oldest flows did.
          settings: JSON.stringify(
            acmeX12Settings({
              type: 'sftp',
              host: server.host,
              port: server.port,
              username: server.username,
              baseDir: path.basename(base),
            }),
          ),
        },
      ];
      await helper.load(NODES, flow, { 'supplier-edi': { password: server.password } });
      const { context } = supplierConnectorContext(await storeOfFlow(), 'acme-edi', {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
      });
      const answer = await supplierConnector('x12-sftp').testConnection!(context);
      assert.match(answer, /Logged in to 127\.0\.0\.1:\d+ as \S+ and listed/);
    });

    it("a connection the editor made from an old node takes that node's secrets over and removes them there", async () => {
      const base = sftpFolder();
      const flow = [
        storeConfig(),
        restSupplier,
        sftpConnection(path.basename(base), { secretsFrom: 'dropship-tracking-in:tracking' }),
        trackingIn({ source: 'files', connection: 'files', version: 2, inboundFolder: 'inbound' }),
        { id: 'events', type: 'helper' },
        { id: 'errors', type: 'helper' },
      ];
      await helper.load(NODES, flow, {
        tracking: { sftpPrivateKey: server.privateKey, imapPassword: 'kept' },
      });
      const connection = helper.getNode('files') as unknown as FileConnectionConfigNode;
      assert.equal(connection.connection?.credentials.privateKey, server.privateKey);
      // Node-RED's credential store, as the next deploy saves it.
      const stored = (helper as unknown as { _redNodes: { getCredentials(id: string): unknown } })._redNodes;
      assert.deepEqual(stored.getCredentials('files'), { privateKey: server.privateKey });
      assert.deepEqual(stored.getCredentials('tracking'), { imapPassword: 'kept' });
      // And the connection works with them.
      const events = collect('events');
      const inbound = path.join(base, 'inbound');
      await dropShipNotice(inbound);
      chmodSync(inbound, 0o777);
      await until(() => (events.length === 3 ? true : undefined), 'the notice read with the adopted key');
    });
  });
});
