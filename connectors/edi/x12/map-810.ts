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

export interface SupplierInvoiceLine {
  lineId?: string;
  sku: string;
  supplierSku?: string;
  /** Every identifier of the IT1, with its qualifier. */
  identifiers: ItemIdentifier[];
  quantity: number;
  unitPrice: number;
}

export interface SupplierInvoiceCharge {
  /** SAC01: "C" charge or "A" allowance. */
  kind: 'charge' | 'allowance';
  /** SAC02 code, e.g. D240 freight. */
  code: string;
  amount: number;
  description?: string;
}

/** An 810 invoice as cost reconciliation needs it: what the supplier bills per line and in total. */
export interface SupplierInvoice {
  invoiceNumber: string;
  invoiceDate?: string;
  poNumber: string;
  currency?: string;
  lines: SupplierInvoiceLine[];
  charges: SupplierInvoiceCharge[];
  /** TDS01, the amount billed. */
  totalAmount: number;
  /** Lines plus charges minus allowances, to compare with `totalAmount`. */
  computedTotal: number;
}

/** TDS01 and SAC05 are N2 amounts: implied two decimals ("2500" is 25.00). */
function impliedCents(value: string, fail: (m: string) => Error, what: string): number {
  if (!/^-?\d+$/.test(value))
    throw fail(`${what} "${value}" is not an N2 amount (digits, two implied decimals)`);
  return Number(value) / 100;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** 810 Invoice: BIG header, IT1 lines, SAC charges and the TDS total. */
export function mapInvoice810(
  transaction: X12Transaction,
  conventions: X12PartnerConventions = {},
): SupplierInvoice {
  const view = new TransactionView(transaction);
  const { segment: big, index: bigIndex } = view.required('BIG', '810');
  const invoiceNumber = element(big, 2);
  const poNumber = element(big, 4);
  if (invoiceNumber === '') throw view.error(bigIndex, 'BIG02 invoice number is empty');
  if (poNumber === '') throw view.error(bigIndex, 'BIG04 purchase order number is empty');
  const invoice: SupplierInvoice = {
    invoiceNumber,
    invoiceDate: x12Date(element(big, 1)),
    poNumber,
    lines: [],
    charges: [],
    totalAmount: 0,
    computedTotal: 0,
  };
  let sawTotal = false;
  view.segments.forEach((segment, i) => {
    const fail = (m: string): Error => view.error(i, m);
    switch (segment[0]) {
      case 'CUR':
        invoice.currency = element(segment, 2) || undefined;
        break;
      case 'IT1': {
        const identifiers = itemIdentifiers(segment, 6);
        const sku = skuOf(identifiers, conventions.skuQualifiers);
        if (!sku) throw fail('IT1 names no item identifier (qualifier and id pair)');
        invoice.lines.push({
          lineId: element(segment, 1) || undefined,
          sku,
          supplierSku: vendorPartOf(identifiers),
          identifiers,
          quantity: x12Number(element(segment, 2), fail, 'IT102 quantity invoiced'),
          unitPrice: x12Number(element(segment, 4), fail, 'IT104 unit price'),
        });
        break;
      }
      case 'SAC': {
        const kind = element(segment, 1);
        if (kind !== 'C' && kind !== 'A') break; // N: no allowance or charge
        invoice.charges.push({
          kind: kind === 'C' ? 'charge' : 'allowance',
          code: element(segment, 2),
          amount: impliedCents(element(segment, 5) || '0', fail, 'SAC05 amount'),
          description: element(segment, 15) || undefined,
        });
        break;
      }
      case 'TDS':
        invoice.totalAmount = impliedCents(element(segment, 1), fail, 'TDS01 total invoice amount');
        sawTotal = true;
        break;
    }
  });
  if (!sawTotal) throw view.error(0, '810: the TDS total segment is missing');
  const lineTotal = invoice.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
  const charges = invoice.charges.reduce((sum, c) => sum + (c.kind === 'charge' ? c.amount : -c.amount), 0);
  invoice.computedTotal = round2(lineTotal + charges);
  return invoice;
}
