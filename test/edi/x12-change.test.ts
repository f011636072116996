import assert from 'node:assert/strict';
import { mapX12Transaction } from '../../connectors/edi/x12/documents';
import { generatePurchaseOrderChange860 } from '../../connectors/edi/x12/generate-860';
import { readX12Transactions, validateX12 } from '../../connectors/edi/x12/reader';
import { X12Writer, type X12EnvelopeSettings } from '../../connectors/edi/x12/writer';
import { sampleDispatchRequest } from '../connectors/support/dispatch-request';

const envelope: X12EnvelopeSettings = {
  senderQualifier: 'ZZ',
  senderId: 'DROPSHIPCO',
  receiverQualifier: '01',
  receiverId: '123456789',
  usage: 'T',
};
const now = new Date('2026-11-20T10:27:00.000Z');

/** The partner's 865 as its EDI system writes it: BCA, then a POC and an ACK per line it answers. */
function partner865(
  poNumber: string,
  sequence: string,
  ackType: string,
  lines: [string, string, string][],
): string {
  const w = new X12Writer(
    {
      ...envelope,
      senderId: '123456789',
      senderQualifier: '01',
      receiverId: 'DROPSHIPCO',
      receiverQualifier: 'ZZ',
    },
    { interchange: 7 },
    now,
  );
  w.begin('CA');
  w.beginTransaction('865');
  w.segment('BCA', '04', ackType, poNumber, '', sequence, '20261120');
  for (const [lineId, sku, code] of lines) {
    w.segment('POC', lineId, 'QD', '1', '1', 'EA', '', '', 'BP', sku);
    w.segment('ACK', code, '1', 'EA');
  }
  w.segment('CTT', String(lines.length));
  w.endTransaction();
  return w.finish('865');
}

async function mapped(text: string) {
  const transactions = [];
  for await (const t of readX12Transactions([text])) transactions.push(t);
  return mapX12Transaction(transactions[0]!, { supplierId: 'acme', receivedAt: now.toISOString() });
}

describe('X12 860 and 865: changing a PO the partner has', () => {
  it('writes an 860 with a POC per changed line: QD lowered, DI deleted, QI raised; our reader validates it', async () => {
    const request = sampleDispatchRequest();
    const po = request.purchaseOrder;
    const [mug, tee] = po.lines;
    const text = generatePurchaseOrderChange860(
      {
        ...request,
        purchaseOrder: { ...po, lines: [{ ...mug!, quantity: 1 }] },
        previousLines: po.lines,
        changeId: `${po.number}-C12`,
      },
      envelope,
      { interchange: 43 },
      now,
    );
    const segments = text.split('~');
    assert.equal(segments[1], 'GS*PC*DROPSHIPCO*123456789*20261120*1027*43*X*004010');
    assert.equal(segments[2], 'ST*860*0001');
    assert.equal(segments[3], `BCH*04*DS*${po.number}**C12*20261120*****20261120`);
    assert.ok(segments.includes('REF*CO*1001'));
    assert.ok(segments.includes(`POC*${mug!.orderLineId}*QD*1*1*EA*5*PE*BP*MUG-01*VP*SUP-MUG`));
    assert.ok(segments.includes(`POC*${tee!.orderLineId}*DI*0*1*EA*9.5*PE*BP*TEE-01`));
    assert.ok(segments.includes('CTT*2*1'));
    assert.deepEqual((await validateX12([text])).problems, []);

    const raised = generatePurchaseOrderChange860(
      {
        ...request,
        purchaseOrder: { ...po, lines: [{ ...mug!, quantity: 5 }, tee!] },
        previousLines: po.lines,
        changeId: `${po.number}-C13`,
      },
      envelope,
      { interchange: 44 },
      now,
    );
    assert.ok(raised.split('~').includes(`POC*${mug!.orderLineId}*QI*5*3*EA*5*PE*BP*MUG-01*VP*SUP-MUG`));
  });

  it('writes a whole-PO cancellation as an 860 with BCH01 01, every line deleted', () => {
    const request = sampleDispatchRequest();
    const po = request.purchaseOrder;
    const text = generatePurchaseOrderChange860(
      { ...request, previousLines: po.lines, changeId: `${po.number}-CANCEL` },
      envelope,
      { interchange: 45 },
      now,
      'cancellation',
    );
    const segments = text.split('~');
    assert.match(segments[3]!, new RegExp(`^BCH\\*01\\*DS\\*${po.number}\\*\\*CANCEL\\*`));
    assert.equal(segments.filter((s) => /^POC\*[^*]+\*DI\*0\*/.test(s)).length, po.lines.length);
  });

  it('reads an 865 accepting the change as the answer to that change, not to the PO', async () => {
    const result = await mapped(partner865('PO1234567890-1', 'C12', 'AT', [['1', 'MUG-01', 'IA']]));
    assert.equal(result.type, 'acknowledgement');
    assert.deepEqual(result.type === 'acknowledgement' && result.acknowledgement, {
      poNumber: 'PO1234567890-1',
      changeId: 'PO1234567890-1-C12',
      outcome: 'accepted',
      lines: [{ sku: 'MUG-01', orderLineId: '1', status: 'accepted', quantity: 1 }],
      reason: undefined,
      receivedAt: now.toISOString(),
    });
  });

  it('reads an 865 refusing the change, whole (BCA02 RJ) or by line (ACK01 IR)', async () => {
    const whole = await mapped(partner865('PO1234567890-1', 'C12', 'RJ', []));
    assert.equal(whole.type === 'acknowledgement' && whole.acknowledgement.outcome, 'rejected');
    const part = await mapped(
      partner865('PO1234567890-1', 'C12', 'AC', [
        ['1', 'MUG-01', 'IA'],
        ['2', 'TEE-01', 'IR'],
      ]),
    );
    assert.equal(part.type === 'acknowledgement' && part.acknowledgement.outcome, 'partial');
    assert.deepEqual(
      part.type === 'acknowledgement' && part.acknowledgement.lines?.map((l) => [l.sku, l.status]),
      [
        ['MUG-01', 'accepted'],
        ['TEE-01', 'rejected'],
      ],
    );
  });

  it('names BCA05 when an 865 does not say which change it answers', async () => {
    await assert.rejects(mapped(partner865('PO1234567890-1', '', 'AT', [])), (err: Error) =>
      /BCA05 change order sequence number is empty/.test(err.message),
    );
  });
});
