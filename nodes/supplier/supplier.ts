import { invalidInput } from '../../core/errors';
import { supplierConnector, supplierConnectors } from '../../connectors/registry';
import type { SupplierConfigNode } from '../adapter/config-nodes';
import { connectorSettings, mountConnectorCatalogue } from '../adapter/connector-account';
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
    // What the schema cannot say (a request template naming no field) is refused here too, before any send.
    const problems = settings ? (supplierConnector(config.connector).settingsProblems?.(settings) ?? []) : [];
    const settingsProblem =
      problems.length > 0
        ? invalidInput(`settings of supplier ${config.supplierId}`, problems).message
        : undefined;
    this.settings = settingsProblem ? undefined : settings;
    this.settingsError = settingsError ?? settingsProblem;
    if (this.settingsError) this.error(this.settingsError);
    registerSupplier(this);
  }
  RED.nodes.registerType('dropship-supplier', DropshipSupplierNode as never, {
    credentials: {
      apiKey: { type: 'password' },
      token: { type: 'password' },
      username: { type: 'text' },
      password: { type: 'password' },
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      sharedSecret: { type: 'password' },
      inboundSharedSecret: { type: 'password' },
      privateKey: { type: 'password' },
      passphrase: { type: 'password' },
    },
  });

  // The editor renders each settings form from the connector's schema.
  mountConnectorCatalogue(RED, '/dropship/connectors', 'dropship-supplier.read', supplierConnectors);
};
