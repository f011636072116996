/** Types of demo/sandbox-shopify.js, the sandbox Shopify shop the demo serves and the tests use as their fake. */
export interface SandboxShopOptions {
  stateFile?: string;
  now?: () => number;
  clientId?: string;
  clientSecret?: string;
  legacyToken?: string;
  maximumAvailable?: number;
  restoreRate?: number;
  initialState?: SandboxShopState;
}

export interface SandboxVariant {
  id: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  inventoryItemId: string;
  available: number;
}

export interface SandboxProduct {
  id: string;
  title: string;
  vendor: string;
  productType: string;
  variants: SandboxVariant[];
}

export interface SandboxWebhook {
  id: string;
  topic: string;
  uri: string;
  format: string;
  createdAt: string;
  updatedAt: string;
}

export interface SandboxShopState {
  shop: { name: string; myshopifyDomain: string; currencyCode: string };
  products: SandboxProduct[];
  webhooks: SandboxWebhook[];
  idempotency: Record<string, unknown>;
  nextId: number;
}

export interface SandboxReply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface SandboxShop {
  handle(request: {
    method: string;
    path: string;
    headers?: Record<string, string | string[] | undefined>;
    body: unknown;
  }): SandboxReply;
  drainBucketBeforeNext(count: number): void;
  expireTokens(): void;
  sell(sku: string, quantity: number): void;
  variants(): (SandboxVariant & { productId: string; productTitle: string })[];
  webhooks(): SandboxWebhook[];
}

export function createSandboxShop(options?: SandboxShopOptions): SandboxShop;
export const SANDBOX_LOCATION_ID: string;
