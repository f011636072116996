import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

const ID_BYTES = 16;
/** Random bytes drawn 256 ids at a time: one call to the generator per id cost 2% of the intake. */
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let used = 0;

/** A random, URL-safe, case-insensitive id such as `ord_5k2m9q4xa1b7c3d8`. */
export function newId(prefix: string): string {
  if (used + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * POOL_IDS);
    used = 0;
  }
  let id = '';
  for (let i = used; i < used + ID_BYTES; i++) id += ALPHABET[pool[i]! % 32];
  used += ID_BYTES;
  return `${prefix}_${id}`;
}
