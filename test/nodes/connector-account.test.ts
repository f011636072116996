import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import { carrierConnectors } from '../../connectors/carriers/registry';
import { supplierConnectors } from '../../connectors/registry';
import {
  connectorSettings,
  credentialDefinitions,
  ownHttpAddress,
} from '../../nodes/adapter/connector-account';

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

  it("completes a URL setting given as a path with this Node-RED's own address, whatever its port", () => {
    const schema = {
      type: 'object',
      properties: {
        url: { type: 'string', format: 'uri', pattern: '^https?://' },
        auth: { type: 'object', properties: { tokenUrl: { type: 'string', format: 'uri' } } },
        note: { type: 'string' },
      },
      additionalProperties: false,
    };
    const own = ownHttpAddress({ uiPort: 18999, httpNodeRoot: '/api/' });
    assert.equal(own, 'http://127.0.0.1:18999/api');
    assert.deepEqual(
      connectorSettings(
        () => schema,
        { url: '/example/supplier/orders', auth: { tokenUrl: '/token' }, note: '/not-a-url' },
        'settings',
        own,
      ),
      {
        settings: {
          url: 'http://127.0.0.1:18999/api/example/supplier/orders',
          auth: { tokenUrl: 'http://127.0.0.1:18999/api/token' },
          note: '/not-a-url',
        },
      },
    );
    // A full URL, and "//host" (a URL without its scheme), are left as they are.
    assert.equal(
      connectorSettings(() => schema, { url: 'https://supplier.test/orders' }, 'settings', own).settings?.url,
      'https://supplier.test/orders',
    );
    assert.match(
      connectorSettings(() => schema, { url: '//supplier.test/orders' }, 'settings', own).settingsError ?? '',
      /\/url/,
    );
    assert.equal(ownHttpAddress({ uiHost: '::1', uiPort: 1880, https: {} }), 'https://[::1]:1880');
    assert.equal(ownHttpAddress({ uiHost: '0.0.0.0', uiPort: '1881' }), 'http://127.0.0.1:1881');
  });
});

describe('connector account credentials', () => {
  it('stores every secret the connectors declare, under the names and types existing flows saved', () => {
    // The names and types the supplier and carrier nodes stored before connectors declared them.
    assert.deepEqual(credentialDefinitions(supplierConnectors()), {
      apiKey: { type: 'password' },
      token: { type: 'password' },
      username: { type: 'text' },
      password: { type: 'password' },
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      privateKey: { type: 'password' },
      passphrase: { type: 'password' },
      sharedSecret: { type: 'password' },
      inboundSharedSecret: { type: 'password' },
      portalLinkKey: { type: 'password' },
    });
    assert.deepEqual(credentialDefinitions(carrierConnectors()), {
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      apiKey: { type: 'password' },
    });
  });

  it('refuses two connectors declaring one name as different kinds of field', () => {
    const connector = (kind: string, type: 'text' | 'password') => ({
      kind,
      title: kind,
      description: kind,
      settingsSchema: SCHEMA,
      credentialFields: [{ name: 'account', label: 'Account', type }],
    });
    assert.throws(
      () => credentialDefinitions([connector('a', 'text'), connector('b', 'password')]),
      /credential "account" of b is password, elsewhere text/,
    );
  });
});
