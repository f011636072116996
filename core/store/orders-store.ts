import type { Order, OrderDraft, OrderState } from '../model/order';
import type { OrderEvent, OrderEventInput } from '../model/order-event';

export interface IntakeMeta {
  actor: string;
  /** The storefront's delivery/event id: a second delivery with the same id is a duplicate. */
  deliveryId?: string;
}

export interface IntakeResult {
  order: Order;
  created: boolean;
  /** Why an existing order was returned: the same delivery again, or the same order in a new delivery. */
  duplicateOf?: 'delivery' | 'order';
}

/** `#1001` for `1001` and `1001` for `#1001`: storefronts differ in whether their order numbers carry the `#`. */
export function otherOrderNumberForm(term: string): string {
  return term.startsWith('#') ? term.slice(1) : `#${term}`;
}

export interface OrderQuery {
  states?: OrderState[];
  /** Only orders changed at or after this time, oldest change first (what a recovery sweep walks through). */
  updatedSince?: Date;
  limit?: number;
}

/** Orders and their event history: intake, look-up, search and compare-and-set moves. */
export interface OrdersStore {
  /** Stores a new order, or returns the one already stored for this delivery or (channel, externalId). */
  receiveOrder(draft: OrderDraft, meta: IntakeMeta): Promise<IntakeResult>;
  getOrder(id: string): Promise<Order | undefined>;
  /** By internal id, or by `channel:externalId` (e.g. `shopify:450789469`). */
  findOrder(ref: string): Promise<Order | undefined>;
  listOrders(query: OrderQuery): Promise<Order[]>;
  /** Moves the order to `to` if it is in one of `expected`; undefined when it was not (nothing written). */
  transitionOrder(
    id: string,
    expected: OrderState[],
    to: OrderState,
    event: OrderEventInput,
  ): Promise<Order | undefined>;
  recordEvent(orderId: string, event: OrderEventInput): Promise<void>;
  listEvents(orderId: string): Promise<OrderEvent[]>;
  /** Orders whose storefront order number is exactly `orderNumber` (e.g. "#1001"), newest first. */
  findOrdersByNumber(orderNumber: string): Promise<Order[]>;
  /**
   * The orders an operator looks for (core/orders/order-search.ts): those whose order number (with or without
   * `#`), storefront order id or internal id is `term`, whose customer e-mail is `term` in any case, or that have
   * a PO numbered or a parcel tracked as `term`; newest first, at most `limit`. Each match is an index lookup.
   */
  searchOrders(term: string, limit: number): Promise<Order[]>;
}

/** Numbers handed out once each. */
export interface SequenceStore {
  /** A strictly increasing number per scope (X12 control numbers, RMA numbers): never handed out twice. */
  nextSequenceValue(scope: string): Promise<number>;
}
