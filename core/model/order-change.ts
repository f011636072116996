/** What the storefront changed on an order after it was paid. */
export type OrderChangeKind = 'cancel' | 'edit' | 'refund';

/** One line of a change, by the storefront's line id. */
export interface OrderChangeLine {
  lineId: string;
  /** `remove` / `add`: this many units fewer / more. `set`: the line now holds exactly this many (0 removes it). */
  mode: 'remove' | 'add' | 'set';
  quantity: number;
}

/** A refund the storefront already made, recorded as it reported it. */
export interface StorefrontRefund {
  id: string;
  amount?: number;
  currency?: string;
}

/** One refund the shop had made when it reported a change, with the units it refunded. */
export interface ShopRefund {
  id: string;
  lines: { lineId: string; quantity: number }[];
}

/**
 * A change as a storefront webhook reports it: the whole order cancelled, or lines removed or set to a new
 * quantity (an edit, a partial cancellation, a refund that cancels what it refunds).
 */
export interface StorefrontOrderChange {
  channel: string;
  /** The storefront's order id, as intake stored it. */
  externalId: string;
  kind: OrderChangeKind;
  /** Every line of the order goes: nothing is left to ship. */
  whole: boolean;
  lines: OrderChangeLine[];
  /** Lines the storefront added (new line ids): recorded for the operator, never ordered on their own. */
  additions?: { lineId: string; quantity: number }[];
  /** What deduplicates the change within its order: the storefront's delivery id, or one derived from its content. */
  key: string;
  reason?: string;
  refund?: StorefrontRefund;
  /**
   * What the shop had refunded by itself when it reported the change (a Shopify cancellation's `financial_status`
   * and `refunds`): `all` when nothing is left to pay back; the change's refund proposal leaves these out.
   */
  shopRefunds?: 'all' | ShopRefund[];
}

export type OrderChangeState = 'pending' | 'applied';

/** A change as the store keeps it: recorded once per (order, key), then applied by one worker at a time. */
export interface StoredOrderChange extends Omit<StorefrontOrderChange, 'channel' | 'externalId'> {
  id: number;
  orderId: string;
  state: OrderChangeState;
  receivedAt: string;
  appliedAt?: string;
}
