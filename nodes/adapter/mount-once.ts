const mounted = new WeakMap<object, Set<string>>();

/**
 * True the first time it is asked for this HTTP app (`RED.httpAdmin`, `RED.httpNode`) and key, false after: routes
 * are mounted once per runtime, not at every registration or deploy. Keyed by the app, so a new runtime in the
 * same process (as the tests start) mounts them again.
 */
export function mountOnce(app: object, key: string): boolean {
  const keys = mounted.get(app) ?? new Set<string>();
  mounted.set(app, keys);
  if (keys.has(key)) return false;
  keys.add(key);
  return true;
}
