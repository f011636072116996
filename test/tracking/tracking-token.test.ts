import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import { createTrackingToken, verifyTrackingToken } from '../../core/tracking-page/tracking-token';

const SECRET = 'k3y-for-tracking-links-2026';

describe('tracking link tokens', () => {
  it('round-trips the order id and is URL-safe', () => {
    const token = createTrackingToken('ord-7f3a', SECRET);
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(verifyTrackingToken(token, SECRET), 'ord-7f3a');
  });

  it('refuses a token signed with another secret, or with a changed order id', () => {
    const token = createTrackingToken('ord-7f3a', SECRET);
    assert.equal(verifyTrackingToken(token, 'another-secret-of-length'), undefined);
    const forged = `${Buffer.from(JSON.stringify({ o: 'ord-0000' })).toString('base64url')}.${token.split('.')[1]}`;
    assert.equal(verifyTrackingToken(forged, SECRET), undefined);
  });

  it('refuses malformed tokens without throwing', () => {
    for (const bad of ['', 'abc', 'a.b.c', '!!.??', `${createTrackingToken('x', SECRET)}x`, 'e30.AAAA']) {
      assert.equal(verifyTrackingToken(bad, SECRET), undefined, bad);
    }
  });

  it('honours an expiry', () => {
    const token = createTrackingToken('ord-7f3a', SECRET, { expiresAt: new Date('2026-12-01T00:00:00Z') });
    assert.equal(verifyTrackingToken(token, SECRET, new Date('2026-11-30T23:59:00Z')), 'ord-7f3a');
    assert.equal(verifyTrackingToken(token, SECRET, new Date('2026-12-01T00:00:00Z')), undefined);
  });

  it('accepts links signed with an older secret during a rotation', () => {
    const old = createTrackingToken('ord-7f3a', SECRET);
    assert.equal(verifyTrackingToken(old, ['the-new-secret-for-links', SECRET]), 'ord-7f3a');
  });

  it('refuses a secret too short to protect anything', () => {
    assert.throws(
      () => createTrackingToken('ord-7f3a', 'short'),
      (err: unknown) => err instanceof DropshipError && err.code === 'configuration',
    );
  });
});
