/** Wall-clock offsets of IANA time zones, for routing cut-offs and for documents whose times carry no zone. */

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
