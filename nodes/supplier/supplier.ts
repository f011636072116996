import { supplierConnector, supplierConnectors } from '../../connectors/registry';
import type { SupplierConfigNode } from '../adapter/config-nodes';
import {
  connectorSettings,
  credentialDefinitions,
  mountConnectorCatalogue,
} from '../adapter/connector-account';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import { registerSupplier } from '../adapter/supplier-registry';
import { migrateConfigNode } from '../adapter/config-migrations';

interface SupplierNodeDef extends NodeDef {
  supplierId: string;
  connector: string;
  settings: Record<string, unknown> | string;
}

export = function registerSupplierNode(RED: NodeAPI): void {
  function DropshipSupplierNode(this: SupplierConfigNode, config: SupplierNodeDef): void {
    config = migrateConfigNode('dropship-supplier', config);
    RED.nodes.createNode(this, config);
    this.supplierId = config.supplierId;
    this.connectorKind = config.connector;
    const { settings, settingsError } = connectorSettings(
      () => supplierConnector(config.connector).settingsSchema,
      config.settings,
      `settings of supplier ${config.supplierId}`,
    );
    this.settings = settings;
    this.settingsError = settingsError;
    if (settingsError) this.error(settingsError);
    registerSupplier(this);
  }
  RED.nodes.registerType('dropship-supplier', DropshipSupplierNode as never, {
    // Every secret a connector declares (connectors/contract.ts: credentialFields), so no list to keep here.
    credentials: credentialDefinitions(supplierConnectors()),
  });

  // The editor renders each settings form from the connector's schema.
  mountConnectorCatalogue(RED, '/dropship/connectors', 'dropship-supplier.read', supplierConnectors);
};
