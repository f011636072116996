/**
 * What a refund needs from a storefront's admin API: give money back for an order, once per idempotency key.
 * Core works out the amounts (core/refunds); a connector (Shopify GraphQL `refundCreate`, WooCommerce REST
 * `orders/<id>/refunds`) only says it to the shop.
 */

/** One order line's part, in minor units of the order's currency. */
export interface StorefrontRefundLine {
  /** The storefront's line id (Shopify line item, WooCommerce line item). */
  lineId: string;
  quantity: number;
  /** What the line gives back, tax included when the refund includes the tax. */
  amount: number;
  /** The tax part of `amount` (0 when prices include tax and the shop computes it). */
  tax: number;
}

export interface StorefrontRefundRequest {
  /** The storefront's order id (the stored order's externalId). */
  orderId: string;
  /**
   * Derived from the order and the change: a second call with the same key must give nothing back a second time
   * (Shopify's `@idempotent(key:)`; elsewhere the connector checks the refunds already on the order).
   */
  idempotencyKey: string;
  currency: string;
  minorDigits: number;
  lines: StorefrontRefundLine[];
  /** Shipping given back, minor units. */
  shipping: number;
  /** Everything given back, minor units: what the payment gateway returns to the customer. */
  total: number;
  /** For the shop's records (no customer data). */
  note: string;
}

export interface StorefrontRefundResult {
  /** The shop's id of the refund. */
  refundId: string;
  /** True when the shop already had this refund (a retry after a crash): nothing new was given back. */
  alreadyRefunded: boolean;
}

/**
 * A shop's refunds API. Errors carry `retryable` (false: the shop said no for good, e.g. more than was paid; true
 * or absent: an outage, try again with the same key).
 */
export interface StorefrontRefunds {
  /** The order channel this shop's orders carry ('shopify', 'woocommerce'). */
  readonly channel: string;
  refund(request: StorefrontRefundRequest, signal?: AbortSignal): Promise<StorefrontRefundResult>;
}
