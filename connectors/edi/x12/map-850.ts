import type { Address } from '../../../core/model/order';
import type { ItemIdentifier } from '../../../core/model/item-identifier';
import type { X12PartnerConventions } from './documents';
import type { X12Transaction } from './envelope';
import {
  element,
  itemIdentifiers,
  skuOf,
  TransactionView,
  vendorPartOf,
  x12Date,
  x12Number,
} from './transaction-view';

export interface PurchaseOrder850Line {
  lineId: string;
  quantity: number;
  unitOfMeasure: string;
  unitCost?: number;
  /** The shop's SKU: the identifier the partner's qualifier order picks (BP first by default). */
  sku?: string;
  /** Vendor's part number (VP/VN/VA). */
  supplierSku?: string;
  /** Every identifier of the PO1, with its qualifier. */
  identifiers: ItemIdentifier[];
  title?: string;
}

/** An 850 read back: what a supplier (or the sandbox supplier of the demo) receives from us. */
export interface PurchaseOrder850 {
  poNumber: string;
  /** BEG01, "00" original. */
  purpose: string;
  /** BEG02, "DS" drop ship. */
  orderType: string;
  orderDate?: string;
  currency?: string;
  orderReference?: string;
  shippingMethod?: string;
  shipTo?: Address;
  lines: PurchaseOrder850Line[];
}

export function mapPurchaseOrder850(
  transaction: X12Transaction,
  conventions: X12PartnerConventions = {},
): PurchaseOrder850 {
  const view = new TransactionView(transaction);
  const { segment: beg, index: begIndex } = view.required('BEG', '850');
  if (element(beg, 3) === '') throw view.error(begIndex, 'BEG03 purchase order number is empty');
  const order: PurchaseOrder850 = {
    poNumber: element(beg, 3),
    purpose: element(beg, 1),
    orderType: element(beg, 2),
    orderDate: x12Date(element(beg, 5)),
    lines: [],
  };
  let inShipTo = false;
  let shipTo: Partial<Address> = {};
  let line: PurchaseOrder850Line | undefined;
  view.segments.forEach((segment, i) => {
    const id = segment[0];
    if (id === 'N1') inShipTo = element(segment, 1) === 'ST';
    else if (id === 'PO1') inShipTo = false;
    switch (id) {
      case 'CUR':
        order.currency = element(segment, 2) || undefined;
        break;
      case 'REF':
        if (element(segment, 1) === 'CO') order.orderReference = element(segment, 2) || undefined;
        break;
      case 'TD5':
        order.shippingMethod = element(segment, 5) || element(segment, 12) || order.shippingMethod;
        break;
      case 'N1':
        if (inShipTo) shipTo = { name: element(segment, 2) || undefined };
        break;
      case 'N2':
        if (inShipTo) shipTo.company = element(segment, 1) || undefined;
        break;
      case 'N3':
        if (inShipTo) {
          shipTo.line1 = element(segment, 1);
          shipTo.line2 = element(segment, 2) || undefined;
        }
        break;
      case 'N4':
        if (inShipTo) {
          shipTo.city = element(segment, 1);
          shipTo.region = element(segment, 2) || undefined;
          shipTo.postalCode = element(segment, 3) || undefined;
          shipTo.country = element(segment, 4) || 'US';
        }
        break;
      case 'PER':
        if (inShipTo) {
          for (let q = 3; q + 1 < segment.length; q += 2) {
            if (segment[q] === 'TE') shipTo.phone = segment[q + 1];
          }
        }
        break;
      case 'PO1': {
        const identifiers = itemIdentifiers(segment, 6);
        const fail = (m: string): Error => view.error(i, m);
        line = {
          lineId: element(segment, 1),
          quantity: x12Number(element(segment, 2), fail, 'PO102 quantity'),
          unitOfMeasure: element(segment, 3),
          unitCost:
            element(segment, 4) === '' ? undefined : x12Number(element(segment, 4), fail, 'PO104 unit price'),
          sku: skuOf(identifiers, conventions.skuQualifiers),
          supplierSku: vendorPartOf(identifiers),
          identifiers,
        };
        order.lines.push(line);
        break;
      }
      case 'PID':
        if (line) line.title = element(segment, 5) || undefined;
        break;
    }
  });
  if (shipTo.line1 !== undefined && shipTo.city !== undefined) order.shipTo = shipTo as Address;
  return order;
}
