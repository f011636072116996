import type { PurchaseOrderState } from '../model/purchase-order';

/** PO states whose lines still have to leave the supplier's shelf. */
export const OPEN_PURCHASE_ORDER_STATES: readonly PurchaseOrderState[] = [
  'pending',
  'sending',
  'sent',
  'accepted',
  'backordered',
];
/** States in which the supplier has not taken the PO into its own books yet: its feed cannot reflect them. */
const NOT_YET_WITH_SUPPLIER: readonly PurchaseOrderState[] = ['pending', 'sending', 'sent'];

/** One line of an open PO, as the store reads it for stock arithmetic. */
export interface OpenPurchaseOrderLine {
  supplierId: string;
  sku: string;
  quantity: number;
  state: PurchaseOrderState;
  /** Epoch ms of the PO's last change (for accepted POs: when the supplier's answer was recorded, or later). */
  updatedAt: number;
}

/**
 * Units a supplier's feed taken at `feedAtMs` does not reflect: POs the supplier has not accepted yet, and POs it
 * accepted (or backordered) at or after the feed time. Both store engines use this one rule.
 */
export function committedUnits(lines: Iterable<OpenPurchaseOrderLine>, feedAtMs: number): number {
  let units = 0;
  for (const line of lines) {
    if (NOT_YET_WITH_SUPPLIER.includes(line.state) || line.updatedAt >= feedAtMs) units += line.quantity;
  }
  return units;
}
