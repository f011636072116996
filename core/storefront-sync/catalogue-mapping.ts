import type { ItemIdentifier } from '../model/item-identifier';
import type { StorefrontVariant } from '../ports/storefront-catalogue';

/** An item a supplier's stock feed reports: its SKU in the store (the shop's SKU where the routing catalogue maps one). */
export interface SupplierItem {
  supplierId: string;
  sku: string;
  /** Every identifier the feed gave the item (UPC, EAN, vendor part, …). */
  identifiers?: ItemIdentifier[];
  /** Unit cost the feed reported, in the shop's currency. */
  cost?: number;
  /** Minimum advertised price the feed reported. */
  mapPrice?: number;
}

/** One row of the explicit map: the variant (by its SKU or storefront id) is filled by this supplier item. */
export interface ExplicitMapping {
  variant: string;
  supplierId: string;
  supplierSku: string;
}

export type MatchKey = 'sku' | 'barcode';

export interface CatalogueMappingOptions {
  /** Automatic matches to try, in addition to the explicit map. */
  matchBy: readonly MatchKey[];
  explicit: readonly ExplicitMapping[];
}

/** A supplier item that may fill a variant, and why it was matched. */
export interface VariantSource<Item extends SupplierItem = SupplierItem> {
  supplierId: string;
  sku: string;
  by: MatchKey | 'map';
  /** The item the feed reported; absent for an explicit map row naming an item no feed has reported yet. */
  item?: Item;
}

export interface CatalogueMapping<Item extends SupplierItem = SupplierItem> {
  /** Per variant id, the supplier items that may fill it (one per supplier; the explicit map wins). */
  sources: Map<string, VariantSource<Item>[]>;
  /** Variants no supplier carries. */
  unmatchedVariants: StorefrontVariant[];
  /** Supplier items mapped to no variant. */
  unmappedItems: Item[];
}

/** X12 235 qualifiers (and plain names) of identifiers that are barcodes: UPC, EAN, GTIN. */
const BARCODE_QUALIFIERS = new Set([
  'UP',
  'UK',
  'UA',
  'UI',
  'UN',
  'EN',
  'EA',
  'GTIN',
  'UPC',
  'EAN',
  'BARCODE',
]);

/**
 * A barcode as a GTIN-14 (digits only, left-padded with zeros), so a UPC-A, its EAN-13 and its GTIN-14 spelling
 * compare equal; undefined for anything that is not 8 to 14 digits.
 */
export function normalisedBarcode(barcode: string): string | undefined {
  const digits = barcode.replace(/[\s-]/g, '');
  if (!/^\d{8,14}$/.test(digits)) return undefined;
  return digits.padStart(14, '0');
}

function itemBarcodes(item: SupplierItem): string[] {
  const codes: string[] = [];
  for (const identifier of item.identifiers ?? []) {
    if (!BARCODE_QUALIFIERS.has(identifier.qualifier.toUpperCase())) continue;
    const code = normalisedBarcode(identifier.id);
    if (code) codes.push(code);
  }
  return codes;
}

const itemKey = (supplierId: string, sku: string): string => `${supplierId}\u0000${sku}`;

function addTo<Item>(index: Map<string, Item[]>, key: string, item: Item): void {
  const list = index.get(key);
  if (list) list.push(item);
  else index.set(key, [item]);
}

/** Adds `item` to a variant's sources unless one of its supplier's is there already (each supplier once). */
function take<Item extends SupplierItem>(
  found: VariantSource<Item>[],
  used: Set<Item>,
  item: Item,
  by: VariantSource['by'],
): void {
  for (const source of found) if (source.supplierId === item.supplierId) return;
  found.push({ supplierId: item.supplierId, sku: item.sku, by, item });
  // A SKU match is known from the variant SKUs; only the others are remembered one by one.
  if (by !== 'sku') used.add(item);
}

function explicitRowsOf(
  explicit: Map<string, ExplicitMapping[]>,
  variant: StorefrontVariant,
): ExplicitMapping[] {
  if (explicit.size === 0) return [];
  return [
    ...(explicit.get(variant.variantId) ?? []),
    ...(variant.sku ? (explicit.get(variant.sku) ?? []) : []),
  ];
}

/**
 * Which supplier items fill which variant: the explicit map first (by variant SKU or id), then the same SKU, then
 * the same barcode, each supplier at most once per variant.
 */
export function mapCatalogue<Item extends SupplierItem>(
  variants: readonly StorefrontVariant[],
  items: readonly Item[],
  options: CatalogueMappingOptions,
): CatalogueMapping<Item> {
  const bySku = new Map<string, Item[]>();
  const byBarcode = new Map<string, Item[]>();
  const bySkuWanted = options.matchBy.includes('sku');
  for (const item of items) {
    if (bySkuWanted) addTo(bySku, item.sku, item);
    if (options.matchBy.includes('barcode') && item.identifiers) {
      for (const code of itemBarcodes(item)) addTo(byBarcode, code, item);
    }
  }
  const explicit = new Map<string, ExplicitMapping[]>();
  for (const row of options.explicit) addTo(explicit, row.variant, row);
  // Only the explicit map names items by supplier and SKU: the index is built when there is one.
  const byKey =
    options.explicit.length > 0
      ? new Map(items.map((item) => [itemKey(item.supplierId, item.sku), item]))
      : undefined;

  const used = new Set<Item>();
  const sources = new Map<string, VariantSource<Item>[]>();
  const unmatchedVariants: StorefrontVariant[] = [];
  for (const variant of variants) {
    const found: VariantSource<Item>[] = [];
    for (const row of explicitRowsOf(explicit, variant)) {
      const item = byKey?.get(itemKey(row.supplierId, row.supplierSku));
      if (item) take(found, used, item, 'map');
      else if (!found.some((source) => source.supplierId === row.supplierId)) {
        found.push({ supplierId: row.supplierId, sku: row.supplierSku, by: 'map' });
      }
    }
    const sameSku = variant.sku === undefined ? undefined : bySku.get(variant.sku);
    if (sameSku) for (const item of sameSku) take(found, used, item, 'sku');
    const code = variant.barcode ? normalisedBarcode(variant.barcode) : undefined;
    const sameCode = code === undefined ? undefined : byBarcode.get(code);
    if (sameCode) for (const item of sameCode) take(found, used, item, 'barcode');
    if (found.length > 0) sources.set(variant.variantId, found);
    else unmatchedVariants.push(variant);
  }
  const variantSkus = bySkuWanted ? new Set(variants.map((variant) => variant.sku)) : undefined;
  const unmappedItems = items.filter((item) => !variantSkus?.has(item.sku) && !used.has(item));
  return { sources, unmatchedVariants, unmappedItems };
}

/**
 * The explicit map from CSV text with a header naming `variant` (or `sku`), `supplier` and `supplier_sku` columns.
 * Throws an Error naming the line and field of the first row that cannot be used.
 */
export function parseExplicitMapCsv(text: string): ExplicitMapping[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((name) =>
    name
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const column = (...names: string[]) => header.findIndex((name) => names.includes(name));
  const variant = column('variant', 'sku', 'variant_sku', 'variant_id');
  const supplier = column('supplier', 'supplier_id');
  const supplierSku = column('supplier_sku', 'supplier_part', 'part_number');
  if (variant < 0 || supplier < 0 || supplierSku < 0) {
    throw new Error('line 1: the header needs variant, supplier and supplier_sku columns');
  }
  const rows: ExplicitMapping[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.split(',').map((field) => field.trim());
    const row = {
      variant: fields[variant] ?? '',
      supplierId: fields[supplier] ?? '',
      supplierSku: fields[supplierSku] ?? '',
    };
    for (const [name, value] of Object.entries({
      variant: row.variant,
      supplier: row.supplierId,
      supplier_sku: row.supplierSku,
    })) {
      if (!value) throw new Error(`line ${i + 2}: ${name} is empty`);
    }
    rows.push(row);
  });
  return rows;
}
