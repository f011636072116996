import { DropshipError } from '../../core/errors';
import { supplierConnector } from '../../connectors/registry';
import { sendOfNode, type SendFunction } from '../adapter/node-red';
import { supplierConnectorContext } from '../adapter/supplier-registry';
import type { TrackingInContext } from './context';

/**
 * The selected supplier's own channel, read by its connector (an X12 supplier: the 856s in its inbound
 * folder, each group answered with a 997 under the supplier's envelope and control numbers). Nothing to
 * configure twice: the transport, folders and secrets are the supplier's.
 */
export function startSupplierChannel(context: TrackingInContext): void {
  const { node, config, supplier, supplierId, log } = context;
  const connector = supplier ? supplierConnector(supplier.connectorKind) : undefined;
  const readShipments = connector?.readShipments?.bind(connector);
  // A connector that can read ship notices may still have none with these settings (REST without polling).
  const hasSource =
    supplier?.settings === undefined || connector?.readsShipments?.(supplier.settings) !== false;
  if (!supplier || !readShipments || !hasSource) {
    throw new DropshipError(
      'configuration',
      supplier
        ? `supplier "${supplierId}" (${supplier.connectorKind}) has no ship notices to read`
        : config.supplier
          ? `the selected supplier (config node ${config.supplier}) is not in the flows`
          : 'no supplier selected',
      [
        {
          path: 'supplier',
          message:
            'select a supplier whose channel carries ship notices (EDI X12 over SFTP, a REST API with status polling)',
        },
      ],
    );
  }
  const send: SendFunction = sendOfNode(node);
  context.startTimer('supplier shipment read', async () => {
    const { context: connectorContext } = supplierConnectorContext(await context.store(), supplierId, log);
    for await (const event of readShipments(connectorContext)) {
      await context.recordEvents([event], { topic: `supplier:${supplierId}` }, send);
    }
  });
}
