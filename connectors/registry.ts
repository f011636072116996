import type { Clock } from '../core/clock';
import { DropshipError } from '../core/errors';
import type { ConnectorLog } from '../core/ports/connector';
import type { StorefrontCatalogue } from '../core/ports/storefront-catalogue';
import type { SupplierConnector } from '../core/ports/supplier-connector';
import { shopifyCatalogue } from './storefronts/shopify-catalogue';
import { wooCommerceCatalogue } from './storefronts/woocommerce-catalogue';
import { csvSftpConnector } from './suppliers/csv-sftp/csv-sftp';
import { cxmlConnector } from './suppliers/cxml/cxml';
import { emailConnector } from './suppliers/email/email';
import { portalConnector } from './suppliers/portal/portal';
import { restJsonConnector } from './suppliers/rest-json/rest-json';
import { x12SftpConnector } from './suppliers/x12-sftp/x12-sftp';

/**
 * Every supplier connector the package ships. A new connector is one import and one entry here; the
 * conformance suite (test/connectors/conformance.test.ts) runs against each entry automatically.
 */
const SUPPLIER_CONNECTORS: SupplierConnector<never>[] = [
  restJsonConnector,
  x12SftpConnector,
  cxmlConnector,
  csvSftpConnector,
  emailConnector,
  portalConnector,
];

export function supplierConnectors(): readonly SupplierConnector[] {
  return SUPPLIER_CONNECTORS;
}

export function supplierConnector(kind: string): SupplierConnector {
  const found = supplierConnectors().find((c) => c.kind === kind);
  if (!found) {
    throw new DropshipError(
      'configuration',
      `unknown supplier connector "${kind}" (known: ${supplierConnectors()
        .map((c) => c.kind)
        .join(', ')})`,
    );
  }
  return found;
}

/** A storefront config node's settings, as a node hands them to `storefrontCatalogue`. */
export interface StorefrontCatalogueConfig {
  platform: 'shopify' | 'woocommerce' | 'generic';
  /** Shopify: the shop's myshopify.com domain. */
  shopDomain?: string;
  /** WooCommerce: the store's address; Shopify: replaces https://{shopDomain} (a proxy, the sandbox shop). */
  baseUrl?: string;
  /** Shopify: the location whose stock is synced; the shop's primary location when absent. */
  locationId?: string;
}

/**
 * The catalogue (variants to read, quantities and prices to push) of the shop a storefront config node names, with
 * that node's credentials (Shopify: the app's client id and secret, or a legacy token; WooCommerce: the REST keys).
 */
export function storefrontCatalogue(
  config: StorefrontCatalogueConfig,
  credentials: Record<string, string | undefined>,
  deps: { clock: Clock; log?: ConnectorLog },
): StorefrontCatalogue {
  if (config.platform === 'shopify' && config.shopDomain) {
    return shopifyCatalogue(
      {
        shopDomain: config.shopDomain,
        ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
        ...(config.locationId ? { locationId: config.locationId } : {}),
      },
      credentials,
      deps,
    );
  }
  if (config.platform === 'woocommerce' && config.baseUrl) {
    return wooCommerceCatalogue({ storeUrl: config.baseUrl }, credentials, deps);
  }
  throw new DropshipError(
    'configuration',
    'storefront sync needs a Shopify storefront with its shop domain, or a WooCommerce storefront with its address',
    [{ path: 'storefront', message: 'choose a Shopify or WooCommerce storefront with its API credentials' }],
  );
}
