import { formatAge, type StockSnapshot } from '../routing/route-order';
import { bufferUnits, type ResolvedStockPolicy } from '../routing/stock-policy';
import type { VariantSource } from './catalogue-mapping';

/** How a variant's suppliers add up: all of them (`sum`) or the one with most to sell (`best`). */
export type QuantityCombine = 'sum' | 'best';

export interface QuantityLimits {
  /** Below this many units the shop shows 0 (a last few units are not worth an oversell). */
  floor?: number;
  /** The shop shows at most this many. */
  ceiling?: number;
}

/** What one supplier can sell of a variant, and the words for it. */
export interface SupplierAvailability {
  supplierId: string;
  /** Units after open POs and the buffer; 0 when the feed is missing or too old. */
  sellable: number;
  note: string;
}

export interface VariantQuantity {
  quantity: number;
  suppliers: readonly SupplierAvailability[];
  /** E.g. "12 = acme 8 (10 less buffer 2) + zeta 4". */
  explanation: string;
}

/**
 * One supplier's sellable units of an item under the router's rules: the feed's quantity less units on open POs
 * the feed does not reflect and the safety buffer; nothing when there is no feed or the feed is older than the
 * router's disqualification age.
 */
export function supplierAvailability(
  source: VariantSource,
  snapshot: StockSnapshot | undefined,
  policy: ResolvedStockPolicy,
  nowMs: number,
): SupplierAvailability {
  const { supplierId, sku } = source;
  if (!snapshot) return { supplierId, sellable: 0, note: `${supplierId} no stock feed for ${sku}` };
  const age = nowMs - snapshot.feedAt;
  if (policy.disqualifyAfterMs !== undefined && age > policy.disqualifyAfterMs) {
    return {
      supplierId,
      sellable: 0,
      note: `${supplierId} 0 (feed ${formatAge(age)} old, limit ${formatAge(policy.disqualifyAfterMs)})`,
    };
  }
  const committed = snapshot.committed ?? 0;
  const buffer = bufferUnits(policy, sku, snapshot.quantity);
  const sellable = Math.max(0, snapshot.quantity - committed - buffer);
  const held = [committed > 0 ? `${committed} on open POs` : '', buffer > 0 ? `buffer ${buffer}` : '']
    .filter(Boolean)
    .join(' and ');
  return {
    supplierId,
    sellable,
    note: held
      ? `${supplierId} ${sellable} (${snapshot.quantity} less ${held})`
      : `${supplierId} ${sellable}`,
  };
}

/** The quantity a variant should show, from the suppliers that may fill it (at least one), with its explanation. */
export function variantQuantity(
  suppliers: readonly SupplierAvailability[],
  combine: QuantityCombine,
  limits: QuantityLimits,
): VariantQuantity {
  let quantity: number;
  let explanation: string;
  if (combine === 'sum') {
    quantity = suppliers.reduce((total, supplier) => total + supplier.sellable, 0);
    explanation = `${quantity} = ${suppliers.map((supplier) => supplier.note).join(' + ')}`;
  } else {
    const best = suppliers.reduce((top, supplier) => (supplier.sellable > top.sellable ? supplier : top));
    quantity = best.sellable;
    explanation = `${quantity} = best of ${suppliers.map((supplier) => supplier.note).join(', ')}`;
  }
  if (limits.floor !== undefined && quantity > 0 && quantity < limits.floor) {
    explanation += `; shown as 0 below the floor of ${limits.floor}`;
    quantity = 0;
  }
  if (limits.ceiling !== undefined && quantity > limits.ceiling) {
    explanation += `; capped at the ceiling of ${limits.ceiling}`;
    quantity = limits.ceiling;
  }
  return { quantity, suppliers, explanation };
}
