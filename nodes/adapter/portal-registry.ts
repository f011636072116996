import type { SupplierPortalChannel } from '../../core/ports/supplier-connector';
import type { OrderStore } from '../../core/store/order-store';
import type { Node } from './node-red';

/** What the deployed dropship-portal node lends portal suppliers' connectors: its address and its mailer. */
export interface PortalHost {
  baseUrl: string;
  sendMail: SupplierPortalChannel['sendMail'];
}

let deployed: { node: Node; host: PortalHost } | undefined;

/** The dropship-portal node registers itself while deployed; one portal per Node-RED. */
export function registerPortal(node: Node, host: PortalHost): void {
  deployed = { node, host };
  node.on('close', () => {
    if (deployed?.node === node) deployed = undefined;
  });
}

/** The portal as a portal supplier's connector uses it, over `store`; undefined when no portal is deployed. */
export function portalChannel(store: OrderStore): SupplierPortalChannel | undefined {
  return deployed ? { store, ...deployed.host } : undefined;
}
