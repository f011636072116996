import { systemClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import type { ConnectorLog } from '../../core/ports/connector';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import {
  shopifyFulfilmentSettingsSchema,
  type ShopifyContext,
  type ShopifyFulfilmentSettings,
} from '../../connectors/storefronts/shopify-fulfilment';
import {
  wooCommerceFulfilmentSettingsSchema,
  type WooCommerceContext,
  type WooCommerceFulfilmentSettings,
} from '../../connectors/storefronts/woocommerce-fulfilment';
import type { StorefrontConfigNode } from './config-nodes';

/**
 * The Admin API context of a Shopify `dropship-storefront`: its shop domain (or, when an address is set, that
 * address in place of https://<shop domain>: a local API), its access token, and what the caller adds (API version,
 * notifyCustomer). Settings are validated against the connector's schema, naming what is wrong.
 */
export function shopifyContextOf(
  storefront: StorefrontConfigNode,
  log: ConnectorLog,
  extra: Partial<ShopifyFulfilmentSettings> = {},
): ShopifyContext {
  if (storefront.platform !== 'shopify')
    throw new DropshipError('configuration', `the storefront is ${storefront.platform}, not Shopify`, [
      { path: 'storefront', message: 'choose a Shopify storefront' },
    ]);
  const settings = validateWithInlineSchema<ShopifyFulfilmentSettings>(
    shopifyFulfilmentSettingsSchema,
    {
      shopDomain: storefront.shopDomain,
      ...extra,
      ...(storefront.baseUrl ? { baseUrl: storefront.baseUrl } : {}),
    },
    'the Shopify storefront',
  );
  const credentials = (storefront.credentials ?? {}) as Record<string, string | undefined>;
  return { settings, credentials, clock: systemClock, log };
}

/** The REST API context of a WooCommerce `dropship-storefront`: its shop address and consumer key and secret. */
export function wooCommerceContextOf(
  storefront: StorefrontConfigNode,
  log: ConnectorLog,
): WooCommerceContext {
  if (storefront.platform !== 'woocommerce')
    throw new DropshipError('configuration', `the storefront is ${storefront.platform}, not WooCommerce`, [
      { path: 'storefront', message: 'choose a WooCommerce storefront' },
    ]);
  const settings = validateWithInlineSchema<WooCommerceFulfilmentSettings>(
    wooCommerceFulfilmentSettingsSchema,
    { storeUrl: storefront.baseUrl },
    'the WooCommerce storefront',
  );
  const credentials = (storefront.credentials ?? {}) as Record<string, string | undefined>;
  return { settings, credentials, clock: systemClock, log };
}
