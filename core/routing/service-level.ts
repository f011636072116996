import { utcOffsetMs } from '../time-zone';
import type { Weekday } from './routing-rules';

export const DAY_MS = 86_400_000;
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MAX_CACHED_DATES = 10_000;
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
    if (isoDates.size >= MAX_CACHED_DATES) isoDates.clear();
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
