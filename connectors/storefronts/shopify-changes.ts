import type { IncomingHttpHeaders } from 'node:http';
import type { OrderChangeLine, ShopRefund, StorefrontOrderChange } from '../../core/model/order-change';
import type { IntakeDecision } from '../../core/ports/storefront-intake';
import { PayloadReader } from './field-reader';

/** The topics that change an order already paid, each read by its own payload format. */
export const SHOPIFY_CHANGE_TOPICS = new Set(['orders/cancelled', 'orders/edited', 'refunds/create']);

/**
 * An order payload (`orders/cancelled`, or any order topic) whose `cancelled_at` is set: the whole order is
 * cancelled. The key is the cancellation time, so `orders/cancelled` and the `orders/updated` Shopify sends
 * with it are one change.
 */
export function shopifyCancellation(order: Record<string, unknown>, externalId: string): IntakeDecision {
  const reader = new PayloadReader('Shopify order');
  const cancelledAt = reader.date(order.cancelled_at, '/cancelled_at');
  const shopRefunds = shopifyRefundsOfOrder(reader, order);
  reader.finish();
  return {
    kind: 'change',
    change: {
      channel: 'shopify',
      externalId,
      kind: 'cancel',
      whole: true,
      lines: [],
      key: `cancel:${cancelledAt}`,
      reason: reader.text(order.cancel_reason),
      ...(shopRefunds ? { shopRefunds } : {}),
    },
  };
}

/**
 * What the shop had paid back when it cancelled: `financial_status` `refunded` (or `voided`, nothing was captured)
 * leaves nothing to refund; otherwise the order's `refunds` with the units each returned money for (returned units
 * aside, as `refunds/create` reads them).
 */
function shopifyRefundsOfOrder(
  reader: PayloadReader,
  order: Record<string, unknown>,
): StorefrontOrderChange['shopRefunds'] {
  const status = reader.text(order.financial_status);
  if (status === 'refunded' || status === 'voided') return 'all';
  const refunds: ShopRefund[] = reader.array(order.refunds ?? [], '/refunds').map((raw, i) => {
    const refund = reader.object(raw, `/refunds/${i}`);
    return {
      id: reader.id(refund.id, `/refunds/${i}/id`),
      lines: reader
        .array(refund.refund_line_items ?? [], `/refunds/${i}/refund_line_items`)
        .flatMap((rawLine, j) => {
          const path = `/refunds/${i}/refund_line_items/${j}`;
          const item = reader.object(rawLine, path);
          // Returned units had shipped: they stay on the order, and are no part of what the cancellation took off.
          if (reader.text(item.restock_type) === 'return') return [];
          return [
            {
              lineId: reader.id(item.line_item_id, `${path}/line_item_id`),
              quantity: reader.integer(item.quantity, `${path}/quantity`),
            },
          ];
        }),
    };
  });
  return refunds.length > 0 ? refunds : undefined;
}

/**
 * `orders/edited`: `{order_edit: {id, order_id, line_items: {additions: [{id, delta}], removals: [{id, delta}]}}}`,
 * as the webhook reference documents it. An addition of a line the order has raises its quantity; one of a
 * new line is recorded for the operator.
 */
function shopifyEdit(payload: unknown): StorefrontOrderChange {
  const reader = new PayloadReader('Shopify order edit');
  const edit = reader.object(reader.object(payload, '').order_edit, '/order_edit');
  const items = reader.object(edit.line_items, '/order_edit/line_items');
  const read = (field: 'additions' | 'removals', mode: OrderChangeLine['mode']): OrderChangeLine[] =>
    reader.array(items[field] ?? [], `/order_edit/line_items/${field}`).map((raw, i) => {
      const path = `/order_edit/line_items/${field}/${i}`;
      const item = reader.object(raw, path);
      return {
        lineId: reader.id(item.id, `${path}/id`),
        mode,
        quantity: reader.integer(item.delta, `${path}/delta`),
      };
    });
  const lines = [...read('removals', 'remove'), ...read('additions', 'add')];
  const change: StorefrontOrderChange = {
    channel: 'shopify',
    externalId: reader.id(edit.order_id, '/order_edit/order_id'),
    kind: 'edit',
    whole: false,
    lines,
    key: `edit:${reader.id(edit.id, '/order_edit/id')}`,
    reason: reader.text(edit.staff_note),
  };
  reader.finish();
  return change;
}

/**
 * `refunds/create`: the refund the shop made (its transactions) and the line items it refunds. Units refunded as
 * returned (`restock_type` `return`) had shipped and came back; every other refunded unit is cancelled if it has
 * not shipped yet.
 */
function shopifyRefund(payload: unknown): StorefrontOrderChange {
  const reader = new PayloadReader('Shopify refund');
  const refund = reader.object(payload, '');
  const lines: OrderChangeLine[] = reader
    .array(refund.refund_line_items ?? [], '/refund_line_items')
    .flatMap((raw, i) => {
      const path = `/refund_line_items/${i}`;
      const item = reader.object(raw, path);
      if (reader.text(item.restock_type) === 'return') return [];
      return [
        {
          lineId: reader.id(item.line_item_id, `${path}/line_item_id`),
          mode: 'remove' as const,
          quantity: reader.integer(item.quantity, `${path}/quantity`),
        },
      ];
    });
  let amount = 0;
  let currency: string | undefined;
  reader.array(refund.transactions ?? [], '/transactions').forEach((raw, i) => {
    const transaction = reader.object(raw, `/transactions/${i}`);
    if (reader.text(transaction.kind) !== 'refund' || reader.text(transaction.status) !== 'success') return;
    amount += reader.money(transaction.amount, `/transactions/${i}/amount`);
    currency ??= reader.text(transaction.currency)?.toUpperCase();
  });
  const id = reader.id(refund.id, '/id');
  const change: StorefrontOrderChange = {
    channel: 'shopify',
    externalId: reader.id(refund.order_id, '/order_id'),
    kind: 'refund',
    whole: false,
    lines,
    key: `refund:${id}`,
    reason: reader.text(refund.note),
    refund: { id, amount: Math.round(amount * 100) / 100, ...(currency ? { currency } : {}) },
  };
  reader.finish();
  return change;
}

/** A change topic's payload as the change it reports. */
export function shopifyChange(
  topic: string,
  payload: unknown,
  _headers: IncomingHttpHeaders,
): IntakeDecision {
  return {
    kind: 'change',
    change: topic === 'orders/edited' ? shopifyEdit(payload) : shopifyRefund(payload),
  };
}
