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
  x12Timestamp,
  zoneOfTimeCode,
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

/** PER: a contact, of the order (buyer, BD) or of a party (its N1 loop, e.g. the consumer IC under N1*ST). */
export interface Contact850 {
  /** PER01 contact function code: BD buyer, IC information contact, DC delivery contact, … */
  function: string;
  name?: string;
  /** PER01 of the N1 loop the contact sits in (ST ship-to, BT bill-to, …); absent for the order's own. */
  party?: string;
  /** PER03/04, 05/06, 07/08: TE telephone, EM e-mail, FX fax, … */
  channels: { qualifier: string; value: string }[];
}

/** N9 with its MSG lines: a note such as a gift message (N9*L1 with the text in MSG). */
export interface Note850 {
  /** N901 reference qualifier (L1 letters or notes, …) and N902/N903. */
  qualifier: string;
  reference?: string;
  description?: string;
  messages: string[];
}

/** TD5: who carries the order. */
export interface Carrier850 {
  /** TD503 when TD502 is 2: the Standard Carrier Alpha Code. */
  scac?: string;
  /** TD504 transportation method (M motor, A air, U parcel post, …). */
  transportation?: string;
  /** TD505 routing: the carrier and service in words. */
  routing?: string;
  /** TD512 service level (ND next day, SG standard ground, …). */
  serviceLevel?: string;
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
  carrier?: Carrier850;
  shipTo?: Address;
  contacts: Contact850[];
  notes: Note850[];
  /** DTM segments of the header (002 delivery requested, 010 ship by, …), times in the partner's zone. */
  dates: { qualifier: string; at: string }[];
  lines: PurchaseOrder850Line[];
}

/** An object without the keys whose value is undefined (a partner leaving an element out adds no key). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
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
    contacts: [],
    notes: [],
    dates: [],
    lines: [],
  };
  let party: string | undefined;
  let note: Note850 | undefined;
  let inShipTo = false;
  let shipTo: Partial<Address> = {};
  let line: PurchaseOrder850Line | undefined;
  view.segments.forEach((segment, i) => {
    const id = segment[0];
    if (id === 'N1') party = element(segment, 1) || undefined;
    else if (id === 'PO1') party = undefined;
    inShipTo = party === 'ST';
    if (id !== 'MSG') note = undefined;
    switch (id) {
      case 'CUR':
        order.currency = element(segment, 2) || undefined;
        break;
      case 'REF':
        if (element(segment, 1) === 'CO') order.orderReference = element(segment, 2) || undefined;
        break;
      case 'TD5':
        order.shippingMethod = element(segment, 5) || element(segment, 12) || order.shippingMethod;
        order.carrier ??= defined({
          scac: element(segment, 2) === '2' ? element(segment, 3) || undefined : undefined,
          transportation: element(segment, 4) || undefined,
          routing: element(segment, 5) || undefined,
          serviceLevel: element(segment, 12) || undefined,
        });
        break;
      case 'DTM': {
        if (line) break;
        const at = x12Timestamp(
          element(segment, 2),
          element(segment, 3),
          zoneOfTimeCode(element(segment, 4), conventions.timeZone),
        );
        if (at) order.dates.push({ qualifier: element(segment, 1), at });
        break;
      }
      case 'N9':
        note = defined({
          qualifier: element(segment, 1),
          reference: element(segment, 2) || undefined,
          description: element(segment, 3) || undefined,
          messages: [] as string[],
        });
        order.notes.push(note);
        break;
      case 'MSG':
        if (note) note.messages.push(element(segment, 1));
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
      case 'PER': {
        const channels: Contact850['channels'] = [];
        for (let q = 3; q + 1 < segment.length; q += 2) {
          if (segment[q] !== '' && segment[q + 1] !== '') {
            channels.push({ qualifier: segment[q]!, value: segment[q + 1]! });
          }
        }
        order.contacts.push(
          defined({ function: element(segment, 1), name: element(segment, 2) || undefined, party, channels }),
        );
        const phone = channels.find((channel) => channel.qualifier === 'TE');
        if (inShipTo && phone) shipTo.phone = phone.value;
        break;
      }
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
