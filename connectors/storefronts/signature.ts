import { createHmac, timingSafeEqual } from 'node:crypto';
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
