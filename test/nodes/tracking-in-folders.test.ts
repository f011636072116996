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
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { OrderStore } from '../../core/store/order-store';
import storeNode from '../../nodes/store/store';
import supplierNode from '../../nodes/supplier/supplier';
import trackingInNode from '../../nodes/tracking-in/tracking-in';
import { startSftpServer, type SftpTestServer } from '../servers/sftp-server';
import {
  acceptedOrder,
  collect,
  shipNotice,
  storeOfFlow,
  until,
  writeSettled,
  type Received,
} from './tracking-in-setup';

helper.init(require.resolve('node-red'));

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const fixture = (...parts: string[]) => readFileSync(path.join(FIXTURES, ...parts), 'utf8');

describe('dropship-tracking-in: ship notices polled from a folder', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-tracking-folder-'));
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(tracking: Record<string, unknown>, credentials: Record<string, string> = {}) {
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      {
        id: 'supplier-acme',
        type: 'dropship-supplier',
        supplierId: 'acme',
        connector: 'rest-json',
        settings: { url: 'http://127.0.0.1:9/po' },
      },
      {
        id: 'tracking',
        type: 'dropship-tracking-in',
        store: 'store',
        supplier: 'supplier-acme',
        listen: false,
        pollSeconds: 0.2,
        wires: [['events'], ['errors'], ['labels']],
        ...tracking,
      },
      { id: 'events', type: 'helper' },
      { id: 'errors', type: 'helper' },
      { id: 'labels', type: 'helper' },
    ];
    await helper.load([storeNode, supplierNode, trackingInNode], flow, { tracking: credentials });
    return { events: collect('events'), errors: collect('errors') };
  }

  /** Drops the day's files as a supplier would: a ship notice, a damaged one, an 855 for another reader. */
  async function dropFiles(store: OrderStore, inbound: string) {
    const { order, pos } = await acceptedOrder(
      store,
      { orderNumber: '#6001' },
      { acme: ['MUG-01'], zeta: ['TEE-01'] },
    );
    mkdirSync(inbound, { recursive: true });
    writeSettled(path.join(inbound, '856_20261121.x12'), shipNotice(pos.map((p) => p.number)));
    writeSettled(path.join(inbound, '856_truncated.edi'), fixture('x12', 'broken-truncated.edi'));
    writeSettled(path.join(inbound, '855_ack.edi'), fixture('x12', '855-star-tilde-crlf.edi'));
    return { order, pos };
  }

  async function expectProcessed(
    store: OrderStore,
    orderId: string,
    events: Received[],
    errors: Received[],
    inbound: string,
  ): Promise<void> {
    await until(
      () => (events.length === 3 && errors.length === 1 ? true : undefined),
      'the folder to be read',
    );
    assert.deepEqual(events.map((e) => e.shipmentEvent!.trackingNumber).sort(), [
      '1Z999AA10123456784',
      '1Z999AA10123456793',
      '794644790131',
    ]);
    assert.equal((await store.getOrder(orderId))!.state, 'shipped');
    const [bad] = errors;
    assert.equal(bad!.error!.code, 'invalid_input');
    assert.match(bad!.error!.message, /856_truncated\.edi/);
    assert.deepEqual(bad!.payload, { file: '856_truncated.edi', movedTo: 'inbound/error' });
    await until(
      () => (existsSync(path.join(inbound, 'error', '856_truncated.edi')) ? true : undefined),
      'the damaged file in the error folder',
    );
    await until(
      () => (existsSync(path.join(inbound, 'archive', '856_20261121.x12')) ? true : undefined),
      'the notice in the archive',
    );
    assert.deepEqual(readdirSync(path.join(inbound, 'archive')), ['856_20261121.x12']);
    assert.deepEqual(
      readdirSync(inbound).filter((name) => !['archive', 'error'].includes(name)),
      ['855_ack.edi'],
      'the 855 is left for the reader of acknowledgements',
    );
  }

  it('reads a local folder: parcels recorded, the file archived, a damaged one reported and kept', async () => {
    const { events, errors } = await load({ source: 'local', folderRoot: path.join(dir, 'edi') });
    const store = await storeOfFlow();
    const { order } = await dropFiles(store, path.join(dir, 'edi', 'inbound'));
    await expectProcessed(store, order.id, events, errors, path.join(dir, 'edi', 'inbound'));
    // Later polls find nothing new: no second event, no second report.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(events.length, 3);
    assert.equal(errors.length, 1);
  });

  it('leaves a ship notice written just now for a later check, and reads it once it has not changed for 10 s', async () => {
    const { events, errors } = await load({ source: 'local', folderRoot: path.join(dir, 'edi') });
    const store = await storeOfFlow();
    const { pos } = await acceptedOrder(
      store,
      { orderNumber: '#6002' },
      { acme: ['MUG-01'], zeta: ['TEE-01'] },
    );
    const inbound = path.join(dir, 'edi', 'inbound');
    mkdirSync(inbound, { recursive: true });
    const notice = path.join(inbound, '856_uploading.x12');
    writeFileSync(notice, shipNotice(pos.map((p) => p.number)));
    // Five checks (every 0.2 s) find it changed less than 10 s ago: it stays where it is, read by none.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(events.length, 0);
    assert.equal(errors.length, 0);
    assert.deepEqual(readdirSync(inbound), ['856_uploading.x12']);
    // Unchanged since a minute ago: the next check reads it.
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(notice, minuteAgo, minuteAgo);
    await until(() => (events.length === 3 ? true : undefined), 'the settled notice to be read');
    await until(
      () => (existsSync(path.join(inbound, 'archive', '856_uploading.x12')) ? true : undefined),
      'the notice in the archive',
    );
    assert.equal(errors.length, 0);
  });

  it('reads a file at once with Wait until unchanged 0, for suppliers that rename their uploads', async () => {
    const { events } = await load({ source: 'local', folderRoot: path.join(dir, 'edi'), settleSeconds: '0' });
    const store = await storeOfFlow();
    const { pos } = await acceptedOrder(
      store,
      { orderNumber: '#6003' },
      { acme: ['MUG-01'], zeta: ['TEE-01'] },
    );
    const inbound = path.join(dir, 'edi', 'inbound');
    mkdirSync(inbound, { recursive: true });
    writeFileSync(path.join(inbound, '856_renamed.x12'), shipNotice(pos.map((p) => p.number)));
    await until(() => (events.length === 3 ? true : undefined), 'the notice to be read at once');
  });

  describe('over SFTP (OpenSSH on 127.0.0.1)', () => {
    let server: SftpTestServer;
    before(async () => {
      server = await startSftpServer();
    });
    after(async () => {
      await server?.stop();
    });

    it('logs in with the private key, pins the host key and works through the same folders', async () => {
      const base = mkdtempSync(path.join(server.root, 'tracking-'));
      chmodSync(base, 0o777);
      const { events, errors } = await load(
        {
          source: 'sftp',
          sftpHost: server.host,
          sftpPort: server.port,
          sftpUser: server.username,
          sftpHostKey: server.hostKeySha256,
          inboundFolder: `${path.basename(base)}/inbound`,
          archiveFolder: `${path.basename(base)}/inbound/archive`,
          errorFolder: `${path.basename(base)}/inbound/error`,
        },
        { sftpPrivateKey: server.privateKey },
      );
      const store = await storeOfFlow();
      const inbound = path.join(base, 'inbound');
      const { order } = await dropFiles(store, inbound);
      chmodSync(inbound, 0o777);
      await until(() => (events.length === 3 && errors.length === 1 ? true : undefined), 'the SFTP folder');
      assert.equal((await store.getOrder(order.id))!.state, 'shipped');
      assert.equal(errors[0]!.error!.code, 'invalid_input');
      assert.deepEqual(errors[0]!.payload, {
        file: '856_truncated.edi',
        movedTo: `${path.basename(base)}/inbound/error`,
      });
      await until(
        () => (existsSync(path.join(inbound, 'archive', '856_20261121.x12')) ? true : undefined),
        'the archived notice',
      );
      await until(
        () => (existsSync(path.join(inbound, 'error', '856_truncated.edi')) ? true : undefined),
        'the damaged file in the error folder',
      );
    });

    it('reports a host key that does not match instead of reading the folder', async () => {
      const { events } = await load(
        {
          source: 'sftp',
          sftpHost: server.host,
          sftpPort: server.port,
          sftpUser: server.username,
          sftpHostKey: `SHA256:${'A'.repeat(43)}`,
        },
        { sftpPassword: server.password },
      );
      const node = helper.getNode('tracking') as unknown as {
        on(e: string, f: (msg: unknown) => void): void;
      };
      // Reported as an error (node.error with a message), so a Catch node sees it too.
      const errors: string[] = [];
      node.on('call:error', (call: unknown) => errors.push(String((call as { args: unknown[] }).args[0])));
      await until(() => (errors.length > 0 ? errors : undefined), 'an error');
      assert.match(errors[0]!, /host key|refused/i);
      assert.equal(events.length, 0);
    });
  });
});
