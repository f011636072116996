import assert from 'node:assert/strict';
import {
  connectionTestMessage,
  dialogCredentials,
  withEnvironment,
} from '../../nodes/adapter/connection-test';

describe('connection test: what the dialog sends, and what it is told', () => {
  it("uses the stored secret for Node-RED's unchanged-password placeholder, the typed one otherwise", () => {
    const stored = { apiKey: 'stored-key', password: 'stored-password' };
    assert.deepEqual(
      dialogCredentials({ apiKey: '__PWRD__', username: 'ops', password: 'typed', token: '' }, stored),
      { apiKey: 'stored-key', username: 'ops', password: 'typed', token: undefined },
    );
    // Nothing stored (a new node, another node's id): the placeholder stands for nothing.
    assert.deepEqual(dialogCredentials({ apiKey: '__PWRD__' }, undefined), { apiKey: undefined });
    assert.deepEqual(dialogCredentials('not an object', stored), {});
  });

  it('puts in environment variables for whole-value ${NAME}, as Node-RED does at start, nested too', () => {
    process.env.DROPSHIP_TEST_SUPPLIER_URL = 'https://api.supplier.example/orders';
    assert.deepEqual(
      withEnvironment({
        settings: { url: '${DROPSHIP_TEST_SUPPLIER_URL}', note: 'costs ${DROPSHIP_TEST_SUPPLIER_URL}' },
        list: ['${DROPSHIP_TEST_UNSET_VARIABLE}'],
        port: 25,
      }),
      {
        settings: { url: 'https://api.supplier.example/orders', note: 'costs ${DROPSHIP_TEST_SUPPLIER_URL}' },
        list: [''],
        port: 25,
      },
    );
    delete process.env.DROPSHIP_TEST_SUPPLIER_URL;
  });

  it('answers one line of words: no stack, nothing after the first line', () => {
    const err = new Error(
      'connect ECONNREFUSED 127.0.0.1:2222\n    at TCPConnectWrap.afterConnect (node:net:1555:16)',
    );
    assert.equal(connectionTestMessage(err), 'connect ECONNREFUSED 127.0.0.1:2222');
    assert.equal(connectionTestMessage(''), 'the test failed without a reason');
  });
});
