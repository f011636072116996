/**
 * Access tokens from OAuth 2.0 client-credentials grants (RFC 6749 section 4.4), shared by every connector that
 * needs one (REST suppliers, carrier tracking APIs). Tokens outlive requests, so each is kept until shortly before
 * the expiry its token endpoint announced; how a token is requested and how failures are reported stays with the
 * connector.
 */
interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

/** Renew this long before the announced expiry, so a token never dies between being read and being used. */
const EXPIRY_MARGIN_MS = 60_000;

export class AccessTokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  /**
   * The token cached under `key`, or a new one: `request` fetches the token endpoint's reply, which is read as
   * RFC 6749 section 5.1 describes (`expires_in` may arrive as a string, as UPS sends it). A reply without an
   * access token is refused with the error `refuse` builds.
   */
  async token(
    key: string,
    now: Date,
    request: () => Promise<unknown>,
    refuse: (reason: string) => Error,
    defaultLifetimeSeconds = 3600,
  ): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > now.getTime()) return cached.accessToken;
    const reply = (await request()) as { access_token?: unknown; expires_in?: unknown } | null | undefined;
    if (typeof reply?.access_token !== 'string' || reply.access_token === '') {
      throw refuse('the token endpoint answered without an access_token');
    }
    const expiresIn = Number(reply.expires_in);
    const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : defaultLifetimeSeconds;
    this.tokens.set(key, { accessToken: reply.access_token, expiresAt: now.getTime() + lifetime * 1000 });
    return reply.access_token;
  }

  /** Forgets a token the API refused (401), so the next call fetches a fresh one. */
  forget(key: string): void {
    this.tokens.delete(key);
  }
}
