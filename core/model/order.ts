/** The canonical order: every storefront payload is normalised into this shape before it is stored. */

export const ORDER_STATES = [
  'received',
  'routed',
  'dispatched',
  'acknowledged',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancelled',
  'needs_attention',
  'returned',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export interface Address {
  name?: string;
  company?: string;
  line1: string;
  line2?: string;
  city: string;
  /** State or province code (ISO 3166-2 subdivision without the country prefix, e.g. "CA"). */
  region?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2 country code. */
  country: string;
  phone?: string;
}

export interface Customer {
  name?: string;
  email?: string;
  phone?: string;
}

export interface OrderLine {
  /** The storefront's line id, or the 1-based position when the source has none. */
  lineId: string;
  sku: string;
  title?: string;
  quantity: number;
  /** Price per unit paid by the customer, in the order's currency (major units). */
  unitPrice: number;
  /** False for gift cards and digital goods: such lines never go to a supplier. */
  requiresShipping: boolean;
  vendor?: string;
  brand?: string;
  category?: string;
}

export interface ShippingTerms {
  method?: string;
  /** Date by which the order must leave the supplier (ISO 8601). */
  promisedShipBy?: string;
  /** Date by which the customer was promised delivery (ISO 8601). */
  promisedDeliveryBy?: string;
}

export interface OrderTotals {
  subtotal: number;
  shipping: number;
  tax: number;
  discount: number;
  /**
   * What else the customer paid besides goods, shipping and tax: WooCommerce fee lines, Shopify duties,
   * additional fees and tips. Negative for a credit (a negative WooCommerce fee). Absent means none.
   */
  fees?: number;
  total: number;
  /** Prices include tax (EU-style shops): the tax is part of subtotal and shipping, not added on top. */
  taxesIncluded?: boolean;
}

/**
 * The customer's own money when they paid in another currency than the shop's (Shopify's `presentment_money`):
 * the order's `currency` and `totals` stay the shop's, which its payouts and books are in.
 */
export interface PresentmentMoney {
  currency: string;
  totals: OrderTotals;
  /** Each line's unit price in the customer's currency, by line id. */
  lines: { lineId: string; unitPrice: number }[];
}

/** What an intake adapter produces: an order before the store gives it an id and a state. */
/** What a storefront tells about the buyer, for risk screening's velocity checks. */
export interface RiskSignals {
  /** The buyer's IP address (Shopify `browser_ip`, WooCommerce `customer_ip_address`). */
  browserIp?: string;
  /** A stable mark of the card paid with: card BIN, last four digits and brand, never the card number. */
  cardFingerprint?: string;
}

export interface OrderDraft {
  channel: string;
  externalId: string;
  orderNumber?: string;
  placedAt: string;
  currency: string;
  customer: Customer;
  shipTo: Address;
  billTo?: Address;
  lines: OrderLine[];
  shipping: ShippingTerms;
  totals: OrderTotals;
  /** Absent when the customer paid in the shop's currency. */
  presentment?: PresentmentMoney;
  tags?: string[];
  note?: string;
  riskSignals?: RiskSignals;
}

export interface Order extends OrderDraft {
  id: string;
  state: OrderState;
  version: number;
  createdAt: string;
  updatedAt: string;
  /**
   * The lines as the customer paid for them, kept when a storefront change first rewrites `lines`: refunds are
   * shared out over these, so units a change took off are still refundable once.
   */
  paidLines?: OrderLine[];
}

/** Lines that a supplier has to ship; digital and gift-card lines are fulfilled elsewhere. */
export function shippableLines(order: Pick<OrderDraft, 'lines'>): OrderLine[] {
  return order.lines.filter((line) => line.requiresShipping);
}
