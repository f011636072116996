import type { Order } from '../../../core/model/order';
import { purchaseOrderNumber, type PurchaseOrder } from '../../../core/model/purchase-order';
import type { DispatchRequest } from '../../../core/ports/supplier-connector';
import { sampleOrderDraft } from '../../support/orders';

const createdAt = '2026-11-20T10:27:00.000Z';

/** A PO with a consumer ship-to (name, phone) and two lines, one with the supplier's own part number. */
export function sampleDispatchRequest(
  overrides: Partial<PurchaseOrder> = {},
  orderId = 'ord-1',
): DispatchRequest {
  const draft = sampleOrderDraft({ externalId: `ext-${orderId}`, orderNumber: '1001' });
  const order: Order = {
    ...draft,
    id: orderId,
    state: 'routed',
    version: 1,
    createdAt: createdAt,
    updatedAt: createdAt,
  };
  const purchaseOrder: PurchaseOrder = {
    number: purchaseOrderNumber(order.id, overrides.supplierId ?? 'acme', 1),
    orderId: order.id,
    supplierId: 'acme',
    attempt: 1,
    state: 'sending',
    currency: 'USD',
    shipTo: { ...draft.shipTo, phone: '+1 555 0100' },
    shippingMethod: 'UPS GROUND',
    lines: [
      { orderLineId: '1', sku: 'MUG-01', supplierSku: 'SUP-MUG', title: 'Mug', quantity: 2, unitCost: 5 },
      { orderLineId: '2', sku: 'TEE-01', title: 'T-shirt', quantity: 1, unitCost: 9.5 },
    ],
    alternatives: [],
    sendAttempts: 0,
    version: 1,
    createdAt: createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
  return { purchaseOrder, order };
}
