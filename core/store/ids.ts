import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A random, URL-safe, case-insensitive id such as `ord_5k2m9q4xa1b7c3d8`. */
export function newId(prefix: string): string {
  const bytes = randomBytes(16);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % 32];
  return `${prefix}_${id}`;
}
