import assert from 'node:assert/strict';
import { addressProblems, isPoBox } from '../../core/risk/address-checks';
import { parseRiskRules, type RiskRule } from '../../core/risk/risk-rules';
import { screenOrder, screenStoredOrder } from '../../core/risk/screen-order';
import type { AddressValidator } from '../../core/ports/address-validator';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import type { Order, OrderDraft } from '../../core/model/order';
import { sampleOrderDraft } from '../support/orders';

const rule = (row: Record<string, unknown>): RiskRule => parseRiskRules([{ label: 'rule', ...row }])[0]!;
const now = new Date('2026-12-08T00:00:00Z');

describe('risk screening', () => {
  let store: SqliteOrderStore;
  beforeEach(async () => {
    store = new SqliteOrderStore({ filename: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());
  const stored = async (overrides: Partial<OrderDraft> = {}): Promise<Order> =>
    (await store.receiveOrder(sampleOrderDraft(overrides), { actor: 'test' })).order;

  it('names missing fields and postcodes in the wrong format per country', () => {
    const base = sampleOrderDraft().shipTo;
    assert.deepEqual(addressProblems(base), []);
    assert.deepEqual(addressProblems({ ...base, region: undefined, postalCode: '9720' }), [
      'the state or province is missing (required in US)',
      'the postcode "9720" is not a US postcode (like 97201 or 97201-1234)',
    ]);
    assert.deepEqual(
      addressProblems({ ...base, country: 'GB', region: undefined, postalCode: 'SW1A 1AA' }),
      [],
    );
    assert.deepEqual(addressProblems({ ...base, country: 'CA', postalCode: 'K1A 0B1' }), []);
    assert.deepEqual(addressProblems({ ...base, country: 'ZZ', region: undefined, postalCode: 'x' }), []);
  });

  it('recognises PO boxes in their usual spellings, and not a street called Box Hill Road', () => {
    const base = sampleOrderDraft().shipTo;
    for (const line1 of ['PO Box 123', 'P.O. Box 9', 'Post Office Box 5', 'Postfach 10 20', 'BP 45'])
      assert.equal(isPoBox({ ...base, line1 }), true, line1);
    assert.equal(isPoBox({ ...base, line1: '12 Box Hill Road' }), false);
  });

  it('holds a PO box only for the carriers that refuse one', async () => {
    const order = await stored({
      shipTo: { ...sampleOrderDraft().shipTo, line1: 'PO Box 77' },
      shipping: { method: 'UPS Ground' },
    });
    const refusing = rule({ kind: 'po_box', carriers: 'UPS, FedEx' });
    assert.equal((await screenOrder(store, order, { rules: [refusing] }, now)).length, 1);
    const others = rule({ kind: 'po_box', carriers: 'DHL Express' });
    assert.deepEqual(await screenOrder(store, order, { rules: [others] }, now), []);
  });

  it('counts orders with the same e-mail in the window, this one included', async () => {
    const velocity = rule({ kind: 'velocity', signal: 'email', maxOrders: 2, windowHours: 24 });
    const results = [];
    for (let i = 0; i < 3; i++) {
      const order = await stored({
        customer: { email: i === 1 ? ' ADA@example.test ' : 'ada@example.test' },
      });
      results.push(
        await screenOrder(store, order, { rules: [velocity] }, new Date(now.getTime() + i * 1000)),
      );
    }
    assert.deepEqual(
      results.map((r) => r.length),
      [0, 0, 1],
    );
    assert.match(results[2]![0]!.reason, /3 orders with the same email within 24 h \(at most 2\)/);
    const later = await stored({ customer: { email: 'ada@example.test' } });
    assert.deepEqual(
      await screenOrder(store, later, { rules: [velocity] }, new Date(now.getTime() + 25 * 3_600_000)),
      [],
      'the earlier orders are outside the window',
    );
  });

  it('holds on value, country mismatch and the storefront risk, and asks the address authority for its countries only', async () => {
    const order = await stored({
      channel: 'shopify',
      billTo: { ...sampleOrderDraft().shipTo, country: 'NG' },
      totals: { subtotal: 900, shipping: 0, tax: 0, discount: 0, total: 900 },
    });
    const asked: string[] = [];
    const validator: AddressValidator = {
      name: 'USPS',
      countries: ['US'],
      async verify(address) {
        asked.push(address.line1);
        return { deliverable: false, reason: 'address not found' };
      },
    };
    const hits = await screenOrder(
      store,
      order,
      {
        rules: [
          rule({ kind: 'order_value', above: 500 }),
          rule({ kind: 'country_mismatch' }),
          rule({ kind: 'storefront_risk', atLeast: 'high' }),
          rule({ kind: 'address_verification' }),
        ],
        addressValidator: validator,
        storefrontRisk: {
          channel: 'shopify',
          assess: async () => ({ level: 'medium', recommendation: 'INVESTIGATE' }),
        },
      },
      now,
    );
    assert.deepEqual(
      hits.map((h) => h.kind),
      ['order_value', 'country_mismatch', 'storefront_risk', 'address_verification'],
    );
    assert.match(hits[2]!.reason, /medium risk and recommends investigate/);
    assert.deepEqual(asked, ['12 Analytical Way']);
    const abroad = await stored({
      shipTo: { ...sampleOrderDraft().shipTo, country: 'DE', postalCode: '10115' },
    });
    await screenOrder(
      store,
      abroad,
      { rules: [rule({ kind: 'address_verification' })], addressValidator: validator },
      now,
    );
    assert.equal(asked.length, 1, 'a German address is not sent to USPS');
  });

  it('holds a stored order with the reasons before routing, and lets it through once released', async () => {
    const order = await stored({ totals: { subtotal: 900, shipping: 0, tax: 0, discount: 0, total: 900 } });
    const screening = { rules: [rule({ kind: 'order_value', above: 500, label: 'Big order' })] };
    const held = await screenStoredOrder(store, order, screening, 'test', now);
    assert.equal(held.kind, 'held');
    const after = (await store.getOrder(order.id))!;
    assert.equal(after.state, 'needs_attention');
    const event = (await store.listEvents(order.id)).find((e) => e.type === 'risk.held')!;
    assert.match(event.reason!, /^risk screening: Big order \(the order total 900 USD is above 500\)$/);
    const released = (await store.transitionOrder(order.id, ['needs_attention'], 'received', {
      type: 'operator.resolve',
      actor: 'dashboard:ops',
    }))!;
    assert.deepEqual(await screenStoredOrder(store, released, screening, 'test', now), { kind: 'released' });
  });

  it('refuses a rule set with the row and field named', () => {
    assert.throws(
      () => parseRiskRules([{ kind: 'velocity', label: '', signal: 'phone', maxOrders: 0, windowHours: 24 }]),
      (err: Error & { details?: { path: string }[] }) =>
        JSON.stringify(err.details!.map((d) => d.path)) ===
        JSON.stringify(['/0/label', '/0/signal', '/0/maxOrders']),
    );
    assert.throws(() => parseRiskRules([{ kind: 'magic', label: 'x' }]), /\/0\/kind must be one of address/);
    assert.throws(() => parseRiskRules('[]'), /must be a list of rules/);
  });
});
