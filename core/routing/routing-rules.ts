import { invalidInput, type FieldProblem } from '../errors';
import { isCountryCode } from '../model/country-codes';
import { validateWithSchema } from '../validation/schema-validator';

/** The routing rules document; schemas/routing-rules.schema.json is the contract, these types mirror it. */
export type RoutingStrategy = 'priority' | 'lowest_cost' | 'highest_margin' | 'best_score';
export type SplitPolicy = 'never' | 'when_needed' | 'always';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface ProductMatch {
  /** Exact SKU or a pattern with `*` for any characters. */
  sku?: string;
  category?: string;
  brand?: string;
  vendor?: string;
}

export interface RuleMatch extends ProductMatch {
  countries?: string[];
  regions?: string[];
  postalPrefixes?: string[];
}

export interface RoutingRule {
  name?: string;
  match?: RuleMatch;
  /** Supplier ids or group names, best first. */
  suppliers: string[];
  fallback?: string[];
}

export interface CatalogueEntry {
  supplier: string;
  match: ProductMatch;
  supplierSku?: string;
  unitCost?: number;
  /** Per unit. */
  dropshipFee?: number;
}

export type StockBuffer = { units: number } | { percent: number };

export interface StockPolicy {
  whenNoFeed?: 'assume_in_stock' | 'out_of_stock';
  noFeedConfidence?: number;
  buffer?: StockBuffer;
  skuBuffers?: { sku: string; buffer: StockBuffer }[];
  feedEveryMinutes?: number;
  disqualifyAfterMinutes?: number;
}

export interface ShippingRate {
  countries?: string[];
  base: number;
  perUnit?: number;
}

export interface SupplierSettings {
  name?: string;
  active?: boolean;
  timeZone?: string;
  /** "HH:MM" in the supplier's time zone. */
  cutoff?: string;
  handlingDays?: number;
  shipDays?: Weekday[];
  shipsTo?: { countries?: string[]; excludeCountries?: string[] };
  shipping?: ShippingRate[];
  stock?: StockPolicy;
}

export interface ScoreWeights {
  stock?: number;
  cost?: number;
  handling?: number;
  performance?: number;
}

export interface RoutingRules {
  strategy?: RoutingStrategy;
  split?: SplitPolicy;
  suppliers?: Record<string, SupplierSettings>;
  groups?: Record<string, string[]>;
  catalogue?: CatalogueEntry[];
  rules?: RoutingRule[];
  fallback?: string[];
  stock?: StockPolicy;
  weights?: ScoreWeights;
}

export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function checkCountries(list: string[] | undefined, path: string, problems: FieldProblem[]): void {
  list?.forEach((code, i) => {
    if (!isCountryCode(code))
      problems.push({ path: `${path}/${i}`, message: `"${code}" is not an ISO 3166-1 country code` });
  });
}

function checkStockPolicy(policy: StockPolicy | undefined, path: string, problems: FieldProblem[]): void {
  if (!policy) return;
  const { feedEveryMinutes, disqualifyAfterMinutes } = policy;
  if (
    feedEveryMinutes !== undefined &&
    disqualifyAfterMinutes !== undefined &&
    disqualifyAfterMinutes < feedEveryMinutes
  ) {
    problems.push({
      path: `${path}/disqualifyAfterMinutes`,
      message: `is ${disqualifyAfterMinutes}, shorter than the expected feed interval of ${feedEveryMinutes} minutes`,
    });
  }
}

/** The checks a schema cannot express: real country codes and time zones, names that refer to something. */
function semanticProblems(rules: RoutingRules): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const supplierIds = new Set(Object.keys(rules.suppliers ?? {}));
  const groups = rules.groups ?? {};
  checkStockPolicy(rules.stock, '/stock', problems);

  for (const [id, supplier] of Object.entries(rules.suppliers ?? {})) {
    const path = `/suppliers/${id}`;
    if (supplier.timeZone && !validTimeZone(supplier.timeZone)) {
      problems.push({ path: `${path}/timeZone`, message: `"${supplier.timeZone}" is not an IANA time zone` });
    }
    checkCountries(supplier.shipsTo?.countries, `${path}/shipsTo/countries`, problems);
    checkCountries(supplier.shipsTo?.excludeCountries, `${path}/shipsTo/excludeCountries`, problems);
    const catchAll = (supplier.shipping ?? []).flatMap((rate, i) => (rate.countries ? [] : [i]));
    if (catchAll.length > 1) {
      problems.push({
        path: `${path}/shipping/${catchAll[1]}`,
        message: 'is a second rate without countries; only one rate can apply to every other country',
      });
    }
    supplier.shipping?.forEach((rate, i) =>
      checkCountries(rate.countries, `${path}/shipping/${i}/countries`, problems),
    );
    checkStockPolicy(supplier.stock, `${path}/stock`, problems);
  }

  for (const [name, members] of Object.entries(groups)) {
    if (supplierIds.has(name)) {
      problems.push({
        path: `/groups/${name}`,
        message: `has the same name as a supplier; rules could not tell them apart`,
      });
    }
    members.forEach((member, i) => {
      if (member in groups)
        problems.push({
          path: `/groups/${name}/${i}`,
          message: `names group "${member}"; groups hold suppliers only`,
        });
    });
  }

  const exactSkus = new Map<string, number>();
  rules.catalogue?.forEach((entry, i) => {
    const path = `/catalogue/${i}`;
    if (entry.supplier in groups)
      problems.push({ path: `${path}/supplier`, message: `is a group; name one supplier` });
    const sku = entry.match.sku;
    const exact = sku !== undefined && !sku.includes('*');
    if (entry.supplierSku !== undefined && !exact) {
      problems.push({
        path: `${path}/supplierSku`,
        message: 'needs an exact SKU in match/sku (one part number cannot stand for many SKUs)',
      });
    }
    if (exact && !entry.match.category && !entry.match.brand && !entry.match.vendor) {
      const key = `${entry.supplier}\u0000${sku}`;
      const first = exactSkus.get(key);
      if (first !== undefined) {
        problems.push({
          path: `${path}/match/sku`,
          message: `repeats "${sku}" for ${entry.supplier} (entry ${first})`,
        });
      } else exactSkus.set(key, i);
    }
  });

  rules.rules?.forEach((rule, i) => {
    checkCountries(rule.match?.countries, `/rules/${i}/match/countries`, problems);
  });
  return problems;
}

/**
 * The places where `rules` name a supplier that is not one of `configured` (the ids of the dropship-supplier
 * config nodes): rule suppliers and fallbacks (group names stand for their members), the last-resort fallback,
 * group members and catalogue entries (settings for a supplier route nothing). An order routed to such an id would
 * wait for a supplier nobody can send to, so the router refuses these rules.
 */
function unknownSupplierMentions(
  rules: RoutingRules,
  configured: ReadonlySet<string>,
): { id: string; path: string }[] {
  const groups = rules.groups ?? {};
  const mentions: { id: string; path: string }[] = [];
  const check = (id: string, path: string): void => {
    if (!configured.has(id) && !(id in groups)) mentions.push({ id, path });
  };
  rules.rules?.forEach((rule, i) => {
    rule.suppliers.forEach((id, j) => check(id, `/rules/${i}/suppliers/${j}`));
    rule.fallback?.forEach((id, j) => check(id, `/rules/${i}/fallback/${j}`));
  });
  rules.fallback?.forEach((id, j) => check(id, `/fallback/${j}`));
  for (const [name, members] of Object.entries(groups))
    members.forEach((id, j) => check(id, `/groups/${name}/${j}`));
  rules.catalogue?.forEach((entry, i) => check(entry.supplier, `/catalogue/${i}/supplier`));
  return mentions;
}

/** Each place the rules name a supplier that is not configured, as a field problem. */
export function unknownSupplierProblems(
  rules: RoutingRules,
  configured: ReadonlySet<string>,
): FieldProblem[] {
  return unknownSupplierMentions(rules, configured).map(({ id, path }) => ({
    path,
    message: `"${id}" is not a configured supplier (no dropship-supplier has this id)`,
  }));
}

/** The supplier ids the rules name that are not configured, each once, in the order the rules name them. */
export function unknownSupplierIds(rules: RoutingRules, configured: ReadonlySet<string>): string[] {
  return [...new Set(unknownSupplierMentions(rules, configured).map((m) => m.id))];
}

/**
 * Validates a routing rules document (schema, then meaning) and returns it typed. Throws a DropshipError
 * (invalid_input) whose details name each offending field.
 */
export function parseRoutingRules(value: unknown): RoutingRules {
  const rules = validateWithSchema<RoutingRules>('routing-rules.schema.json', value, 'routing rules');
  const problems = semanticProblems(rules);
  if (problems.length > 0) throw invalidInput('routing rules', problems);
  return rules;
}
