import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import nodemailer from 'nodemailer';
import { main, type CliIo } from '../../bin/dropship';
import { DropshipError } from '../../core/errors';
import { emailChannel } from '../../core/notify/email-outbox';
import { deliverNotifications, queueMilestones } from '../../core/notify/outbox';
import { openStore } from '../../core/store/open-store';
import { parseCxmlInbound } from '../../connectors/cxml';
import {
  CSV_FIELDS,
  purchaseOrderCsv,
  type CsvField,
} from '../../connectors/suppliers/csv-sftp/csv-document';
import { poFileName } from '../../connectors/transports';
import { safeRelativePath } from '../../connectors/transports/safe-path';
import { sampleDispatchRequest } from '../connectors/support/dispatch-request';
import { SmtpSink } from '../support/smtp-sink';
import { sampleOrderDraft } from '../support/orders';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** A small deterministic generator: every run tries the same mutations, and a failure names its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

/** One random damage to a document: cut it, drop or repeat a stretch, change or insert bytes. */
function mutate(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length);
  const span = 1 + Math.floor(next() * 40);
  switch (Math.floor(next() * 6)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + span);
    case 2:
      return text.slice(0, at) + text.slice(at, at + span).repeat(3) + text.slice(at);
    case 3:
      return text.slice(0, at) + String.fromCharCode(Math.floor(next() * 256)) + text.slice(at + 1);
    case 4:
      return text.slice(0, at) + '\u0000' + text.slice(at);
    default:
      return text.slice(0, at) + '<![CDATA[&x;]]>*~|^\r\n' + text.slice(at);
  }
}

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (text: string) => void (io.stdout += text),
    err: (text: string) => void (io.stderr += text),
  };
  return io;
}

describe('security: documents and command-line inputs', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-documents-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('X12 with broken envelopes (dropship edi)', () => {
    const fixtures = [
      '855-star-tilde-crlf.edi',
      '856-pipe-newline.x12',
      '810-invoice.edi',
      '846-inventory.edi',
    ];

    it('answers 400 random damages of real files with exit 1 and segment positions, never a crash', async () => {
      const next = random(0x5eed);
      let refused = 0;
      for (let i = 0; i < 400; i++) {
        const source = readFileSync(path.join(FIXTURES, 'x12', fixtures[i % fixtures.length]!), 'latin1');
        const damaged = mutate(mutate(source, next), next);
        const file = path.join(dir, `damaged-${i}.edi`);
        writeFileSync(file, damaged, 'latin1');
        for (const command of ['validate', 'parse']) {
          const io = capture();
          const code = await main(['edi', command, file], io);
          assert.ok(code === 0 || code === 1, `mutation ${i}, ${command}: exit ${code}\n${io.stderr}`);
          if (code === 1) {
            assert.match(io.stderr, /segment \d+/, `mutation ${i}: problems without positions`);
            if (command === 'parse') assert.equal(io.stdout, '', 'parse printed documents of a bad file');
            else refused += 1;
          }
        }
      }
      assert.ok(refused > 300, `only ${refused} of 400 damaged files were refused`);
    });

    for (const [name, content] of [
      ['an empty file', ''],
      ['JSON', '{"orders":[{"id":1}]}'],
      [
        'binary noise',
        Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
      ],
      ['an ISA header cut short', 'ISA*00*          *00*'],
      ['a megabyte of one segment', `ISA*${'A'.repeat(1024 * 1024)}~`],
    ] as const) {
      it(`refuses ${name} with exit 1 and the reason`, async () => {
        const file = path.join(dir, `odd-${name.replace(/\W/g, '-')}.edi`);
        writeFileSync(file, content, 'latin1');
        const io = capture();
        assert.equal(await main(['edi', 'validate', file], io), 1, io.stderr);
        assert.match(io.stderr, /problem/);
      });
    }

    it('answers a file name with ../ or a NUL as an unreadable file (exit 2), not a crash', async () => {
      for (const file of ['../../no/such/file.edi', 'bad\u0000name.edi', dir]) {
        const io = capture();
        assert.equal(await main(['edi', 'validate', file], io), 2, `${file}: ${io.stderr}`);
        assert.ok(io.stderr.length > 0);
      }
    });
  });

  describe('cXML from suppliers', () => {
    const options = {
      sharedSecret: 'supplier-to-us-secret',
      supplierId: 'acme',
      receivedAt: '2026-11-20T10:00:00Z',
    };

    for (const fixture of [
      'xxe-external-entity.xml',
      'billion-laughs.xml',
      'external-dtd-undeclared-entity.xml',
    ]) {
      it(`refuses ${fixture} before expanding anything`, () => {
        const xml = readFileSync(path.join(FIXTURES, 'cxml', fixture), 'utf8');
        assert.throws(
          () => parseCxmlInbound(xml, options),
          (err: DropshipError) => err instanceof DropshipError && err.code === 'invalid_input',
        );
      });
    }

    it('refuses a parameter-entity XXE and a quadratic blow-up, naming the reason', () => {
      const attacks = [
        '<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY % x SYSTEM "file:///etc/passwd"> %x;]><cXML/>',
        `<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY a "${'x'.repeat(50_000)}">]><cXML>${'&a;'.repeat(50_000)}</cXML>`,
        '<?xml version="1.0"?><cXML payloadID="1">&unknown;</cXML>',
      ];
      for (const xml of attacks) {
        assert.throws(
          () => parseCxmlInbound(xml, options),
          (err: DropshipError) => err.code === 'invalid_input' && /refused/.test(err.message),
        );
      }
    });

    it('answers 300 random damages of a real confirmation with a DropshipError or a document, never a crash', () => {
      const source = readFileSync(path.join(FIXTURES, 'cxml', 'confirmation-detail.xml'), 'utf8');
      const next = random(0xc0ffee);
      for (let i = 0; i < 300; i++) {
        const damaged = mutate(source, next);
        try {
          const document = parseCxmlInbound(damaged, options);
          assert.ok(document.type === 'acknowledgement' || document.type === 'shipment');
        } catch (err) {
          assert.ok(err instanceof DropshipError, `mutation ${i} threw ${String(err)}`);
          assert.ok(err.message.length > 0);
        }
      }
    });
  });

  describe('CSV formula injection (csv-sftp purchase orders)', () => {
    it('writes no cell a spreadsheet would execute, whatever field carries the formula', () => {
      const request = sampleDispatchRequest();
      const payloads = ['=1+1', '+cmd|"/C calc"!A0', '-2+3', '@SUM(A1)', '\t=1', '\r=HYPERLINK("x")'];
      payloads.forEach((payload, i) => {
        request.order.orderNumber = payload;
        request.order.placedAt = payload;
        request.order.shipping = { method: payload, promisedShipBy: payload };
        request.purchaseOrder.shippingMethod = payload;
        request.purchaseOrder.shipTo = {
          name: payload,
          company: payload,
          line1: payload,
          line2: payload,
          city: payload,
          region: payload,
          postalCode: payload,
          country: payload,
          phone: payload,
        };
        request.purchaseOrder.lines = request.purchaseOrder.lines.map((line) => ({
          ...line,
          sku: payload,
          supplierSku: payload,
          title: payload,
          orderLineId: payload,
        }));
        const fields = Object.keys(CSV_FIELDS) as CsvField[];
        const csv = purchaseOrderCsv(request, { columns: fields.map((field) => ({ header: field, field })) });
        const rows: string[][] = parseCsv(csv, { relax_quotes: true });
        const numeric = new Set(['lineNumber', 'quantity', 'unitCost']);
        for (const row of rows.slice(1)) {
          row.forEach((cell, column) => {
            if (numeric.has(fields[column]!)) return;
            assert.ok(
              !/^[=+\-@\t\r]/.test(cell),
              `payload ${i} in ${fields[column]}: cell ${JSON.stringify(cell)}`,
            );
          });
        }
      });
    });
  });

  describe('header injection in e-mail fields', () => {
    it('keeps a line break and a Bcc in the order number out of the customer e-mail headers', async () => {
      const smtp = await new SmtpSink().start();
      const store = await openStore({ engine: 'sqlite', filename: path.join(dir, 'mail.sqlite') });
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false });
      try {
        const { order } = await store.receiveOrder(
          sampleOrderDraft({
            orderNumber: '1001\r\nBcc: everyone@evil.example',
            externalId: 'header-injection',
          }),
          { actor: 'test' },
        );
        const [po] = (await store.assignPurchaseOrders(
          order.id,
          ['received'],
          [
            {
              orderId: order.id,
              supplierId: 'acme',
              attempt: 1,
              currency: 'USD',
              shipTo: order.shipTo,
              lines: [{ orderLineId: '1', sku: 'MUG-01', quantity: 2 }],
              alternatives: [],
            },
          ],
          { type: 'order.routed', actor: 'test' },
        ))!;
        await store.claimPurchaseOrder(po!.number, { owner: 't', now: new Date(), durationMs: 60_000 });
        await store.transitionPurchaseOrder(
          po!.number,
          ['sending'],
          'accepted',
          {},
          { type: 'po.accepted', actor: 't' },
        );
        const email = emailChannel({
          sender: {
            send: async (email: {
              to: string;
              subject: string;
              text: string;
              html: string;
              messageId: string;
            }) => {
              await transport.sendMail({ from: 'shop@example.test', ...email });
            },
          },
          milestones: ['confirmed' as const],
          storeName: 'Shop\r\nBcc: more@evil.example',
        });
        assert.equal(await queueMilestones(store, email, order.id), 1);
        const worker = { store, owner: 'test', leaseMs: 60_000, now: () => new Date() };
        const report = await deliverNotifications(email, worker, order.id);
        assert.equal(report.sent.length, 1, JSON.stringify(report.failed));
        assert.equal(smtp.messages.length, 1);
        const [message] = smtp.messages;
        assert.deepEqual(message!.envelope.to, ['ada@example.test']);
        const headers = message!.raw.slice(0, message!.raw.indexOf('\r\n\r\n'));
        assert.doesNotMatch(headers, /^bcc:/im);
        assert.equal(message!.parsed.bcc, undefined);
      } finally {
        transport.close();
        await store.close();
        await smtp.stop();
      }
    });
  });

  describe('dropship route inputs', () => {
    const rulesFile = (): string => {
      const file = path.join(dir, 'rules.json');
      writeFileSync(
        file,
        JSON.stringify({ strategy: 'priority', rules: [{ match: { sku: '*' }, suppliers: ['acme'] }] }),
      );
      return file;
    };
    const orderFile = (name: string, content: string): string => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    };

    for (const [name, content, says] of [
      ['malformed JSON', '{"lines": [', /not JSON/],
      ['deep nesting', `${'['.repeat(200_000)}${']'.repeat(200_000)}`, /order/],
      [
        'a NUL in a SKU',
        JSON.stringify({
          ...sampleOrderDraft(),
          lines: [{ lineId: '1', sku: 'A\u0000', quantity: 1, unitPrice: 1, requiresShipping: true }],
        }),
        /control character U\+0000/,
      ],
      [
        'a quantity of 1e400',
        JSON.stringify(sampleOrderDraft()).replace('"quantity":2', '"quantity":1e400'),
        /quantity/,
      ],
      ['a 5 MB order', JSON.stringify({ ...sampleOrderDraft(), note: 'x'.repeat(5 * 1024 * 1024) }), /note/],
    ] as const) {
      it(`exits 2 for ${name}, naming the file and the problem`, async () => {
        const file = orderFile(`order-${name.replace(/\W/g, '-')}.json`, content);
        const io = capture();
        const code = await main(['route', '--rules', rulesFile(), '--order', file], io);
        assert.equal(code, 2, io.stderr || io.stdout.slice(0, 200));
        assert.match(io.stderr, new RegExp(`--order ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        assert.match(io.stderr, says);
        assert.equal(io.stdout, '');
      });
    }

    it('exits 2 for an order path with ../ that leads nowhere, a NUL in it, or a folder', async () => {
      for (const file of ['../../../no/such/order.json', 'order\u0000.json', dir]) {
        const io = capture();
        assert.equal(await main(['route', '--rules', rulesFile(), '--order', file], io), 2, io.stderr);
        assert.match(io.stderr, /--order/);
      }
    });
  });

  describe('file names built from data', () => {
    it('refuses ../, absolute paths and NUL in PO file names and inbound names', () => {
      for (const bad of ['../PO-1', '/etc/passwd', 'a/../../b', 'x\u0000.edi', 'C:\\x']) {
        assert.throws(() => safeRelativePath(bad, 'inbound file'), DropshipError, bad);
      }
      assert.throws(() => poFileName('{poNumber}.csv', '../../etc/cron.d/x'), DropshipError);
      assert.equal(poFileName('PO_{poNumber}.csv', 'PO7K2M9Q4X1B3-1'), 'PO_PO7K2M9Q4X1B3-1.csv');
    });
  });
});
