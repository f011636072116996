import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import { connectorSettings } from '../../nodes/adapter/connector-account';

const SCHEMA = {
  type: 'object',
  required: ['url'],
  properties: { url: { type: 'string' } },
  additionalProperties: false,
};

describe('connector account settings', () => {
  it('reads settings given as an object or, from older flows, as JSON text', () => {
    assert.deepEqual(
      connectorSettings(() => SCHEMA, { url: 'https://a.test' }, 'settings'),
      { settings: { url: 'https://a.test' } },
    );
    assert.deepEqual(
      connectorSettings(() => SCHEMA, '{"url":"https://b.test"}', 'settings'),
      { settings: { url: 'https://b.test' } },
    );
  });

  it('turns an unknown connector kind or invalid settings into a problem, not a thrown error', () => {
    const unknown = connectorSettings(
      () => {
        throw new DropshipError('configuration', 'unknown supplier connector "fax"');
      },
      {},
      'settings of supplier acme',
    );
    assert.deepEqual(unknown, { settingsError: 'unknown supplier connector "fax"' });
    const invalid = connectorSettings(() => SCHEMA, {}, 'settings of supplier acme');
    assert.match(invalid.settingsError ?? '', /settings of supplier acme: \/url is required/);
  });
});
