import assert from 'node:assert/strict';
import { isDateTime, isEmail, isUri } from '../../core/validation/formats';

describe('string formats of the schemas', () => {
  it('date-time: RFC 3339 with its time zone, real calendar dates only', () => {
    for (const good of [
      '2026-11-21T10:15:00Z',
      '2026-11-21t10:15:00.123456z',
      '2026-11-21 10:15:00+01:00',
      '2024-02-29T00:00:00-05:30',
      '2016-12-31T23:59:60Z',
    ])
      assert.equal(isDateTime(good), true, good);
    for (const bad of [
      '2026-11-21',
      '2026-11-21T10:15:00',
      '2026-11-21T10:15Z',
      '2025-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-11-21T24:00:00Z',
      '2026-11-21T10:60:00Z',
      '2026-11-21T10:15:00+24:00',
      '21/11/2026 10:15',
      ' 2026-11-21T10:15:00Z',
    ])
      assert.equal(isDateTime(bad), false, bad);
  });

  it('email: a local part, an @ and a domain of labels', () => {
    for (const good of ['ops@example.com', 'o.p+s@sub.example.co.uk', "a!#$%&'*+/=?^_`{|}~-@x.io"])
      assert.equal(isEmail(good), true, good);
    for (const bad of [
      'ops',
      'ops@',
      '@example.com',
      'ops@example',
      'o..ps@example.com',
      'ops@-x.com',
      'a b@x.io',
    ])
      assert.equal(isEmail(bad), false, bad);
  });

  it('uri: absolute, nothing unescaped that RFC 3986 forbids', () => {
    for (const good of [
      'https://supplier.example/api/orders?x=1#f',
      'http://127.0.0.1:8080/',
      'mailto:ops@example.com',
      'urn:isbn:0451450523',
    ])
      assert.equal(isUri(good), true, good);
    for (const bad of [
      '/relative/path',
      'supplier.example/orders',
      'https://supplier.example/a b',
      'https://supplier.example/<x>',
      'https://exa mple.com/',
      'http://',
      '',
    ])
      assert.equal(isUri(bad), false, bad);
  });
});
