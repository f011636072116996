import type { DispatchRequest } from '../../../core/ports/supplier-connector';

/**
 * The JSON document a REST supplier receives: the PO number (also the Idempotency-Key), the consumer ship-to
 * and the lines with both part numbers. Prices are the supplier's cost, never the customer's price.
 */
export function purchaseOrderDocument({
  purchaseOrder: po,
  order,
}: DispatchRequest): Record<string, unknown> {
  return {
    poNumber: po.number,
    orderReference: order.orderNumber ?? order.externalId,
    orderedAt: order.placedAt,
    currency: po.currency,
    shippingMethod: po.shippingMethod ?? order.shipping.method,
    shipBy: order.shipping.promisedShipBy,
    shipTo: { ...po.shipTo, email: undefined },
    lines: po.lines.map((line) => ({
      lineId: line.orderLineId,
      sku: line.supplierSku ?? line.sku,
      buyerSku: line.sku,
      title: line.title,
      quantity: line.quantity,
      unitCost: line.unitCost,
    })),
  };
}
