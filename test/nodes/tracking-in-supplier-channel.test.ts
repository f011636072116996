import assert from 'node:assert/strict';
import {
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
import storeNode from '../../nodes/store/store';
import supplierNode from '../../nodes/supplier/supplier';
import trackingInNode from '../../nodes/tracking-in/tracking-in';
import { acmeX12Settings } from '../support/x12-supplier';
import { acceptedOrder, collect, storeOfFlow, until } from './tracking-in-setup';

helper.init(require.resolve('node-red'));

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'x12');

/** An X12 supplier whose SFTP server is played by a local folder (the transport the demo uses). */
function x12Supplier(root: string) {
  return {
    id: 'supplier-acme',
    type: 'dropship-supplier',
    supplierId: 'acme',
    connector: 'x12-sftp',
    settings: acmeX12Settings({ type: 'local', root }),
  };
}

describe("dropship-tracking-in: the supplier's own channel", function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-tracking-channel-'));
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(
    supplier: { id: string; type: string } & Record<string, unknown>,
    tracking: Record<string, unknown> = {},
  ) {
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      supplier,
      {
        id: 'tracking',
        type: 'dropship-tracking-in',
        store: 'store',
        supplier: 'supplier-acme',
        listen: false,
        source: 'supplier',
        pollSeconds: 0.2,
        wires: [['events'], ['errors'], ['labels']],
        ...tracking,
      },
      { id: 'events', type: 'helper' },
      { id: 'errors', type: 'helper' },
      { id: 'labels', type: 'helper' },
    ];
    await helper.load([storeNode, supplierNode, trackingInNode], flow);
    return { events: collect('events'), errors: collect('errors') };
  }

  it("reads the X12 supplier's 856s with its settings, answers with a 997 and archives the file", async () => {
    const root = path.join(dir, 'sftp-root');
    const { events, errors } = await load(x12Supplier(root));
    const store = await storeOfFlow();
    const { order, pos } = await acceptedOrder(
      store,
      { orderNumber: '#7001' },
      { acme: ['MUG-01', 'TEE-01'] },
    );
    const notice = readFileSync(path.join(FIXTURES, '856-pipe-newline.x12'), 'utf8')
      .replace('POA1B2C3D4E5-1', pos[0]!.number)
      .replace('POZZ9XKQ4M7T-1', pos[0]!.number);
    const inbound = path.join(root, 'from-acme');
    mkdirSync(inbound, { recursive: true });
    // An 855 beside it belongs to dispatch's reader: left where it is.
    writeFileSync(
      path.join(inbound, '855_ack.edi'),
      readFileSync(path.join(FIXTURES, '855-star-tilde-crlf.edi')),
    );
    writeFileSync(path.join(inbound, '856_20261121.x12'), notice);
    // Uploaded a minute ago: past the supplier's settle time.
    const minuteAgo = new Date(Date.now() - 60_000);
    for (const file of readdirSync(inbound)) utimesSync(path.join(inbound, file), minuteAgo, minuteAgo);

    await until(() => (events.length === 3 ? true : undefined), 'the parcels of the 856');
    assert.deepEqual(events.map((e) => e.shipmentEvent!.trackingNumber).sort(), [
      '1Z999AA10123456784',
      '1Z999AA10123456793',
      '794644790131',
    ]);
    assert.ok(events.every((e) => e.poNumber === pos[0]!.number && e.orderId === order.id));
    assert.equal((await store.getOrder(order.id))!.state, 'shipped');
    assert.equal(errors.length, 0);

    await until(
      () => (existsSync(path.join(inbound, 'archive', '856_20261121.x12')) ? true : undefined),
      'the 856 archived',
    );
    assert.deepEqual(
      readdirSync(inbound).filter((name) => name !== 'archive'),
      ['855_ack.edi'],
      'the 855 is left for the reader of acknowledgements',
    );
    const [acknowledgement] = readdirSync(path.join(root, 'to-acme'));
    assert.ok(acknowledgement, 'a 997 in the outbound folder');
    const text = readFileSync(path.join(root, 'to-acme', acknowledgement), 'utf8');
    const elements = (tag: string) =>
      text
        .split(/~\s*/)
        .find((segment) => segment.startsWith(`${tag}*`))
        ?.split('*');
    // Our envelope, answering the ship notice group (GS06 118) as accepted.
    assert.equal(elements('ISA')?.[6]?.trim(), 'DROPSHIPCO');
    assert.equal(elements('ISA')?.[8]?.trim(), 'ACMESUPPLY');
    assert.deepEqual(elements('AK1'), ['AK1', 'SH', '118']);
    assert.equal(elements('AK9')?.[1], 'A');
    // The control number came from the supplier's own sequence, the one its 850s use: the next one is 2.
    assert.equal(Number(elements('ISA')?.[13]), 1);
    assert.equal(await store.nextSequenceValue('acme:x12-interchange:acme'), 2);

    // Later polls find nothing new.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(events.length, 3);
    assert.equal(readdirSync(path.join(root, 'to-acme')).length, 1);
  });

  it('answers an 856 given as a message with a 997 through the selected X12 supplier', async () => {
    const root = path.join(dir, 'sftp-root');
    const supplier = x12Supplier(root);
    const { events } = await load(supplier, { source: 'none' });
    const store = await storeOfFlow();
    const { pos } = await acceptedOrder(store, { orderNumber: '#7002' }, { acme: ['MUG-01', 'TEE-01'] });
    const notice = readFileSync(path.join(FIXTURES, '856-pipe-newline.x12'), 'utf8')
      .replace('POA1B2C3D4E5-1', pos[0]!.number)
      .replace('POZZ9XKQ4M7T-1', pos[0]!.number);
    helper.getNode('tracking').receive({ payload: notice });
    await until(() => (events.length === 3 ? true : undefined), 'the parcels of the 856');
    const outbound = path.join(root, 'to-acme');
    const files = await until(
      () => (existsSync(outbound) && readdirSync(outbound).length > 0 ? readdirSync(outbound) : undefined),
      'a 997 in the supplier outbound folder',
    );
    const text = readFileSync(path.join(outbound, files[0]!), 'utf8');
    assert.ok(text.includes('AK1*SH*118~'), text);
    assert.ok(text.includes('AK9*A*2*2*2~'), text);
  });

  it('answers an 856 read from its own folder with a 997 through the selected X12 supplier', async () => {
    const root = path.join(dir, 'sftp-root');
    const folderRoot = path.join(dir, 'drop');
    const { events } = await load(x12Supplier(root), {
      source: 'local',
      folderRoot,
      inboundFolder: 'in',
      archiveFolder: 'in/archive',
      errorFolder: 'in/error',
      settleSeconds: 0,
    });
    const store = await storeOfFlow();
    const { pos } = await acceptedOrder(store, { orderNumber: '#7003' }, { acme: ['MUG-01', 'TEE-01'] });
    mkdirSync(path.join(folderRoot, 'in'), { recursive: true });
    writeFileSync(
      path.join(folderRoot, 'in', '856.x12'),
      readFileSync(path.join(FIXTURES, '856-pipe-newline.x12'), 'utf8')
        .replace('POA1B2C3D4E5-1', pos[0]!.number)
        .replace('POZZ9XKQ4M7T-1', pos[0]!.number),
    );
    await until(() => (events.length === 3 ? true : undefined), 'the parcels of the 856');
    const outbound = path.join(root, 'to-acme');
    const files = await until(
      () => (existsSync(outbound) && readdirSync(outbound).length > 0 ? readdirSync(outbound) : undefined),
      'a 997 in the supplier outbound folder',
    );
    assert.ok(readFileSync(path.join(outbound, files[0]!), 'utf8').includes('AK1*SH*118~'));
  });

  it('says why it cannot follow a supplier whose channel has no ship notices', async () => {
    await load({
      id: 'supplier-acme',
      type: 'dropship-supplier',
      supplierId: 'acme',
      connector: 'csv-sftp',
      settings: { transport: { type: 'local', root: dir }, outboundFolder: 'orders' },
    });
    const errors = (helper.log().args as [{ level: number; msg: unknown }][])
      .map(([entry]) => entry)
      .filter((entry) => entry.level === 20);
    assert.ok(
      errors.some((entry) =>
        /tracking source not started: supplier "acme" \(csv-sftp\) has no ship notices/.test(
          String(entry.msg),
        ),
      ),
      `the node says why: ${JSON.stringify(errors.map((e) => e.msg))}`,
    );
  });
});
