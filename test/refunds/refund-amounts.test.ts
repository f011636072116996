import assert from 'node:assert/strict';
import {
  computeRefund,
  minorDigitsOf,
  minorToDecimal,
  refundKey,
  type RefundAmounts,
} from '../../core/refunds/refund';
import { sampleOrderDraft } from '../support/orders';

/** Three lines that do not split evenly: 3 × 9.99, 1 × 0.05, 2 × 33.33; 10 % off, 7.77 shipping, 8.25 % tax. */
const awkward = sampleOrderDraft({
  lines: [
    { lineId: 'a', sku: 'A', quantity: 3, unitPrice: 9.99, requiresShipping: true },
    { lineId: 'b', sku: 'B', quantity: 1, unitPrice: 0.05, requiresShipping: true },
    { lineId: 'c', sku: 'C', quantity: 2, unitPrice: 33.33, requiresShipping: true },
  ],
  totals: { subtotal: 96.68, shipping: 7.77, tax: 7.82, discount: 9.67, total: 102.6 },
});

describe('refund amounts', () => {
  it('gives back a whole order exactly: goods less discount, shipping and tax, in minor units', () => {
    const all = computeRefund(
      awkward,
      awkward.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })),
    )!;
    assert.equal(all.total, 10260);
    assert.equal(all.discount, 967);
    assert.equal(all.shipping + all.lines.reduce((s, l) => s + l.tax, 0) - all.tax, 777);
    assert.equal(
      all.lines.reduce((s, l) => s + l.discount, 0),
      967,
      'the lines share the discount to the cent',
    );
  });

  it('shares discount, shipping and tax over partial refunds so that they add up to the order, cent for cent', () => {
    const earlier: RefundAmounts[] = [];
    // One unit at a time, in an order that makes every share round.
    const steps = [
      { lineId: 'b', quantity: 1 },
      { lineId: 'a', quantity: 1 },
      { lineId: 'c', quantity: 1 },
      { lineId: 'a', quantity: 2 },
      { lineId: 'c', quantity: 1 },
    ];
    for (const step of steps) earlier.push(computeRefund(awkward, [step], earlier)!);
    const sum = (pick: (r: RefundAmounts) => number) => earlier.reduce((s, r) => s + pick(r), 0);
    assert.equal(
      sum((r) => r.total),
      10260,
    );
    assert.equal(
      sum((r) => r.discount),
      967,
    );
    assert.equal(
      sum((r) => r.tax),
      782,
    );
    assert.notEqual(earlier[0]!.total, 0, 'a five-cent line still carries its shares');
  });

  it('cuts quantities back to what earlier refunds left, and proposes nothing for a line refunded already', () => {
    const first = computeRefund(awkward, [{ lineId: 'a', quantity: 2 }])!;
    const second = computeRefund(awkward, [{ lineId: 'a', quantity: 5 }], [first])!;
    assert.deepEqual(
      second.lines.map((l) => [l.lineId, l.quantity]),
      [['a', 1]],
    );
    assert.equal(computeRefund(awkward, [{ lineId: 'a', quantity: 1 }], [first, second]), undefined);
    assert.equal(computeRefund(awkward, [{ lineId: 'nope', quantity: 1 }]), undefined);
  });

  it('adds no tax on top when prices include it, and works in a currency without cents', () => {
    const included = sampleOrderDraft({
      currency: 'JPY',
      lines: [{ lineId: '1', sku: 'CUP', quantity: 3, unitPrice: 1100, requiresShipping: true }],
      totals: { subtotal: 3300, shipping: 500, tax: 345, discount: 0, total: 3800, taxesIncluded: true },
    });
    const one = computeRefund(included, [{ lineId: '1', quantity: 1 }])!;
    assert.equal(one.minorDigits, 0);
    assert.equal(one.tax, 115);
    assert.equal(one.total, 1100 + 167, 'goods and a third of the shipping, rounded half up');
    assert.equal(minorToDecimal(one.total, 0), '1267');
  });

  it('writes minor units as the decimal text the storefronts take', () => {
    assert.equal(minorToDecimal(1999, 2), '19.99');
    assert.equal(minorToDecimal(5, 2), '0.05');
    assert.equal(minorToDecimal(-120, 2), '-1.20');
    assert.equal(minorToDecimal(1234, 3), '1.234');
    assert.equal(minorDigitsOf('KWD'), 3);
    assert.equal(minorDigitsOf('not a currency'), 2);
  });

  it('derives the key from the order and the change alone', () => {
    assert.equal(refundKey('ord_1', 'no_supplier:PO1'), refundKey('ord_1', 'no_supplier:PO1'));
    assert.notEqual(refundKey('ord_1', 'no_supplier:PO1'), refundKey('ord_1', 'no_supplier:PO2'));
    assert.notEqual(refundKey('ord_1', 'no_supplier:PO1'), refundKey('ord_2', 'no_supplier:PO1'));
    assert.match(refundKey('ord_1', 'x'), /^RF[0-9A-HJKMNP-TV-Z]{16}$/);
  });
});
