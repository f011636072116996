import type { X12PartnerConventions } from '../../connectors/edi/x12/documents';
import type { X12GroupReceipt } from '../../connectors/edi/x12/envelope';
import {
  acknowledgeX12Groups,
  partnerConventions,
  type X12SftpSettings,
} from '../../connectors/suppliers/x12-sftp/x12-sftp';
import type { ConnectorLog } from '../../core/ports/connector';
import type { OrderStore } from '../../core/store/order-store';
import { deployedSupplier, supplierConnectorContext } from './supplier-registry';

/** The 997 wait of an X12 supplier when its settings give none. */
export const DEFAULT_ACK_OVERDUE_HOURS = 4;

/** What a node reading X12 for a supplier needs from that supplier's EDI settings. */
export interface X12Partner {
  /** How the partner writes its documents (SKU qualifiers, time zone). */
  conventions: X12PartnerConventions;
  /** Answers the functional groups read with a 997 through the supplier's own channel. */
  acknowledge(receipts: X12GroupReceipt[]): Promise<void>;
}

/**
 * The deployed EDI X12 supplier of this id, whatever node reads its documents: its conventions for reading them,
 * and its channel for the 997 each functional group is owed. Undefined when the supplier is not deployed or is
 * not an X12 supplier (then no 997 can be addressed to it). Throws configuration when its settings are invalid.
 */
export function x12PartnerOf(
  store: () => Promise<OrderStore>,
  supplierId: string | undefined,
  log: ConnectorLog,
): X12Partner | undefined {
  const supplier = supplierId ? deployedSupplier(supplierId) : undefined;
  if (!supplier || supplier.connectorKind !== 'x12-sftp' || !supplier.settings) return undefined;
  const settings = supplier.settings as unknown as X12SftpSettings;
  return {
    conventions: partnerConventions(settings),
    acknowledge: async (receipts) => {
      const { context } = supplierConnectorContext(await store(), supplier.supplierId, log);
      await acknowledgeX12Groups({ ...context, settings }, receipts);
    },
  };
}

/**
 * Hours after which a group sent to this deployed X12 supplier without its 997 is overdue: Infinity when its
 * setting is 0 (never), undefined when the supplier is not a deployed X12 supplier.
 */
export function functionalAckOverdueHours(supplierId: string): number | undefined {
  const supplier = deployedSupplier(supplierId);
  if (!supplier || supplier.connectorKind !== 'x12-sftp' || !supplier.settings) return undefined;
  const hours =
    (supplier.settings as unknown as X12SftpSettings).ackOverdueHours ?? DEFAULT_ACK_OVERDUE_HOURS;
  return hours > 0 ? hours : Infinity;
}
