import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Milliseconds since 1970 in 9 base-32 digits: 2^45 ms, enough until the year 3084. */
const TIME_DIGITS = 9;
const RANDOM_DIGITS = 16;
/** Random bytes drawn 256 ids at a time: a call to the generator per id would cost every intake. */
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * A URL-safe, case-insensitive id such as `ord_01jf3m8q2c5k2m9q4xa1b7c3d8`: the creation time in milliseconds,
 * then 80 random bits (unguessable, and unique across instances). Time first because these ids key the orders and
 * their lines and events: new ids land at the right edge of those indexes, so a group commit writes a few index
 * pages instead of one per order per index (docs/reliability.md, Speed).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  if (used + RANDOM_DIGITS > pool.length) {
    pool = randomBytes(RANDOM_DIGITS * POOL_IDS);
    used = 0;
  }
  let time = '';
  for (let i = 0, rest = now; i < TIME_DIGITS; i++, rest = Math.floor(rest / 32))
    time = ALPHABET[rest % 32] + time;
  let random = '';
  for (let i = used; i < used + RANDOM_DIGITS; i++) random += ALPHABET[pool[i]! % 32];
  used += RANDOM_DIGITS;
  return `${prefix}_${time}${random}`;
}
