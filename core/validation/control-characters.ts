import type { FieldProblem } from '../errors';

/**
 * NUL, the other C0 control characters except tab and line breaks, and DEL. None has a place in an order or a
 * shipment report, and NUL cannot even be stored: PostgreSQL refuses it in text and JSON.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** One problem per string (at any depth) that holds a control character, named by its path. */
export function controlCharacterProblems(value: unknown, path = ''): FieldProblem[] {
  if (typeof value === 'string') {
    const found = CONTROL_CHARACTER.exec(value);
    if (!found) return [];
    const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return [{ path, message: `contains the control character U+${code}` }];
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    controlCharacterProblems(child, `${path}/${key}`),
  );
}
