/** A compiled SKU pattern: exact, prefix ("MUG-*"), anything ("*") or a general wildcard ("*-XL", "A*B*"). */
export type SkuMatcher = (sku: string) => boolean;

export function isExactSku(pattern: string): boolean {
  return !pattern.includes('*');
}

/** How specific a pattern is: the number of literal characters (an exact SKU beats every pattern). */
export function skuPatternSpecificity(pattern: string): number {
  return isExactSku(pattern) ? 1000 : pattern.replaceAll('*', '').length;
}

/** SKUs compare case-sensitively: suppliers' systems treat "mug-1" and "MUG-1" as different parts. */
export function compileSkuPattern(pattern: string): SkuMatcher {
  if (pattern === '*') return () => true;
  const star = pattern.indexOf('*');
  if (star === -1) return (sku) => sku === pattern;
  if (star === pattern.length - 1) {
    const prefix = pattern.slice(0, -1);
    return (sku) => sku.startsWith(prefix);
  }
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (sku) => regex.test(sku);
}
