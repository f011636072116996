import type { StockLevel } from '../../../core/ports/supplier-connector';
import type { X12Transaction } from './envelope';
import { element, partNumbers, TransactionView, x12Number, x12Timestamp } from './transaction-view';

/** QTY01 qualifiers in order of preference: 33 available for sale, 17 on hand, 02 cumulative on hand. */
const QUANTITY_PREFERENCE = ['33', '17', '02'];

export interface InventoryContext {
  supplierId: string;
  /** Used when the 846 carries no BIA04 date. */
  receivedAt: string;
}

/** 846 Inventory Inquiry/Advice: each LIN item with its QTY (and optional DTM) to a StockLevel. */
export function mapInventoryAdvice846(transaction: X12Transaction, context: InventoryContext): StockLevel[] {
  const view = new TransactionView(transaction);
  const { segment: bia } = view.required('BIA', '846');
  const reportedAt = x12Timestamp(element(bia, 4), element(bia, 5)) ?? context.receivedAt;
  const levels: StockLevel[] = [];
  let item: { sku: string; index: number; quantities: Map<string, number>; asOf: string } | undefined;
  const finish = (): void => {
    if (!item) return;
    const qualifier = QUANTITY_PREFERENCE.find((q) => item!.quantities.has(q));
    if (!qualifier) throw view.error(item.index, `LIN ${item.sku} has no QTY with qualifier 33, 17 or 02`);
    levels.push({
      supplierId: context.supplierId,
      sku: item.sku,
      quantity: item.quantities.get(qualifier)!,
      asOf: item.asOf,
    });
    item = undefined;
  };
  view.segments.forEach((segment, i) => {
    switch (segment[0]) {
      case 'LIN': {
        finish();
        const parts = partNumbers(segment, 2);
        const sku = parts.buyer ?? parts.vendor;
        if (!sku) throw view.error(i, 'LIN names no buyer (BP/SK/IN/UP) or vendor (VP/VN) part number');
        item = { sku, index: i, quantities: new Map(), asOf: reportedAt };
        break;
      }
      case 'QTY':
        if (!item) throw view.error(i, 'QTY before any LIN');
        item.quantities.set(
          element(segment, 1),
          x12Number(element(segment, 2), (m) => view.error(i, m), 'QTY02 quantity'),
        );
        break;
      case 'DTM':
        if (item) item.asOf = x12Timestamp(element(segment, 2), element(segment, 3)) ?? item.asOf;
        break;
      case 'CTT':
      case 'SE':
        finish();
        break;
    }
  });
  return levels;
}
