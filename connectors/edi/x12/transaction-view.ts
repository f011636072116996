import { invalidInput, type DropshipError } from '../../../core/errors';
import { segmentPath, type X12Transaction } from './envelope';

/** Read helpers over one transaction's segments that keep every mapping error tied to a segment position. */
export class TransactionView {
  constructor(readonly transaction: X12Transaction) {}

  get segments(): string[][] {
    return this.transaction.segments;
  }

  /** A mapping problem at segment index `index` of this transaction. */
  error(index: number, message: string): DropshipError {
    const segment = this.transaction.segments[index];
    return invalidInput(`X12 ${this.transaction.setId}`, [
      { path: segmentPath(this.transaction.position + index, segment?.[0] ?? 'ST'), message },
    ]);
  }

  /** Index of the first segment with this id, or -1. */
  indexOf(id: string, from = 0): number {
    const segments = this.transaction.segments;
    for (let i = from; i < segments.length; i++) if (segments[i]![0] === id) return i;
    return -1;
  }

  /** The first segment with this id; a mapping error naming the ST when it is missing. */
  required(id: string, what: string): { segment: string[]; index: number } {
    const index = this.indexOf(id);
    if (index < 0) throw this.error(0, `${what}: the ${id} segment is missing`);
    return { segment: this.transaction.segments[index]!, index };
  }

  /** A component of a composite element (ISA16 separates components). */
  component(value: string, n: number): string {
    return value.split(this.transaction.interchange.delimiters.component)[n - 1] ?? '';
  }
}

export function element(segment: string[], n: number): string {
  return segment[n] ?? '';
}

/** CCYYMMDD (or the ISA's YYMMDD) to an ISO date, undefined when absent or malformed. */
export function x12Date(value: string): string | undefined {
  if (/^\d{8}$/.test(value)) return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  if (/^\d{6}$/.test(value)) return `20${value.slice(0, 2)}-${value.slice(2, 4)}-${value.slice(4, 6)}`;
  return undefined;
}

/**
 * A date and HHMM[SS] time to an ISO timestamp. X12 times carry no zone unless a DTM04 says so; partners we
 * know send UTC or do not care, so UTC is assumed.
 */
export function x12Timestamp(date: string, time = ''): string | undefined {
  const day = x12Date(date);
  if (!day) return undefined;
  const hh = /^\d{4,8}$/.test(time) ? time.slice(0, 2) : '00';
  const mm = /^\d{4,8}$/.test(time) ? time.slice(2, 4) : '00';
  const ss = /^\d{6,8}$/.test(time) ? time.slice(4, 6) : '00';
  return `${day}T${hh}:${mm}:${ss}.000Z`;
}

/** A numeric element (R type) to a number; a mapping error through `fail` when it is not one. */
export function x12Number(value: string, fail: (message: string) => Error, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw fail(`${what} "${value}" is not a number`);
  return n;
}

/** Buyer's and vendor's part numbers from the qualifier/id pairs of PO1, LIN, IT1 (from `first` on). */
export interface PartNumbers {
  buyer?: string;
  vendor?: string;
}

const BUYER_QUALIFIERS = new Set(['BP', 'SK', 'IN', 'UP']);
const VENDOR_QUALIFIERS = new Set(['VP', 'VN', 'VA']);

export function partNumbers(segment: string[], first: number): PartNumbers {
  const found: PartNumbers = {};
  for (let i = first; i + 1 < segment.length; i += 2) {
    const qualifier = segment[i]!;
    const id = segment[i + 1]!;
    if (id === '') continue;
    if (found.buyer === undefined && BUYER_QUALIFIERS.has(qualifier)) found.buyer = id;
    else if (found.vendor === undefined && VENDOR_QUALIFIERS.has(qualifier)) found.vendor = id;
  }
  return found;
}
