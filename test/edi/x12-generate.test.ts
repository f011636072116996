import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import { mapX12Transaction } from '../../connectors/edi/x12/documents';
import type { X12GroupReceipt } from '../../connectors/edi/x12/envelope';
import { generateFunctionalAcknowledgement997 } from '../../connectors/edi/x12/generate-997';
import { generatePurchaseOrder850 } from '../../connectors/edi/x12/generate-850';
import { readX12Events, readX12Transactions, validateX12 } from '../../connectors/edi/x12/reader';
import type { X12EnvelopeSettings } from '../../connectors/edi/x12/writer';
import { sampleDispatchRequest } from '../connectors/support/dispatch-request';

const envelope: X12EnvelopeSettings = {
  senderQualifier: 'ZZ',
  senderId: 'DROPSHIPCO',
  receiverQualifier: '01',
  receiverId: '123456789',
  usage: 'T',
};
const now = new Date('2026-11-20T10:27:00.000Z');

describe('X12 generation', () => {
  it('writes a drop-ship 850 that our own reader validates and maps back', async () => {
    const request = sampleDispatchRequest();
    const text = generatePurchaseOrder850(request, envelope, { interchange: 42 }, now);
    const lines = text.split('~');
    assert.equal(
      lines[0],
      'ISA*00*          *00*          *ZZ*DROPSHIPCO     *01*123456789      *261120*1027*U*00401*000000042*0*T*>',
    );
    assert.equal(lines[0].length + 1, 106, 'the ISA is fixed width, terminator included');
    assert.equal(lines[1], 'GS*PO*DROPSHIPCO*123456789*20261120*1027*42*X*004010');
    assert.equal(lines[3], `BEG*00*DS*${request.purchaseOrder.number}**20261120`);
    assert.ok(lines.includes('N1*ST*Ada Lovelace'));
    assert.ok(lines.includes('N3*12 Analytical Way'));
    assert.ok(lines.includes('N4*Portland*OR*97201*US'));
    assert.ok(lines.includes('PER*IC*Ada Lovelace*TE*+1 555 0100'));
    assert.ok(lines.includes('PO1*1*2*EA*5*PE*BP*MUG-01*VP*SUP-MUG'));
    assert.ok(lines.includes('PO1*2*1*EA*9.5*PE*BP*TEE-01'));
    assert.ok(lines.includes('CTT*2*3'));
    assert.equal(lines.at(-2), 'IEA*1*000000042');

    const report = await validateX12([text]);
    assert.deepEqual(report.problems, []);
    const transactions = [];
    for await (const t of readX12Transactions([text])) transactions.push(t);
    const [transaction] = transactions;
    const mapped = mapX12Transaction(transaction!, { supplierId: 'acme', receivedAt: now.toISOString() });
    assert.equal(mapped.type, 'purchase-order');
    if (mapped.type !== 'purchase-order') return;
    assert.deepEqual(mapped.purchaseOrder, {
      poNumber: request.purchaseOrder.number,
      purpose: '00',
      orderType: 'DS',
      orderDate: '2026-11-20',
      currency: 'USD',
      orderReference: '1001',
      shippingMethod: 'UPS GROUND',
      carrier: { routing: 'UPS GROUND' },
      contacts: [
        {
          function: 'IC',
          name: 'Ada Lovelace',
          party: 'ST',
          channels: [{ qualifier: 'TE', value: '+1 555 0100' }],
        },
      ],
      notes: [],
      dates: [],
      shipTo: {
        name: 'Ada Lovelace',
        line1: '12 Analytical Way',
        line2: undefined,
        city: 'Portland',
        region: 'OR',
        postalCode: '97201',
        country: 'US',
        phone: '+1 555 0100',
      },
      lines: [
        {
          lineId: '1',
          quantity: 2,
          unitOfMeasure: 'EA',
          unitCost: 5,
          sku: 'MUG-01',
          supplierSku: 'SUP-MUG',
          identifiers: [
            { qualifier: 'BP', id: 'MUG-01' },
            { qualifier: 'VP', id: 'SUP-MUG' },
          ],
          title: 'Mug',
        },
        {
          lineId: '2',
          quantity: 1,
          unitOfMeasure: 'EA',
          unitCost: 9.5,
          sku: 'TEE-01',
          supplierSku: undefined,
          identifiers: [{ qualifier: 'BP', id: 'TEE-01' }],
          title: 'T-shirt',
        },
      ],
    });
  });

  it('writes with the partner delimiters and one segment per line', async () => {
    const text = generatePurchaseOrder850(
      sampleDispatchRequest(),
      {
        ...envelope,
        elementSeparator: '|',
        componentSeparator: '^',
        segmentTerminator: '\n',
        lineBreak: 'none',
      },
      { interchange: 7 },
      now,
    );
    assert.match(text, /^ISA\|00\|/);
    assert.equal(text.split('\n')[0]!.length, 105);
    assert.deepEqual((await validateX12([text])).problems, []);
    const crlf = generatePurchaseOrder850(
      sampleDispatchRequest(),
      { ...envelope, lineBreak: 'crlf' },
      { interchange: 8 },
      now,
    );
    assert.match(crlf, /~\r\nGS\*PO/);
    assert.deepEqual((await validateX12([crlf])).problems, []);
  });

  it('refuses data containing a delimiter and names every offending field', () => {
    const request = sampleDispatchRequest();
    request.purchaseOrder.shipTo = {
      ...request.purchaseOrder.shipTo,
      line1: '12 Analytical Way~ST*999',
      city: 'Port*land',
    };
    request.purchaseOrder.lines[1]!.sku = 'TEE>01';
    assert.throws(
      () => generatePurchaseOrder850(request, envelope, { interchange: 9 }, now),
      (e: unknown) => {
        assert.ok(e instanceof DropshipError);
        assert.equal(e.code, 'invalid_input');
        assert.deepEqual(
          e.details.map((d) => d.path),
          ['/shipTo/line1', '/shipTo/city', '/purchaseOrder/lines/1/sku'],
        );
        assert.match(e.details[0]!.message, /contains "~", which is an X12 delimiter/);
        return true;
      },
    );
  });

  it('refuses line breaks, over-long addresses and exhausted control numbers', () => {
    const request = sampleDispatchRequest();
    request.purchaseOrder.shipTo = {
      ...request.purchaseOrder.shipTo,
      line2: 'Apt 4\nBCC: x',
      line1: 'x'.repeat(56),
    };
    assert.throws(
      () => generatePurchaseOrder850(request, envelope, { interchange: 9 }, now),
      (e: unknown) =>
        e instanceof DropshipError &&
        e.details[0]!.message === 'is 56 characters; X12 allows at most 55' &&
        e.details[1]!.path === '/shipTo/line2',
    );
    assert.throws(
      () => generatePurchaseOrder850(sampleDispatchRequest(), envelope, { interchange: 1_000_000_000 }, now),
      /control numbers are exhausted/,
    );
    assert.throws(
      () =>
        generatePurchaseOrder850(
          sampleDispatchRequest(),
          { ...envelope, senderId: 'A-VERY-LONG-SENDER-ID' },
          { interchange: 1 },
          now,
        ),
      /ISA06 "A-VERY-LONG-SENDER-ID" must be 15 characters/,
    );
  });

  it('writes a 997 per received group that accepts, rejects and reads back', async () => {
    const receipts: X12GroupReceipt[] = [];
    const fixtures = ['855-star-tilde-crlf.edi', 'broken-control-numbers.edi'];
    for (const name of fixtures) {
      const stream = createReadStream(path.join(__dirname, '..', 'fixtures', 'x12', name));
      for await (const event of readX12Events(stream))
        if (event.kind === 'group') receipts.push(event.receipt);
    }
    const text = generateFunctionalAcknowledgement997(receipts, envelope, { interchange: 77 }, now);
    const segments = text.split('~');
    assert.equal(segments[1], 'GS*FA*DROPSHIPCO*123456789*20261120*1027*77*X*004010');
    assert.deepEqual(segments.slice(2, 10), [
      'ST*997*0001',
      'AK1*PR*4711',
      'AK2*855*0001',
      'AK5*A',
      'AK2*855*0002',
      'AK5*A',
      'AK9*A*2*2*2',
      'SE*8*0001',
    ]);
    assert.deepEqual(segments.slice(10, 16), [
      'ST*997*0002',
      'AK1*SH*601',
      'AK2*856*0001',
      'AK5*R*3',
      'AK9*R*1*1*0*4',
      'SE*6*0002',
    ]);
    const read = [];
    for await (const t of readX12Transactions([text]))
      read.push(mapX12Transaction(t, { supplierId: 'acme', receivedAt: now.toISOString() }));
    assert.deepEqual(
      read.map((d) =>
        d.type === 'functional-acknowledgement'
          ? [d.functionalAcknowledgement.groupControlNumber, d.functionalAcknowledgement.status]
          : [],
      ),
      [
        ['4711', 'accepted'],
        ['601', 'rejected'],
      ],
    );
  });
});
