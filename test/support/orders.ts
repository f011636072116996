import type { Order, OrderDraft } from '../../core/model/order';
import type { PurchaseOrderDraft } from '../../core/model/purchase-order';

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

/**
 * The PO that routing would give `supplierId` for the order's lines: all of them, or those whose SKU is in `skus`
 * (first attempt; `alternatives` are the suppliers a failover may go to).
 */
export function purchaseOrderDraftFor(
  order: Order,
  supplierId = 'acme',
  { skus, alternatives = [] }: { skus?: string[]; alternatives?: string[] } = {},
): PurchaseOrderDraft {
  return {
    orderId: order.id,
    supplierId,
    attempt: 1,
    currency: order.currency,
    shipTo: order.shipTo,
    lines: order.lines
      .filter((l) => skus === undefined || skus.includes(l.sku))
      .map((l) => ({ orderLineId: l.lineId, sku: l.sku, quantity: l.quantity })),
    alternatives,
  };
}
