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
export interface VariantSource {
  supplierId: string;
  sku: string;
  by: MatchKey | 'map';
}

export interface CatalogueMapping {
  /** Per variant id, the supplier items that may fill it (one per supplier; the explicit map wins). */
  sources: Map<string, VariantSource[]>;
  /** Variants no supplier carries. */
  unmatchedVariants: StorefrontVariant[];
  /** Supplier items mapped to no variant. */
  unmappedItems: SupplierItem[];
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

/**
 * Which supplier items fill which variant: the explicit map first (by variant SKU or id), then the same SKU, then
 * the same barcode, each supplier at most once per variant.
 */
export function mapCatalogue(
  variants: readonly StorefrontVariant[],
  items: readonly SupplierItem[],
  options: CatalogueMappingOptions,
): CatalogueMapping {
  const bySku = new Map<string, SupplierItem[]>();
  const byBarcode = new Map<string, SupplierItem[]>();
  const add = (index: Map<string, SupplierItem[]>, key: string, item: SupplierItem) => {
    const list = index.get(key);
    if (list) list.push(item);
    else index.set(key, [item]);
  };
  for (const item of items) {
    if (options.matchBy.includes('sku')) add(bySku, item.sku, item);
    if (options.matchBy.includes('barcode'))
      for (const code of itemBarcodes(item)) add(byBarcode, code, item);
  }
  const explicit = new Map<string, ExplicitMapping[]>();
  for (const row of options.explicit) {
    const list = explicit.get(row.variant);
    if (list) list.push(row);
    else explicit.set(row.variant, [row]);
  }

  const used = new Set<string>();
  const sources = new Map<string, VariantSource[]>();
  const unmatchedVariants: StorefrontVariant[] = [];
  for (const variant of variants) {
    const found: VariantSource[] = [];
    const suppliers = new Set<string>();
    const take = (supplierId: string, sku: string, by: VariantSource['by']) => {
      if (suppliers.has(supplierId)) return;
      suppliers.add(supplierId);
      found.push({ supplierId, sku, by });
      used.add(itemKey(supplierId, sku));
    };
    const mapped = [
      ...(explicit.get(variant.variantId) ?? []),
      ...(variant.sku ? (explicit.get(variant.sku) ?? []) : []),
    ];
    for (const row of mapped) take(row.supplierId, row.supplierSku, 'map');
    if (variant.sku) for (const item of bySku.get(variant.sku) ?? []) take(item.supplierId, item.sku, 'sku');
    const code = variant.barcode ? normalisedBarcode(variant.barcode) : undefined;
    if (code) for (const item of byBarcode.get(code) ?? []) take(item.supplierId, item.sku, 'barcode');
    if (found.length > 0) sources.set(variant.variantId, found);
    else unmatchedVariants.push(variant);
  }
  const unmappedItems = items.filter((item) => !used.has(itemKey(item.supplierId, item.sku)));
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
