import { createHash } from 'node:crypto';
import type { Order } from '../model/order';

/**
 * A refund's life: `proposed` (worked out, waiting for the operator or the policy), `approved` (the intent is
 * recorded and a worker holds it with a lease while it calls the storefront), then `refunded` or `failed`; a
 * proposal the operator turns down is `dismissed`. A failed refund can be approved again.
 */
export const REFUND_STATES = ['proposed', 'approved', 'refunded', 'failed', 'dismissed'] as const;
export type RefundState = (typeof REFUND_STATES)[number];

/** Why money goes back: lines no supplier could take, a supplier's cancel, the customer's cancel, the operator. */
export type RefundTrigger = 'no_supplier' | 'supplier_cancelled' | 'customer_cancelled' | 'operator';

/** One order line's part of a refund; every amount in minor units (cents) of the order's currency. */
export interface RefundLine {
  lineId: string;
  sku: string;
  quantity: number;
  /** Unit price × quantity. */
  goods: number;
  /** The line's share of the order's discount (subtracted). */
  discount: number;
  /** The line's share of the order's tax (added unless prices include tax). */
  tax: number;
  /** What the customer gets back for the line: goods − discount (+ tax when prices exclude it). */
  amount: number;
}

/** What a refund gives back, in minor units; `total` is the sum of the lines' amounts and the shipping. */
export interface RefundAmounts {
  currency: string;
  /** Digits after the decimal point in `currency` (2 for USD, 0 for JPY). */
  minorDigits: number;
  lines: RefundLine[];
  /** The share of the shipping the customer paid (its tax included when prices include tax). */
  shipping: number;
  /** The share of the order's tax, lines and shipping together: part of `total` unless prices include tax. */
  tax: number;
  discount: number;
  total: number;
  taxesIncluded: boolean;
}

export interface RefundDraft {
  /** Derived from the order and the change (see refundKey): the same change never makes a second refund. */
  key: string;
  orderId: string;
  trigger: RefundTrigger;
  /** For the operator and the storefront's refund note: what happened, no customer data. */
  reason: string;
  amounts: RefundAmounts;
}

export interface Refund extends RefundDraft {
  state: RefundState;
  /** The storefront's id of the refund it made (Shopify gid, WooCommerce refund id). */
  storefrontRefundId?: string;
  /** Calls made to the storefront for it (a retry after a failure or a crash adds one). */
  attempts: number;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

/** A worker's hold on an approved refund: only the holder records the outcome. */
export interface RefundClaim {
  leaseOwner: string;
}

/** Crockford base32, as purchase order numbers: no I, L, O or U. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The refund's key, a pure function of the order and the change that caused it (a refused PO and its lines, a
 * cancellation's id): proposing it again finds the same refund, and the storefront's idempotency key is this key,
 * so a retry after a crash never refunds twice. `RF` + 16 characters.
 */
export function refundKey(orderId: string, change: string): string {
  const digest = createHash('sha256').update(`${orderId}\u0000${change}`).digest();
  let code = '';
  for (let i = 0; i < 16; i++) code += CROCKFORD[(digest[i] ?? 0) % 32];
  return `RF${code}`;
}

/** Digits after the decimal point of an ISO 4217 currency, as Intl knows them; 2 for a code it does not know. */
export function minorDigitsOf(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/** A major-unit amount (as the order stores it, 19.99) in minor units (1999), rounded to the nearest unit. */
export function toMinor(amount: number, digits: number): number {
  return Math.round(amount * 10 ** digits);
}

/** Minor units as the decimal text storefront APIs take ("19.99", "1500" for JPY). */
export function minorToDecimal(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * `amount × part / whole`, rounded half up, in whole minor units with integer arithmetic (BigInt: amount × part
 * can pass 2^53 for large orders in zero-decimal currencies).
 */
function shareOf(amount: number, part: number, whole: number): number {
  if (whole <= 0 || amount === 0) return 0;
  const a = BigInt(amount);
  const p = BigInt(part);
  const w = BigInt(whole);
  return Number((2n * a * p + w) / (2n * w));
}

/**
 * The share of `amount` that goods worth `part` carry after goods worth `before` were refunded already, out of
 * goods worth `whole`: the difference of the rounded cumulative shares. Shares of successive refunds therefore add
 * up to exactly `amount` once every line is refunded: no cent is lost or paid twice to rounding.
 */
function cumulativeShare(amount: number, before: number, part: number, whole: number): number {
  return shareOf(amount, before + part, whole) - shareOf(amount, before, whole);
}

/** A request to refund `quantity` units of an order line. */
export interface RefundLineRequest {
  lineId: string;
  quantity: number;
}

/**
 * Works out a refund of the given lines, in integer minor units of the order's currency, over the lines as paid
 * (`paidLines` once a storefront change rewrote them).
 *
 * Rounding (docs/refunds.md): every amount is converted to minor units once (half up); the discount, the shipping
 * and the tax are shared over the goods by value (unit price × quantity of every line of the order), each share
 * rounded half up on the running total of goods refunded so far (`earlier`, the refunds already made or
 * proposed), so the shares of all refunds of an order add up to exactly the order's discount, shipping and tax.
 * Within a refund, the lines' discount and tax shares are rounded the same way, so they add up to the refund's.
 * Quantities beyond what is left of a line after earlier refunds are cut back; lines with nothing left drop out.
 * Undefined when nothing is left to refund.
 */
export function computeRefund(
  order: Pick<Order, 'currency' | 'lines' | 'totals' | 'paidLines'>,
  requested: RefundLineRequest[],
  earlier: Pick<RefundAmounts, 'lines'>[] = [],
): RefundAmounts | undefined {
  const digits = minorDigitsOf(order.currency);
  const paid = order.paidLines ?? order.lines;
  const unit = new Map(paid.map((line) => [line.lineId, toMinor(line.unitPrice, digits)]));
  const whole = paid.reduce((sum, line) => sum + unit.get(line.lineId)! * line.quantity, 0);
  const refundedUnits = new Map<string, number>();
  let before = 0;
  for (const refund of earlier) {
    for (const line of refund.lines) {
      refundedUnits.set(line.lineId, (refundedUnits.get(line.lineId) ?? 0) + line.quantity);
      before += line.goods;
    }
  }
  const wanted = new Map<string, number>();
  for (const request of requested)
    wanted.set(request.lineId, (wanted.get(request.lineId) ?? 0) + Math.max(0, Math.trunc(request.quantity)));
  const picked = paid
    .filter((line) => wanted.has(line.lineId))
    .map((line) => {
      const left = line.quantity - (refundedUnits.get(line.lineId) ?? 0);
      const quantity = Math.min(wanted.get(line.lineId)!, Math.max(0, left));
      return { line, quantity, goods: unit.get(line.lineId)! * quantity };
    })
    .filter((entry) => entry.quantity > 0);
  if (picked.length === 0) return undefined;

  const part = picked.reduce((sum, entry) => sum + entry.goods, 0);
  const discountTotal = toMinor(order.totals.discount, digits);
  const shippingTotal = toMinor(order.totals.shipping, digits);
  const taxTotal = toMinor(order.totals.tax, digits);
  const taxesIncluded = order.totals.taxesIncluded === true;
  const discount = cumulativeShare(discountTotal, before, part, whole);
  const shipping = cumulativeShare(shippingTotal, before, part, whole);
  const tax = cumulativeShare(taxTotal, before, part, whole);
  // The tax of the lines is the refund's tax less what the shipping carries of it, shared like the discount.
  const shippingTax = shareOf(tax, shipping, part - discount + shipping);
  const linesTax = tax - shippingTax;
  let running = 0;
  const lines = picked.map(({ line, quantity, goods }) => {
    const lineDiscount = cumulativeShare(discount, running, goods, part);
    const lineTax = cumulativeShare(linesTax, running, goods, part);
    running += goods;
    return {
      lineId: line.lineId,
      sku: line.sku,
      quantity,
      goods,
      discount: lineDiscount,
      tax: lineTax,
      amount: goods - lineDiscount + (taxesIncluded ? 0 : lineTax),
    };
  });
  const shippingAmount = shipping + (taxesIncluded ? 0 : shippingTax);
  return {
    currency: order.currency,
    minorDigits: digits,
    lines,
    shipping: shippingAmount,
    tax,
    discount,
    total: lines.reduce((sum, line) => sum + line.amount, 0) + shippingAmount,
    taxesIncluded,
  };
}
