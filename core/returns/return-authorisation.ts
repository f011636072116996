import type { Address } from '../model/order';

/** A return's life: an operator (or the policy) approves, the customer gets a label, the supplier receives and credits. */
export const RETURN_STATES = [
  'requested',
  'approved',
  'rejected',
  'label_sent',
  'received',
  'credited',
  'refunded',
] as const;
export type ReturnState = (typeof RETURN_STATES)[number];

export interface ReturnLine {
  orderLineId: string;
  sku: string;
  quantity: number;
  /** Price per unit the customer paid (the order's currency). */
  unitPrice: number;
  /** What the supplier charged per unit, when the PO says. */
  unitCost?: number;
}

export interface ReturnLabel {
  carrier?: string;
  trackingNumber?: string;
  url?: string;
}

/** The supplier's credit note for the returned goods (EDI 812, a PDF, a portal entry...). */
export interface CreditMemo {
  number: string;
  amount: number;
  recordedAt: string;
}

export interface ReturnAuthorisation {
  /** RMA-000001: from a store sequence, never handed out twice. */
  rmaNumber: string;
  orderId: string;
  supplierId: string;
  poNumber?: string;
  state: ReturnState;
  version: number;
  reason: string;
  lines: ReturnLine[];
  currency: string;
  /** Where the customer sends the parcel: the supplier's return address from its policy. */
  returnAddress: Address;
  /** Restocking fee kept from the refund, per the supplier's policy. */
  restockingFee: number;
  /** What the customer gets back: line prices less the restocking fee. */
  refundAmount: number;
  label?: ReturnLabel;
  creditMemo?: CreditMemo;
  /** Amount actually refunded to the customer. */
  refunded?: number;
  note?: string;
  requestedAt: string;
  updatedAt: string;
}

export type ReturnDraft = Omit<
  ReturnAuthorisation,
  'rmaNumber' | 'state' | 'version' | 'requestedAt' | 'updatedAt'
>;

/** What a transition may add to the return's document. */
export type ReturnUpdate = Partial<Pick<ReturnAuthorisation, 'label' | 'creditMemo' | 'refunded' | 'note'>>;

export interface ReturnQuery {
  orderId?: string;
  states?: ReturnState[];
  limit?: number;
}

/** A customer notice queued in the same transaction as the change it reports (the notification outbox). */
export interface NoticeInput {
  milestone: string;
  channel: string;
  payload: Record<string, unknown>;
}

/** A supplier invoice (X12 810 or otherwise) for one PO: its total is the cost gross margin uses. */
export interface SupplierInvoiceInput {
  supplierId: string;
  invoiceNumber: string;
  poNumber: string;
  total: number;
  currency?: string;
  invoicedAt: Date;
  lines?: { sku: string; quantity: number; unitPrice: number }[];
}
