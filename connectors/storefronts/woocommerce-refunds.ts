import { ChannelDeliveryError } from '../messaging/delivery-error';
import { minorToDecimal } from '../../core/refunds/refund';
import type {
  StorefrontRefundRequest,
  StorefrontRefundResult,
  StorefrontRefunds,
} from '../../core/ports/storefront-refunds';
import { refusal, wooCommerceApi, type WooCommerceContext } from './woocommerce-fulfilment';

/** The refund's meta data key that carries our idempotency key: WooCommerce has no idempotency of its own. */
export const WOOCOMMERCE_REFUND_KEY_META = '_dropship_refund_key';

interface WooRefund {
  id?: number;
  meta_data?: { key?: string; value?: unknown }[];
}

/** The refund already on the order that carries `key`, if any. */
function refundCarrying(refunds: unknown, key: string): WooRefund | undefined {
  if (!Array.isArray(refunds)) return undefined;
  return (refunds as WooRefund[]).find((refund) =>
    (refund.meta_data ?? []).some((meta) => meta.key === WOOCOMMERCE_REFUND_KEY_META && meta.value === key),
  );
}

/**
 * Refunds through the WooCommerce REST API (v3): `POST /wp-json/wc/v3/orders/{id}/refunds` with the amount, the
 * lines and `api_refund: true`, so the payment gateway gives the money back. WooCommerce keeps no idempotency key,
 * so the refund carries ours in its meta data, and every call first lists the order's refunds
 * (`GET …/refunds`): a refund that carries the key was made by an earlier call (a crash after WooCommerce took
 * it), and is reported instead of refunding again. The intent is recorded in the store (the refund approved and
 * claimed) before the first call.
 */
export function wooCommerceRefunds(ctx: WooCommerceContext): StorefrontRefunds {
  return {
    channel: 'woocommerce',
    async refund(request: StorefrontRefundRequest): Promise<StorefrontRefundResult> {
      const call = wooCommerceApi(ctx, request.orderId);
      const path = `/wp-json/wc/v3/orders/${request.orderId}/refunds`;
      const listed = await call('GET', `${path}?per_page=100`);
      if (listed.status !== 200) throw refusal(listed, `the refund list of order ${request.orderId}`);
      const earlier = refundCarrying(listed.data, request.idempotencyKey);
      if (earlier?.id !== undefined) return { refundId: String(earlier.id), alreadyRefunded: true };

      const decimal = (minor: number) => minorToDecimal(minor, request.minorDigits);
      const created = await call('POST', path, {
        amount: decimal(request.total),
        reason: request.note,
        api_refund: true,
        api_restock: false,
        line_items: request.lines
          .filter((line) => /^\d+$/.test(line.lineId))
          .map((line) => ({
            id: Number(line.lineId),
            quantity: line.quantity,
            refund_total: decimal(line.amount - line.tax),
          })),
        meta_data: [{ key: WOOCOMMERCE_REFUND_KEY_META, value: request.idempotencyKey }],
      });
      if (created.status !== 201 && created.status !== 200)
        throw refusal(created, `the refund of order ${request.orderId}`);
      const id = (created.data as WooRefund | null)?.id;
      if (id === undefined)
        throw new ChannelDeliveryError('WooCommerce answered the refund without its id', true);
      ctx.log.info(`WooCommerce order ${request.orderId}: refund ${id} made`);
      return { refundId: String(id), alreadyRefunded: false };
    },
  };
}
