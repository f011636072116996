import type { Address, OrderLine } from '../model/order';
import type {
  CatalogueEntry,
  ProductMatch,
  RoutingRules,
  RoutingStrategy,
  ShippingRate,
  SplitPolicy,
  SupplierSettings,
} from './routing-rules';
import { shipsOnMask, type ShippingCalendar } from './service-level';
import { compileSkuPattern, isExactSku, skuPatternSpecificity } from './sku-pattern';
import { resolveStockPolicy, sellableQuantity, type ResolvedStockPolicy } from './stock-policy';

export interface CompiledSupplier {
  id: string;
  active: boolean;
  calendar: ShippingCalendar;
  shipsTo?: ReadonlySet<string>;
  excludeCountries?: ReadonlySet<string>;
  shipping: ShippingRate[];
  stock: ResolvedStockPolicy;
  /** False: the supplier carries whatever a rule sends it (no catalogue entry names it). */
  hasCatalogue: boolean;
  /** Catalogue entries other than plain exact SKUs, most specific first. */
  patternEntries: { matches: (line: OrderLine) => boolean; entry: CatalogueEntry }[];
}

/** Supplier ids per tier: the rule's suppliers first, then each fallback step on its own. */
export type SupplierTiers = readonly (readonly string[])[];

interface CompiledRule {
  index: number;
  name: string;
  matches: (line: OrderLine, shipTo: Address) => boolean;
  tiers: SupplierTiers;
}

export interface CompiledRules {
  strategy: RoutingStrategy;
  split: SplitPolicy;
  weights: { stock: number; cost: number; handling: number; performance: number };
  supplier(id: string): CompiledSupplier;
  /** The supplier's catalogue entry for a line; undefined when it does not carry the product. */
  catalogueEntry(supplier: CompiledSupplier, line: OrderLine): CatalogueEntry | undefined;
  /** The first rule that fits the line, or undefined (then the line may go to every declared supplier). */
  ruleFor(line: OrderLine, shipTo: Address): CompiledRule | undefined;
  /**
   * The suppliers of a line no rule matches: the declared or catalogued suppliers that carry it (so 50
   * suppliers with big catalogues are not all listed as "does not carry"), then the global fallback chain.
   */
  defaultTiersFor(line: OrderLine): SupplierTiers;
  /** True when the rules declare or catalogue at least one supplier. */
  listsSuppliers: boolean;
}

const DEFAULT_WEIGHTS = { stock: 0.3, cost: 0.4, handling: 0.15, performance: 0.15 };
const DEFAULT_SHIP_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
/** An entry with no unit cost, for suppliers that carry everything. */
const UNCATALOGUED: CatalogueEntry = { supplier: '', match: {} };

function sameText(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b;
}

function compileProductMatch(match: ProductMatch): (line: OrderLine) => boolean {
  const sku = match.sku === undefined ? undefined : compileSkuPattern(match.sku);
  const category = match.category?.toLowerCase();
  const brand = match.brand?.toLowerCase();
  const vendor = match.vendor?.toLowerCase();
  return (line) =>
    (sku === undefined || sku(line.sku)) &&
    (category === undefined || sameText(line.category, category)) &&
    (brand === undefined || sameText(line.brand, brand)) &&
    (vendor === undefined || sameText(line.vendor, vendor));
}

function productSpecificity(match: ProductMatch): number {
  // An SKU pattern says more than a category, a category more than a brand, a brand more than a vendor.
  return (
    (match.sku === undefined ? 0 : 10_000 + skuPatternSpecificity(match.sku)) +
    (match.category === undefined ? 0 : 3) +
    (match.brand === undefined ? 0 : 2) +
    (match.vendor === undefined ? 0 : 1)
  );
}

function compileSupplier(
  id: string,
  settings: SupplierSettings | undefined,
  rules: RoutingRules,
): CompiledSupplier {
  const cutoff = settings?.cutoff?.split(':').map(Number);
  return {
    id,
    active: settings?.active ?? true,
    calendar: {
      zone: settings?.timeZone ?? 'UTC',
      cutoffMinutes: cutoff ? cutoff[0]! * 60 + cutoff[1]! : undefined,
      handlingDays: settings?.handlingDays ?? 1,
      shipsOn: shipsOnMask(settings?.shipDays ?? DEFAULT_SHIP_DAYS),
    },
    shipsTo: settings?.shipsTo?.countries ? new Set(settings.shipsTo.countries) : undefined,
    excludeCountries: settings?.shipsTo?.excludeCountries
      ? new Set(settings.shipsTo.excludeCountries)
      : undefined,
    shipping: settings?.shipping ?? [],
    stock: resolveStockPolicy(rules.stock, settings?.stock),
    hasCatalogue: false,
    patternEntries: [],
  };
}

function compile(rules: RoutingRules): CompiledRules {
  const groups = rules.groups ?? {};
  const suppliers = new Map<string, CompiledSupplier>();
  const supplier = (id: string): CompiledSupplier => {
    let found = suppliers.get(id);
    if (!found) {
      found = compileSupplier(id, rules.suppliers?.[id], rules);
      suppliers.set(id, found);
    }
    return found;
  };
  for (const id of Object.keys(rules.suppliers ?? {})) supplier(id);

  // Exact SKUs go into one map (100,000 SKUs must not be scanned per line); patterns stay per supplier.
  const exact = new Map<string, Map<string, CatalogueEntry>>();
  const patterns = new Map<
    string,
    { matches: (line: OrderLine) => boolean; entry: CatalogueEntry; rank: number }[]
  >();
  for (const entry of rules.catalogue ?? []) {
    supplier(entry.supplier).hasCatalogue = true;
    const { sku, category, brand, vendor } = entry.match;
    if (sku !== undefined && isExactSku(sku) && !category && !brand && !vendor) {
      let bySupplier = exact.get(sku);
      if (!bySupplier) exact.set(sku, (bySupplier = new Map<string, CatalogueEntry>()));
      bySupplier.set(entry.supplier, entry);
    } else {
      const list = patterns.get(entry.supplier) ?? [];
      list.push({ matches: compileProductMatch(entry.match), entry, rank: productSpecificity(entry.match) });
      patterns.set(entry.supplier, list);
    }
  }
  for (const [id, list] of patterns) {
    supplier(id).patternEntries = list.sort((a, b) => b.rank - a.rank); // stable: equal ranks keep their order
  }
  // Lines no rule matches go to these: declared or catalogued suppliers, in the order first named.
  const known = [...suppliers.values()];
  const rank = new Map(known.map((candidate, i) => [candidate.id, i]));
  const uncatalogued = known.filter((candidate) => !candidate.hasCatalogue).map((candidate) => candidate.id);
  const patterned = known.filter((candidate) => candidate.patternEntries.length > 0);

  const expand = (names: readonly string[]): string[] => {
    const ids: string[] = [];
    for (const name of names) for (const id of groups[name] ?? [name]) if (!ids.includes(id)) ids.push(id);
    return ids;
  };
  const tiersOf = (primary: readonly string[], ruleFallback: readonly string[]): SupplierTiers => {
    const seen = new Set<string>();
    const tiers: string[][] = [];
    for (const step of [primary, ...[...ruleFallback, ...(rules.fallback ?? [])].map((name) => [name])]) {
      const ids = expand(step).filter((id) => !seen.has(id));
      ids.forEach((id) => seen.add(id));
      if (ids.length > 0) tiers.push(ids);
    }
    for (const tier of tiers) for (const id of tier) supplier(id);
    return tiers;
  };

  const compiledRules: CompiledRule[] = (rules.rules ?? []).map((rule, index) => {
    const match = rule.match ?? {};
    const product = compileProductMatch(match);
    const countries = match.countries ? new Set(match.countries) : undefined;
    const regions = match.regions ? new Set(match.regions) : undefined;
    const prefixes = match.postalPrefixes?.map((p) => p.replace(/\s+/g, '').toUpperCase());
    return {
      index,
      name: rule.name ?? `rule ${index + 1}`,
      tiers: tiersOf(rule.suppliers, rule.fallback ?? []),
      matches: (line, shipTo) => {
        if (countries && !countries.has(shipTo.country)) return false;
        if (regions && (shipTo.region === undefined || !regions.has(shipTo.region.toUpperCase())))
          return false;
        if (prefixes) {
          const postal = shipTo.postalCode?.replace(/\s+/g, '').toUpperCase() ?? '';
          if (!prefixes.some((p) => postal.startsWith(p))) return false;
        }
        return product(line);
      },
    };
  });

  const fallbackTiers = tiersOf([], []);
  const weights = { ...DEFAULT_WEIGHTS, ...rules.weights };
  return {
    strategy: rules.strategy ?? 'priority',
    split: rules.split ?? 'when_needed',
    weights,
    supplier,
    catalogueEntry(candidate, line) {
      const exactEntry = exact.get(line.sku)?.get(candidate.id);
      if (exactEntry) return exactEntry;
      for (const { matches, entry } of candidate.patternEntries) if (matches(line)) return entry;
      return candidate.hasCatalogue ? undefined : UNCATALOGUED;
    },
    ruleFor(line, shipTo) {
      for (const rule of compiledRules) if (rule.matches(line, shipTo)) return rule;
      return undefined;
    },
    defaultTiersFor(line) {
      const carriers: string[] = [];
      const bySupplier = exact.get(line.sku);
      if (bySupplier) for (const id of bySupplier.keys()) carriers.push(id);
      for (const candidate of patterned) {
        if (!bySupplier?.has(candidate.id) && candidate.patternEntries.some(({ matches }) => matches(line))) {
          carriers.push(candidate.id);
        }
      }
      carriers.push(...uncatalogued);
      if (carriers.length > 1) carriers.sort((a, b) => rank.get(a)! - rank.get(b)!);
      return [carriers, ...fallbackTiers];
    },
    listsSuppliers: known.length > 0,
  };
}

const cache = new WeakMap<RoutingRules, CompiledRules>();

/** Indexes built once per rules object: callers keep the parsed object and reuse it for every order. */
export function compiledRules(rules: RoutingRules): CompiledRules {
  let compiled = cache.get(rules);
  if (!compiled) {
    compiled = compile(rules);
    cache.set(rules, compiled);
  }
  return compiled;
}

/** Sellable units under the rules' buffers, for stock feeds that report what crossed zero or a threshold. */
export function sellableUnderRules(
  rules: RoutingRules,
): (supplierId: string, sku: string, quantity: number, committed: number) => number {
  const compiled = compiledRules(rules);
  return (supplierId, sku, quantity, committed) =>
    sellableQuantity(compiled.supplier(supplierId).stock, sku, quantity, committed);
}
