import type { FieldProblem } from '../errors';

/**
 * NUL, the other C0 control characters except tab and line breaks, and DEL. None has a place in an order or a
 * shipment report, and NUL cannot even be stored: PostgreSQL refuses it in text and JSON.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Whether any string at any depth holds a control character: the common answer, no, without building paths. */
function holdsControlCharacter(value: unknown): boolean {
  if (typeof value === 'string') return CONTROL_CHARACTER.test(value);
  if (value === null || typeof value !== 'object') return false;
  for (const child of Object.values(value as Record<string, unknown>)) {
    if (holdsControlCharacter(child)) return true;
  }
  return false;
}

/**
 * One problem per string (at any depth) that holds a control character, named by its path. Paths are built
 * only for a value that holds one: almost no webhook has one, and every webhook has many fields.
 */
export function controlCharacterProblems(value: unknown, path = ''): FieldProblem[] {
  return holdsControlCharacter(value) ? problemsAt(value, path) : [];
}

function problemsAt(value: unknown, path: string): FieldProblem[] {
  if (typeof value === 'string') {
    const found = CONTROL_CHARACTER.exec(value);
    if (!found) return [];
    const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return [{ path, message: `contains the control character U+${code}` }];
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    problemsAt(child, `${path}/${key}`),
  );
}
