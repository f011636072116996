import type { Weekday } from './routing-rules';

export const DAY_MS = 86_400_000;
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
// Every UTC offset change in the tz database happens on a quarter hour, so an offset holds for a whole bucket.
const OFFSET_BUCKET_MS = 15 * 60_000;
const MAX_CACHED_OFFSETS = 10_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets per zone, then per quarter-hour bucket (nested maps: no key string to build per lookup). */
const offsets = new Map<string, Map<number, number>>();
let cachedOffsets = 0;

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Milliseconds to add to a UTC instant to get the wall-clock time in `zone` (Intl, cached per quarter hour). */
export function utcOffsetMs(zone: string, atMs: number): number {
  if (zone === 'UTC') return 0;
  const bucket = Math.floor(atMs / OFFSET_BUCKET_MS);
  let byBucket = offsets.get(zone);
  if (!byBucket) offsets.set(zone, (byBucket = new Map<number, number>()));
  let offset = byBucket.get(bucket);
  if (offset === undefined) {
    const at = bucket * OFFSET_BUCKET_MS;
    const parts = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
    for (const part of formatterFor(zone).formatToParts(at)) {
      if (part.type in parts) parts[part.type as keyof typeof parts] = Number(part.value);
    }
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    offset = wall - at;
    if (++cachedOffsets > MAX_CACHED_OFFSETS) {
      offsets.clear();
      cachedOffsets = 1;
      offsets.set(zone, (byBucket = new Map<number, number>()));
    }
    byBucket.set(bucket, offset);
  }
  return offset;
}

/** Days since 1970-01-01 of the local calendar date in `zone` at `atMs`. */
export function localDayNumber(zone: string, atMs: number): number {
  return Math.floor((atMs + utcOffsetMs(zone, atMs)) / DAY_MS);
}

/** 0 = Sunday, like Date#getUTCDay; 1970-01-01 (day 0) was a Thursday. */
function weekdayIndex(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

const isoDates = new Map<number, string>();

/** "2026-11-19" for a day number; cached, since every decision names a few dispatch dates. */
export function isoDateOfDayNumber(day: number): string {
  let date = isoDates.get(day);
  if (date === undefined) {
    if (isoDates.size >= MAX_CACHED_OFFSETS) isoDates.clear();
    date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    isoDates.set(day, date);
  }
  return date;
}

export interface ShippingCalendar {
  zone: string;
  /** Minutes after local midnight; undefined = no cut-off. */
  cutoffMinutes?: number;
  handlingDays: number;
  /** Indexed by weekday number (0 = Sunday). */
  shipsOn: readonly boolean[];
}

export interface DispatchEstimate {
  /** Local day number (in the supplier's zone) on which the parcel leaves. */
  dispatchDay: number;
  /** Calendar days from the supplier's local today to dispatch. */
  daysUntilDispatch: number;
  /** True when the order arrived after today's cut-off (or on a day the warehouse does not ship). */
  missedToday: boolean;
}

/**
 * When a supplier will ship an order routed at `nowMs`: handling starts today if it is a shipping day and the
 * local time is before the cut-off, else on the next shipping day; dispatch follows `handlingDays` shipping
 * days later.
 */
export function estimateDispatch(calendar: ShippingCalendar, nowMs: number): DispatchEstimate {
  const offset = utcOffsetMs(calendar.zone, nowMs);
  const local = nowMs + offset;
  const today = Math.floor(local / DAY_MS);
  const minuteOfDay = Math.floor((local - today * DAY_MS) / 60_000);
  const shipsOn = (day: number) => calendar.shipsOn[weekdayIndex(day)] === true;
  let day = today;
  const missedToday =
    !shipsOn(today) || (calendar.cutoffMinutes !== undefined && minuteOfDay >= calendar.cutoffMinutes);
  if (missedToday) {
    day += 1;
    while (!shipsOn(day)) day += 1;
  }
  for (let remaining = calendar.handlingDays; remaining > 0;) {
    day += 1;
    if (shipsOn(day)) remaining -= 1;
  }
  return { dispatchDay: day, daysUntilDispatch: day - today, missedToday };
}

export function shipsOnMask(days: readonly Weekday[]): boolean[] {
  return WEEKDAYS.map((weekday) => days.includes(weekday));
}
