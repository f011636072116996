import { createHash } from 'node:crypto';
import type { Address } from './order';

export const PURCHASE_ORDER_STATES = [
  'pending',
  'sending',
  'sent',
  'accepted',
  'backordered',
  'rejected',
  'shipped',
  'delivered',
  'cancelled',
  'failed',
] as const;
export type PurchaseOrderState = (typeof PURCHASE_ORDER_STATES)[number];

export interface PurchaseOrderLine {
  orderLineId: string;
  sku: string;
  /** The supplier's own part number when the catalogue mapping names one. */
  supplierSku?: string;
  title?: string;
  quantity: number;
  unitCost?: number;
}

/** One supplier assignment of (part of) an order. Its number is the idempotency key everywhere it travels. */
export interface PurchaseOrder {
  number: string;
  orderId: string;
  supplierId: string;
  attempt: number;
  state: PurchaseOrderState;
  currency: string;
  shipTo: Address;
  shippingMethod?: string;
  lines: PurchaseOrderLine[];
  /** Ranked suppliers that can take these lines if this one refuses them. */
  alternatives: string[];
  supplierReference?: string;
  sendAttempts: number;
  nextAttemptAt?: string;
  lastError?: string;
  /**
   * A PO cancelled here that its supplier had: withdrawing it there is `pending` (recorded with the cancel, in
   * the same transaction) until a worker holding its claim records the outcome, then `done`. Absent otherwise.
   */
  withdrawal?: WithdrawalState;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type WithdrawalState = 'pending' | 'done';

export type PurchaseOrderDraft = Omit<
  PurchaseOrder,
  'number' | 'state' | 'sendAttempts' | 'withdrawal' | 'version' | 'createdAt' | 'updatedAt'
>;

// Crockford base32 avoids I, L, O and U so a number read over the phone is not misheard.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The PO number is a pure function of (order, supplier, attempt), so a resend after a crash carries the same
 * number and the supplier can recognise it. 13-16 characters: fits X12 BEG03 (22) and every portal we know.
 */
export function purchaseOrderNumber(orderId: string, supplierId: string, attempt: number): string {
  const digest = createHash('sha256').update(`${orderId}\u0000${supplierId}\u0000${attempt}`).digest();
  let code = '';
  for (let i = 0; i < 10; i++) code += CROCKFORD[(digest[i] ?? 0) % 32];
  return `PO${code}-${attempt}`;
}
