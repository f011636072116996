import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  mapX12Transaction,
  type X12Document,
  type X12MappingContext,
} from '../../connectors/edi/x12/documents';
import { describeFunctionalAcknowledgement } from '../../connectors/edi/x12/map-997';
import { readX12Transactions } from '../../connectors/edi/x12/reader';

/**
 * Files in the styles of four trading partners (delimiters, identifier qualifiers, date qualifiers): every item
 * identifier and every error detail they carry must come through the mapping.
 */
const partnerFile = (name: string): string =>
  readFileSync(path.join(__dirname, '..', 'fixtures', 'x12', 'partners', name), 'utf8');

async function documentsOf(name: string, context: Partial<X12MappingContext> = {}): Promise<X12Document[]> {
  const documents: X12Document[] = [];
  for await (const transaction of readX12Transactions([partnerFile(name)])) {
    documents.push(
      mapX12Transaction(transaction, {
        supplierId: 'partner',
        receivedAt: '2026-11-21T23:00:00.000Z',
        ...context,
      }),
    );
  }
  return documents;
}

function single<T extends X12Document['type']>(
  docs: X12Document[],
  type: T,
): Extract<X12Document, { type: T }> {
  const found = docs.filter((d): d is Extract<X12Document, { type: T }> => d.type === type);
  assert.equal(found.length, 1, `one ${type} document`);
  return found[0]!;
}

describe('X12 files of several trading partners', () => {
  describe('846 (Northwind: star, tilde and CRLF; UPC, vendor part, EAN, SKU qualifiers)', () => {
    it('takes the vendor part number before the UPC as the SKU and keeps every identifier', async () => {
      const { stock } = single(await documentsOf('northwind-846.edi'), 'stock');
      assert.deepEqual(
        stock.map((level) => [level.sku, level.quantity, level.identifiers]),
        [
          [
            'NW-MUG-01',
            25,
            [
              { qualifier: 'UP', id: '012345678905' },
              { qualifier: 'VP', id: 'NW-MUG-01' },
              { qualifier: 'EN', id: '4006381333931' },
            ],
          ],
          [
            'NW-TEE-02',
            0,
            [
              { qualifier: 'VN', id: 'NW-TEE-02' },
              { qualifier: 'UP', id: '036000291452' },
            ],
          ],
          [
            'CAP-01',
            7,
            [
              { qualifier: 'SK', id: 'CAP-01' },
              { qualifier: 'IN', id: '778899' },
              { qualifier: 'MG', id: 'CAP-M-3' },
            ],
          ],
        ],
      );
    });

    it('dates every row by BIA, and keeps DTM*018 / DTM*169 as the date the item becomes available', async () => {
      const { stock } = single(await documentsOf('northwind-846.edi'), 'stock');
      assert.deepEqual(
        stock.map((level) => [level.asOf, level.availableFrom]),
        [
          ['2026-11-21T08:30:00.000Z', '2026-12-05'],
          ['2026-11-21T08:30:00.000Z', '2026-12-15'],
          ['2026-11-21T08:30:00.000Z', undefined],
        ],
      );
    });

    it("reads BIA's time in the partner's time zone when one is set", async () => {
      const { stock } = single(
        await documentsOf('northwind-846.edi', { timeZone: 'America/Chicago' }),
        'stock',
      );
      assert.equal(stock[0]!.asOf, '2026-11-21T14:30:00.000Z');
    });

    it("follows the partner's own SKU qualifier order", async () => {
      const { stock } = single(
        await documentsOf('northwind-846.edi', { skuQualifiers: ['UP', 'SK'] }),
        'stock',
      );
      assert.deepEqual(
        stock.map((level) => level.sku),
        ['012345678905', '036000291452', 'CAP-01'],
      );
    });
  });

  describe('855 (Globex: caret elements, colon components, no line breaks)', () => {
    it('keeps UPC, vendor and buyer part numbers of each PO1 and picks the SKU by qualifier order', async () => {
      const { acknowledgement } = single(await documentsOf('globex-855.x12'), 'acknowledgement');
      assert.equal(acknowledgement.poNumber, 'POA1B2C3D4E5-1');
      assert.equal(acknowledgement.supplierReference, 'GX-SO-5521');
      assert.equal(acknowledgement.outcome, 'partial');
      assert.deepEqual(
        acknowledgement.lines?.map((line) => [
          line.sku,
          line.status,
          line.expectedShipDate,
          line.identifiers,
        ]),
        [
          [
            'MUG-01',
            'accepted',
            '2026-11-23',
            [
              { qualifier: 'UP', id: '012345678905' },
              { qualifier: 'VN', id: 'GX-778' },
              { qualifier: 'BP', id: 'MUG-01' },
            ],
          ],
          [
            'GX-TEE',
            'backordered',
            '2026-12-01',
            [
              { qualifier: 'UP', id: '036000291452' },
              { qualifier: 'VP', id: 'GX-TEE' },
            ],
          ],
        ],
      );
    });
  });

  describe('855 (Umbrella: apostrophe terminator, EAN and vendor part, SLN subline)', () => {
    it('keeps the identifiers of an SLN with those of its PO1 line', async () => {
      const { acknowledgement } = single(await documentsOf('umbrella-855.edi'), 'acknowledgement');
      assert.deepEqual(
        acknowledgement.lines?.map((line) => [line.sku, line.status, line.identifiers]),
        [
          [
            'UMB-778',
            'accepted',
            [
              { qualifier: 'EN', id: '4006381333931' },
              { qualifier: 'VP', id: 'UMB-778' },
              { qualifier: 'UP', id: '012345678905' },
              { qualifier: 'SK', id: 'MUG-01' },
            ],
          ],
        ],
      );
    });
  });

  describe('856 (Initech: pipe elements, brace components, one segment a line)', () => {
    it('keeps every identifier of each LIN on the parcel lines', async () => {
      const { shipments } = single(await documentsOf('initech-856.edi'), 'shipment');
      assert.equal(shipments.length, 1);
      assert.equal(shipments[0]!.trackingNumber, '1Z999AA10123456784');
      assert.equal(shipments[0]!.carrier, 'UPSN');
      assert.deepEqual(shipments[0]!.lines, [
        {
          sku: 'IT-MUG-9',
          quantity: 2,
          identifiers: [
            { qualifier: 'UP', id: '012345678905' },
            { qualifier: 'VP', id: 'IT-MUG-9' },
            { qualifier: 'EN', id: '4006381333931' },
          ],
        },
        {
          sku: 'IT-TEE-4',
          quantity: 1,
          identifiers: [
            { qualifier: 'VN', id: 'IT-TEE-4' },
            { qualifier: 'UK', id: '00036000291452' },
          ],
        },
      ]);
    });
  });

  describe('997 (Globex: one set rejected with segment and element detail)', () => {
    it('keeps AK3 segment errors and AK4 element errors with their codes, meanings and bad values', async () => {
      const { functionalAcknowledgement: fa } = single(
        await documentsOf('globex-997.x12'),
        'functional-acknowledgement',
      );
      assert.equal(fa.status, 'partially_accepted');
      assert.deepEqual(fa.transactions[0], {
        setId: '850',
        controlNumber: '0001',
        status: 'rejected',
        errors: ['5'],
        problems: ['one or more segments in error'],
        segmentErrors: [
          {
            segmentId: 'PO1',
            position: 12,
            loopId: undefined,
            codes: ['8'],
            problems: ['segment has data element errors'],
            elementErrors: [
              {
                position: 2,
                componentPosition: undefined,
                elementReference: '330',
                code: '6',
                problem: 'invalid character in data element',
                badValue: '2X',
              },
              {
                position: 7,
                componentPosition: 2,
                elementReference: '234',
                code: '7',
                problem: 'invalid code value',
                badValue: 'ZZ',
              },
            ],
          },
          {
            segmentId: 'N4',
            position: 9,
            loopId: 'N1',
            codes: ['7'],
            problems: ['segment not in proper sequence'],
            elementErrors: [],
          },
        ],
      });
      assert.deepEqual(fa.transactions[1], {
        setId: '850',
        controlNumber: '0002',
        status: 'accepted',
        errors: [],
        problems: [],
        segmentErrors: [],
      });
    });
  });
});

describe('997 (Initech: pipe elements, group and set rejected, element without a copy of its value)', () => {
  it('keeps group errors, several set errors and an AK4 without element reference or bad value', async () => {
    const { functionalAcknowledgement: fa } = single(
      await documentsOf('initech-997.edi'),
      'functional-acknowledgement',
    );
    assert.equal(fa.status, 'rejected');
    assert.deepEqual(fa.groupErrors, ['5']);
    assert.deepEqual(fa.groupProblems, ['number of included transaction sets does not match actual count']);
    assert.deepEqual(fa.transactions[0]!.problems, [
      'one or more segments in error',
      'transaction set control number in header and trailer do not match',
    ]);
    assert.deepEqual(fa.transactions[0]!.segmentErrors, [
      {
        segmentId: 'BEG',
        position: 2,
        loopId: undefined,
        codes: ['8'],
        problems: ['segment has data element errors'],
        elementErrors: [
          {
            position: 3,
            componentPosition: undefined,
            elementReference: undefined,
            code: '4',
            problem: 'data element too short',
            badValue: undefined,
          },
        ],
      },
      {
        segmentId: 'ZZZ',
        position: 14,
        loopId: undefined,
        codes: ['1'],
        problems: ['unrecognized segment ID'],
        elementErrors: [],
      },
    ]);
    assert.deepEqual(describeFunctionalAcknowledgement(fa), [
      'group PO 2207 rejected: number of included transaction sets does not match actual count',
      '850 0001 rejected: one or more segments in error; transaction set control number in header and trailer do not match; BEG at 2: segment has data element errors; element 3: data element too short; ZZZ at 14: unrecognized segment ID',
    ]);
  });
});

describe('850 received (Wayne: star, tilde and LF; contacts, gift note, carrier, zoned dates)', () => {
  it('keeps PER contacts, N9/MSG notes, the TD5 carrier and SCAC, and reads times in the partner zone', async () => {
    const { purchaseOrder } = single(
      await documentsOf('wayne-850.edi', { timeZone: 'America/New_York' }),
      'purchase-order',
    );
    assert.deepEqual(purchaseOrder.contacts, [
      {
        function: 'BD',
        name: 'DANA BUYER',
        channels: [
          { qualifier: 'TE', value: '2125550188' },
          { qualifier: 'EM', value: 'buying@wayne.example' },
        ],
      },
      {
        function: 'IC',
        name: 'SAM RIVERA',
        party: 'ST',
        channels: [{ qualifier: 'TE', value: '5185550142' }],
      },
    ]);
    assert.deepEqual(purchaseOrder.notes, [
      { qualifier: 'L1', reference: 'GIFT', messages: ['Happy birthday Sam!', 'Love, Jo'] },
    ]);
    assert.deepEqual(purchaseOrder.carrier, {
      scac: 'FDEG',
      transportation: 'M',
      routing: 'FEDEX HOME DELIVERY',
    });
    assert.equal(purchaseOrder.shippingMethod, 'FEDEX HOME DELIVERY');
    assert.deepEqual(purchaseOrder.dates, [{ qualifier: '002', at: '2026-12-02T22:00:00.000Z' }]);
    assert.equal(purchaseOrder.shipTo?.phone, '5185550142');
    assert.deepEqual(purchaseOrder.lines[0]!.identifiers, [
      { qualifier: 'UP', id: '012345678905' },
      { qualifier: 'BP', id: 'MUG-01' },
      { qualifier: 'VP', id: 'WR-MUG' },
    ]);
    assert.equal(purchaseOrder.lines[0]!.sku, 'MUG-01');
    assert.equal(purchaseOrder.lines[0]!.supplierSku, 'WR-MUG');
  });
});
