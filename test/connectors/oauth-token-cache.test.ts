import assert from 'node:assert/strict';
import { AccessTokenCache } from '../../connectors/oauth-token-cache';

const T0 = new Date('2026-11-21T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const refuse = (reason: string): Error => new Error(`refused: ${reason}`);

describe('AccessTokenCache', () => {
  it('keeps a token until a minute before the expiry the endpoint announced, then fetches a new one', async () => {
    const cache = new AccessTokenCache();
    let requests = 0;
    const request = (): Promise<unknown> =>
      Promise.resolve({ access_token: `t${++requests}`, expires_in: 600 });
    assert.equal(await cache.token('k', T0, request, refuse), 't1');
    assert.equal(await cache.token('k', at(539), request, refuse), 't1');
    assert.equal(await cache.token('k', at(540), request, refuse), 't2');
    assert.equal(requests, 2);
  });

  it('reads expires_in sent as a string (UPS) and falls back to the default lifetime when it is missing', async () => {
    const cache = new AccessTokenCache();
    await cache.token('ups', T0, () => Promise.resolve({ access_token: 'u', expires_in: '14399' }), refuse);
    let fetched = false;
    const again = (): Promise<unknown> => {
      fetched = true;
      return Promise.resolve({ access_token: 'u2' });
    };
    assert.equal(await cache.token('ups', at(14_000), again, refuse), 'u');
    assert.equal(fetched, false);
    await cache.token('plain', T0, () => Promise.resolve({ access_token: 'p' }), refuse, 120);
    assert.equal(
      await cache.token('plain', at(61), again, refuse),
      'u2',
      'default lifetime 120 s minus the margin',
    );
  });

  it('refuses a reply without an access token with the caller error, and forgets a revoked token', async () => {
    const cache = new AccessTokenCache();
    await assert.rejects(
      cache.token('k', T0, () => Promise.resolve({ token_type: 'bearer' }), refuse),
      /refused: the token endpoint answered without an access_token/,
    );
    await cache.token('k', T0, () => Promise.resolve({ access_token: 'a', expires_in: 3600 }), refuse);
    cache.forget('k');
    assert.equal(
      await cache.token('k', at(1), () => Promise.resolve({ access_token: 'b', expires_in: 3600 }), refuse),
      'b',
    );
  });
});
