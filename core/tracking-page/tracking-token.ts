import { createHmac, timingSafeEqual } from 'node:crypto';
import { DropshipError } from '../errors';

/** Domain separation: a MAC made for tracking links is useless anywhere else the same secret might be used. */
const PURPOSE = 'dropship-tracking-link:v1:';
const MIN_SECRET_LENGTH = 16;

interface TokenPayload {
  /** Order id. */
  o: string;
  /** Expiry, epoch seconds. */
  e?: number;
}

function mac(secret: string, payload: string): Buffer {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new DropshipError(
      'configuration',
      `the tracking link secret must have at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return createHmac('sha256', secret)
    .update(PURPOSE + payload)
    .digest();
}

/**
 * A signed token for the link /dropship/track/<token>: the order id and an optional expiry, base64url encoded,
 * followed by an HMAC-SHA256 of them. The token proves the link came from the store; it hides nothing secret
 * (the order id is readable), so it must not carry anything more.
 */
export function createTrackingToken(
  orderId: string,
  secret: string,
  options: { expiresAt?: Date } = {},
): string {
  const payload: TokenPayload = { o: orderId };
  if (options.expiresAt) payload.e = Math.floor(options.expiresAt.getTime() / 1000);
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encoded}.${mac(secret, encoded).toString('base64url')}`;
}

/**
 * The order id a token was made for, or undefined when the token is malformed, was not signed with one of the
 * secrets (the current one first, then older ones during a rotation) or has expired. The MAC is compared in
 * constant time.
 */
export function verifyTrackingToken(
  token: string,
  secret: string | string[],
  now: Date = new Date(),
): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!))
    return undefined;
  const [encoded, signature] = parts as [string, string];
  const presented = Buffer.from(signature, 'base64url');
  const secrets = Array.isArray(secret) ? secret : [secret];
  const signed = secrets.some((s) => {
    const expected = mac(s, encoded);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  });
  if (!signed) return undefined;
  let payload: TokenPayload;
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    return undefined;
  }
  if (typeof payload.o !== 'string' || payload.o === '') return undefined;
  if (payload.e !== undefined && (typeof payload.e !== 'number' || payload.e * 1000 <= now.getTime()))
    return undefined;
  return payload.o;
}
