import { compileSkuPattern } from '../routing/sku-pattern';
import type { StorefrontVariant } from '../ports/storefront-catalogue';

export type PriceRounding = 'none' | 'cent99' | 'cent95' | 'whole';

/** One labelled row of the price rules; the first row whose match fits a variant prices it. */
export interface PriceRule {
  name: string;
  match: {
    supplier?: string;
    /** The variant's vendor. */
    brand?: string;
    /** The variant's product type. */
    category?: string;
    /** Exact SKU or a pattern with `*`. */
    sku?: string;
  };
  markup: number;
  /** Added after the markup. */
  fixed?: number;
  rounding?: PriceRounding;
  /** The price is never below cost plus this. */
  minMargin?: number;
  /** Compare-at price as a multiple of the price; absent: the compare-at price is left as the shop has it. */
  compareAtMarkup?: number;
}

/** A supplier that may fill the variant, with its unit cost and what it can sell now. */
export interface CostCandidate {
  supplierId: string;
  cost?: number;
  mapPrice?: number;
  sellable: number;
}

export interface VariantPrice {
  price: string;
  compareAtPrice?: string | null;
  /** E.g. "24.99 = 11.20 × 2.0 + 2.50, rounded to .99; supplier acme cheapest in stock". */
  explanation: string;
}

const ROUNDING_WORDS: Record<Exclude<PriceRounding, 'none'>, string> = {
  cent99: 'rounded to .99',
  cent95: 'rounded to .95',
  whole: 'rounded up to a whole amount',
};

const cents = (amount: number): number => Math.round(amount * 100);
const money = (amountInCents: number): string => (amountInCents / 100).toFixed(2);
const factor = (value: number): string => (Number.isInteger(value) ? value.toFixed(1) : String(value));

/** The smallest price at or above `amount` (cents) that ends as the rounding asks. */
function roundUp(amountInCents: number, rounding: PriceRounding): number {
  switch (rounding) {
    case 'none':
      return amountInCents;
    case 'whole':
      return Math.ceil(amountInCents / 100) * 100;
    case 'cent99':
    case 'cent95': {
      const ending = rounding === 'cent99' ? 99 : 95;
      const candidate = Math.floor(amountInCents / 100) * 100 + ending;
      return candidate >= amountInCents ? candidate : candidate + 100;
    }
  }
}

export interface CompiledPriceRules {
  priceOf(variant: StorefrontVariant, candidates: readonly CostCandidate[]): VariantPrice | undefined;
}

/** The cheapest supplier in stock, else the cheapest of all, among those with a known cost. */
function cheapest(
  candidates: readonly CostCandidate[],
): { candidate: CostCandidate; inStock: boolean } | undefined {
  const costed = candidates.filter((candidate) => candidate.cost !== undefined);
  const inStock = costed.filter((candidate) => candidate.sellable > 0);
  const pool = inStock.length > 0 ? inStock : costed;
  if (pool.length === 0) return undefined;
  const candidate = pool.reduce((best, next) => (next.cost! < best.cost! ? next : best));
  return { candidate, inStock: inStock.length > 0 };
}

export function compilePriceRules(rules: readonly PriceRule[]): CompiledPriceRules {
  const compiled = rules.map((rule) => ({
    rule,
    sku: rule.match.sku === undefined ? undefined : compileSkuPattern(rule.match.sku),
  }));
  const ruleFor = (variant: StorefrontVariant, supplierId: string) =>
    compiled.find(
      ({ rule, sku }) =>
        (rule.match.supplier === undefined || rule.match.supplier === supplierId) &&
        (rule.match.brand === undefined || rule.match.brand === variant.vendor) &&
        (rule.match.category === undefined || rule.match.category === variant.productType) &&
        (sku === undefined || (variant.sku !== undefined && sku(variant.sku))),
    )?.rule;

  return {
    priceOf(variant, candidates) {
      if (compiled.length === 0) return undefined;
      const chosen = cheapest(candidates);
      if (!chosen) return undefined;
      const { candidate, inStock } = chosen;
      const rule = ruleFor(variant, candidate.supplierId);
      if (!rule) return undefined;
      const cost = cents(candidate.cost!);
      const fixed = cents(rule.fixed ?? 0);
      const rounding = rule.rounding ?? 'none';
      let price = roundUp(Math.round(cost * rule.markup) + fixed, rounding);
      const steps = [
        `${money(cost)} × ${factor(rule.markup)}${fixed ? ` + ${money(fixed)}` : ''}`,
        ...(rounding === 'none' ? [] : [ROUNDING_WORDS[rounding]]),
      ];
      if (rule.minMargin !== undefined && price < cost + cents(rule.minMargin)) {
        price = roundUp(cost + cents(rule.minMargin), rounding);
        steps.push(`raised to keep the minimum margin of ${money(cents(rule.minMargin))}`);
      }
      if (candidate.mapPrice !== undefined && price < cents(candidate.mapPrice)) {
        price = cents(candidate.mapPrice);
        steps.push(`raised to the MAP of ${money(price)}`);
      }
      const why = `rule "${rule.name}"; supplier ${candidate.supplierId} cheapest${inStock ? ' in stock' : ' (none in stock)'}`;
      const result: VariantPrice = {
        price: money(price),
        explanation: `${money(price)} = ${steps.join(', ')}; ${why}`,
      };
      if (rule.compareAtMarkup !== undefined) {
        const compareAt = roundUp(Math.round(price * rule.compareAtMarkup), rounding);
        result.compareAtPrice = compareAt > price ? money(compareAt) : null;
        result.explanation += `; compare-at ${result.compareAtPrice ?? 'none'}`;
      }
      return result;
    },
  };
}
