import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseJsonBody } from '../../core/http-body';
import { parseStorefrontBody, receiveStorefrontOrder } from '../../core/intake/receive-order';
import { openStore } from '../../core/store/open-store';
import type { StorefrontOrderChange } from '../../core/model/order-change';
import type { IntakeDecision } from '../../core/ports/storefront-intake';
import { shopifyIntake } from '../../connectors/storefronts/shopify';
import { wooCommerceIntake } from '../../connectors/storefronts/woocommerce';

const SECRET = 'shpss_changes';

function fixture(name: string): Buffer {
  return readFileSync(path.join(__dirname, '..', 'fixtures', name));
}

function shopifyHeaders(body: Buffer, topic: string): IncomingHttpHeaders {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
    'x-shopify-event-id': `evt-${topic}`,
  };
}

function shopify(name: string, topic: string): IntakeDecision {
  const body = fixture(name);
  const headers = shopifyHeaders(body, topic);
  shopifyIntake.verify(body, headers, [SECRET]);
  return shopifyIntake.interpret(parseStorefrontBody(shopifyIntake, body), headers);
}

function changeOf(decision: IntakeDecision): StorefrontOrderChange {
  if (decision.kind !== 'change') assert.fail(`not a change: ${JSON.stringify(decision).slice(0, 200)}`);
  return decision.change;
}

describe('storefront changes to paid orders (webhook payloads)', () => {
  it('reads Shopify orders/cancelled as a cancellation of the whole order, not an ignored delivery', () => {
    const change = changeOf(shopify('shopify/orders-cancelled.json', 'orders/cancelled'));
    assert.deepEqual(change, {
      channel: 'shopify',
      externalId: '5860291657779245071',
      kind: 'cancel',
      whole: true,
      lines: [],
      key: 'cancel:2026-11-20T20:02:41.000Z',
      reason: 'customer',
      // The payload's financial_status is refunded: the shop paid everything back as it cancelled.
      shopRefunds: 'all',
    });
  });

  it('reads the orders/updated Shopify sends with a cancellation as the same change (same key)', () => {
    const cancelled = changeOf(shopify('shopify/orders-cancelled.json', 'orders/cancelled'));
    const updated = changeOf(shopify('shopify/orders-cancelled.json', 'orders/updated'));
    assert.equal(updated.key, cancelled.key);
  });

  it('reads Shopify orders/edited removals with exact line ids beyond 2^53', () => {
    const change = changeOf(shopify('shopify/orders-edited.json', 'orders/edited'));
    assert.deepEqual(change, {
      channel: 'shopify',
      externalId: '5860291657779245071',
      kind: 'edit',
      whole: false,
      lines: [{ lineId: '8423017756012937481', mode: 'remove', quantity: 1 }],
      key: 'edit:78912328',
      reason: 'customer wants one mug',
    });
  });

  it('reads Shopify refunds/create: the refund made and the units it cancels', () => {
    const change = changeOf(shopify('shopify/refunds-create.json', 'refunds/create'));
    assert.deepEqual(change, {
      channel: 'shopify',
      externalId: '5860291657779245071',
      kind: 'refund',
      whole: false,
      lines: [{ lineId: '8423017756012937482', mode: 'remove', quantity: 1 }],
      key: 'refund:929361471',
      reason: 'out of stock at the warehouse',
      refund: { id: '929361471', amount: 24, currency: 'USD' },
    });
  });

  it('does not cancel units a Shopify refund took back as returned', () => {
    const body = Buffer.from(
      fixture('shopify/refunds-create.json').toString('utf8').replace('"cancel"', '"return"'),
    );
    const change = changeOf(
      shopifyIntake.interpret(
        parseStorefrontBody(shopifyIntake, body),
        shopifyHeaders(body, 'refunds/create'),
      ),
    );
    assert.deepEqual(change.lines, []);
  });

  it('names the field of an orders/edited payload it cannot read', () => {
    const body = Buffer.from(
      JSON.stringify({ order_edit: { id: 1, order_id: 2, line_items: { removals: [{ id: 3 }] } } }),
    );
    assert.throws(
      () => shopifyIntake.interpret(parseJsonBody(body), shopifyHeaders(body, 'orders/edited')),
      (err: Error & { details?: { path: string }[] }) =>
        err.details?.some((d) => d.path === '/order_edit/line_items/removals/0/delta') === true,
    );
  });

  it('reads WooCommerce order.updated to cancelled as a cancellation of the whole order', () => {
    const body = fixture('woocommerce/order-cancelled.json');
    const change = changeOf(
      wooCommerceIntake.interpret(parseJsonBody(body), { 'x-wc-webhook-topic': 'order.updated' }),
    );
    assert.deepEqual(
      { ...change, reason: undefined },
      {
        channel: 'woocommerce',
        externalId: '4821',
        kind: 'cancel',
        whole: true,
        lines: [],
        key: 'status:cancelled',
        reason: undefined,
      },
    );
  });

  it('takes a WooCommerce order.updated with changed quantities as an edit of the stored order, once', async () => {
    const store = await openStore({ engine: 'sqlite', filename: ':memory:' });
    try {
      const headers = { 'x-wc-webhook-topic': 'order.updated' };
      const paid = parseJsonBody(fixture('woocommerce/order-processing.json')) as {
        line_items: { id: number; quantity: number; subtotal: string }[];
        total: string;
      };
      const created = await receiveStorefrontOrder(store, wooCommerceIntake, paid, headers, 'test');
      assert.equal(created.kind, 'created');
      const unchanged = await receiveStorefrontOrder(store, wooCommerceIntake, paid, headers, 'test');
      assert.equal(unchanged.kind, 'duplicate');
      // The shop lowers the second line from 2 to 1 (its subtotal with it).
      const line = paid.line_items[1]!;
      const unit = Number(line.subtotal) / line.quantity;
      line.subtotal = unit.toFixed(2);
      line.quantity = 1;
      paid.total = (Number(paid.total) - unit).toFixed(2);
      const edited = await receiveStorefrontOrder(store, wooCommerceIntake, paid, headers, 'test');
      assert.equal(edited.kind, 'change');
      assert.deepEqual(edited.kind === 'change' && edited.change.lines, [
        { lineId: String(line.id), mode: 'set', quantity: 1 },
      ]);
      const again = await receiveStorefrontOrder(store, wooCommerceIntake, paid, headers, 'test');
      assert.equal(again.kind === 'change' && again.created, false);
    } finally {
      await store.close();
    }
  });

  it('keeps integers beyond 2^53 exact and leaves the rest of the JSON alone', () => {
    const body = Buffer.from(
      '{"a":9007199254740993,"b":"x 9007199254740993 \\" 1","c":[1.5e300,-12345678901234567890],"d":12}',
    );
    assert.deepEqual(parseJsonBody(body, { exactIntegers: true }), {
      a: '9007199254740993',
      b: 'x 9007199254740993 " 1',
      c: [1.5e300, '-12345678901234567890'],
      d: 12,
    });
  });
});
