import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { DropshipError } from '../../core/errors';

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a base64 HMAC-SHA256 signature of the raw body (Shopify and WooCommerce both sign this way) against
 * each secret: two secrets are accepted while a secret is being rotated. Compared in constant time.
 */
export function verifyBase64HmacSha256(
  rawBody: Buffer,
  signature: string | undefined,
  secrets: string[],
  header: string,
): void {
  const usable = secrets.filter((s) => s.length > 0);
  if (usable.length === 0) {
    throw new DropshipError('configuration', 'no webhook secret is configured', [
      { path: 'webhookSecret', message: 'is required' },
    ]);
  }
  if (!signature) throw new DropshipError('bad_signature', `the ${header} header is missing`);
  const presented = Buffer.from(signature, 'utf8');
  const matches = usable.some((secret) => {
    const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('base64'), 'utf8');
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  });
  if (!matches) throw new DropshipError('bad_signature', `the ${header} signature does not match the body`);
}

/** How a sender proves a request is its own: a signature of the body, or a bearer token. */
export interface SenderCredentialCheck {
  scheme: 'signature' | 'token';
  /** The header carrying the signature (signature scheme); a token always comes as `Authorization: Bearer`. */
  header: string;
}

export const DEFAULT_SIGNATURE_HEADER = 'X-Dropship-Signature';

/**
 * Checks `Authorization: Bearer <token>` against each secret (two during a rotation). Both sides are hashed
 * before the constant-time comparison, so neither the content nor the length of a secret leaks through timing.
 */
export function verifyBearerToken(headers: IncomingHttpHeaders, secrets: string[]): void {
  const usable = secrets.filter((s) => s.length > 0);
  if (usable.length === 0) {
    throw new DropshipError('configuration', 'no sender token is configured', [
      { path: 'senderSecret', message: 'is required' },
    ]);
  }
  const authorization = headerValue(headers, 'Authorization');
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!presented) throw new DropshipError('bad_signature', 'the Authorization: Bearer header is missing');
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  const presentedDigest = digest(presented);
  // Every secret is compared, matching or not, so the time taken does not say which one matched.
  const matches = usable.reduce(
    (found, secret) => timingSafeEqual(digest(secret), presentedDigest) || found,
    false,
  );
  if (!matches) throw new DropshipError('bad_signature', 'the bearer token is not the one configured');
}

/** Throws DropshipError('bad_signature') unless the request carries a valid credential of the given kind. */
export function verifySenderCredential(
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
  check: SenderCredentialCheck,
  secrets: string[],
): void {
  if (check.scheme === 'token') verifyBearerToken(headers, secrets);
  else verifyBase64HmacSha256(rawBody, headerValue(headers, check.header), secrets, check.header);
}
