import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import { mapX12Transaction, type X12Document } from '../../connectors/edi/x12/documents';
import { readX12Transactions } from '../../connectors/edi/x12/reader';

const context = { supplierId: 'acme', receivedAt: '2026-11-21T08:00:00.000Z' };

async function documentsOf(source: string | string[]): Promise<X12Document[]> {
  const input =
    typeof source === 'string'
      ? createReadStream(path.join(__dirname, '..', 'fixtures', 'x12', source))
      : source;
  const documents: X12Document[] = [];
  for await (const t of readX12Transactions(input)) documents.push(mapX12Transaction(t, context));
  return documents;
}

function only<T extends X12Document['type']>(
  docs: X12Document[],
  type: T,
): Extract<X12Document, { type: T }>[] {
  return docs.filter((d): d is Extract<X12Document, { type: T }> => d.type === type);
}

/** A minimal valid interchange around the given transaction set body (counts computed here, not by the reader). */
function interchange(setId: string, functionalId: string, body: string[]): string {
  const isa =
    'ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*DROPSHIPCO     *261120*1030*U*00401*000000009*0*P*>~';
  const segments = [`ST*${setId}*0001`, ...body, `SE*${body.length + 2}*0001`];
  return (
    [isa, `GS*${functionalId}*A*B*20261120*1030*9*X*004010`, ...segments, 'GE*1*9', 'IEA*1*000000009'].join(
      '~',
    ) + '~'
  );
}

describe('X12 mapping to the canonical model', () => {
  it('855: accepted lines with their ship dates and the supplier order number', async () => {
    const [accepted, partial] = only(await documentsOf('855-star-tilde-crlf.edi'), 'acknowledgement');
    assert.deepEqual(accepted!.acknowledgement, {
      poNumber: 'POA1B2C3D4E5-1',
      outcome: 'accepted',
      supplierReference: 'SO-99812',
      lines: [
        {
          sku: 'MUG-01',
          identifiers: [
            { qualifier: 'BP', id: 'MUG-01' },
            { qualifier: 'VP', id: 'SUP-MUG' },
          ],
          orderLineId: '1',
          status: 'accepted',
          quantity: 2,
          expectedShipDate: '2026-11-22',
          reason: undefined,
        },
        {
          sku: 'TEE-01',
          identifiers: [
            { qualifier: 'BP', id: 'TEE-01' },
            { qualifier: 'VP', id: 'SUP-TEE' },
          ],
          orderLineId: '2',
          status: 'accepted',
          quantity: 1,
          expectedShipDate: '2026-11-22',
          reason: undefined,
        },
      ],
      reason: undefined,
      receivedAt: context.receivedAt,
    });
    assert.equal(accepted!.origin.controlNumber, '0001');
    assert.equal(partial!.acknowledgement.outcome, 'partial');
    assert.deepEqual(
      partial!.acknowledgement.lines!.map((l) => [l.sku, l.status, l.quantity, l.expectedShipDate, l.reason]),
      [
        ['MUG-01', 'backordered', 4, '2026-12-04', undefined],
        ['TEE-01', 'changed', 2, '2026-11-22', 'quantity changed'],
        ['CAP-01', 'rejected', 0, undefined, undefined],
      ],
    );
  });

  it('855: a rejection without detail rejects the PO; a line without ACK is an error at its PO1', async () => {
    const [rejected] = only(
      await documentsOf([interchange('855', 'PR', ['BAK*00*RJ*PO1*20261120'])]),
      'acknowledgement',
    );
    assert.equal(rejected!.acknowledgement.outcome, 'rejected');
    await assert.rejects(
      documentsOf([interchange('855', 'PR', ['BAK*00*AC*PO1*20261120', 'PO1*1*2*EA***BP*MUG-01', 'CTT*1'])]),
      (e: unknown) =>
        e instanceof DropshipError &&
        e.details[0]!.path === 'segment 5 (PO1)' &&
        /has no ACK segment/.test(e.details[0]!.message),
    );
    await assert.rejects(
      documentsOf([
        interchange('855', 'PR', ['BAK*00*AC*PO1*20261120', 'PO1*1*2*EA***BP*MUG-01', 'ACK*ZZ*2']),
      ]),
      (e: unknown) => e instanceof DropshipError && e.details[0]!.path === 'segment 6 (ACK)',
    );
  });

  it('856: one in-transit event per PO and parcel, with the lines packed in it', async () => {
    const [notice, announcement] = only(await documentsOf('856-pipe-newline.x12'), 'shipment');
    assert.deepEqual(notice!.shipments, [
      {
        poNumber: 'POA1B2C3D4E5-1',
        carrier: 'UPSN',
        trackingNumber: '1Z999AA10123456784',
        status: 'in_transit',
        rawStatus: 'shipped (856 DTM*011)',
        occurredAt: '2026-11-21T14:00:00.000Z',
        estimatedDelivery: '2026-11-25',
        source: 'x12-856:acme',
        lines: [
          {
            sku: 'MUG-01',
            quantity: 2,
            identifiers: [
              { qualifier: 'BP', id: 'MUG-01' },
              { qualifier: 'VP', id: 'SUP-MUG' },
            ],
          },
        ],
      },
      {
        poNumber: 'POA1B2C3D4E5-1',
        carrier: 'UPSN',
        trackingNumber: '1Z999AA10123456793',
        status: 'in_transit',
        rawStatus: 'shipped (856 DTM*011)',
        occurredAt: '2026-11-21T14:00:00.000Z',
        estimatedDelivery: '2026-11-25',
        source: 'x12-856:acme',
        lines: [
          {
            sku: 'TEE-01',
            quantity: 1,
            identifiers: [
              { qualifier: 'BP', id: 'TEE-01' },
              { qualifier: 'VP', id: 'SUP-TEE' },
            ],
          },
        ],
      },
    ]);
    // No DTM*011: the notice announces a label, the parcel has not moved yet. Tracking from REF*CN on the shipment.
    assert.deepEqual(
      announcement!.shipments.map((s) => [
        s.poNumber,
        s.trackingNumber,
        s.carrier,
        s.status,
        s.occurredAt,
        s.lines,
      ]),
      [
        [
          'POZZ9XKQ4M7T-1',
          '794644790131',
          'FDEG',
          'info_received',
          '2026-11-21T09:00:00.000Z',
          [{ sku: 'TEE-01', quantity: 2, identifiers: [{ qualifier: 'BP', id: 'TEE-01' }] }],
        ],
      ],
    );
  });

  it('856: an order-level notice without items, and one without any tracking number', async () => {
    const [orderOnly] = only(
      await documentsOf([
        interchange('856', 'SH', [
          'BSN*00*S1*20261121*1000',
          'HL*1**S',
          'REF*CN*TRK1',
          'HL*2*1*O',
          'PRF*PO-9',
        ]),
      ]),
      'shipment',
    );
    assert.deepEqual(
      orderOnly!.shipments.map((s) => [s.poNumber, s.trackingNumber, s.lines]),
      [['PO-9', 'TRK1', undefined]],
    );
    await assert.rejects(
      documentsOf([interchange('856', 'SH', ['BSN*00*S1*20261121*1000', 'HL*1**S', 'HL*2*1*O', 'PRF*PO-9'])]),
      (e: unknown) =>
        e instanceof DropshipError &&
        e.details[0]!.path === 'segment 6 (HL)' &&
        e.details[0]!.message === 'order HL 2 (PO PO-9) has no tracking number',
    );
    await assert.rejects(
      documentsOf([interchange('856', 'SH', ['BSN*00*S1*20261121*1000', 'HL*1**S', 'HL*2*7*O'])]),
      (e: unknown) =>
        e instanceof DropshipError && e.details[0]!.message === 'HL02 parent "7" is not an earlier HL01',
    );
  });

  it('810: lines, charges and totals for cost reconciliation', async () => {
    const [invoice] = only(await documentsOf('810-invoice.edi'), 'invoice');
    assert.deepEqual(invoice!.invoice, {
      invoiceNumber: 'INV-55012',
      invoiceDate: '2026-11-22',
      poNumber: 'POA1B2C3D4E5-1',
      currency: 'USD',
      lines: [
        {
          lineId: '1',
          sku: 'MUG-01',
          supplierSku: 'SUP-MUG',
          identifiers: [
            { qualifier: 'BP', id: 'MUG-01' },
            { qualifier: 'VP', id: 'SUP-MUG' },
          ],
          quantity: 2,
          unitPrice: 5,
        },
        {
          lineId: '2',
          sku: 'TEE-01',
          supplierSku: 'SUP-TEE',
          identifiers: [
            { qualifier: 'BP', id: 'TEE-01' },
            { qualifier: 'VP', id: 'SUP-TEE' },
          ],
          quantity: 1,
          unitPrice: 9,
        },
      ],
      charges: [{ kind: 'charge', code: 'D240', amount: 5, description: 'FREIGHT' }],
      totalAmount: 24,
      computedTotal: 24,
    });
  });

  it('846: stock levels, preferring quantity available (33) over on hand (17)', async () => {
    const [advice] = only(await documentsOf('846-inventory.edi'), 'stock');
    assert.deepEqual(advice!.stock, [
      {
        supplierId: 'acme',
        sku: 'MUG-01',
        quantity: 140,
        asOf: '2026-11-21T06:00:00.000Z',
        identifiers: [
          { qualifier: 'BP', id: 'MUG-01' },
          { qualifier: 'VP', id: 'SUP-MUG' },
        ],
      },
      {
        supplierId: 'acme',
        sku: 'SUP-TEE',
        quantity: 0,
        asOf: '2026-11-21T06:00:00.000Z',
        identifiers: [{ qualifier: 'VP', id: 'SUP-TEE' }],
      },
      {
        supplierId: 'acme',
        sku: 'CAP-01',
        quantity: 12,
        asOf: '2026-11-21T07:00:00.000Z',
        identifiers: [{ qualifier: 'SK', id: 'CAP-01' }],
      },
    ]);
  });

  it('997: group and transaction verdicts with their error codes', async () => {
    const [ok, rejected] = only(await documentsOf('997-from-supplier.edi'), 'functional-acknowledgement');
    assert.deepEqual(ok!.functionalAcknowledgement, {
      functionalId: 'PO',
      groupControlNumber: '17',
      status: 'accepted',
      transactions: [
        {
          setId: '850',
          controlNumber: '0001',
          status: 'accepted',
          errors: [],
          problems: [],
          segmentErrors: [],
        },
      ],
      groupErrors: [],
      groupProblems: [],
    });
    assert.equal(rejected!.functionalAcknowledgement.status, 'rejected');
    assert.deepEqual(rejected!.functionalAcknowledgement.transactions[0]!.errors, ['4']);
  });

  it('refuses a transaction set we do not support, naming its ST', async () => {
    await assert.rejects(
      documentsOf([interchange('860', 'PC', ['BCH*01*DS*PO1'])]),
      (e: unknown) =>
        e instanceof DropshipError &&
        e.details[0]!.path === 'segment 3 (ST)' &&
        /860 is not supported/.test(e.message),
    );
  });
});
