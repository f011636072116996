import type { StockBuffer, StockPolicy } from './routing-rules';
import { compileSkuPattern, type SkuMatcher } from './sku-pattern';

/** A supplier's stock policy with the rule set's defaults filled in and its patterns compiled. */
export interface ResolvedStockPolicy {
  whenNoFeed: 'assume_in_stock' | 'out_of_stock';
  noFeedConfidence: number;
  buffer?: StockBuffer;
  skuBuffers: { matches: SkuMatcher; buffer: StockBuffer }[];
  feedEveryMs?: number;
  disqualifyAfterMs?: number;
}

const DEFAULT_NO_FEED_CONFIDENCE = 0.5;

export function resolveStockPolicy(
  defaults: StockPolicy | undefined,
  own: StockPolicy | undefined,
): ResolvedStockPolicy {
  const merged: StockPolicy = { ...defaults, ...own };
  return {
    whenNoFeed: merged.whenNoFeed ?? 'assume_in_stock',
    noFeedConfidence: merged.noFeedConfidence ?? DEFAULT_NO_FEED_CONFIDENCE,
    buffer: merged.buffer,
    // A supplier's own SKU buffers come before the rule set's defaults.
    skuBuffers: [...(own?.skuBuffers ?? []), ...(defaults?.skuBuffers ?? [])].map((entry) => ({
      matches: compileSkuPattern(entry.sku),
      buffer: entry.buffer,
    })),
    feedEveryMs: merged.feedEveryMinutes === undefined ? undefined : merged.feedEveryMinutes * 60_000,
    disqualifyAfterMs:
      merged.disqualifyAfterMinutes === undefined ? undefined : merged.disqualifyAfterMinutes * 60_000,
  };
}

/** Units held back for a SKU: its own buffer if one fits, else the supplier's; a percentage rounds up. */
export function bufferUnits(policy: ResolvedStockPolicy, sku: string, quantity: number): number {
  let buffer = policy.buffer;
  for (const entry of policy.skuBuffers) {
    if (entry.matches(sku)) {
      buffer = entry.buffer;
      break;
    }
  }
  if (!buffer) return 0;
  if ('units' in buffer) return buffer.units;
  return Math.ceil((Math.max(quantity, 0) * buffer.percent) / 100);
}

/** What can still be sold from a supplier's reported quantity: less open POs and the safety buffer. */
export function sellableQuantity(
  policy: ResolvedStockPolicy,
  sku: string,
  quantity: number,
  committed: number,
): number {
  return quantity - committed - bufferUnits(policy, sku, quantity);
}
