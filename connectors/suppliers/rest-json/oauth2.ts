import { createHash } from 'node:crypto';
import axios, { AxiosError } from 'axios';
import { SupplierPermanentError, SupplierTransientError } from '../../../core/ports/supplier-connector';
import { AccessTokenCache } from '../../oauth-token-cache';

export interface ClientCredentialsGrant {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  audience?: string;
  /** RFC 6749 section 2.3.1: HTTP Basic (recommended) or the client id and secret in the form body. */
  authMethod?: 'basic' | 'body';
  timeoutMs?: number;
}

const tokens = new AccessTokenCache();
/** Lifetime assumed when the token endpoint does not say (RFC 6749 leaves expires_in optional). */
const DEFAULT_LIFETIME_S = 300;

/** Per client and secret (a digest): a changed secret, tested or rotated, gets its own token, not the old one's. */
function cacheKey(grant: ClientCredentialsGrant): string {
  const secret = createHash('sha256').update(grant.clientSecret).digest('base64url').slice(0, 16);
  return JSON.stringify([grant.tokenUrl, grant.clientId, secret, grant.scope ?? '', grant.audience ?? '']);
}

/** Forgets a token the API refused (401), so the next call fetches a fresh one. */
export function forgetAccessToken(grant: ClientCredentialsGrant): void {
  tokens.forget(cacheKey(grant));
}

/** An OAuth2 access token by the client credentials grant (RFC 6749 section 4.4), from cache when still valid. */
export async function clientCredentialsToken(grant: ClientCredentialsGrant, now: Date): Promise<string> {
  return tokens.token(
    cacheKey(grant),
    now,
    () => requestToken(grant),
    (reason) => new SupplierPermanentError(`OAuth2: ${reason}`),
    DEFAULT_LIFETIME_S,
  );
}

/** One token request: client authentication per RFC 6749 section 2.3.1, failures mapped to retry or refuse. */
async function requestToken(grant: ClientCredentialsGrant): Promise<unknown> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (grant.scope) form.set('scope', grant.scope);
  if (grant.audience) form.set('audience', grant.audience);
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  if ((grant.authMethod ?? 'basic') === 'basic') {
    // RFC 6749 2.3.1: client id and secret are form-urlencoded before the Basic encoding.
    const user = encodeURIComponent(grant.clientId);
    const secret = encodeURIComponent(grant.clientSecret);
    headers.Authorization = `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
  } else {
    form.set('client_id', grant.clientId);
    form.set('client_secret', grant.clientSecret);
  }
  try {
    return (
      await axios.post<{ access_token?: unknown; expires_in?: unknown }>(grant.tokenUrl, form.toString(), {
        headers,
        timeout: grant.timeoutMs ?? 10_000,
        maxRedirects: 0,
      })
    ).data;
  } catch (err) {
    const status = err instanceof AxiosError ? err.response?.status : undefined;
    if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
      throw new SupplierPermanentError(`OAuth2 token request refused with HTTP ${status}`, { cause: err });
    }
    throw new SupplierTransientError(
      `OAuth2 token endpoint failed (${status ?? (err as Error).message})`,
      undefined,
      {
        cause: err,
      },
    );
  }
}
