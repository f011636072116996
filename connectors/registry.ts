import { DropshipError } from '../core/errors';
import type { SupplierConnector } from './contract';
import { restJsonConnector } from './suppliers/rest-json/rest-json';

/**
 * Every supplier connector the package ships. A new connector is one import and one entry here; the
 * conformance suite (test/connectors/conformance.test.ts) runs against each entry automatically.
 */
const SUPPLIER_CONNECTORS: SupplierConnector<never>[] = [restJsonConnector as SupplierConnector<never>];

export function supplierConnectors(): readonly SupplierConnector[] {
  return SUPPLIER_CONNECTORS as unknown as SupplierConnector[];
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
