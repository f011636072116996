import { DropshipError } from '../core/errors';
import type { SupplierConnector } from '../core/ports/supplier-connector';
import type { StorefrontCatalogue } from '../core/ports/storefront-catalogue';
import { csvSftpConnector } from './suppliers/csv-sftp/csv-sftp';
import { cxmlConnector } from './suppliers/cxml/cxml';
import { emailConnector } from './suppliers/email/email';
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

/** Where a storefront catalogue connector finds the shop, as the dropship-storefront config node holds it. */
export interface StorefrontCatalogueSettings {
  shopDomain?: string;
  baseUrl?: string;
}

type StorefrontCatalogueFactory = (
  settings: StorefrontCatalogueSettings,
  credentials: Record<string, string | undefined>,
) => StorefrontCatalogue;

/** Catalogue connectors by storefront channel (platform); storefront sync reads and pushes variants through them. */
const STOREFRONT_CATALOGUES: Record<string, StorefrontCatalogueFactory> = {};

export function storefrontCatalogue(
  channel: string,
  settings: StorefrontCatalogueSettings,
  credentials: Record<string, string | undefined>,
): StorefrontCatalogue {
  const factory = STOREFRONT_CATALOGUES[channel];
  if (!factory) {
    throw new DropshipError(
      'configuration',
      `storefront sync cannot reach a "${channel}" shop: this version has no catalogue connector for it`,
      [
        {
          path: 'platform',
          message: `has no catalogue connector (known: ${Object.keys(STOREFRONT_CATALOGUES).join(', ') || 'none'})`,
        },
      ],
    );
  }
  return factory(settings, credentials);
}
