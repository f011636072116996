import { DropshipError } from '../core/errors';
import type { SupplierConnector } from '../core/ports/supplier-connector';
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
