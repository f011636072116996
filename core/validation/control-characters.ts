import type { FieldProblem } from '../errors';

/**
 * NUL, the other C0 control characters except tab and line breaks, and DEL. None has a place in an order or a
 * shipment report, and NUL cannot even be stored: PostgreSQL refuses it in text and JSON.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * Half of a UTF-16 surrogate pair without its other half (JSON lets `"\ud800"` through): not a character, so
 * no text encoding can hold it. PostgreSQL refuses it in text and JSON; SQLite would store the replacement
 * character instead. Refused at validation, both engines keep the same orders.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string holds what no engine may store: a control character or a lone surrogate. */
function isUnstorable(text: string): boolean {
  return CONTROL_CHARACTER.test(text) || LONE_SURROGATE.test(text);
}

/** Whether any string (or key) at any depth is unstorable: the common answer, no, without building paths. */
function holdsControlCharacter(value: unknown): boolean {
  if (typeof value === 'string') return isUnstorable(value);
  if (value === null || typeof value !== 'object') return false;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (isUnstorable(key) || holdsControlCharacter(child)) return true;
  }
  return false;
}

/**
 * One problem per string (at any depth) that holds a control character or a lone surrogate, named by its path.
 * Paths are built only for a value that holds one: almost no webhook has one, and every webhook has many fields.
 */
export function controlCharacterProblems(value: unknown, path = ''): FieldProblem[] {
  return holdsControlCharacter(value) ? problemsAt(value, path) : [];
}

function codePoint(character: string): string {
  return character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}

function stringProblem(text: string, path: string, what = 'contains'): FieldProblem[] {
  const control = CONTROL_CHARACTER.exec(text);
  if (control) return [{ path, message: `${what} the control character U+${codePoint(control[0])}` }];
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate)
    return [
      { path, message: `${what} a lone surrogate U+${codePoint(surrogate[0])}, which is not a character` },
    ];
  return [];
}

function problemsAt(value: unknown, path: string): FieldProblem[] {
  if (typeof value === 'string') return stringProblem(value, path);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => [
    ...stringProblem(key, `${path}/${key}`, 'has a name with'),
    ...problemsAt(child, `${path}/${key}`),
  ]);
}
