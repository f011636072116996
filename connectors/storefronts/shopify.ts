import type { IncomingHttpHeaders } from 'node:http';
import { DropshipError } from '../../core/errors';
import type { Address, OrderDraft, OrderLine, PresentmentMoney } from '../../core/model/order';
import type { StorefrontIntake } from '../../core/ports/storefront-intake';
import { parseJsonBody } from '../../core/http-body';
import { PayloadReader, personName } from './field-reader';
import { SHOPIFY_CHANGE_TOPICS, shopifyCancellation, shopifyChange } from './shopify-changes';
import { headerValue, verifyBase64HmacSha256 } from './signature';

const SIGNATURE_HEADER = 'X-Shopify-Hmac-Sha256';

/** Topics that mean "this order is paid". orders/paid does not fire for orders created already paid, hence create. */
const PAID_TOPICS = new Set(['orders/paid', 'orders/create', 'orders/updated']);

function shopifyAddress(reader: PayloadReader, raw: Record<string, unknown>, path: string): Address {
  const address: Address = {
    name: personName(raw.first_name, raw.last_name, raw.name),
    company: reader.text(raw.company),
    line1: reader.text(raw.address1) ?? '',
    line2: reader.text(raw.address2),
    city: reader.text(raw.city) ?? '',
    region: reader.text(raw.province_code),
    postalCode: reader.text(raw.zip),
    country: reader.text(raw.country_code)?.toUpperCase() ?? '',
    phone: reader.text(raw.phone),
  };
  if (!address.line1) reader.problems.push({ path: `${path}/address1`, message: 'is required' });
  if (!address.city) reader.problems.push({ path: `${path}/city`, message: 'is required' });
  if (!address.country) reader.problems.push({ path: `${path}/country_code`, message: 'is required' });
  return address;
}

/**
 * The exact id of an order or line item: `admin_graphql_api_id` is a string, so ids beyond 2^53 (which
 * JSON.parse rounds) survive; the numeric `id` is the fallback.
 */
function shopifyId(
  reader: PayloadReader,
  resource: Record<string, unknown>,
  type: 'Order' | 'LineItem',
  path: string,
): string {
  const gid = reader.text(resource.admin_graphql_api_id);
  const prefix = `gid://shopify/${type}/`;
  const digits = gid?.startsWith(prefix) ? gid.slice(prefix.length) : undefined;
  return digits && /^\d+$/.test(digits) ? digits : reader.id(resource.id, `${path}/id`);
}

/**
 * Refuses a delivery that names another shop in X-Shopify-Shop-Domain than `shopDomain`, the shop the storefront
 * is set up for: one app (and so one client secret) may be installed on several shops, so a valid signature alone
 * does not say which shop an order belongs to. DNS names compare without regard to case.
 */
export function verifyShopifyShopDomain(headers: IncomingHttpHeaders, shopDomain: string): void {
  const named = headerValue(headers, 'X-Shopify-Shop-Domain')?.trim();
  if (named === undefined || !shopDomain) return;
  if (named.toLowerCase() !== shopDomain.toLowerCase()) {
    throw new DropshipError(
      'bad_signature',
      `the delivery is for the shop ${named.slice(0, 100)} (X-Shopify-Shop-Domain), not ${shopDomain}, the shop ` +
        'this storefront is set up for',
    );
  }
}

/** One amount of a Shopify money set (`{field}.shop_money` or `.presentment_money`); 0 when the set is absent. */
function moneySetAmount(
  reader: PayloadReader,
  resource: Record<string, unknown>,
  field: string,
  which: 'shop_money' | 'presentment_money',
  path = '',
): number {
  return reader.money(
    reader.optionalObject(reader.optionalObject(resource[field])[which]).amount,
    `${path}/${field}/${which}/amount`,
    0,
  );
}

/**
 * The customer's money set of an order paid in another currency than the shop's: the same totals read from each
 * `*_set.presentment_money` (tips are recorded in the shop's currency only).
 */
function presentmentMoney(
  reader: PayloadReader,
  order: Record<string, unknown>,
  currency: string,
  lines: OrderLine[],
): PresentmentMoney {
  const amount = (field: string): number => moneySetAmount(reader, order, field, 'presentment_money');
  const fees = amount('original_total_duties_set') + amount('original_total_additional_fees_set');
  const rawLines = Array.isArray(order.line_items) ? (order.line_items as Record<string, unknown>[]) : [];
  return {
    currency,
    totals: {
      subtotal: amount('total_line_items_price_set'),
      shipping: amount('total_shipping_price_set'),
      tax: amount('total_tax_set'),
      discount: amount('total_discounts_set'),
      ...(fees !== 0 ? { fees: Math.round(fees * 100) / 100 } : {}),
      total: amount('total_price_set'),
      taxesIncluded: order.taxes_included === true || undefined,
    },
    lines: lines.map((line, i) => ({
      lineId: line.lineId,
      unitPrice: moneySetAmount(
        reader,
        reader.optionalObject(rawLines[i]),
        'price_set',
        'presentment_money',
        `/line_items/${i}`,
      ),
    })),
  };
}

/**
 * The buyer's IP (`browser_ip`, else `client_details.browser_ip`) and a mark of the card (`payment_details`: BIN,
 * last four digits of the masked number, brand), when the payload has them.
 */
function shopifyRiskSignals(
  reader: PayloadReader,
  order: Record<string, unknown>,
): OrderDraft['riskSignals'] {
  const browserIp =
    reader.text(order.browser_ip) ?? reader.text(reader.optionalObject(order.client_details).browser_ip);
  const card = reader.optionalObject(order.payment_details);
  const bin = reader.text(card.credit_card_bin);
  const last4 = reader.text(card.credit_card_number)?.replace(/\D/g, '').slice(-4);
  const cardFingerprint =
    bin && last4 ? `${bin}…${last4}:${reader.text(card.credit_card_company) ?? ''}` : undefined;
  if (!browserIp && !cardFingerprint) return undefined;
  return { ...(browserIp ? { browserIp } : {}), ...(cardFingerprint ? { cardFingerprint } : {}) };
}

/**
 * Shopify `orders/paid` (and paid `orders/create`) webhooks, as documented for the REST Admin API order resource,
 * and the changes to a paid order: `orders/cancelled` (or any order payload with `cancelled_at`), `orders/edited`,
 * `refunds/create`.
 */
export const shopifyIntake: StorefrontIntake = {
  channel: 'shopify',
  signatureHeader: SIGNATURE_HEADER,

  verify(rawBody, headers, secrets) {
    verifyBase64HmacSha256(rawBody, headerValue(headers, SIGNATURE_HEADER), secrets, SIGNATURE_HEADER);
  },

  // Order, line item and refund ids beyond 2^53 come as bare numbers where no admin_graphql_api_id spells them.
  parseBody(rawBody) {
    return parseJsonBody(rawBody, { exactIntegers: true });
  },

  interpret(payload, headers) {
    const topic = headerValue(headers, 'X-Shopify-Topic');
    if (topic === 'orders/edited' || topic === 'refunds/create')
      return shopifyChange(topic, payload, headers);
    if (topic && !PAID_TOPICS.has(topic) && !SHOPIFY_CHANGE_TOPICS.has(topic))
      return { kind: 'ignored', reason: `topic ${topic} carries no paid order` };
    const reader = new PayloadReader('Shopify order');
    const order = reader.object(payload, '');
    if (order.cancelled_at) {
      const externalId = shopifyId(reader, order, 'Order', '');
      reader.finish();
      return shopifyCancellation(order, externalId);
    }
    if (topic === 'orders/cancelled') {
      reader.problems.push({ path: '/cancelled_at', message: 'is required on orders/cancelled' });
      reader.finish();
    }
    const financialStatus = reader.text(order.financial_status);
    if (financialStatus && financialStatus !== 'paid') {
      return { kind: 'ignored', reason: `financial_status is ${financialStatus}, not paid` };
    }

    const lines: OrderLine[] = reader.array(order.line_items, '/line_items').map((item, i) => {
      const line = reader.object(item, `/line_items/${i}`);
      const requiresShipping = line.requires_shipping !== false && line.gift_card !== true;
      let sku = reader.text(line.sku);
      if (!sku) {
        if (requiresShipping)
          reader.problems.push({
            path: `/line_items/${i}/sku`,
            message: 'is empty: give the variant a SKU in Shopify',
          });
        sku = `variant-${reader.text(line.variant_id) ?? reader.text(line.id) ?? i + 1}`;
      }
      return {
        lineId: shopifyId(reader, line, 'LineItem', `/line_items/${i}`),
        sku,
        title: reader.text(line.title) ?? reader.text(line.name),
        quantity: reader.integer(line.quantity, `/line_items/${i}/quantity`),
        unitPrice: reader.money(line.price, `/line_items/${i}/price`),
        requiresShipping,
        vendor: reader.text(line.vendor),
      };
    });
    if (lines.length > 0 && !lines.some((l) => l.requiresShipping)) {
      reader.finish();
      return { kind: 'ignored', reason: 'no line needs shipping (digital goods or gift cards)' };
    }

    const customer = reader.optionalObject(order.customer);
    const shippingRaw = order.shipping_address ?? order.billing_address;
    const shipTo = shopifyAddress(
      reader,
      reader.object(shippingRaw, '/shipping_address'),
      '/shipping_address',
    );
    const billing = order.billing_address
      ? shopifyAddress(new PayloadReader('billing'), reader.optionalObject(order.billing_address), '')
      : undefined;
    const shippingLines = Array.isArray(order.shipping_lines)
      ? (order.shipping_lines as Record<string, unknown>[])
      : [];
    const shippingSet = reader.optionalObject(
      reader.optionalObject(order.total_shipping_price_set).shop_money,
    );
    const shipping =
      shippingSet.amount !== undefined
        ? reader.money(shippingSet.amount, '/total_shipping_price_set/shop_money/amount')
        : shippingLines.reduce(
            (sum, l, i) => sum + reader.money(l.price, `/shipping_lines/${i}/price`, 0),
            0,
          );
    // total_price also holds duties, additional (import) fees and tips, each in the shop's currency.
    const shopMoney = (field: string): number => moneySetAmount(reader, order, field, 'shop_money');
    const fees =
      shopMoney('original_total_duties_set') +
      shopMoney('original_total_additional_fees_set') +
      reader.money(order.total_tip_received, '/total_tip_received', 0);
    const currency = reader.text(order.currency)?.toUpperCase() ?? '';
    const presentmentCurrency = reader.text(order.presentment_currency)?.toUpperCase();

    const draft: OrderDraft = {
      channel: 'shopify',
      externalId: shopifyId(reader, order, 'Order', ''),
      orderNumber: reader.text(order.name) ?? reader.text(order.order_number),
      placedAt: reader.date(order.processed_at ?? order.created_at, '/processed_at'),
      currency,
      customer: {
        name: personName(customer.first_name, customer.last_name) ?? shipTo.name,
        email: reader.text(order.email) ?? reader.text(order.contact_email) ?? reader.text(customer.email),
        phone: reader.text(order.phone) ?? reader.text(customer.phone) ?? shipTo.phone,
      },
      shipTo,
      billTo: billing,
      lines,
      shipping: { method: reader.text(shippingLines[0]?.title) },
      totals: {
        // Shopify's subtotal_price is after discounts; the canonical subtotal is before them.
        subtotal: reader.money(order.total_line_items_price, '/total_line_items_price'),
        shipping,
        tax: reader.money(order.total_tax, '/total_tax', 0),
        discount: reader.money(order.total_discounts, '/total_discounts', 0),
        ...(fees !== 0 ? { fees: Math.round(fees * 100) / 100 } : {}),
        total: reader.money(order.total_price, '/total_price'),
        taxesIncluded: order.taxes_included === true || undefined,
      },
      ...(presentmentCurrency && presentmentCurrency !== currency
        ? { presentment: presentmentMoney(reader, order, presentmentCurrency, lines) }
        : {}),
      tags:
        typeof order.tags === 'string' && order.tags.trim()
          ? order.tags.split(',').map((t) => t.trim())
          : undefined,
      note: reader.text(order.note),
      riskSignals: shopifyRiskSignals(reader, order),
    };
    reader.finish();
    return {
      kind: 'order',
      draft,
      deliveryId: headerValue(headers, 'X-Shopify-Event-Id') ?? headerValue(headers, 'X-Shopify-Webhook-Id'),
    };
  },
};
