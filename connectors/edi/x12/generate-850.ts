import type { DispatchRequest } from '../../../core/ports/supplier-connector';
import { ccyymmdd, X12Writer, type X12ControlNumbers, type X12EnvelopeSettings } from './writer';

/** X12 maximum lengths of the elements we fill from order data (004010). */
const MAX = {
  name: 60,
  address: 55,
  city: 30,
  region: 2,
  postalCode: 15,
  country: 3,
  phone: 80,
  routing: 35,
  id: 48,
};

function amount(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** BEG01, the transaction set purpose code (X12 element 353): 00 Original, 01 Cancellation. */
export type PurchaseOrderPurpose = 'original' | 'cancellation';
const PURPOSE_CODE: Record<PurchaseOrderPurpose, string> = { original: '00', cancellation: '01' };

/**
 * The drop-ship 850: BEG*00*DS with our PO number (the supplier's duplicate check), the consumer as ship-to in
 * the N1*ST loop, one PO1 per line with our SKU (BP) and the supplier's part number (VP). Control numbers come
 * from the caller (persisted sequence); a value containing a delimiter throws instead of being written. With
 * purpose `cancellation` it is the same 850 with BEG01 = 01: the partner cancels the PO of that BEG03.
 */
export function generatePurchaseOrder850(
  { purchaseOrder: po, order }: DispatchRequest,
  envelope: X12EnvelopeSettings,
  control: X12ControlNumbers,
  now: Date,
  purpose: PurchaseOrderPurpose = 'original',
): string {
  const w = new X12Writer(envelope, control, now);
  w.begin('PO');
  w.beginTransaction('850');
  w.segment(
    'BEG',
    PURPOSE_CODE[purpose],
    'DS',
    w.value(po.number, '/purchaseOrder/number', 22),
    '',
    ccyymmdd(po.createdAt),
  );
  w.segment('CUR', 'BY', w.value(po.currency, '/purchaseOrder/currency', 3));
  w.segment('REF', 'CO', w.value(order.orderNumber ?? order.externalId, '/order/orderNumber', 30));
  if (order.shipping.promisedShipBy) w.segment('DTM', '010', ccyymmdd(order.shipping.promisedShipBy));
  const method = po.shippingMethod ?? order.shipping.method;
  if (method) w.segment('TD5', '', '', '', '', w.value(method, '/purchaseOrder/shippingMethod', MAX.routing));

  const to = po.shipTo;
  const addressee = to.name ?? to.company;
  w.segment('N1', 'ST', w.value(addressee ?? '', to.name ? '/shipTo/name' : '/shipTo/company', MAX.name));
  if (to.name && to.company) w.segment('N2', w.value(to.company, '/shipTo/company', MAX.name));
  w.segment(
    'N3',
    w.value(to.line1, '/shipTo/line1', MAX.address),
    w.value(to.line2, '/shipTo/line2', MAX.address),
  );
  w.segment(
    'N4',
    w.value(to.city, '/shipTo/city', MAX.city),
    w.value(to.region, '/shipTo/region', MAX.region),
    w.value(to.postalCode, '/shipTo/postalCode', MAX.postalCode),
    w.value(to.country, '/shipTo/country', MAX.country),
  );
  // The carrier needs a phone for the consumer; e-mail is not sent to suppliers.
  if (to.phone)
    w.segment(
      'PER',
      'IC',
      w.value(to.name, '/shipTo/name', MAX.name),
      'TE',
      w.value(to.phone, '/shipTo/phone', MAX.phone),
    );

  let units = 0;
  po.lines.forEach((line, i) => {
    units += line.quantity;
    const path = `/purchaseOrder/lines/${i}`;
    const product = ['BP', w.value(line.sku, `${path}/sku`, MAX.id)];
    if (line.supplierSku) product.push('VP', w.value(line.supplierSku, `${path}/supplierSku`, MAX.id));
    w.segment(
      'PO1',
      w.value(line.orderLineId, `${path}/orderLineId`, 20),
      String(line.quantity),
      'EA',
      line.unitCost === undefined ? '' : amount(line.unitCost),
      line.unitCost === undefined ? '' : 'PE',
      ...product,
    );
    // Descriptions are informational: shortened to PID05's 80 characters rather than refused.
    if (line.title) w.segment('PID', 'F', '', '', '', w.value(line.title.slice(0, 80), `${path}/title`));
  });
  w.segment('CTT', String(po.lines.length), String(units));
  w.endTransaction();
  return w.finish('purchase order for X12 850');
}
