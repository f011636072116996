import type { ItemIdentifier } from '../../../core/model/item-identifier';
import type { StockLevel } from '../../../core/ports/supplier-connector';
import type { X12PartnerConventions } from './documents';
import type { X12Transaction } from './envelope';
import {
  element,
  itemIdentifiers,
  skuOf,
  TransactionView,
  x12Date,
  x12Number,
  x12Timestamp,
  zoneOfTimeCode,
} from './transaction-view';

/** QTY01 qualifiers in order of preference: 33 available for sale, 17 on hand, 02 cumulative on hand. */
const QUANTITY_PREFERENCE = ['33', '17', '02'];
/**
 * DTM01 qualifiers that date an item's figure itself: 007 effective, 097 transaction creation, 405 production
 * (when the figure was produced). Any other date (018 available, 036 expiration, …) is not the figure's time.
 */
const AS_OF_QUALIFIERS = new Set(['007', '097', '405']);
/** DTM01 qualifiers for when an item becomes available: 018 available, 169 product availability. */
const AVAILABLE_QUALIFIERS = new Set(['018', '169']);

export interface InventoryContext extends X12PartnerConventions {
  supplierId: string;
  /** Used when the 846 carries no BIA04 date. */
  receivedAt: string;
}

/**
 * 846 Inventory Inquiry/Advice: each LIN item with its QTY to a StockLevel, dated by BIA04/05 unless a DTM dates
 * the item's own figure; every identifier of the LIN kept, the SKU picked by the partner's qualifier order.
 */
export function mapInventoryAdvice846(transaction: X12Transaction, context: InventoryContext): StockLevel[] {
  const view = new TransactionView(transaction);
  const { segment: bia } = view.required('BIA', '846');
  const reportedAt = x12Timestamp(element(bia, 4), element(bia, 5), context.timeZone) ?? context.receivedAt;
  const levels: StockLevel[] = [];
  let item:
    | {
        sku: string;
        identifiers: ItemIdentifier[];
        index: number;
        quantities: Map<string, number>;
        asOf: string;
        availableFrom?: string;
      }
    | undefined;
  const finish = (): void => {
    if (!item) return;
    const qualifier = QUANTITY_PREFERENCE.find((q) => item!.quantities.has(q));
    if (!qualifier) throw view.error(item.index, `LIN ${item.sku} has no QTY with qualifier 33, 17 or 02`);
    levels.push({
      supplierId: context.supplierId,
      sku: item.sku,
      quantity: item.quantities.get(qualifier)!,
      asOf: item.asOf,
      identifiers: item.identifiers,
      ...(item.availableFrom ? { availableFrom: item.availableFrom } : {}),
    });
    item = undefined;
  };
  view.segments.forEach((segment, i) => {
    switch (segment[0]) {
      case 'LIN': {
        finish();
        const identifiers = itemIdentifiers(segment, 2);
        const sku = skuOf(identifiers, context.skuQualifiers);
        if (!sku) throw view.error(i, 'LIN names no item identifier (qualifier and id pair)');
        item = { sku, identifiers, index: i, quantities: new Map(), asOf: reportedAt };
        break;
      }
      case 'QTY':
        if (!item) throw view.error(i, 'QTY before any LIN');
        item.quantities.set(
          element(segment, 1),
          x12Number(element(segment, 2), (m) => view.error(i, m), 'QTY02 quantity'),
        );
        break;
      case 'DTM': {
        if (!item) break;
        const qualifier = element(segment, 1);
        if (AS_OF_QUALIFIERS.has(qualifier)) {
          const zone = zoneOfTimeCode(element(segment, 4), context.timeZone);
          item.asOf = x12Timestamp(element(segment, 2), element(segment, 3), zone) ?? item.asOf;
        } else if (AVAILABLE_QUALIFIERS.has(qualifier)) {
          item.availableFrom = x12Date(element(segment, 2)) ?? item.availableFrom;
        }
        break;
      }
      case 'CTT':
      case 'SE':
        finish();
        break;
    }
  });
  return levels;
}
