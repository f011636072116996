import assert from 'node:assert/strict';
import { clientAddress, trustedProxies } from '../../nodes/adapter/http-endpoint';

describe('the client address behind reverse proxies', () => {
  const warnings: string[] = [];
  const proxies = trustedProxies(
    {
      settings: { dropshipTrustedProxies: ['10.0.0.0/8', '2001:db8::10', 'proxy.example', '10.0.0.1/40'] },
    } as never,
    (message) => warnings.push(message),
  );

  it('is the connection address when no trusted proxy is in between', () => {
    assert.equal(clientAddress('203.0.113.7', undefined, proxies), '203.0.113.7');
    // A client talking to us directly cannot choose its address by sending the header.
    assert.equal(clientAddress('203.0.113.7', '198.51.100.1', proxies), '203.0.113.7');
  });

  it('is the address a trusted proxy forwarded, read from the right past every trusted hop', () => {
    assert.equal(clientAddress('127.0.0.1', '203.0.113.7', proxies), '203.0.113.7');
    assert.equal(clientAddress('::ffff:127.0.0.1', '198.51.100.1, 203.0.113.7', proxies), '203.0.113.7');
    assert.equal(clientAddress('::1', ['198.51.100.1', '203.0.113.7, 10.1.2.3'], proxies), '203.0.113.7');
    assert.equal(clientAddress('2001:db8::10', '2001:db8::99', proxies), '2001:db8::99');
    // Only trusted hops all the way: the first address is the best there is.
    assert.equal(clientAddress('127.0.0.1', '10.0.0.5, 10.0.0.6', proxies), '10.0.0.5');
    assert.equal(clientAddress('127.0.0.1', undefined, proxies), '127.0.0.1');
    assert.equal(clientAddress(undefined, '203.0.113.7', proxies), undefined);
  });

  it('trusts loopback without settings, and names the entries it cannot read', () => {
    const plain = trustedProxies({ settings: {} } as never, () => assert.fail('nothing to warn about'));
    assert.equal(clientAddress('127.0.0.9', '203.0.113.7', plain), '203.0.113.7');
    assert.equal(clientAddress('10.0.0.1', '203.0.113.7', plain), '10.0.0.1');
    assert.deepEqual(warnings, [
      'dropshipTrustedProxies: "proxy.example" is not an IP address or subnet (a.b.c.d or a.b.c.d/nn); ignored',
      'dropshipTrustedProxies: "10.0.0.1/40" is not an IP address or subnet (a.b.c.d or a.b.c.d/nn); ignored',
    ]);
  });
});
