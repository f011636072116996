import { invalidInput, type DropshipError } from '../../../core/errors';
import type { ItemIdentifier } from '../../../core/model/item-identifier';
import { segmentPath, type X12Transaction } from './envelope';
import { utcOffsetMs } from '../../../core/time-zone';

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
 * DTM04 time codes (X12 element 623) as IANA zones: the US zone names follow daylight saving, the S/D codes are
 * fixed offsets (Etc/GMT signs are inverted), LT is the partner's local time.
 */
const TIME_CODE_ZONES: Record<string, string> = {
  UT: 'UTC',
  GM: 'UTC',
  ET: 'America/New_York',
  CT: 'America/Chicago',
  MT: 'America/Denver',
  PT: 'America/Los_Angeles',
  AT: 'America/Anchorage',
  HT: 'Pacific/Honolulu',
  ES: 'Etc/GMT+5',
  ED: 'Etc/GMT+4',
  CS: 'Etc/GMT+6',
  CD: 'Etc/GMT+5',
  MS: 'Etc/GMT+7',
  MD: 'Etc/GMT+6',
  PS: 'Etc/GMT+8',
  PD: 'Etc/GMT+7',
};

/** The zone a DTM04 time code names, the partner's zone for LT or no code. */
export function zoneOfTimeCode(code: string, partnerZone: string | undefined): string | undefined {
  return TIME_CODE_ZONES[code] ?? partnerZone;
}

/**
 * A date and HHMM[SS] time to an ISO timestamp. X12 times carry no zone unless a DTM04 says so: they are read in
 * `zone` (the trading partner's IANA time zone), UTC when the partner has none set.
 */
export function x12Timestamp(date: string, time = '', zone?: string): string | undefined {
  const day = x12Date(date);
  if (!day) return undefined;
  const hh = /^\d{4,8}$/.test(time) ? time.slice(0, 2) : '00';
  const mm = /^\d{4,8}$/.test(time) ? time.slice(2, 4) : '00';
  const ss = /^\d{6,8}$/.test(time) ? time.slice(4, 6) : '00';
  const wall = Date.parse(`${day}T${hh}:${mm}:${ss}.000Z`);
  if (Number.isNaN(wall)) return undefined;
  if (!zone || zone === 'UTC') return new Date(wall).toISOString();
  // The offset at the wall time read as UTC, corrected once: right on both sides of a daylight-saving change.
  const first = wall - utcOffsetMs(zone, wall);
  return new Date(wall - utcOffsetMs(zone, first)).toISOString();
}

/** A numeric element (R type) to a number; a mapping error through `fail` when it is not one. */
export function x12Number(value: string, fail: (message: string) => Error, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw fail(`${what} "${value}" is not a number`);
  return n;
}

/**
 * Which identifier qualifier names the shop's SKU, first match wins: the buyer's own numbers (an echo of our
 * 850's BP), then the vendor's part numbers, and the global trade item numbers (UPC, EAN, GTIN) last, since a
 * shop rarely keys its catalogue on them. A partner whose vendor part number is the shop's SKU sets its own order.
 */
export const DEFAULT_SKU_QUALIFIERS: readonly string[] = [
  'BP',
  'SK',
  'IN',
  'VP',
  'VN',
  'VA',
  'MG',
  'UP',
  'UK',
  'UA',
  'EN',
  'EA',
];

/** Every qualifier/id pair of PO1, LIN, SLN, IT1 (from element `first` on), in the order sent. */
export function itemIdentifiers(segment: string[], first: number): ItemIdentifier[] {
  const found: ItemIdentifier[] = [];
  for (let i = first; i + 1 < segment.length; i += 2) {
    const qualifier = segment[i]!;
    const id = segment[i + 1]!;
    if (qualifier !== '' && id !== '') found.push({ qualifier, id });
  }
  return found;
}

/** SLN09 on: the qualifier/id pairs of a subline, added to its line's identifiers (each pair once). */
export function addSublineIdentifiers(identifiers: ItemIdentifier[], sln: string[]): void {
  for (const found of itemIdentifiers(sln, 9)) {
    if (!identifiers.some((i) => i.qualifier === found.qualifier && i.id === found.id))
      identifiers.push(found);
  }
}

/**
 * The shop's SKU among a line's identifiers: the first qualifier of `order` the line carries, else the line's
 * first identifier whatever its qualifier (a partner that sends only a manufacturer's number is still read).
 */
export function skuOf(
  identifiers: ItemIdentifier[],
  order: readonly string[] = DEFAULT_SKU_QUALIFIERS,
): string | undefined {
  for (const qualifier of order) {
    const match = identifiers.find((identifier) => identifier.qualifier === qualifier);
    if (match) return match.id;
  }
  return identifiers[0]?.id;
}

const VENDOR_QUALIFIERS = new Set(['VP', 'VN', 'VA']);

/** The vendor's part number (VP, VN, VA), which 850 and 810 lines carry as `supplierSku`. */
export function vendorPartOf(identifiers: ItemIdentifier[]): string | undefined {
  return identifiers.find((identifier) => VENDOR_QUALIFIERS.has(identifier.qualifier))?.id;
}
