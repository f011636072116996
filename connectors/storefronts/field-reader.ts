import { invalidInput, type FieldProblem } from '../../core/errors';

/**
 * Reads fields of a storefront payload and collects every problem with its source path, so one 422 answer lists
 * all that is wrong with the payload instead of the first thing only.
 */
export class PayloadReader {
  readonly problems: FieldProblem[] = [];

  constructor(private readonly what: string) {}

  object(value: unknown, path: string): Record<string, unknown> {
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    this.problems.push({ path, message: value == null ? 'is required' : 'must be an object' });
    return {};
  }

  optionalObject(value: unknown): Record<string, unknown> {
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  }

  array(value: unknown, path: string): unknown[] {
    if (Array.isArray(value)) return value;
    this.problems.push({ path, message: value == null ? 'is required' : 'must be an array' });
    return [];
  }

  /** A string or number id, as text (storefront ids are numbers beyond 2^53 in some shops: keep them exact). */
  id(value: unknown, path: string): string {
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    this.problems.push({
      path,
      message: typeof value === 'number' ? 'is not a safe integer id' : 'is required',
    });
    return '';
  }

  text(value: unknown): string | undefined {
    if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
    if (typeof value === 'number') return String(value);
    return undefined;
  }

  /** Money as storefronts send it ("19.99" or 19.99) in major units. */
  money(value: unknown, path: string, fallback?: number): number {
    const parsed =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    if (Number.isFinite(parsed)) return Math.round(parsed * 100) / 100;
    if (fallback !== undefined && (value === undefined || value === null || value === '')) return fallback;
    this.problems.push({ path, message: 'must be an amount' });
    return 0;
  }

  integer(value: unknown, path: string): number {
    const parsed = typeof value === 'string' ? Number(value) : value;
    if (typeof parsed === 'number' && Number.isInteger(parsed)) return parsed;
    this.problems.push({ path, message: 'must be a whole number' });
    return 0;
  }

  /** An ISO date-time in UTC, or the problem recorded. */
  date(value: unknown, path: string): string {
    if (typeof value === 'string') {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return new Date(ms).toISOString();
    }
    this.problems.push({ path, message: 'must be a date-time' });
    return new Date(0).toISOString();
  }

  /** Throws the collected problems, if any. */
  finish(): void {
    if (this.problems.length > 0) throw invalidInput(this.what, this.problems);
  }
}

/** "Ada" + "Lovelace", or whichever part exists. */
export function personName(first: unknown, last: unknown, full?: unknown): string | undefined {
  if (typeof full === 'string' && full.trim()) return full.trim();
  const joined = [first, last].filter((p): p is string => typeof p === 'string' && p.trim() !== '').join(' ');
  return joined || undefined;
}
