import { DropshipError } from '../../core/errors';
import { minorToDecimal, toMinor } from '../../core/refunds/refund';
import type {
  StorefrontRefundRequest,
  StorefrontRefundResult,
  StorefrontRefunds,
} from '../../core/ports/storefront-refunds';
import { ChannelDeliveryError } from '../messaging/delivery-error';
import { adminGraphql, assertNoUserErrors, orderGid, type ShopifyContext } from './shopify-fulfilment';

/** The order's payments and its refunds so far: the parents a refund transaction names, and our earlier refunds. */
const REFUND_CONTEXT_QUERY = `query RefundContext($id: ID!) {
  order(id: $id) {
    id
    transactions(first: 50) {
      id
      kind
      status
      gateway
      amountSet { presentmentMoney { amount currencyCode } }
    }
    refunds(first: 50) { id note }
  }
}`;

/**
 * `refundCreate` with the mandatory (from API 2026-04) `@idempotent` directive. The key is checked to be plain
 * letters, digits, `-` and `_` before it is written into the document.
 */
const refundCreateMutation = (key: string): string => `mutation RefundCreate($input: RefundInput!) {
  refundCreate(input: $input) @idempotent(key: "${key}") {
    refund { id note totalRefundedSet { presentmentMoney { amount currencyCode } } }
    userErrors { field message }
  }
}`;

interface ShopifyTransaction {
  id: string;
  kind: string;
  status: string;
  gateway: string;
  amountSet?: { presentmentMoney?: { amount?: string; currencyCode?: string } };
}

/** Payments a refund can go back to: successful sales and captures. */
const REFUNDABLE_KINDS = new Set(['SALE', 'CAPTURE']);

const lineItemGid = (lineId: string): string =>
  lineId.startsWith('gid://') ? lineId : `gid://shopify/LineItem/${lineId}`;

/**
 * Refunds through Shopify's GraphQL Admin API: reads the order's transactions (`order { transactions }`), then
 * `refundCreate` with the lines (no restock: the supplier holds the stock), the shipping and one REFUND transaction
 * per paid parent up to the total, under `@idempotent(key:)` with the refund's key, so Shopify answers a repeated
 * call with the first refund instead of making another. A refund whose note already names the key (made by an
 * earlier call whose answer was lost) is reported without calling again.
 */
export function shopifyRefunds(ctx: ShopifyContext): StorefrontRefunds {
  return {
    channel: 'shopify',
    async refund(request: StorefrontRefundRequest): Promise<StorefrontRefundResult> {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(request.idempotencyKey))
        throw new DropshipError('invalid_input', 'the refund key is not plain text', [
          { path: '/idempotencyKey', message: 'must be letters, digits, - or _' },
        ]);
      const id = orderGid(request.orderId);
      const data = await adminGraphql(REFUND_CONTEXT_QUERY, { id }, ctx);
      const order = data.order as
        | { transactions?: ShopifyTransaction[]; refunds?: { id: string; note?: string | null }[] }
        | null
        | undefined;
      if (!order) throw new ChannelDeliveryError(`Shopify has no order ${request.orderId}`, false);
      const earlier = (order.refunds ?? []).find((r) => r.note?.includes(request.idempotencyKey));
      if (earlier) return { refundId: earlier.id, alreadyRefunded: true };

      const decimal = (minor: number) => minorToDecimal(minor, request.minorDigits);
      const transactions: Record<string, unknown>[] = [];
      let left = request.total;
      for (const parent of (order.transactions ?? []).filter(
        (t) => REFUNDABLE_KINDS.has(t.kind) && t.status === 'SUCCESS',
      )) {
        if (left <= 0) break;
        const paid = toMinor(Number(parent.amountSet?.presentmentMoney?.amount ?? 0), request.minorDigits);
        const amount = Math.min(paid, left);
        if (amount <= 0) continue;
        transactions.push({
          orderId: id,
          parentId: parent.id,
          gateway: parent.gateway,
          kind: 'REFUND',
          amount: decimal(amount),
        });
        left -= amount;
      }
      if (left > 0)
        throw new ChannelDeliveryError(
          `Shopify order ${request.orderId} has no paid transaction left for ${decimal(left)} ${request.currency} of the refund`,
          false,
        );
      const created = await adminGraphql(
        refundCreateMutation(request.idempotencyKey),
        {
          input: {
            orderId: id,
            note: request.note,
            notify: false,
            currency: request.currency,
            refundLineItems: request.lines.map((line) => ({
              lineItemId: lineItemGid(line.lineId),
              quantity: line.quantity,
              restockType: 'NO_RESTOCK',
            })),
            ...(request.shipping > 0 ? { shipping: { amount: decimal(request.shipping) } } : {}),
            transactions,
          },
        },
        ctx,
      );
      const payload = assertNoUserErrors(created.refundCreate, `the refund of order ${request.orderId}`);
      const refund = payload.refund as { id?: string } | null | undefined;
      if (!refund?.id) throw new ChannelDeliveryError('Shopify answered the refund without its id', true);
      ctx.log.info(`Shopify order ${request.orderId}: refund ${refund.id} made`);
      return { refundId: refund.id, alreadyRefunded: false };
    },
  };
}
