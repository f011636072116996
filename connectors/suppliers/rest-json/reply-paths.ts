/** Reads a dot path ("data.order.status", "errors.0.code") in a JSON reply; undefined where the path leads nowhere. */
export function readPath(value: unknown, dotPath: string): unknown {
  let current = value;
  for (const key of dotPath.split('.').filter(Boolean)) {
    if (current == null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A reply's value as text: strings and numbers (codes and ids are often numeric), nothing else. */
export function textAt(body: unknown, dotPath: string): string | undefined {
  const value = readPath(body, dotPath);
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A dot path setting, as the settings schemas declare it. */
export const PATH = { type: 'string', pattern: '^[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*$' } as const;
