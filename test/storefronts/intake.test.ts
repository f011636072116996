import assert from 'node:assert/strict';
import crypto, { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import { parseJsonBody } from '../../core/http-body';
import { parseStorefrontBody } from '../../core/intake/receive-order';
import type { OrderDraft } from '../../core/model/order';
import { validateOrder } from '../../core/validation/validate-order';
import type { IntakeDecision } from '../../core/ports/storefront-intake';
import {
  genericJsonIntake,
  genericJsonIntakeFor,
  withOrderDefaults,
} from '../../connectors/storefronts/generic-json';
import { storefrontIntake } from '../../connectors/storefronts/intakes';
import { shopifyIntake } from '../../connectors/storefronts/shopify';
import { wooCommerceIntake } from '../../connectors/storefronts/woocommerce';

const SHOPIFY_SECRET = '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';
const WOO_SECRET = 'w00-s3cret with spaces & symbols';

function fixtureBytes(name: string): Buffer {
  return readFileSync(path.join(__dirname, '..', 'fixtures', name));
}

function sign(body: Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/** Headers as Shopify sends them with a webhook (Node lower-cases header names). */
function shopifyHeaders(body: Buffer, topic = 'orders/paid', eventId = 'a1b2c3d4-0001'): IncomingHttpHeaders {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': sign(body, SHOPIFY_SECRET),
    'x-shopify-shop-domain': 'quiet-harbour.myshopify.com',
    'x-shopify-api-version': '2025-10',
    'x-shopify-webhook-id': `wh-${eventId}`,
    'x-shopify-event-id': eventId,
    'x-shopify-triggered-at': '2026-11-20T14:14:09.512Z',
  };
}

/** Headers as WooCommerce's webhook delivery sends them. */
function wooHeaders(body: Buffer, topic = 'order.created'): IncomingHttpHeaders {
  return {
    'content-type': 'application/json',
    'x-wc-webhook-source': 'https://shop.example.net/',
    'x-wc-webhook-topic': topic,
    'x-wc-webhook-resource': topic.split('.')[0],
    'x-wc-webhook-event': topic.split('.')[1],
    'x-wc-webhook-signature': sign(body, WOO_SECRET),
    'x-wc-webhook-id': '12',
    'x-wc-webhook-delivery-id': '8d1f6a3e0c2b4d59a7e1c0f2b3a4d5e6',
  };
}

/** A fixture with some fields replaced, re-serialised as the storefront would send it. */
function modified(name: string, change: (order: Record<string, unknown>) => void): Buffer {
  const order = parseJsonBody(fixtureBytes(name)) as Record<string, unknown>;
  change(order);
  return Buffer.from(JSON.stringify(order));
}

function lineItems(order: Record<string, unknown>): Record<string, unknown>[] {
  return order.line_items as Record<string, unknown>[];
}

function accepted(decision: IntakeDecision): { draft: OrderDraft; deliveryId?: string } {
  if (decision.kind === 'ignored') assert.fail(`ignored: ${decision.reason}`);
  if (decision.kind === 'change') assert.fail(`a change, not an order: ${decision.change.kind}`);
  return decision;
}

function orderOf(decision: IntakeDecision): OrderDraft {
  return accepted(decision).draft;
}

function invalidPaths(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof DropshipError, String(err));
    assert.equal(err.code, 'invalid_input');
    return err.details.map((d) => d.path);
  }
  assert.fail('expected an invalid_input error');
}

function signatureError(run: () => void): DropshipError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof DropshipError, String(err));
    return err;
  }
  assert.fail('expected the signature to be refused');
}

describe('Shopify intake', () => {
  const paid = fixtureBytes('shopify/orders-paid.json');

  describe('signature (X-Shopify-Hmac-Sha256)', () => {
    it('accepts the HMAC of the raw body with the app secret', () => {
      assert.doesNotThrow(() => shopifyIntake.verify(paid, shopifyHeaders(paid), [SHOPIFY_SECRET]));
    });

    it('refuses a signature made with another secret', () => {
      const headers = { ...shopifyHeaders(paid), 'x-shopify-hmac-sha256': sign(paid, 'another-secret') };
      const err = signatureError(() => shopifyIntake.verify(paid, headers, [SHOPIFY_SECRET]));
      assert.equal(err.code, 'bad_signature');
      assert.match(err.message, /X-Shopify-Hmac-Sha256 signature does not match the body/);
    });

    it('refuses a delivery without the header, naming it', () => {
      const headers = shopifyHeaders(paid);
      delete headers['x-shopify-hmac-sha256'];
      const err = signatureError(() => shopifyIntake.verify(paid, headers, [SHOPIFY_SECRET]));
      assert.equal(err.code, 'bad_signature');
      assert.match(err.message, /X-Shopify-Hmac-Sha256 header is missing/);
    });

    it('refuses the body with one byte changed', () => {
      const headers = shopifyHeaders(paid);
      const tampered = Buffer.from(paid);
      const at = tampered.indexOf('"84.78"');
      tampered[at + 2] = '9'.charCodeAt(0);
      assert.equal(tampered.length, paid.length);
      assert.equal(
        signatureError(() => shopifyIntake.verify(tampered, headers, [SHOPIFY_SECRET])).code,
        'bad_signature',
      );
    });

    it('accepts either secret while the app secret is rotated, and neither after', () => {
      const next = 'shpss_rotated_0a9b8c7d6e5f';
      const signedWithOld = shopifyHeaders(paid);
      const signedWithNew = { ...signedWithOld, 'x-shopify-hmac-sha256': sign(paid, next) };
      assert.doesNotThrow(() => shopifyIntake.verify(paid, signedWithOld, [next, SHOPIFY_SECRET]));
      assert.doesNotThrow(() => shopifyIntake.verify(paid, signedWithNew, [next, SHOPIFY_SECRET]));
      assert.doesNotThrow(() => shopifyIntake.verify(paid, signedWithNew, [next, '']));
      assert.equal(
        signatureError(() => shopifyIntake.verify(paid, signedWithOld, [next])).code,
        'bad_signature',
      );
    });

    it('is a configuration error, not a pass, when no secret is configured', () => {
      const err = signatureError(() => shopifyIntake.verify(paid, shopifyHeaders(paid), ['', '']));
      assert.equal(err.code, 'configuration');
      assert.deepEqual(err.details, [{ path: 'webhookSecret', message: 'is required' }]);
    });

    it('compares the digests with crypto.timingSafeEqual', () => {
      const original = crypto.timingSafeEqual;
      const compared: [Buffer, Buffer][] = [];
      crypto.timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView): boolean => {
        compared.push([
          Buffer.from(a.buffer, a.byteOffset, a.byteLength),
          Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        ]);
        return original(a, b);
      };
      try {
        const wrong = { ...shopifyHeaders(paid), 'x-shopify-hmac-sha256': sign(paid, 'another-secret') };
        assert.throws(() => shopifyIntake.verify(paid, wrong, [SHOPIFY_SECRET]));
        shopifyIntake.verify(paid, shopifyHeaders(paid), [SHOPIFY_SECRET]);
      } finally {
        crypto.timingSafeEqual = original;
      }
      assert.equal(compared.length, 2);
      assert.equal(compared[1]![0].toString(), sign(paid, SHOPIFY_SECRET));
    });
  });

  describe('orders/paid payload', () => {
    it('normalises the published order JSON to the canonical order', () => {
      const order = orderOf(shopifyIntake.interpret(parseJsonBody(paid), shopifyHeaders(paid)));
      assert.equal(order.channel, 'shopify');
      assert.equal(order.orderNumber, '#1042');
      assert.equal(order.placedAt, '2026-11-20T14:14:05.000Z');
      assert.equal(order.currency, 'USD');
      assert.deepEqual(order.customer, {
        name: 'Grace Hopper',
        email: 'grace.hopper@example.com',
        phone: '+1 415-555-0142',
      });
      assert.deepEqual(order.shipTo, {
        name: 'Grace Hopper',
        company: undefined,
        line1: '500 Compiler Lane',
        line2: 'Apt 3',
        city: 'San Francisco',
        region: 'CA',
        postalCode: '94107',
        country: 'US',
        phone: '+1 415-555-0142',
      });
      assert.equal(order.shipping.method, 'Standard');
      assert.deepEqual(order.totals, {
        subtotal: 78,
        shipping: 6.95,
        tax: 4.83,
        discount: 5,
        total: 84.78,
        taxesIncluded: undefined,
      });
      assert.deepEqual(order.tags, ['wholesale-lead', 'first-order']);
      assert.equal(order.note, 'Please leave the parcel with the neighbour at 14');
      assert.doesNotThrow(() => validateOrder(JSON.parse(JSON.stringify(order))));
    });

    it('keeps duties, additional fees and tips, which total_price includes, as fees', () => {
      const money = (amount: string) => ({
        shop_money: { amount, currency_code: 'USD' },
        presentment_money: { amount, currency_code: 'USD' },
      });
      const body = Buffer.from(
        JSON.stringify({
          ...(JSON.parse(paid.toString()) as Record<string, unknown>),
          original_total_duties_set: money('12.40'),
          original_total_additional_fees_set: money('3.10'),
          total_tip_received: '5.00',
          total_price: '105.28',
        }),
      );
      const order = orderOf(shopifyIntake.interpret(parseJsonBody(body), shopifyHeaders(body)));
      assert.equal(order.totals.fees, 20.5);
      assert.equal(order.totals.total, 105.28);
      assert.equal(validateOrder(JSON.parse(JSON.stringify(order))).totals.fees, 20.5);
      // Without the fees the same total does not add up, and the error says so.
      const withoutFees = { ...order.totals, fees: undefined };
      assert.throws(
        () => validateOrder(JSON.parse(JSON.stringify({ ...order, totals: withoutFees }))),
        (err: DropshipError) =>
          err.details.some((d) => d.path === '/totals/total' && /is 105\.28 but subtotal/.test(d.message)),
      );
    });

    it('keeps both money sets of an order in another presentment currency (a GBP order of a USD shop)', () => {
      const gbp = fixtureBytes('shopify/orders-paid-presentment-gbp.json');
      const order = orderOf(shopifyIntake.interpret(parseJsonBody(gbp), shopifyHeaders(gbp)));
      // The shop's money stays the order's own: it is what the payout and the books are in.
      assert.equal(order.currency, 'USD');
      assert.equal(order.totals.total, 84.78);
      assert.deepEqual(order.presentment, {
        currency: 'GBP',
        totals: {
          subtotal: 62.4,
          shipping: 5.56,
          tax: 3.86,
          discount: 4,
          total: 67.82,
          taxesIncluded: undefined,
        },
        lines: order.lines.map((line, i) => ({ lineId: line.lineId, unitPrice: [11.6, 19.2, 20][i] })),
      });
      assert.deepEqual(validateOrder(JSON.parse(JSON.stringify(order))).presentment?.totals.total, 67.82);
      // An order in the shop's own currency carries one money set only.
      assert.equal(
        orderOf(shopifyIntake.interpret(parseJsonBody(paid), shopifyHeaders(paid))).presentment,
        undefined,
      );
    });

    it('keeps order and line ids beyond 2^53 exact through admin_graphql_api_id', () => {
      const parsed = parseJsonBody(paid) as { id: number };
      assert.notEqual(String(parsed.id), '5860291657779245071', 'JSON.parse has rounded the numeric id');
      const order = orderOf(shopifyIntake.interpret(parsed, shopifyHeaders(paid)));
      assert.equal(order.externalId, '5860291657779245071');
      assert.deepEqual(
        order.lines.map((l) => l.lineId),
        ['8423017756012937481', '8423017756012937482', '8423017756012937483'],
      );
    });

    it('marks gift-card lines as not shippable and gives them a placeholder SKU', () => {
      const order = orderOf(shopifyIntake.interpret(parseJsonBody(paid), shopifyHeaders(paid)));
      assert.deepEqual(
        order.lines.map((l) => [l.sku, l.quantity, l.unitPrice, l.requiresShipping]),
        [
          ['MUG-CER-11OZ', 2, 14.5, true],
          ['TEE-ORG-M', 1, 24, true],
          ['variant-44310298786119', 1, 25, false],
        ],
      );
      assert.equal(order.lines[0]!.title, 'Ceramic Mug');
      assert.equal(order.lines[0]!.vendor, 'Kiln & Co');
    });

    it('treats a line with requires_shipping false (digital goods) as not shippable', () => {
      const body = modified('shopify/orders-paid.json', (o) => {
        lineItems(o)[1]!.requires_shipping = false;
      });
      const order = orderOf(shopifyIntake.interpret(parseJsonBody(body), shopifyHeaders(body)));
      assert.deepEqual(
        order.lines.map((l) => l.requiresShipping),
        [true, false, false],
      );
    });

    it('ignores an order whose lines are all digital or gift cards', () => {
      const body = fixtureBytes('shopify/orders-paid-digital-only.json');
      const decision = shopifyIntake.interpret(parseJsonBody(body), shopifyHeaders(body));
      assert.deepEqual(decision, {
        kind: 'ignored',
        reason: 'no line needs shipping (digital goods or gift cards)',
      });
    });

    it('takes a tax-included shop: the tax is inside the prices, and the totals add up without it', () => {
      const body = fixtureBytes('shopify/orders-paid-taxes-included.json');
      const order = orderOf(shopifyIntake.interpret(parseJsonBody(body), shopifyHeaders(body)));
      assert.deepEqual(order.totals, {
        subtotal: 35.7,
        shipping: 4.9,
        tax: 6.48,
        discount: 0,
        total: 40.6,
        taxesIncluded: true,
      });
      assert.equal(order.shipTo.region, undefined);
      assert.equal(order.shipTo.country, 'DE');
      assert.equal(order.shipTo.city, 'Göttingen');
      assert.equal(validateOrder(JSON.parse(JSON.stringify(order))).totals.total, 40.6);
    });

    it('names /line_items/N/sku when a shippable line has no SKU', () => {
      const body = modified('shopify/orders-paid.json', (o) => {
        lineItems(o)[1]!.sku = '';
      });
      const paths = invalidPaths(() => shopifyIntake.interpret(parseJsonBody(body), shopifyHeaders(body)));
      assert.deepEqual(paths, ['/line_items/1/sku']);
    });

    it('lists every problem of a broken payload with its source path', () => {
      const body = modified('shopify/orders-paid.json', (o) => {
        delete o.shipping_address;
        delete o.billing_address;
        lineItems(o)[0]!.quantity = 'two';
        lineItems(o)[0]!.price = 'free';
        o.total_price = null;
      });
      const paths = invalidPaths(() => shopifyIntake.interpret(parseJsonBody(body), shopifyHeaders(body)));
      assert.deepEqual(paths.sort(), [
        '/line_items/0/price',
        '/line_items/0/quantity',
        '/shipping_address',
        '/shipping_address/address1',
        '/shipping_address/city',
        '/shipping_address/country_code',
        '/total_price',
      ]);
    });
  });

  describe('topics and payment state', () => {
    it('accepts orders/create when the order is already paid', () => {
      const decision = shopifyIntake.interpret(parseJsonBody(paid), shopifyHeaders(paid, 'orders/create'));
      assert.equal(orderOf(decision).externalId, '5860291657779245071');
    });

    it('ignores an unpaid orders/create with the financial status as the reason', () => {
      const body = modified('shopify/orders-paid.json', (o) => {
        o.financial_status = 'pending';
      });
      assert.deepEqual(shopifyIntake.interpret(parseJsonBody(body), shopifyHeaders(body, 'orders/create')), {
        kind: 'ignored',
        reason: 'financial_status is pending, not paid',
      });
    });

    it('ignores topics that carry no paid order', () => {
      for (const topic of ['orders/fulfilled', 'products/update']) {
        assert.deepEqual(shopifyIntake.interpret(parseJsonBody(paid), shopifyHeaders(paid, topic)), {
          kind: 'ignored',
          reason: `topic ${topic} carries no paid order`,
        });
      }
    });

    it('takes a cancelled order as a cancellation of the stored one, not as an order to fulfil', () => {
      const body = modified('shopify/orders-paid.json', (o) => {
        o.cancelled_at = '2026-11-20T10:00:00-05:00';
        o.cancel_reason = 'customer';
      });
      const decision = shopifyIntake.interpret(parseJsonBody(body), shopifyHeaders(body, 'orders/updated'));
      assert.equal(decision.kind, 'change');
      assert.equal(decision.kind === 'change' && decision.change.whole, true);
    });
  });

  describe('delivery id', () => {
    it('is X-Shopify-Event-Id, the same on every retry and subscription of one event', () => {
      const decision = shopifyIntake.interpret(
        parseJsonBody(paid),
        shopifyHeaders(paid, 'orders/paid', 'ev-77'),
      );
      assert.equal(accepted(decision).deliveryId, 'ev-77');
    });

    it('falls back to X-Shopify-Webhook-Id where the event id is absent', () => {
      const headers = shopifyHeaders(paid, 'orders/paid', 'ev-78');
      delete headers['x-shopify-event-id'];
      assert.equal(accepted(shopifyIntake.interpret(parseJsonBody(paid), headers)).deliveryId, 'wh-ev-78');
    });
  });
});

describe('WooCommerce intake', () => {
  const processing = fixtureBytes('woocommerce/order-processing.json');

  it('verifies X-WC-Webhook-Signature over the raw body', () => {
    assert.doesNotThrow(() => wooCommerceIntake.verify(processing, wooHeaders(processing), [WOO_SECRET]));
    const wrong = { ...wooHeaders(processing), 'x-wc-webhook-signature': sign(processing, 'guess') };
    const err = signatureError(() => wooCommerceIntake.verify(processing, wrong, [WOO_SECRET]));
    assert.equal(err.code, 'bad_signature');
    assert.match(err.message, /X-WC-Webhook-Signature/);
    const unsigned = wooHeaders(processing);
    delete unsigned['x-wc-webhook-signature'];
    assert.equal(
      signatureError(() => wooCommerceIntake.verify(processing, unsigned, [WOO_SECRET])).code,
      'bad_signature',
    );
  });

  it('normalises a processing order: GMT dates as UTC, unit prices from the line subtotal before discounts', () => {
    const decision = accepted(wooCommerceIntake.interpret(parseJsonBody(processing), wooHeaders(processing)));
    assert.equal(decision.deliveryId, undefined, 'X-WC-Webhook-Delivery-ID names a delivery, not an event');
    const order = decision.draft;
    assert.equal(order.channel, 'woocommerce');
    assert.equal(order.externalId, '4821');
    assert.equal(order.orderNumber, '4821');
    // date_paid_gmt carries no zone designator; the site-local date_paid is 8 hours earlier.
    assert.equal(order.placedAt, '2026-11-20T15:31:39.000Z');
    assert.deepEqual(
      order.lines.map((l) => [l.lineId, l.sku, l.title, l.quantity, l.unitPrice, l.requiresShipping]),
      [
        ['731', 'WCB-LG', 'Walnut Cutting Board - Large', 1, 45, true],
        ['732', 'BW-FIN-200', 'Beeswax Finish 200 ml', 2, 9, true],
      ],
    );
    assert.deepEqual(order.totals, {
      subtotal: 63,
      shipping: 7.5,
      tax: 4.54,
      discount: 6.3,
      total: 68.74,
      taxesIncluded: undefined,
    });
    assert.deepEqual(order.customer, {
      name: 'Katherine Johnson',
      email: 'katherine.johnson@example.net',
      phone: '757-555-0199',
    });
    assert.equal(order.shipTo.line2, 'Unit B');
    assert.equal(order.shipTo.region, 'VA');
    assert.equal(order.shipping.method, 'Flat rate');
    assert.equal(order.note, 'Gate code 4411');
    assert.doesNotThrow(() => validateOrder(JSON.parse(JSON.stringify(order))));
  });

  it('keeps the billing address as billTo, beside the shipping address', () => {
    const order = orderOf(wooCommerceIntake.interpret(parseJsonBody(processing), wooHeaders(processing)));
    assert.deepEqual(order.billTo, {
      name: 'Katherine Johnson',
      company: undefined,
      line1: '12 Orbit Road',
      line2: undefined,
      city: 'Hampton',
      region: 'VA',
      postalCode: '23666',
      country: 'US',
      phone: '757-555-0199',
    });
    assert.deepEqual(validateOrder(JSON.parse(JSON.stringify(order))).billTo?.line1, '12 Orbit Road');
  });

  it('adds fee lines (a surcharge, a negative credit) to the totals, with their tax in a tax-included shop', () => {
    const fee = (id: number, name: string, total: string, totalTax: string) => ({
      id,
      name,
      tax_class: '',
      tax_status: 'taxable',
      amount: total,
      total,
      total_tax: totalTax,
      taxes: [],
      meta_data: [],
    });
    const base = JSON.parse(processing.toString()) as Record<string, unknown>;
    // 68.74 + card surcharge 2.00 (+0.16 tax) - loyalty credit 1.50 = 69.40; the fee's tax is in total_tax.
    const body = Buffer.from(
      JSON.stringify({
        ...base,
        fee_lines: [fee(901, 'Card surcharge', '2.00', '0.16'), fee(902, 'Loyalty credit', '-1.50', '0.00')],
        total_tax: '4.70',
        total: '69.40',
      }),
    );
    const order = orderOf(wooCommerceIntake.interpret(parseJsonBody(body), wooHeaders(body)));
    assert.equal(order.totals.fees, 0.5);
    assert.equal(order.totals.tax, 4.7);
    assert.equal(validateOrder(JSON.parse(JSON.stringify(order))).totals.total, 69.4);

    const taxIncluded = Buffer.from(
      JSON.stringify({
        ...base,
        prices_include_tax: true,
        fee_lines: [fee(903, 'Gift wrap', '4.00', '0.80')],
      }),
    );
    const gross = orderOf(wooCommerceIntake.interpret(parseJsonBody(taxIncluded), wooHeaders(taxIncluded)));
    assert.equal(gross.totals.fees, 4.8, 'a tax-included shop keeps the fee gross, as its customer saw it');
  });

  it('names a fee line whose total is not an amount', () => {
    const body = Buffer.from(
      JSON.stringify({
        ...(JSON.parse(processing.toString()) as Record<string, unknown>),
        fee_lines: [{ id: 904, name: 'Surcharge', total: 'two dollars', total_tax: '0' }],
      }),
    );
    assert.throws(
      () => wooCommerceIntake.interpret(parseJsonBody(body), wooHeaders(body)),
      (err: DropshipError) => err.details.some((d) => d.path === '/fee_lines/0/total'),
    );
  });

  it('takes a shop whose prices include tax: customer prices gross, totals that add up', () => {
    const body = fixtureBytes('woocommerce/order-prices-include-tax.json');
    const order = orderOf(
      wooCommerceIntake.interpret(parseJsonBody(body), wooHeaders(body, 'order.updated')),
    );
    assert.equal(order.lines[0]!.unitPrice, 299);
    assert.deepEqual(order.totals, {
      subtotal: 598,
      shipping: 49,
      tax: 117.44,
      discount: 59.8,
      total: 587.2,
      taxesIncluded: true,
    });
    assert.equal(order.placedAt, '2026-11-20T09:16:02.000Z');
    assert.equal(validateOrder(JSON.parse(JSON.stringify(order))).totals.total, 587.2);
  });

  it('ignores orders that are not processing, with the status as the reason', () => {
    for (const status of ['pending', 'on-hold', 'completed', 'failed']) {
      const body = modified('woocommerce/order-processing.json', (o) => {
        o.status = status;
      });
      assert.deepEqual(wooCommerceIntake.interpret(parseJsonBody(body), wooHeaders(body, 'order.updated')), {
        kind: 'ignored',
        reason: `status is ${status}, not processing`,
      });
    }
  });

  it('ignores topics other than order.created and order.updated', () => {
    assert.deepEqual(
      wooCommerceIntake.interpret(parseJsonBody(processing), wooHeaders(processing, 'order.deleted')),
      {
        kind: 'ignored',
        reason: 'topic order.deleted carries no order',
      },
    );
  });

  it('answers the unsigned ping WooCommerce sends when a webhook is saved, and ignores it', () => {
    const ping = Buffer.from('webhook_id=12');
    const headers: IncomingHttpHeaders = {
      'user-agent': 'WooCommerce/9.4.2 Hookshot (WordPress/6.7)',
      'content-type': 'application/x-www-form-urlencoded',
    };
    assert.doesNotThrow(() => wooCommerceIntake.verify(ping, headers, [WOO_SECRET]));
    assert.deepEqual(wooCommerceIntake.interpret(parseStorefrontBody(wooCommerceIntake, ping), headers), {
      kind: 'ignored',
      reason: 'ping for webhook 12',
    });
  });

  it('still checks a signature that a ping-shaped body carries', () => {
    const ping = Buffer.from('webhook_id=12');
    const headers: IncomingHttpHeaders = { 'x-wc-webhook-signature': sign(ping, 'guess') };
    assert.equal(
      signatureError(() => wooCommerceIntake.verify(ping, headers, [WOO_SECRET])).code,
      'bad_signature',
    );
  });

  it('names the WooCommerce fields of an order it cannot fulfil', () => {
    const body = modified('woocommerce/order-processing.json', (o) => {
      lineItems(o)[1]!.sku = '';
      (o.shipping as Record<string, unknown>).address_1 = '';
      (o.shipping as Record<string, unknown>).country = '';
      o.total = 'n/a';
    });
    const paths = invalidPaths(() => wooCommerceIntake.interpret(parseJsonBody(body), wooHeaders(body)));
    assert.deepEqual(paths.sort(), [
      '/line_items/1/sku',
      '/shipping/address_1',
      '/shipping/country',
      '/total',
    ]);
  });
});

describe('generic JSON intake', () => {
  const minimal = {
    externalId: 'ERP-5531',
    currency: 'EUR',
    customer: { email: 'ops@example.org' },
    shipTo: { line1: '1 Rue de la Paix', city: 'Paris', country: 'FR' },
    lines: [
      { sku: 'LAMP-01', quantity: 2, unitPrice: 19.99 },
      { sku: 'BULB-E27', quantity: 3, unitPrice: 3.35 },
    ],
  };

  it('fills channel, line ids, requiresShipping, shipping and totals from the lines', () => {
    const order = orderOf(genericJsonIntake.interpret(minimal, {}));
    assert.equal(order.channel, 'generic');
    assert.deepEqual(
      order.lines.map((l) => [l.lineId, l.requiresShipping]),
      [
        ['1', true],
        ['2', true],
      ],
    );
    assert.deepEqual(order.shipping, {});
    assert.deepEqual(order.totals, { subtotal: 50.03, shipping: 0, tax: 0, discount: 0, total: 50.03 });
    assert.ok(!Number.isNaN(Date.parse(order.placedAt)));
    assert.doesNotThrow(() => validateOrder(order));
  });

  it('keeps what the sender gave over the defaults', () => {
    const order = withOrderDefaults(
      {
        ...minimal,
        channel: 'erp',
        placedAt: '2026-11-19T08:00:00Z',
        lines: [{ lineId: 'L-9', sku: 'CARD-GIFT', quantity: 1, unitPrice: 50, requiresShipping: false }],
        totals: { subtotal: 50, shipping: 0, tax: 0, discount: 10, total: 40 },
      },
      'generic',
    ) as OrderDraft;
    assert.equal(order.channel, 'erp');
    assert.equal(order.placedAt, '2026-11-19T08:00:00Z');
    assert.deepEqual(order.lines[0], {
      lineId: 'L-9',
      sku: 'CARD-GIFT',
      quantity: 1,
      unitPrice: 50,
      requiresShipping: false,
    });
    assert.equal(order.totals.total, 40);
  });

  it('validates strictly, naming each offending path', () => {
    const sent = {
      ...minimal,
      shipTo: { ...minimal.shipTo, country: 'France' },
      lines: [{ sku: 'LAMP-01', quantity: 0, unitPrice: 19.99, colour: 'red' }],
    };
    const paths = invalidPaths(() => genericJsonIntake.interpret(sent, {}));
    assert.deepEqual(paths.sort(), ['/lines/0/colour', '/lines/0/quantity', '/shipTo/country']);
  });

  it('requires X-Dropship-Signature, and refuses to take orders with no secret configured', () => {
    const body = Buffer.from(JSON.stringify(minimal));
    assert.equal(signatureError(() => genericJsonIntake.verify(body, {}, [])).code, 'configuration');
    assert.equal(signatureError(() => genericJsonIntake.verify(body, {}, ['s3'])).code, 'bad_signature');
    assert.doesNotThrow(() =>
      genericJsonIntake.verify(body, { 'x-dropship-signature': sign(body, 's3') }, ['s3']),
    );
  });

  it('checks a signature in the header the operator chose, or a bearer token, with two secrets in rotation', () => {
    const body = Buffer.from(JSON.stringify(minimal));
    const signed = genericJsonIntakeFor({ scheme: 'signature', header: 'X-Erp-Hmac' });
    assert.doesNotThrow(() => signed.verify(body, { 'x-erp-hmac': sign(body, 'old') }, ['new', 'old']));
    assert.equal(
      signatureError(() => signed.verify(body, { 'x-dropship-signature': sign(body, 'new') }, ['new'])).code,
      'bad_signature',
    );
    const token = genericJsonIntakeFor({ scheme: 'token', header: '' });
    assert.doesNotThrow(() => token.verify(body, { authorization: 'Bearer new' }, ['new', 'old']));
    assert.doesNotThrow(() => token.verify(body, { authorization: 'bearer old' }, ['new', 'old']));
    for (const authorization of [undefined, 'Bearer ne', 'Bearer new2', 'Basic bmV3', 'Bearer  '])
      assert.equal(
        signatureError(() => token.verify(body, authorization ? { authorization } : {}, ['new', 'old'])).code,
        'bad_signature',
        String(authorization),
      );
  });
});

describe('storefrontIntake', () => {
  it('finds each platform and names the known ones for an unknown platform', () => {
    assert.equal(storefrontIntake('shopify'), shopifyIntake);
    assert.equal(storefrontIntake('woocommerce'), wooCommerceIntake);
    assert.equal(storefrontIntake('generic'), genericJsonIntake);
    assert.throws(
      () => storefrontIntake('magento'),
      (err: unknown) =>
        err instanceof DropshipError &&
        err.code === 'configuration' &&
        err.details[0]?.message === 'must be one of shopify, woocommerce, generic',
    );
  });
});
