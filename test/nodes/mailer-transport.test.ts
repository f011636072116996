import assert from 'node:assert/strict';
import { DEFAULT_MAILER_CONNECTIONS, mailerTransportOptions } from '../../nodes/mailer/transport-options';

describe('mailer node: SMTP transport settings', () => {
  it('pools five connections unless the node says otherwise', () => {
    const options = mailerTransportOptions({ host: 'smtp.example.com', port: '587', secure: false });
    assert.equal(DEFAULT_MAILER_CONNECTIONS, 5);
    assert.equal(options.pool, true);
    assert.equal(options.maxConnections, 5);
    assert.equal(options.host, 'smtp.example.com');
    assert.equal(options.port, 587);
    assert.equal(options.auth, undefined);
  });

  it('takes the configured connections, typed or saved, within 1 to 50', () => {
    assert.equal(mailerTransportOptions({ connections: '2' }).maxConnections, 2);
    assert.equal(mailerTransportOptions({ connections: 20 }).maxConnections, 20);
    assert.equal(mailerTransportOptions({ connections: 50 }).maxConnections, 50);
  });

  it('falls back to the default for an empty, fractional or out-of-range value', () => {
    for (const connections of ['', ' ', '0', '51', '2.5', 'many', -1])
      assert.equal(
        mailerTransportOptions({ connections }).maxConnections,
        5,
        `for ${JSON.stringify(connections)}`,
      );
  });

  it('logs in only when a user is set, with an empty password when none is stored', () => {
    assert.deepEqual(mailerTransportOptions({}, { user: 'shop@example.com' }).auth, {
      user: 'shop@example.com',
      pass: '',
    });
    assert.equal(mailerTransportOptions({}, { password: 'secret' }).auth, undefined);
  });
});
