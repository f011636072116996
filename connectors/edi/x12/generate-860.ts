import type { PurchaseOrderLine } from '../../../core/model/purchase-order';
import type { ChangeRequest } from '../../../core/ports/supplier-connector';
import { ccyymmdd, X12Writer, type X12ControlNumbers, type X12EnvelopeSettings } from './writer';

/** BCH01, the transaction set purpose code (X12 element 353): 01 Cancellation, 04 Change. */
export type PurchaseOrderChangePurpose = 'change' | 'cancellation';
const PURPOSE_CODE: Record<PurchaseOrderChangePurpose, string> = { change: '04', cancellation: '01' };

/**
 * BCH05, the change order sequence number (element 327, up to 8 characters): the change's own part of its id
 * (`C12` of `PO…-1-C12`), which the partner's 865 answers in BCA05.
 */
export function changeSequence(changeId: string, poNumber: string): string {
  const own = changeId.startsWith(`${poNumber}-`) ? changeId.slice(poNumber.length + 1) : changeId;
  return own.slice(-8);
}

/**
 * The drop-ship 860 (Purchase Order Change Request, buyer initiated): BCH*04*DS with our PO number and the
 * change's sequence number, one POC per changed line: POC02 `DI` (delete item), `QD` (quantity decrease) or `QI`
 * (quantity increase), POC03 the line's new quantity, POC04 the units changed, then the line's identifiers (BP our
 * SKU, VP the supplier's part number). With purpose `cancellation` (BCH01 01) every line is deleted: the partner
 * cancels the whole PO of that BCH03.
 */
export function generatePurchaseOrderChange860(
  request: Pick<ChangeRequest, 'purchaseOrder' | 'previousLines' | 'order' | 'changeId'>,
  envelope: X12EnvelopeSettings,
  control: X12ControlNumbers,
  now: Date,
  purpose: PurchaseOrderChangePurpose = 'change',
): string {
  const { purchaseOrder: po, previousLines, order } = request;
  const w = new X12Writer(envelope, control, now);
  w.begin('PC');
  w.beginTransaction('860');
  w.segment(
    'BCH',
    PURPOSE_CODE[purpose],
    'DS',
    w.value(po.number, '/purchaseOrder/number', 22),
    '',
    w.value(changeSequence(request.changeId, po.number), '/changeId', 8),
    ccyymmdd(po.createdAt),
    '',
    '',
    '',
    '',
    ccyymmdd(now.toISOString()),
  );
  w.segment('REF', 'CO', w.value(order.orderNumber ?? order.externalId, '/order/orderNumber', 30));
  const now_ = (line: PurchaseOrderLine): number =>
    purpose === 'cancellation'
      ? 0
      : (po.lines.find((l) => l.orderLineId === line.orderLineId)?.quantity ?? 0);
  const changed = [
    ...previousLines,
    ...po.lines.filter((line) => !previousLines.some((p) => p.orderLineId === line.orderLineId)),
  ]
    .map((line) => {
      const before = previousLines.find((p) => p.orderLineId === line.orderLineId)?.quantity ?? 0;
      return { line, before, after: now_(line) };
    })
    .filter(({ before, after }) => before !== after);
  let total = 0;
  changed.forEach(({ line, before, after }, i) => {
    const path = `/purchaseOrder/lines/${i}`;
    const code = after === 0 ? 'DI' : after < before ? 'QD' : 'QI';
    total += after;
    const product = ['BP', w.value(line.sku, `${path}/sku`, 48)];
    if (line.supplierSku) product.push('VP', w.value(line.supplierSku, `${path}/supplierSku`, 48));
    w.segment(
      'POC',
      w.value(line.orderLineId, `${path}/orderLineId`, 20),
      code,
      String(after),
      String(Math.abs(after - before)),
      'EA',
      line.unitCost === undefined ? '' : String(Math.round(line.unitCost * 100) / 100),
      line.unitCost === undefined ? '' : 'PE',
      ...product,
    );
  });
  w.segment('CTT', String(changed.length), String(total));
  w.endTransaction();
  return w.finish('purchase order change for X12 860');
}
