import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import { parseJsonBody } from '../../core/http-body';
import { parseStorefrontBody, receiveStorefrontOrder } from '../../core/intake/receive-order';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { oversellRates } from '../../core/metrics/oversell-rates';
import { genericJsonIntake } from '../../connectors/storefronts/generic-json';
import { shopifyIntake } from '../../connectors/storefronts/shopify';
import { wooCommerceIntake } from '../../connectors/storefronts/woocommerce';

const ACTOR = 'order-in:test';

function fixture(name: string): Buffer {
  return readFileSync(path.join(__dirname, '..', 'fixtures', name));
}

function shopifyHeaders(body: Buffer, eventId: string, topic = 'orders/paid'): IncomingHttpHeaders {
  return {
    'x-shopify-topic': topic,
    'x-shopify-event-id': eventId,
    'x-shopify-hmac-sha256': createHmac('sha256', 'secret').update(body).digest('base64'),
  };
}

function nested(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

function refusal(run: () => unknown): DropshipError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof DropshipError, String(err));
    return err;
  }
  assert.fail('expected the body to be refused');
}

describe('parseJsonBody', () => {
  it('parses a JSON body', () => {
    assert.deepEqual(parseJsonBody(Buffer.from('{"id": 7, "lines": []}')), { id: 7, lines: [] });
  });

  it('refuses an empty body', () => {
    const err = refusal(() => parseJsonBody(Buffer.alloc(0)));
    assert.equal(err.code, 'invalid_input');
    assert.equal(err.message, 'the body is empty');
    assert.deepEqual(err.details, [{ path: '', message: 'is empty' }]);
  });

  it('refuses a body that is not JSON and quotes the parser', () => {
    const err = refusal(() => parseJsonBody(Buffer.from('{"id": 7,')));
    assert.equal(err.code, 'invalid_input');
    assert.match(err.message, /^the body is not JSON: /);
    assert.deepEqual(err.details, [{ path: '', message: 'is not JSON' }]);
  });

  it('takes 32 levels of nesting and refuses 33', () => {
    assert.doesNotThrow(() => parseJsonBody(Buffer.from(nested(32))));
    const err = refusal(() => parseJsonBody(Buffer.from(nested(33))));
    assert.equal(err.message, 'the body nests deeper than 32 levels');
    assert.deepEqual(err.details, [{ path: '', message: 'nests too deep' }]);
  });

  it('refuses a hundred thousand levels of arrays without exhausting the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    assert.equal(
      refusal(() => parseJsonBody(Buffer.from(deep))).message,
      'the body nests deeper than 32 levels',
    );
  });

  it('refuses a body larger than 4 MiB before parsing it, saying how large it is', () => {
    const filler = 'x'.repeat(4 * 1024 * 1024);
    const huge = Buffer.from(JSON.stringify({ note: filler }));
    const err = refusal(() => parseJsonBody(huge));
    assert.equal(err.code, 'invalid_input');
    assert.equal(err.message, `the body is ${huge.length} bytes, more than the 4194304 an order may take`);
    assert.deepEqual(err.details, [{ path: '', message: 'is larger than 4194304 bytes' }]);
  });

  it("reads WooCommerce's form-encoded ping as { webhook_id }", () => {
    assert.deepEqual(parseStorefrontBody(wooCommerceIntake, Buffer.from('webhook_id=12')), {
      webhook_id: 12,
    });
    assert.equal(
      refusal(() => parseStorefrontBody(wooCommerceIntake, Buffer.from('webhook_id=12&x=1'))).details[0]
        ?.message,
      'is not JSON',
    );
  });
});

describe('receiveStorefrontOrder (SQLite store)', () => {
  let store: SqliteOrderStore;
  const paid = fixture('shopify/orders-paid.json');

  beforeEach(async () => {
    store = new SqliteOrderStore({ filename: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  function rowCount(table: string): number {
    return (store.database.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  function receiveShopify(body: Buffer, eventId: string, topic?: string) {
    return receiveStorefrontOrder(
      store,
      shopifyIntake,
      parseJsonBody(body),
      shopifyHeaders(body, eventId, topic),
      ACTOR,
    );
  }

  it('commits a new order and returns it as created', async () => {
    const outcome = await receiveShopify(paid, 'ev-1');
    assert.equal(outcome.kind, 'created');
    const order = (outcome as { order: { id: string } }).order;
    const stored = await store.findOrder('shopify:5860291657779245071');
    assert.equal(stored?.id, order.id);
    assert.equal(stored?.state, 'received');
    assert.equal(stored?.lines.length, 3);
    assert.deepEqual(
      (await store.listEvents(order.id)).map((e) => [e.type, e.actor, e.toState]),
      [['order.received', ACTOR, 'received']],
    );
    assert.equal(rowCount('webhook_deliveries'), 1);
  });

  it("keeps a GBP order's presentment money set, and a WooCommerce billing address, in the stored order", async () => {
    await receiveShopify(fixture('shopify/orders-paid-presentment-gbp.json'), 'ev-gbp');
    const gbp = await store.findOrder('shopify:5860291657779245071');
    assert.equal(gbp?.currency, 'USD');
    assert.equal(gbp?.presentment?.currency, 'GBP');
    assert.equal(gbp?.presentment?.totals.total, 67.82);
    const woo = fixture('woocommerce/order-processing.json');
    await receiveStorefrontOrder(
      store,
      wooCommerceIntake,
      parseJsonBody(woo),
      { 'x-wc-webhook-topic': 'order.created' },
      ACTOR,
    );
    assert.equal((await store.findOrder('woocommerce:4821'))?.billTo?.line1, '12 Orbit Road');
  });

  it('returns the stored order for the same delivery again and writes nothing new', async () => {
    const first = await receiveShopify(paid, 'ev-2');
    const again = await receiveShopify(paid, 'ev-2');
    assert.equal(again.kind, 'duplicate');
    assert.equal((again as { of: string }).of, 'delivery');
    assert.equal(
      (again as { order: { id: string } }).order.id,
      (first as { order: { id: string } }).order.id,
    );
    assert.equal(rowCount('orders'), 1);
    assert.equal(rowCount('order_events'), 1);
    assert.equal(rowCount('webhook_deliveries'), 1);
  });

  it('collapses another event of the same order (orders/create, then orders/paid) onto the first', async () => {
    const created = await receiveShopify(paid, 'ev-create', 'orders/create');
    const paidEvent = await receiveShopify(paid, 'ev-paid', 'orders/paid');
    assert.equal(created.kind, 'created');
    assert.equal(paidEvent.kind, 'duplicate');
    assert.equal((paidEvent as { of: string }).of, 'order');
    assert.equal(rowCount('orders'), 1);
    assert.equal(rowCount('order_events'), 1);
    // The second event id is remembered too, so its retries are recognised as the same delivery.
    const retry = await receiveShopify(paid, 'ev-paid', 'orders/paid');
    assert.equal((retry as { of: string }).of, 'delivery');
  });

  it('collapses WooCommerce order.created and order.updated of one order on the order id', async () => {
    const body = fixture('woocommerce/order-processing.json');
    const first = await receiveStorefrontOrder(store, wooCommerceIntake, parseJsonBody(body), {}, ACTOR);
    const second = await receiveStorefrontOrder(
      store,
      wooCommerceIntake,
      parseJsonBody(body),
      { 'x-wc-webhook-topic': 'order.updated' },
      ACTOR,
    );
    assert.equal(first.kind, 'created');
    assert.deepEqual([second.kind, (second as { of: string }).of], ['duplicate', 'order']);
    assert.equal(rowCount('orders'), 1);
  });

  it('writes nothing for a delivery it ignores', async () => {
    const unpaid = Buffer.from(
      paid.toString('utf8').replace('"financial_status": "paid"', '"financial_status": "pending"'),
    );
    const outcomes = [
      await receiveShopify(unpaid, 'ev-3', 'orders/create'),
      await receiveShopify(fixture('shopify/orders-paid-digital-only.json'), 'ev-4'),
      // A cancellation of an order this store never received: nothing to cancel.
      await receiveShopify(
        Buffer.from(
          paid
            .toString('utf8')
            .replace(
              '"financial_status": "paid"',
              '"financial_status": "paid", "cancelled_at": "2026-12-01T10:00:00-05:00"',
            ),
        ),
        'ev-5',
        'orders/cancelled',
      ),
      await receiveStorefrontOrder(
        store,
        wooCommerceIntake,
        parseStorefrontBody(wooCommerceIntake, Buffer.from('webhook_id=3')),
        {},
        ACTOR,
      ),
    ];
    assert.deepEqual(
      outcomes.map((o) => o.kind),
      ['ignored', 'ignored', 'ignored', 'ignored'],
    );
    for (const table of ['orders', 'order_lines', 'order_events', 'webhook_deliveries']) {
      assert.equal(rowCount(table), 0, table);
    }
  });

  it('writes nothing for an order that fails validation, and names the fields', async () => {
    const payload = {
      externalId: 'ERP-1',
      currency: 'eur',
      shipTo: { line1: '1 Rue de la Paix', city: 'Paris', country: 'FR' },
      lines: [{ sku: 'LAMP-01', quantity: 1, unitPrice: 10 }],
    };
    await assert.rejects(
      receiveStorefrontOrder(store, genericJsonIntake, payload, {}, ACTOR),
      (err: unknown) =>
        err instanceof DropshipError &&
        err.code === 'invalid_input' &&
        err.details.some((d) => d.path === '/currency'),
    );
    assert.equal(rowCount('orders'), 0);
    assert.equal(rowCount('order_events'), 0);
  });

  it('flags an order for a SKU storefront sync had at 0 when it came in (the oversell guard), once', async () => {
    const desired = (sku: string, quantity: number) => ({
      variantId: `v-${sku}`,
      productId: 'p',
      sku,
      quantity,
      quantityExplanation: `${quantity} = acme ${quantity}`,
    });
    await store.saveDesiredVariants('generic', [desired('LAMP-01', 0), desired('LAMP-02', 4)], new Date());
    const payload = {
      externalId: 'ERP-OVERSOLD',
      currency: 'EUR',
      customer: { name: 'Ada', email: 'ada@example.test' },
      shipTo: { name: 'Ada', line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' },
      lines: [
        { sku: 'LAMP-01', quantity: 1, unitPrice: 10 },
        { sku: 'LAMP-02', quantity: 1, unitPrice: 10 },
      ],
    };
    const outcome = await receiveStorefrontOrder(store, genericJsonIntake, payload, {}, ACTOR);
    assert.equal(outcome.kind, 'created');
    const again = await receiveStorefrontOrder(store, genericJsonIntake, payload, {}, ACTOR);
    assert.equal(again.kind, 'duplicate');
    const flagged = (await store.listEvents(outcome.kind === 'created' ? outcome.order.id : '')).filter(
      (event) => event.type === 'order.oversold',
    );
    assert.deepEqual(
      flagged.map((event) => [event.data, event.reason]),
      [[{ skus: ['LAMP-01'] }, 'ordered while the shop was to show 0 available: LAMP-01']],
    );
    const day = 86_400_000;
    assert.deepEqual(
      oversellRates(await store.oversellCounts(new Date(Date.now() - 365 * day), new Date(Date.now() + day))),
      [
        { channel: 'generic', sku: 'LAMP-01', lines: 1, oversold: 1, rate: 1 },
        { channel: 'generic', sku: 'LAMP-02', lines: 1, oversold: 0, rate: 0 },
      ],
    );
  });

  it('stores one order when the same delivery arrives on two requests at once', async () => {
    const outcomes = await Promise.all([receiveShopify(paid, 'ev-6'), receiveShopify(paid, 'ev-6')]);
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['created', 'duplicate']);
    assert.equal(rowCount('orders'), 1);
  });
});
