import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import { mapX12Transaction, type X12Document } from '../../connectors/edi/x12/documents';
import {
  generatePurchaseOrderAcknowledgement855,
  generateShipNotice856,
} from '../../connectors/edi/x12/generate-supplier-side';
import { readX12Transactions, validateX12 } from '../../connectors/edi/x12/reader';
import type { X12EnvelopeSettings } from '../../connectors/edi/x12/writer';

const supplierEnvelope: X12EnvelopeSettings = {
  senderQualifier: 'ZZ',
  senderId: 'ACMESUPPLY',
  receiverQualifier: 'ZZ',
  receiverId: 'DROPSHIPCO',
  lineBreak: 'lf',
};
const now = new Date('2026-11-21T15:10:00.000Z');

async function mapped(text: string): Promise<X12Document[]> {
  assert.deepEqual((await validateX12([text])).problems, []);
  const documents: X12Document[] = [];
  for await (const t of readX12Transactions([text])) {
    documents.push(mapX12Transaction(t, { supplierId: 'acme', receivedAt: now.toISOString() }));
  }
  return documents;
}

describe('X12 documents of the supplier side (sandbox supplier)', () => {
  it('855 round trip: every line status comes back as written', async () => {
    const text = generatePurchaseOrderAcknowledgement855(
      {
        poNumber: 'POA1B2C3D4E5-1',
        poDate: '2026-11-20T10:27:00.000Z',
        supplierOrderNumber: 'SO-1',
        lines: [
          {
            lineId: '1',
            quantity: 2,
            sku: 'MUG-01',
            supplierSku: 'SUP-MUG',
            status: 'accepted',
            expectedShipDate: '2026-11-22',
          },
          { lineId: '2', quantity: 3, sku: 'TEE-01', status: 'backordered', expectedShipDate: '2026-12-04' },
          { lineId: '3', quantity: 1, sku: 'CAP-01', status: 'rejected', acknowledgedQuantity: 0 },
          { lineId: '4', quantity: 5, sku: 'PEN-01', status: 'changed', acknowledgedQuantity: 4 },
        ],
      },
      supplierEnvelope,
      { interchange: 31 },
      now,
    );
    assert.match(text, /\nBAK\*00\*AC\*POA1B2C3D4E5-1\*20261120\*\*\*\*SO-1\*20261121~\n/);
    const [document] = await mapped(text);
    assert.ok(document?.type === 'acknowledgement');
    assert.equal(document.acknowledgement.outcome, 'partial');
    assert.equal(document.acknowledgement.supplierReference, 'SO-1');
    assert.deepEqual(
      document.acknowledgement.lines!.map((l) => [
        l.orderLineId,
        l.sku,
        l.status,
        l.quantity,
        l.expectedShipDate,
      ]),
      [
        ['1', 'MUG-01', 'accepted', 2, '2026-11-22'],
        ['2', 'TEE-01', 'backordered', 3, '2026-12-04'],
        ['3', 'CAP-01', 'rejected', 0, undefined],
        ['4', 'PEN-01', 'changed', 4, undefined],
      ],
    );
    const allAccepted = generatePurchaseOrderAcknowledgement855(
      { poNumber: 'PO-2', lines: [{ lineId: '1', quantity: 1, sku: 'MUG-01', status: 'accepted' }] },
      supplierEnvelope,
      { interchange: 32 },
      now,
    );
    assert.match(allAccepted, /BAK\*00\*AD\*PO-2\*/);
  });

  it('856 round trip: one in-transit event per package with its lines', async () => {
    const text = generateShipNotice856(
      {
        shipmentId: 'SHP-1',
        shippedAt: '2026-11-21T14:00:00.000Z',
        carrierScac: 'UPSN',
        service: 'UPS GROUND',
        orders: [
          {
            poNumber: 'POA1B2C3D4E5-1',
            packages: [
              { trackingNumber: '1Z999AA10123456784', lines: [{ sku: 'MUG-01', quantity: 2 }] },
              {
                trackingNumber: '1Z999AA10123456793',
                lines: [{ sku: 'TEE-01', supplierSku: 'SUP-TEE', quantity: 1 }],
              },
            ],
          },
        ],
      },
      supplierEnvelope,
      { interchange: 33 },
      now,
    );
    assert.match(text, /\nCTT\*6\*3~\n/);
    const [document] = await mapped(text);
    assert.ok(document?.type === 'shipment');
    assert.deepEqual(
      document.shipments.map((s) => [
        s.poNumber,
        s.carrier,
        s.trackingNumber,
        s.status,
        s.occurredAt,
        s.lines,
      ]),
      [
        [
          'POA1B2C3D4E5-1',
          'UPSN',
          '1Z999AA10123456784',
          'in_transit',
          '2026-11-21T14:00:00.000Z',
          [{ sku: 'MUG-01', quantity: 2, identifiers: [{ qualifier: 'BP', id: 'MUG-01' }] }],
        ],
        [
          'POA1B2C3D4E5-1',
          'UPSN',
          '1Z999AA10123456793',
          'in_transit',
          '2026-11-21T14:00:00.000Z',
          [
            {
              sku: 'TEE-01',
              quantity: 1,
              identifiers: [
                { qualifier: 'BP', id: 'TEE-01' },
                { qualifier: 'VP', id: 'SUP-TEE' },
              ],
            },
          ],
        ],
      ],
    );
  });

  it('refuses a tracking number containing a delimiter', () => {
    assert.throws(
      () =>
        generateShipNotice856(
          {
            shipmentId: 'S',
            shippedAt: now.toISOString(),
            orders: [{ poNumber: 'P', packages: [{ trackingNumber: '1Z~X', lines: [] }] }],
          },
          supplierEnvelope,
          { interchange: 34 },
          now,
        ),
      (e: unknown) =>
        e instanceof DropshipError && e.details[0]!.path === '/orders/0/packages/0/trackingNumber',
    );
  });
});
