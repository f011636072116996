import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DropshipError } from '../errors';

/** Domain separation: a MAC made for tracking links is useless anywhere else the same secret might be used. */
const PURPOSE = 'dropship-tracking-link:v1:';
/** The key that seals links (version 2) is derived from the secret for that purpose alone. */
const SEALING_PURPOSE = 'dropship-tracking-link:v2:aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MIN_SECRET_LENGTH = 16;

interface TokenPayload {
  /** Order id. */
  o: string;
  /** Expiry, epoch seconds. */
  e?: number;
}

function checkedSecret(secret: string): string {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new DropshipError(
      'configuration',
      `the tracking link secret must have at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return secret;
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', checkedSecret(secret))
    .update(PURPOSE + payload)
    .digest();
}

function sealingKey(secret: string): Buffer {
  return createHmac('sha256', checkedSecret(secret)).update(SEALING_PURPOSE).digest();
}

/**
 * A token for the link /dropship/track/<token>: the order id and an optional expiry, sealed with AES-256-GCM
 * under a key derived from the secret (a random IV each time), base64url encoded. It proves the link came from
 * the store and hides which order it names: nothing in it is readable without the secret.
 */
export function createTrackingToken(
  orderId: string,
  secret: string,
  options: { expiresAt?: Date } = {},
): string {
  const payload: TokenPayload = { o: orderId };
  if (options.expiresAt) payload.e = Math.floor(options.expiresAt.getTime() / 1000);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The payload of a sealed (version 2) token, or undefined when no secret opens it. */
function openSealed(token: string, secrets: string[]): TokenPayload | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
  const iv = bytes.subarray(0, IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const sealed = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
  for (const secret of secrets) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), iv);
      decipher.setAuthTag(tag);
      const text = Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
      return JSON.parse(text) as TokenPayload;
    } catch {
      // Not sealed with this secret (or not at all): the next one, if any.
    }
  }
  return undefined;
}

/**
 * The payload of a signed (version 1) token, as links sent before sealing carry it (`<payload>.<mac>`, the order
 * id readable): still accepted, so links already in customers' mailboxes keep working, and they expire by the
 * same rule as new ones (see linkExpired).
 */
function openSigned(token: string, secrets: string[]): TokenPayload | undefined {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!))
    return undefined;
  const [encoded, signature] = parts as [string, string];
  const presented = Buffer.from(signature, 'base64url');
  const signed = secrets.some((s) => {
    const expected = mac(s, encoded);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  });
  if (!signed) return undefined;
  try {
    return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    return undefined;
  }
}

/**
 * The order id a token was made for, or undefined when the token is malformed, was not made with one of the
 * secrets (the current one first, then older ones during a rotation) or has expired. MACs are compared in
 * constant time; a sealed token is authenticated by its GCM tag.
 */
export function verifyTrackingToken(
  token: string,
  secret: string | string[],
  now: Date = new Date(),
): string | undefined {
  const secrets = Array.isArray(secret) ? secret : [secret];
  const payload = token.includes('.') ? openSigned(token, secrets) : openSealed(token, secrets);
  if (!payload || typeof payload.o !== 'string' || payload.o === '') return undefined;
  if (payload.e !== undefined && (typeof payload.e !== 'number' || payload.e * 1000 <= now.getTime()))
    return undefined;
  return payload.o;
}
