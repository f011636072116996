import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvCell, purchaseOrderCsv } from '../../connectors/suppliers/csv-sftp/csv-document';
import { csvSftpConnector, type CsvSftpSettings } from '../../connectors/suppliers/csv-sftp/csv-sftp';
import { startSftpServer, type SftpTestServer } from '../servers/sftp-server';
import { connectorContext } from './support/context';
import { sampleDispatchRequest } from './support/dispatch-request';

describe('CSV purchase orders', () => {
  it('escapes values a spreadsheet would execute', () => {
    for (const [value, expected] of [
      ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
      ['+1 555 0100', "'+1 555 0100"],
      ['-2+3', "'-2+3"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\t=1', "'\t=1"],
      ['\r=1', `"'\r=1"`],
      ['Plain, with comma', '"Plain, with comma"'],
      ['Line\nbreak', '"Line\nbreak"'],
      ['MUG-01', 'MUG-01'],
    ] as const) {
      assert.equal(csvCell(value, ','), expected, JSON.stringify(value));
    }
    assert.equal(csvCell(-5, ','), '-5', 'numbers we write are data');
    assert.equal(csvCell(undefined, ','), '');
  });

  it('writes the supplier layout: mapped columns, constants, delimiter, and reads back with a CSV parser', () => {
    const request = sampleDispatchRequest();
    request.purchaseOrder.shipTo = {
      ...request.purchaseOrder.shipTo,
      line1: '=cmd|" /C calc"!A0',
      line2: 'Suite 5; rear',
    };
    const csv = purchaseOrderCsv(request, {
      columns: [
        { header: 'PO', field: 'poNumber' },
        { header: 'Item', field: 'supplierSku' },
        { header: 'Qty', field: 'quantity' },
        { header: 'Street', field: 'shipToLine1' },
        { header: 'Street 2', field: 'shipToLine2' },
        { header: 'Account', value: 'ACME-4411' },
      ],
      delimiter: ';',
      lineEnding: 'lf',
    });
    const rows: string[][] = parse(csv, { delimiter: ';' });
    assert.deepEqual(rows, [
      ['PO', 'Item', 'Qty', 'Street', 'Street 2', 'Account'],
      [request.purchaseOrder.number, 'SUP-MUG', '2', `'=cmd|" /C calc"!A0`, 'Suite 5; rear', 'ACME-4411'],
      [request.purchaseOrder.number, 'TEE-01', '1', `'=cmd|" /C calc"!A0`, 'Suite 5; rear', 'ACME-4411'],
    ]);
    assert.ok(!csv.includes('\r\n'));
    assert.ok(purchaseOrderCsv(request, { columns: [{ header: 'PO', field: 'poNumber' }] }).endsWith('\r\n'));
  });
});

describe('csv-sftp connector over OpenSSH', function () {
  this.timeout(60_000);
  let server: SftpTestServer;
  before(async () => {
    server = await startSftpServer();
  });
  after(async () => server?.stop());

  function settings(): CsvSftpSettings {
    return {
      transport: {
        type: 'sftp',
        host: server.host,
        port: server.port,
        username: server.username,
        hostKeySha256: server.hostKeySha256,
      },
      outboundFolder: 'orders',
      columns: [
        { header: 'PO Number', field: 'poNumber' },
        { header: 'SKU', field: 'supplierSku' },
        { header: 'Qty', field: 'quantity' },
      ],
    };
  }

  it('uploads one CSV per PO and does not write a resend twice', async () => {
    const ctx = connectorContext(settings(), { password: server.password });
    const request = sampleDispatchRequest({}, 'ord-csv-1');
    assert.deepEqual(await csvSftpConnector.sendPurchaseOrder(request, ctx), { outcome: 'sent' });
    assert.deepEqual(await csvSftpConnector.sendPurchaseOrder(request, ctx), { outcome: 'sent' });
    const dir = path.join(server.root, 'orders');
    assert.deepEqual(readdirSync(dir), [`PO_${request.purchaseOrder.number}.csv`]);
    assert.equal(
      readFileSync(path.join(dir, `PO_${request.purchaseOrder.number}.csv`), 'utf8'),
      `PO Number,SKU,Qty\r\n${request.purchaseOrder.number},SUP-MUG,2\r\n${request.purchaseOrder.number},TEE-01,1\r\n`,
    );
    assert.match(ctx.log.entries.at(-1)!.message, /already waiting/);
  });

  it('writes to a local folder for the demo', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'dropship-csv-local-'));
    try {
      const ctx = connectorContext<CsvSftpSettings>({ ...settings(), transport: { type: 'local', root } });
      const request = sampleDispatchRequest({}, 'ord-csv-2');
      await csvSftpConnector.sendPurchaseOrder(request, ctx);
      assert.ok(
        readFileSync(path.join(root, 'orders', `PO_${request.purchaseOrder.number}.csv`), 'utf8').startsWith(
          'PO Number,SKU,Qty',
        ),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
