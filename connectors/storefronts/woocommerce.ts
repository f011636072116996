import type { Address, OrderDraft, OrderLine } from '../../core/model/order';
import type { StorefrontIntake } from '../../core/ports/storefront-intake';
import { PayloadReader, personName } from './field-reader';
import { headerValue, verifyBase64HmacSha256 } from './signature';

const SIGNATURE_HEADER = 'X-WC-Webhook-Signature';

const WEBHOOK_PING = /^webhook_id=(\d+)$/;

/**
 * The webhook id of WooCommerce's ping: when a webhook is saved, WooCommerce posts the unsigned form body
 * `webhook_id=N` to the delivery URL and keeps the webhook only if it is answered 200.
 */
function webhookPingId(rawBody: Buffer): number | undefined {
  const match = rawBody.length < 32 ? WEBHOOK_PING.exec(rawBody.toString('utf8')) : null;
  return match ? Number(match[1]) : undefined;
}

function wooAddress(reader: PayloadReader, raw: Record<string, unknown>, path: string): Address {
  const address: Address = {
    name: personName(raw.first_name, raw.last_name),
    company: reader.text(raw.company),
    line1: reader.text(raw.address_1) ?? '',
    line2: reader.text(raw.address_2),
    city: reader.text(raw.city) ?? '',
    region: reader.text(raw.state),
    postalCode: reader.text(raw.postcode),
    country: reader.text(raw.country)?.toUpperCase() ?? '',
    phone: reader.text(raw.phone),
  };
  for (const [field, value] of [
    ['address_1', address.line1],
    ['city', address.city],
    ['country', address.country],
  ] as const) {
    if (!value) reader.problems.push({ path: `${path}/${field}`, message: 'is required' });
  }
  return address;
}

/** WooCommerce's *_gmt dates carry no zone designator; they are UTC. */
function gmt(value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(value)
    ? `${value}Z`
    : value;
}

/**
 * WooCommerce `order.created` / `order.updated` webhooks (REST API v3 order JSON). Only orders in `processing`
 * (paid, awaiting fulfilment) are taken; an order moved to `cancelled` or `refunded` is a change that cancels
 * what has not shipped, and one whose line quantities changed an edit. WooCommerce does not retry and its delivery id names a delivery, not an
 * event, so duplicates collapse on the order id alone.
 */
export const wooCommerceIntake: StorefrontIntake = {
  channel: 'woocommerce',
  signatureHeader: SIGNATURE_HEADER,

  verify(rawBody, headers, secrets) {
    const signature = headerValue(headers, SIGNATURE_HEADER);
    // WooCommerce does not sign its ping; it carries nothing to act on, so only the bare ping goes unsigned.
    if (signature === undefined && webhookPingId(rawBody) !== undefined) return;
    verifyBase64HmacSha256(rawBody, signature, secrets, SIGNATURE_HEADER);
  },

  parseBody(rawBody) {
    const pingId = webhookPingId(rawBody);
    return pingId === undefined ? undefined : { webhook_id: pingId };
  },

  interpret(payload, headers) {
    const topic = headerValue(headers, 'X-WC-Webhook-Topic');
    if (topic && topic !== 'order.created' && topic !== 'order.updated') {
      return { kind: 'ignored', reason: `topic ${topic} carries no order` };
    }
    const reader = new PayloadReader('WooCommerce order');
    const order = reader.object(payload, '');
    // A body that is not an order object at all is refused, not ignored as an order in another status.
    reader.finish();
    if (typeof order.webhook_id === 'number' && order.id === undefined) {
      return { kind: 'ignored', reason: `ping for webhook ${order.webhook_id}` };
    }
    const status = reader.text(order.status);
    // Cancelled or refunded in full: nothing of the order is to ship any more.
    if (status === 'cancelled' || status === 'refunded') {
      const change = {
        channel: 'woocommerce',
        externalId: reader.id(order.id, '/id'),
        kind: status === 'cancelled' ? ('cancel' as const) : ('refund' as const),
        whole: true,
        lines: [],
        key: `status:${status}`,
        reason: `status is ${status}`,
      };
      reader.finish();
      return { kind: 'change', change };
    }
    if (status !== 'processing')
      return { kind: 'ignored', reason: `status is ${status ?? 'missing'}, not processing` };

    // The REST amounts are net of tax even where the shop's prices include it; such a shop's customer saw (and
    // the canonical order keeps) gross amounts, so each amount gets its own tax back.
    const taxesIncluded = order.prices_include_tax === true;
    const amount = (
      record: Record<string, unknown>,
      field: string,
      taxField: string,
      path: string,
      fallback?: number,
    ): number => {
      const net = reader.money(record[field], `${path}/${field}`, fallback);
      if (!taxesIncluded) return net;
      return Math.round((net + reader.money(record[taxField], `${path}/${taxField}`, 0)) * 100) / 100;
    };

    let lineSubtotal = 0;
    const lines: OrderLine[] = reader.array(order.line_items, '/line_items').map((item, i) => {
      const line = reader.object(item, `/line_items/${i}`);
      const quantity = reader.integer(line.quantity, `/line_items/${i}/quantity`);
      const subtotal = amount(line, 'subtotal', 'subtotal_tax', `/line_items/${i}`);
      lineSubtotal += subtotal;
      const sku = reader.text(line.sku);
      if (!sku)
        reader.problems.push({
          path: `/line_items/${i}/sku`,
          message: 'is empty: give the product a SKU in WooCommerce',
        });
      return {
        lineId: reader.id(line.id, `/line_items/${i}/id`),
        sku: sku ?? '',
        title: reader.text(line.name),
        quantity,
        unitPrice: quantity > 0 ? Math.round((subtotal / quantity) * 100) / 100 : 0,
        requiresShipping: true,
      };
    });
    const shipTo = wooAddress(reader, reader.object(order.shipping, '/shipping'), '/shipping');
    const billing = reader.optionalObject(order.billing);
    // A billing address is kept when it is one: some payment methods take no billing address, only an e-mail.
    const billTo =
      reader.text(billing.address_1) && reader.text(billing.city) && reader.text(billing.country)
        ? wooAddress(new PayloadReader('billing'), billing, '/billing')
        : undefined;
    const shippingLines = Array.isArray(order.shipping_lines)
      ? (order.shipping_lines as Record<string, unknown>[])
      : [];
    // Fee lines (payment surcharges, gift wrap; a negative one is a credit) are part of the order's total.
    const fees = reader
      .array(order.fee_lines ?? [], '/fee_lines')
      .reduce<number>(
        (sum, fee, i) =>
          sum + amount(reader.object(fee, `/fee_lines/${i}`), 'total', 'total_tax', `/fee_lines/${i}`),
        0,
      );

    const draft: OrderDraft = {
      channel: 'woocommerce',
      externalId: reader.id(order.id, '/id'),
      orderNumber: reader.text(order.number),
      placedAt: reader.date(gmt(order.date_paid_gmt ?? order.date_created_gmt), '/date_created_gmt'),
      currency: reader.text(order.currency)?.toUpperCase() ?? '',
      customer: {
        name: personName(billing.first_name, billing.last_name) ?? shipTo.name,
        email: reader.text(billing.email),
        phone: reader.text(billing.phone) ?? shipTo.phone,
      },
      shipTo,
      billTo,
      lines,
      shipping: { method: reader.text(shippingLines[0]?.method_title) },
      totals: {
        subtotal: Math.round(lineSubtotal * 100) / 100,
        shipping: amount(order, 'shipping_total', 'shipping_tax', '', 0),
        tax: reader.money(order.total_tax, '/total_tax', 0),
        discount: amount(order, 'discount_total', 'discount_tax', '', 0),
        ...(fees !== 0 ? { fees: Math.round(fees * 100) / 100 } : {}),
        total: reader.money(order.total, '/total'),
        taxesIncluded: taxesIncluded || undefined,
      },
      note: reader.text(order.customer_note),
      ...(reader.text(order.customer_ip_address)
        ? { riskSignals: { browserIp: reader.text(order.customer_ip_address) } }
        : {}),
    };
    reader.finish();
    // order.updated carries the order as it is now: changed line quantities are an edit of the stored order.
    return { kind: 'order', draft, currentLines: true };
  },
};
