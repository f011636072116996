import type { OversellCount } from '../store/storefront-sync-store';

/** Per channel and SKU: order lines placed, lines of oversold orders, and the share oversold (0..1). */
export interface OversellRate extends OversellCount {
  rate: number;
}

export function oversellRates(counts: readonly OversellCount[]): OversellRate[] {
  return counts.map((count) => ({ ...count, rate: count.lines === 0 ? 0 : count.oversold / count.lines }));
}
