import { createSandboxShop, type SandboxShop, type SandboxShopOptions } from '../../demo/sandbox-shopify';
import { startHttpFake, type HttpFake } from './http-fake';

/**
 * A Shopify shop on 127.0.0.1: the client-credentials token endpoint and the GraphQL Admin API of the demo's
 * sandbox shop (demo/sandbox-shopify.js: Shopify's published schema names, cost extension, leaky-bucket throttle,
 * changeFromQuantity and @idempotent as Shopify documents them), so the tests and the demo meet the same shop.
 */
export interface FakeShopifyShop extends HttpFake {
  shop: SandboxShop;
}

export async function startFakeShopifyShop(options: SandboxShopOptions = {}): Promise<FakeShopifyShop> {
  const shop = createSandboxShop({ clientId: 'test-client', clientSecret: 'test-secret', ...options });
  const fake = await startHttpFake((request) =>
    shop.handle({ method: request.method, path: request.path, headers: request.headers, body: request.body }),
  );
  return { ...fake, shop };
}
