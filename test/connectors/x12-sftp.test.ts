import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import type { ShipmentEvent } from '../../core/model/shipment';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import type { Acknowledgement, StockLevel } from '../../core/ports/supplier-connector';
import type { SupplierInvoice } from '../../connectors/edi/x12/map-810';
import { validateX12 } from '../../connectors/edi/x12/reader';
import { x12SftpConnector, type X12SftpSettings } from '../../connectors/suppliers/x12-sftp/x12-sftp';
import { functionalGroupLog } from '../../nodes/adapter/supplier-registry';
import { startSftpServer, type SftpTestServer } from '../servers/sftp-server';
import { CONTEXT_NOW, connectorContext } from './support/context';
import { sampleDispatchRequest } from './support/dispatch-request';
import { acmeX12Settings } from '../support/x12-supplier';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'x12');

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * Drops a fixture where the supplier would, readable and movable by the SFTP user, finished a minute before the
 * connector's clock (long settled) unless `modifiedAt` says otherwise.
 */
function dropInbound(
  root: string,
  fixture: string,
  as = fixture,
  modifiedAt = new Date(Date.parse(CONTEXT_NOW) - 60_000),
): void {
  const dir = path.join(root, 'from-acme');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  copyFileSync(path.join(FIXTURES, fixture), path.join(dir, as));
  chmodSync(path.join(dir, as), 0o666);
  utimesSync(path.join(dir, as), modifiedAt, modifiedAt);
}

function describeX12Connector(
  name: string,
  setup: () => Promise<{
    settings: X12SftpSettings;
    credentials: Record<string, string>;
    root: string;
    stop(): Promise<void>;
  }>,
): void {
  describe(`x12-sftp connector over ${name}`, function () {
    this.timeout(60_000);
    let env: Awaited<ReturnType<typeof setup>>;
    let storeDir: string;
    before(async () => {
      env = await setup();
    });
    after(async () => env?.stop());
    beforeEach(() => {
      storeDir = mkdtempSync(path.join(tmpdir(), 'dropship-x12-store-'));
    });
    afterEach(() => rmSync(storeDir, { recursive: true, force: true }));

    async function storeContext(): Promise<{
      ctx: ReturnType<typeof connectorContext<X12SftpSettings>>;
      store: SqliteOrderStore;
    }> {
      const store = new SqliteOrderStore({ filename: path.join(storeDir, 'store.sqlite') });
      await store.migrate();
      const ctx = connectorContext(env.settings, env.credentials, {
        nextSequenceValue: (scope) => store.nextSequenceValue(scope),
      });
      return { ctx, store };
    }

    it('uploads an 850 with control numbers from the store, never reused across a restart', async () => {
      let { ctx, store } = await storeContext();
      const first = sampleDispatchRequest({}, `ord-a-${name}`);
      assert.deepEqual(await x12SftpConnector.sendPurchaseOrder(first, ctx), { outcome: 'sent' });
      await store.close();
      ({ ctx, store } = await storeContext());
      const second = sampleDispatchRequest({}, `ord-b-${name}`);
      await x12SftpConnector.sendPurchaseOrder(second, ctx);
      await store.close();

      const outbound = path.join(env.root, 'to-acme');
      const firstText = readFileSync(path.join(outbound, `850_${first.purchaseOrder.number}.edi`), 'utf8');
      const secondText = readFileSync(path.join(outbound, `850_${second.purchaseOrder.number}.edi`), 'utf8');
      assert.match(
        firstText,
        /\*000000001\*0\*T\*>~GS\*PO\*DROPSHIPCO\*ACMESUPPLY\*\d{8}\*\d{4}\*1\*X\*004010~/,
      );
      assert.match(secondText, /\*000000002\*0\*T\*>~/);
      assert.match(secondText, new RegExp(`BEG\\*00\\*DS\\*${second.purchaseOrder.number}\\*\\*20261120~`));
      assert.deepEqual((await validateX12([secondText])).problems, []);
      assert.ok(!readdirSync(outbound).some((f) => f.endsWith('.part')));
      assert.ok(
        ctx.log.entries.some((e) => e.level === 'info' && e.message.includes(second.purchaseOrder.number)),
      );
    });

    it('does not write a PO twice while its file still waits for the supplier', async () => {
      const { ctx, store } = await storeContext();
      const request = sampleDispatchRequest({}, `ord-c-${name}`);
      await x12SftpConnector.sendPurchaseOrder(request, ctx);
      const file = path.join(env.root, 'to-acme', `850_${request.purchaseOrder.number}.edi`);
      const before = readFileSync(file, 'utf8');
      await x12SftpConnector.sendPurchaseOrder(request, ctx);
      assert.equal(readFileSync(file, 'utf8'), before);
      assert.equal(
        await store.nextSequenceValue('x12-interchange:acme'),
        2,
        'no control number drawn for the resend',
      );
      await store.close();
    });

    it('cancels with an 850 whose BEG01 is 01 for the same PO number, uploaded once under its own name', async () => {
      const { ctx, store } = await storeContext();
      const request = sampleDispatchRequest({}, `ord-x-${name}`);
      const po = request.purchaseOrder.number;
      await x12SftpConnector.sendPurchaseOrder(request, ctx);
      const cancel = { ...request, reason: 'backordered; no longer needed' };
      assert.deepEqual(await x12SftpConnector.cancelPurchaseOrder!(cancel, ctx), { outcome: 'requested' });
      const outbound = path.join(env.root, 'to-acme');
      const original = readFileSync(path.join(outbound, `850_${po}.edi`), 'utf8');
      const file = path.join(outbound, `850_${po}-CANCEL.edi`);
      const text = readFileSync(file, 'utf8');
      assert.match(
        original,
        new RegExp(`BEG\\*00\\*DS\\*${po}\\*\\*20261120~`),
        'the order file is left as it was',
      );
      assert.match(text, new RegExp(`BEG\\*01\\*DS\\*${po}\\*\\*20261120~`));
      assert.match(text, /\*000000002\*0\*T\*>~/, 'its own interchange control number');
      assert.deepEqual((await validateX12([text])).problems, []);
      // A retry finds the cancellation waiting: not written again, no control number drawn.
      assert.deepEqual(await x12SftpConnector.cancelPurchaseOrder!(cancel, ctx), { outcome: 'requested' });
      assert.equal(readFileSync(file, 'utf8'), text);
      assert.equal(await store.nextSequenceValue('x12-interchange:acme'), 3);
      await store.close();
    });

    it('changes lines with an 860 under its own name, once, and reads the partner 865 back as the answer to the change', async () => {
      const { ctx, store } = await storeContext();
      const request = sampleDispatchRequest({}, `ord-chg-${name}`);
      const po = request.purchaseOrder;
      await x12SftpConnector.sendPurchaseOrder(request, ctx);
      const change = {
        ...request,
        purchaseOrder: { ...po, lines: [{ ...po.lines[0]!, quantity: 1 }] },
        previousLines: po.lines,
        changeId: `${po.number}-C12`,
        reason: 'the customer cancelled some units',
      };
      assert.deepEqual(await x12SftpConnector.changePurchaseOrder!(change, ctx), { outcome: 'requested' });
      const file = path.join(env.root, 'to-acme', `860_${po.number}-C12.edi`);
      const text = readFileSync(file, 'utf8');
      assert.match(text, new RegExp(`~BCH\\*04\\*DS\\*${po.number}\\*\\*C12\\*`));
      assert.deepEqual((await validateX12([text])).problems, []);
      await x12SftpConnector.changePurchaseOrder!(change, ctx);
      assert.equal(readFileSync(file, 'utf8'), text, 'a retry finds it waiting');

      dropInbound(env.root, '865-change-accepted.edi');
      const acks = await collect(x12SftpConnector.readAcknowledgements!(ctx));
      assert.deepEqual(
        acks.map((a) => [a.poNumber, a.changeId, a.outcome]),
        [['PO7K2M9QX4TB-1', 'PO7K2M9QX4TB-1-C12', 'accepted']],
      );
      await store.close();
    });

    it('cancels some lines with an 860, and a whole PO with an 860 where the partner takes cancellations so', async () => {
      const { ctx, store } = await storeContext();
      const request = sampleDispatchRequest({}, `ord-cl-${name}`);
      const po = request.purchaseOrder;
      const [mug, tee] = po.lines;
      await x12SftpConnector.cancelPurchaseOrder!(
        {
          ...request,
          purchaseOrder: { ...po, lines: [mug!] },
          lines: [tee!],
          changeId: `${po.number}-C3`,
          reason: 'cancelled',
        },
        ctx,
      );
      const lines = readFileSync(path.join(env.root, 'to-acme', `860_${po.number}-C3.edi`), 'utf8');
      assert.match(lines, new RegExp(`~POC\\*${tee!.orderLineId}\\*DI\\*0\\*1\\*`));
      assert.doesNotMatch(lines, /~POC\*1\*/, 'the line kept is not in the change');
      const by860 = { ...ctx, settings: { ...ctx.settings, cancelWith: '860' as const } };
      await x12SftpConnector.cancelPurchaseOrder!({ ...request, reason: 'cancelled' }, by860);
      const whole = readFileSync(path.join(env.root, 'to-acme', `860_${po.number}-CANCEL.edi`), 'utf8');
      assert.match(whole, new RegExp(`~BCH\\*01\\*DS\\*${po.number}\\*`));
      await store.close();
    });

    it('refuses a PO whose address contains a delimiter and writes nothing', async () => {
      const { ctx, store } = await storeContext();
      const request = sampleDispatchRequest({}, `ord-d-${name}`);
      request.purchaseOrder.shipTo = { ...request.purchaseOrder.shipTo, line1: 'Main St~ISA' };
      await assert.rejects(
        x12SftpConnector.sendPurchaseOrder(request, ctx),
        (e: unknown) => e instanceof DropshipError && e.details[0]!.path === '/shipTo/line1',
      );
      assert.equal(
        existsSync(path.join(env.root, 'to-acme', `850_${request.purchaseOrder.number}.edi`)),
        false,
      );
      await store.close();
    });

    it('reads 855 acknowledgements, archives the file and answers with a 997', async () => {
      dropInbound(env.root, '855-star-tilde-crlf.edi');
      dropInbound(env.root, '856-pipe-newline.x12');
      const { ctx, store } = await storeContext();
      const acks: Acknowledgement[] = await collect(x12SftpConnector.readAcknowledgements!(ctx));
      assert.deepEqual(
        acks.map((a) => [a.poNumber, a.outcome]),
        [
          ['POA1B2C3D4E5-1', 'accepted'],
          ['POZZ9XKQ4M7T-1', 'partial'],
        ],
      );
      assert.ok(existsSync(path.join(env.root, 'from-acme', 'archive', '855-star-tilde-crlf.edi')));
      assert.ok(
        existsSync(path.join(env.root, 'from-acme', '856-pipe-newline.x12')),
        'the 856 is left for readShipments',
      );
      const fa = readFileSync(path.join(env.root, 'to-acme', '997_ACMESUPPLY_000004711.edi'), 'utf8');
      assert.match(fa, /~AK1\*PR\*4711~AK2\*855\*0001~AK5\*A~AK2\*855\*0002~AK5\*A~AK9\*A\*2\*2\*2~/);
      assert.deepEqual((await validateX12([fa])).problems, []);

      const shipments: ShipmentEvent[] = await collect(x12SftpConnector.readShipments!(ctx));
      assert.deepEqual(
        shipments.map((s) => [s.poNumber, s.trackingNumber, s.status]),
        [
          ['POA1B2C3D4E5-1', '1Z999AA10123456784', 'in_transit'],
          ['POA1B2C3D4E5-1', '1Z999AA10123456793', 'in_transit'],
          ['POZZ9XKQ4M7T-1', '794644790131', 'info_received'],
        ],
      );
      assert.ok(existsSync(path.join(env.root, 'to-acme', '997_ACMESUPPLY_000000118.edi')));
      await store.close();
    });

    it('leaves an 855 the partner is still writing for a later poll, unless its settle time is 0', async () => {
      // Written 3 s before the connector's clock: still within the default 10 s.
      dropInbound(
        env.root,
        '855-star-tilde-crlf.edi',
        '855-uploading.edi',
        new Date(Date.parse(CONTEXT_NOW) - 3000),
      );
      const { ctx, store } = await storeContext();
      assert.deepEqual(await collect(x12SftpConnector.readAcknowledgements!(ctx)), []);
      assert.ok(existsSync(path.join(env.root, 'from-acme', '855-uploading.edi')), 'left in place');
      assert.ok(!existsSync(path.join(env.root, 'from-acme', 'error', '855-uploading.edi')));
      assert.ok(
        ctx.log.entries.some(
          (e) =>
            e.level === 'debug' &&
            /855-uploading\.edi left for a later poll: changed 3 s ago/.test(e.message),
        ),
      );
      const renaming = { ...ctx, settings: { ...ctx.settings, settleSeconds: 0 } };
      const acks = await collect(x12SftpConnector.readAcknowledgements!(renaming));
      assert.deepEqual(
        acks.map((a) => a.poNumber),
        ['POA1B2C3D4E5-1', 'POZZ9XKQ4M7T-1'],
      );
      assert.ok(existsSync(path.join(env.root, 'from-acme', 'archive', '855-uploading.edi')));
      await store.close();
    });

    it('reads a file mixing 856 and 855 groups through readInbound, with one 997 for both groups', async () => {
      dropInbound(env.root, 'mixed-two-interchanges.edi');
      const { ctx, store } = await storeContext();
      const documents = await collect(x12SftpConnector.readInbound(ctx));
      assert.deepEqual(
        documents.map((d) => [d.type, d.origin.interchangeControlNumber]),
        [
          ['shipment', '000000201'],
          ['acknowledgement', '000000202'],
        ],
      );
      assert.ok(existsSync(path.join(env.root, 'from-acme', 'archive', 'mixed-two-interchanges.edi')));
      const fa = readFileSync(path.join(env.root, 'to-acme', '997_ACMESUPPLY_000000201.edi'), 'utf8');
      assert.match(fa, /AK1\*SH\*201~.*AK1\*PR\*202~/);
      await store.close();
    });

    it('reads 846 stock and 810 invoices, and sets a broken file aside with a rejecting 997', async () => {
      dropInbound(env.root, '846-inventory.edi');
      dropInbound(env.root, '810-invoice.edi');
      dropInbound(env.root, 'broken-se-count.edi', 'asn-broken.edi');
      const { ctx, store } = await storeContext();
      const stock: StockLevel[] = await collect(x12SftpConnector.readStock!(ctx));
      assert.deepEqual(
        stock.map((s) => [s.sku, s.quantity]),
        [
          ['MUG-01', 140],
          ['SUP-TEE', 0],
          ['CAP-01', 12],
        ],
      );
      const invoices: SupplierInvoice[] = await collect(x12SftpConnector.readInvoices(ctx));
      assert.deepEqual(
        invoices.map((i) => [i.invoiceNumber, i.totalAmount]),
        [['INV-55012', 24]],
      );
      const shipments = await collect(x12SftpConnector.readShipments!(ctx));
      assert.deepEqual(shipments, []);
      assert.ok(existsSync(path.join(env.root, 'from-acme', 'error', 'asn-broken.edi')));
      const warning = ctx.log.entries.find((e) => e.level === 'warn')!;
      assert.match(
        warning.message,
        /asn-broken\.edi moved to from-acme\/error: Invalid X12 file asn-broken\.edi: segment 24 \(SE\) SE01 says 21/,
      );
      const fa = readFileSync(path.join(env.root, 'to-acme', '997_ACMESUPPLY_000000601.edi'), 'utf8');
      assert.match(fa, /AK2\*856\*0001~AK5\*R\*4~AK9\*R\*1\*1\*0~/);
      await store.close();
    });

    it("keeps each 850's functional group in the store until the partner's 997 names it", async () => {
      const { ctx, store } = await storeContext();
      const withGroups = { ...ctx, functionalGroups: functionalGroupLog(store, 'acme', ctx.clock) };
      const request = sampleDispatchRequest({}, `ord-fa-${name}`);
      await x12SftpConnector.sendPurchaseOrder(request, withGroups);
      const [waiting] = await store.listUnacknowledgedFunctionalGroups(10);
      assert.deepEqual(waiting, {
        supplierId: 'acme',
        functionalId: 'PO',
        groupControlNumber: '1',
        document: `850 ${request.purchaseOrder.number}`,
        poNumber: request.purchaseOrder.number,
        sentAt: CONTEXT_NOW,
      });
      const dir = path.join(env.root, 'from-acme');
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      const answer = path.join(dir, '997_for_us.edi');
      writeFileSync(
        answer,
        readFileSync(path.join(FIXTURES, '997-from-supplier.edi'), 'utf8').replace('AK1*PO*17~', 'AK1*PO*1~'),
      );
      chmodSync(answer, 0o666);
      const settled = new Date(Date.parse(CONTEXT_NOW) - 60_000);
      utimesSync(answer, settled, settled);
      await collect(x12SftpConnector.readAcknowledgements!(withGroups));
      assert.deepEqual(await store.listUnacknowledgedFunctionalGroups(10), []);
      // The second 997 of the file answers group 18, which this partner was never sent; the rejection is in words.
      assert.ok(
        withGroups.log.entries.some(
          (e) => e.level === 'warn' && e.message.includes('850 0001 rejected: number of included segments'),
        ),
        JSON.stringify(withGroups.log.entries),
      );
      await store.close();
    });
  });
}

describeX12Connector('a local folder', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'dropship-x12-local-'));
  return {
    settings: acmeX12Settings({ type: 'local', root }),
    credentials: {},
    root,
    stop: async () => rmSync(root, { recursive: true, force: true }),
  };
});

let server: SftpTestServer | undefined;
describeX12Connector('SFTP (OpenSSH)', async () => {
  server = await startSftpServer();
  return {
    settings: acmeX12Settings({
      type: 'sftp',
      host: server.host,
      port: server.port,
      username: server.username,
      hostKeySha256: server.hostKeySha256,
    }),
    credentials: { privateKey: server.privateKey },
    root: server.root,
    stop: async () => server?.stop(),
  };
});
