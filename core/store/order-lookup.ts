import { DropshipError } from '../errors';
import type { Order } from '../model/order';
import type { OrderEvent } from '../model/order-event';
import type { PurchaseOrder } from '../model/purchase-order';
import type { Shipment } from '../model/shipment';
import { stateName, STATE_NAMES } from '../model/state-names';
import type { Notification, OrderStore } from './order-store';
import { minorToDecimal, type Refund } from '../refunds/refund';

/** At most this many orders answer one search: the operator narrows the term rather than paging. */
export const ORDER_SEARCH_LIMIT = 20;
const TERM_MAX_LENGTH = 200;

/** One order in a search answer: enough to recognise it and open it. */
export interface OrderSummary {
  id: string;
  /** `#1001` where the storefront numbers its orders, else `channel:externalId`. */
  reference: string;
  orderNumber?: string;
  channel: string;
  externalId: string;
  state: string;
  stateName: string;
  customerName?: string;
  customerEmail?: string;
  total: number;
  currency: string;
  placedAt: string;
  updatedAt: string;
}

/** The order API's answer: the stored order with its POs, parcels, events, notifications and refunds. */
export type OrderDetail = Order & {
  purchaseOrders: PurchaseOrder[];
  shipments: Shipment[];
  events: OrderEvent[];
  notifications: Notification[];
  refunds: Refund[];
};

/** One line of an order's history in the operator's words: when, who, what happened and why. */
export interface TimelineEntry {
  at: string;
  actor: string;
  what: string;
  why?: string;
  poNumber?: string;
}

/** The dashboard's order page: the summary, the timeline (oldest first) and each PO, parcel and notification. */
export interface OrderView extends OrderSummary {
  timeline: TimelineEntry[];
  purchaseOrders: { number: string; supplierId: string; state: string; stateName: string; lines: number }[];
  parcels: {
    trackingNumber: string;
    carrier?: string;
    trackingUrl?: string;
    poNumber?: string;
    status: string;
    statusName: string;
    lastEventAt: string;
  }[];
  notifications: { milestone: string; channel: string; state: string; stateName: string; sentAt?: string }[];
  /** Refunds proposed or made, newest first; `total` as decimal text in `currency`. */
  refunds: {
    key: string;
    state: string;
    stateName: string;
    reason: string;
    total: string;
    currency: string;
    lines: { sku: string; quantity: number; amount: string }[];
    shipping: string;
    lastError?: string;
  }[];
}

/** Reads a search term (an order number, an id, an e-mail, a PO or tracking number), naming `field` when it is wrong. */
export function parseSearchTerm(value: unknown, field: string): string {
  const term = typeof value === 'string' ? value.trim() : '';
  if (!term)
    throw new DropshipError(
      'invalid_input',
      `${field} is required: an order number, e-mail, PO or tracking number`,
      [{ path: field, message: 'is required' }],
    );
  if (term.length > TERM_MAX_LENGTH)
    throw new DropshipError('invalid_input', `${field} is longer than ${TERM_MAX_LENGTH} characters`, [
      { path: field, message: `must be at most ${TERM_MAX_LENGTH} characters` },
    ]);
  return term;
}

export function orderSummary(order: Order): OrderSummary {
  return {
    id: order.id,
    reference: order.orderNumber
      ? order.orderNumber.startsWith('#')
        ? order.orderNumber
        : `#${order.orderNumber}`
      : `${order.channel}:${order.externalId}`,
    orderNumber: order.orderNumber,
    channel: order.channel,
    externalId: order.externalId,
    state: order.state,
    stateName: stateName(order.state),
    customerName: order.customer.name,
    customerEmail: order.customer.email,
    total: order.totals.total,
    currency: order.currency,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
  };
}

/** The orders matching `term` (see OrderStore.searchOrders), newest first, at most ORDER_SEARCH_LIMIT. */
export async function searchOrders(store: OrderStore, term: string): Promise<OrderSummary[]> {
  return (await store.searchOrders(term, ORDER_SEARCH_LIMIT)).map(orderSummary);
}

/** The order `ref` (internal id or `channel:externalId`) with everything stored about it; undefined if none. */
export async function orderDetail(store: OrderStore, ref: string): Promise<OrderDetail | undefined> {
  const order = await store.findOrder(ref);
  if (!order) return undefined;
  const [purchaseOrders, shipments, events, notifications, refunds] = await Promise.all([
    store.listPurchaseOrders(order.id),
    store.listShipments(order.id),
    store.listEvents(order.id),
    store.listNotifications(order.id),
    store.listRefunds({ orderId: order.id }),
  ]);
  return { ...order, purchaseOrders, shipments, events, notifications, refunds };
}

const EVENT_WORDS: Readonly<Record<string, string>> = {
  'order.received': 'Order received',
  'order.routed': 'Routed to suppliers',
  'order.state': 'Order state changed',
  'order.needs_attention': 'Held for attention',
  'order.unroutable': 'No supplier could take it',
  'order.returned': 'Returned',
  'po.created': 'PO created',
  'po.state': 'PO state changed',
  'po.retry': 'PO to be sent again',
  'po.failover': 'PO moved to another supplier',
  'po.deferred': 'PO sending deferred',
  'po.partial': 'PO partly accepted',
  'po.invoiced': 'Supplier invoiced the PO',
  'portal.answered': 'Supplier answered in the portal',
  'portal.shipped': 'Supplier reported parcels in the portal',
  'shipment.event': 'Parcel update',
  'return.requested': 'Return requested',
  'operator.retry': 'Operator retried',
  'operator.reroute': 'Operator rerouted',
  'operator.cancel': 'Operator cancelled',
  'operator.resolve': 'Operator resolved',
  'risk.held': 'Held by risk screening',
  'refund.proposed': 'Refund proposed',
  'refund.approved': 'Refund approved',
  'refund.refunded': 'Refunded',
  'refund.failed': 'Refund failed',
  'refund.dismissed': 'Refund dismissed',
};

function eventWords(event: OrderEvent): string {
  const [subject, code = ''] = event.type.split(/\.(.*)/s);
  let what = EVENT_WORDS[event.type];
  // `po.<state>` and `return.<state>` name the state the PO or return moved to.
  if (!what && (subject === 'po' || subject === 'return') && STATE_NAMES[code])
    what = `${subject === 'po' ? 'PO' : 'Return'}: ${stateName(code).toLowerCase()}`;
  const parcel = event.type === 'shipment.event' ? event.data : undefined;
  if (typeof parcel?.status === 'string') {
    const tracking = typeof parcel.trackingNumber === 'string' ? ` ${parcel.trackingNumber}` : '';
    what = `Parcel${tracking}: ${stateName(parcel.status)}`;
  }
  what ??= stateName(event.type);
  if (event.toState && event.fromState !== event.toState)
    what += ` (${event.fromState ? `${stateName(event.fromState)} → ` : ''}${stateName(event.toState)})`;
  return what;
}

/** `dashboard:ada` -> "ada (dashboard)", `admin:ada` -> "ada (editor)", `dropship-router:<id>` -> "Router node". */
export function actorName(actor: string): string {
  const [kind, who = ''] = actor.split(/:(.*)/s);
  if (kind === 'dashboard' && who) return `${who} (dashboard)`;
  if (kind === 'admin' && who) return `${who} (editor)`;
  if (kind?.startsWith('dropship-') && who)
    return `${stateName(kind.slice('dropship-'.length).replace(/-/g, '_'))} node`;
  return actor;
}

export function orderTimeline(events: OrderEvent[]): TimelineEntry[] {
  return [...events]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id)
    .map((event) => ({
      at: event.at,
      actor: actorName(event.actor),
      what: eventWords(event),
      why: event.reason,
      poNumber: event.poNumber,
    }));
}

export function orderView(detail: OrderDetail): OrderView {
  return {
    ...orderSummary(detail),
    timeline: orderTimeline(detail.events),
    purchaseOrders: detail.purchaseOrders.map((po) => ({
      number: po.number,
      supplierId: po.supplierId,
      state: po.state,
      stateName: stateName(po.state),
      lines: po.lines.length,
    })),
    parcels: detail.shipments.map((s) => ({
      trackingNumber: s.trackingNumber,
      carrier: s.carrier,
      trackingUrl: s.trackingUrl,
      poNumber: s.poNumber,
      status: s.status,
      statusName: stateName(s.status),
      lastEventAt: s.lastEventAt,
    })),
    notifications: detail.notifications.map((n) => ({
      milestone: n.milestone,
      channel: n.channel,
      state: n.state,
      stateName: stateName(n.state),
      sentAt: n.sentAt,
    })),
    refunds: detail.refunds.map((refund) => {
      const { amounts } = refund;
      const decimal = (minor: number) => minorToDecimal(minor, amounts.minorDigits);
      return {
        key: refund.key,
        state: refund.state,
        stateName: stateName(`refund_${refund.state}`),
        reason: refund.reason,
        total: decimal(amounts.total),
        currency: amounts.currency,
        lines: amounts.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, amount: decimal(l.amount) })),
        shipping: decimal(amounts.shipping),
        lastError: refund.lastError,
      };
    }),
  };
}
