import type { Order, OrderLine } from '../../core/model/order';
import type { StockSnapshot } from '../../core/routing/route-order';
import { sampleOrderDraft } from '../support/orders';

/** A stored order (as the router sees it) with the given lines; ships to Portland, Oregon unless told. */
export function routableOrder(lines: Partial<OrderLine>[], overrides: Partial<Order> = {}): Order {
  const draft = sampleOrderDraft();
  return {
    ...draft,
    id: 'ord_test0000000000001',
    state: 'received',
    version: 1,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    lines: lines.map((line, i) => ({
      lineId: String(i + 1),
      sku: `SKU-${i + 1}`,
      quantity: 1,
      unitPrice: 30,
      requiresShipping: true,
      ...line,
    })),
    ...overrides,
  };
}

/** A stock lookup over a plain table: { supplierId: { sku: snapshot } }. */
export function stockTable(table: Record<string, Record<string, StockSnapshot>>) {
  return (supplierId: string, sku: string): StockSnapshot | undefined => table[supplierId]?.[sku];
}

/** Wednesday 2026-11-18, 09:00 UTC. */
export const WEDNESDAY_9_UTC = new Date('2026-11-18T09:00:00Z');
