import { invalidInput, type FieldProblem } from '../errors';
import { parseExplicitMapCsv, type MatchKey } from './catalogue-mapping';
import type { PriceRounding, PriceRule } from './price-rules';
import type { StorefrontSyncSettings } from './sync-storefront';

/** The settings as the editor saves them: text fields, rows of the two tables, the map as CSV. */
export interface StorefrontSyncConfig {
  matchBy: string;
  map: string;
  combine: string;
  floor: string | number;
  ceiling: string | number;
  limits: { sku?: string; floor?: string | number; ceiling?: string | number }[];
  priceRules: {
    name?: string;
    supplier?: string;
    brand?: string;
    category?: string;
    sku?: string;
    markup?: string | number;
    fixed?: string | number;
    rounding?: string;
    minMargin?: string | number;
    compareAtMarkup?: string | number;
  }[];
  pushPrices: boolean;
}

const MATCH_BY: Record<string, MatchKey[]> = {
  sku: ['sku'],
  barcode: ['barcode'],
  sku_barcode: ['sku', 'barcode'],
};
const ROUNDINGS: readonly PriceRounding[] = ['none', 'cent99', 'cent95', 'whole'];

/** A number field: undefined when empty, else a finite number at least `min`, or a problem at `path`. */
function optionalNumber(
  value: string | number | undefined,
  path: string,
  problems: FieldProblem[],
  options: { min: number; whole?: boolean },
): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < options.min || (options.whole && !Number.isInteger(number))) {
    problems.push({
      path,
      message: `is ${JSON.stringify(value)}; enter ${options.whole ? 'a whole number' : 'a number'} of at least ${options.min}`,
    });
    return undefined;
  }
  return number;
}

const text = (value: string | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

/**
 * The node's settings checked and typed; throws an invalid_input DropshipError naming each field that cannot be
 * used (`/priceRules/2/markup`, `/map`), so the node's status shows what to fix.
 */
export function parseStorefrontSyncConfig(config: StorefrontSyncConfig): StorefrontSyncSettings {
  const problems: FieldProblem[] = [];
  const matchBy = MATCH_BY[config.matchBy];
  if (!matchBy)
    problems.push({
      path: '/matchBy',
      message: `is "${config.matchBy}"; choose sku, barcode or sku_barcode`,
    });
  if (config.combine !== 'sum' && config.combine !== 'best') {
    problems.push({ path: '/combine', message: `is "${config.combine}"; choose sum or best` });
  }
  let explicitMap: StorefrontSyncSettings['explicitMap'] = [];
  try {
    explicitMap = config.map.trim() ? parseExplicitMapCsv(config.map) : [];
  } catch (err) {
    problems.push({ path: '/map', message: (err as Error).message });
  }
  const whole = { min: 0, whole: true };
  const limits = {
    floor: optionalNumber(config.floor, '/floor', problems, whole),
    ceiling: optionalNumber(config.ceiling, '/ceiling', problems, whole),
  };
  const variantLimits = config.limits.map((row, i) => {
    const sku = text(row.sku);
    if (!sku)
      problems.push({ path: `/limits/${i}/sku`, message: 'is empty; enter a SKU or a pattern with *' });
    return {
      sku: sku ?? '',
      floor: optionalNumber(row.floor, `/limits/${i}/floor`, problems, whole),
      ceiling: optionalNumber(row.ceiling, `/limits/${i}/ceiling`, problems, whole),
    };
  });
  const names = new Set<string>();
  const priceRules = config.priceRules.map((row, i): PriceRule => {
    const path = `/priceRules/${i}`;
    const name = text(row.name) ?? `row ${i + 1}`;
    if (names.has(name))
      problems.push({ path: `${path}/name`, message: `repeats "${name}"; each rule needs its own name` });
    names.add(name);
    const markup = optionalNumber(row.markup, `${path}/markup`, problems, { min: 0.01 });
    if (markup === undefined && (row.markup === undefined || row.markup === '')) {
      problems.push({
        path: `${path}/markup`,
        message: 'is empty; enter the factor cost is multiplied by, e.g. 2',
      });
    }
    const rounding = (row.rounding || 'none') as PriceRounding;
    if (!ROUNDINGS.includes(rounding)) {
      problems.push({
        path: `${path}/rounding`,
        message: `is "${row.rounding}"; choose none, cent99, cent95 or whole`,
      });
    }
    const rule: PriceRule = {
      name,
      match: {
        ...(text(row.supplier) ? { supplier: text(row.supplier) } : {}),
        ...(text(row.brand) ? { brand: text(row.brand) } : {}),
        ...(text(row.category) ? { category: text(row.category) } : {}),
        ...(text(row.sku) ? { sku: text(row.sku) } : {}),
      },
      markup: markup ?? 1,
      rounding,
    };
    const fixed = optionalNumber(row.fixed, `${path}/fixed`, problems, { min: 0 });
    const minMargin = optionalNumber(row.minMargin, `${path}/minMargin`, problems, { min: 0 });
    const compareAtMarkup = optionalNumber(row.compareAtMarkup, `${path}/compareAtMarkup`, problems, {
      min: 1,
    });
    if (fixed !== undefined) rule.fixed = fixed;
    if (minMargin !== undefined) rule.minMargin = minMargin;
    if (compareAtMarkup !== undefined) rule.compareAtMarkup = compareAtMarkup;
    return rule;
  });
  if (problems.length > 0) throw invalidInput('storefront sync settings', problems);
  return {
    matchBy: matchBy!,
    explicitMap,
    combine: config.combine as StorefrontSyncSettings['combine'],
    limits,
    variantLimits,
    priceRules,
    pushPrices: config.pushPrices,
  };
}
