import type { OrderDraft } from '../../core/model/order';

/** A valid canonical order; tests override what they are about. */
export function sampleOrderDraft(overrides: Partial<OrderDraft> = {}): OrderDraft {
  return {
    channel: 'generic',
    externalId: `ext-${Math.random().toString(36).slice(2, 10)}`,
    orderNumber: '1001',
    placedAt: '2026-11-20T10:00:00.000Z',
    currency: 'USD',
    customer: { name: 'Ada Lovelace', email: 'ada@example.test', phone: '+1 555 0100' },
    shipTo: {
      name: 'Ada Lovelace',
      line1: '12 Analytical Way',
      city: 'Portland',
      region: 'OR',
      postalCode: '97201',
      country: 'US',
    },
    lines: [
      { lineId: '1', sku: 'MUG-01', title: 'Mug', quantity: 2, unitPrice: 12.5, requiresShipping: true },
      { lineId: '2', sku: 'TEE-01', title: 'T-shirt', quantity: 1, unitPrice: 20, requiresShipping: true },
    ],
    shipping: { method: 'standard' },
    totals: { subtotal: 45, shipping: 5, tax: 0, discount: 0, total: 50 },
    ...overrides,
  };
}
