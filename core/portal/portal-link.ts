import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DropshipError } from '../errors';

/** Domain separation: a MAC made for portal links is useless anywhere else the same key might be used. */
const PURPOSE = 'dropship-portal-link:v1:';
const MIN_KEY_LENGTH = 16;

export interface PortalLink {
  supplierId: string;
  /** Kept in the store (portal_links), so the link can be revoked. */
  id: string;
  expiresAt: Date;
}

function mac(key: string, signed: string): Buffer {
  if (key.length < MIN_KEY_LENGTH)
    throw new DropshipError(
      'configuration',
      `the portal link signing key must have at least ${MIN_KEY_LENGTH} characters`,
      [{ path: 'credentials.portalLinkKey', message: `at least ${MIN_KEY_LENGTH} characters` }],
    );
  return createHmac('sha256', key)
    .update(PURPOSE + signed)
    .digest();
}

/** A new link id: 128 random bits. */
export function newPortalLinkId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The token of a sign-in link, /dropship/portal/link/<token>: the supplier id (readable, so the portal knows whose
 * key checks it), the link id and its expiry, signed with the supplier's key (HMAC-SHA256).
 */
export function createPortalLinkToken(link: PortalLink, key: string): string {
  const supplier = Buffer.from(link.supplierId, 'utf8').toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({ i: link.id, e: Math.floor(link.expiresAt.getTime() / 1000) }),
    'utf8',
  ).toString('base64url');
  const signed = `${supplier}.${payload}`;
  return `${signed}.${mac(key, signed).toString('base64url')}`;
}

/** The supplier id a token claims, before it is verified (to find that supplier's key); undefined when malformed. */
export function portalLinkSupplier(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]{1,400}$/.test(part))) return undefined;
  return Buffer.from(parts[0]!, 'base64url').toString('utf8');
}

/**
 * The link a token names when `key` signed it: `expired` past its expiry, undefined when it is not a link signed
 * with this key (tampered with, another supplier's, another key).
 */
export function verifyPortalLinkToken(
  token: string,
  key: string,
  now: Date,
): PortalLink | 'expired' | undefined {
  const supplierId = portalLinkSupplier(token);
  if (supplierId === undefined) return undefined;
  const [supplier, payload, signature] = token.split('.') as [string, string, string];
  const expected = mac(key, `${supplier}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let parsed: { i?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { i?: unknown; e?: unknown };
  } catch {
    return undefined;
  }
  if (typeof parsed.i !== 'string' || typeof parsed.e !== 'number') return undefined;
  const expiresAt = new Date(parsed.e * 1000);
  if (expiresAt.getTime() <= now.getTime()) return 'expired';
  return { supplierId, id: parsed.i, expiresAt };
}

/** How the store keeps a secret a browser holds (session id, code, form token): its SHA-256, never the secret. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
