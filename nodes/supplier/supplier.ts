import { invalidInput } from '../../core/errors';
import { supplierConnector, supplierConnectors } from '../../connectors/registry';
import type { SupplierConfigNode } from '../adapter/config-nodes';
import {
  connectorSettings,
  credentialDefinitions,
  mountConnectorCatalogue,
  ownHttpAddress,
} from '../adapter/connector-account';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import { registerSupplier } from '../adapter/supplier-registry';
import { migrateConfigNode } from '../adapter/config-migrations';
import { connectionTestHandler } from '../adapter/connection-test';
import { mountOnce } from '../adapter/mount-once';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { systemClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';

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
      ownHttpAddress(RED.settings),
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
    // Every secret a connector declares (connectors/contract.ts: credentialFields), so no list to keep here.
    credentials: credentialDefinitions(supplierConnectors()),
  });

  // "Test connection" in the dialog: the chosen connector's harmless call with the dialog's settings and secrets.
  if (mountOnce(RED.httpAdmin, '/dropship/connectors/test'))
    RED.httpAdmin.post(
      '/dropship/connectors/test',
      RED.auth.needsPermission('dropship-supplier.write'),
      operatorAdminRequest(RED),
      connectionTestHandler(RED, 'dropship-supplier', async ({ fields, credentials, signal, log }) => {
        const connector = supplierConnector(typeof fields.connector === 'string' ? fields.connector : '');
        if (!connector.testConnection)
          throw new DropshipError('configuration', `the ${connector.title} connection has no test`);
        const { settings, settingsError } = connectorSettings(
          () => connector.settingsSchema,
          fields.settings as Record<string, unknown> | undefined,
          'settings',
          ownHttpAddress(RED.settings),
        );
        if (settingsError) throw new DropshipError('invalid_input', settingsError);
        return connector.testConnection({
          supplierId: typeof fields.supplierId === 'string' && fields.supplierId ? fields.supplierId : 'test',
          settings: settings!,
          credentials,
          log,
          clock: systemClock,
          nextSequenceValue: () =>
            Promise.reject(new DropshipError('configuration', 'a connection test draws no control numbers')),
          signal,
        });
      }),
    );

  // The editor renders each settings form from the connector's schema.
  mountConnectorCatalogue(RED, '/dropship/connectors', 'dropship-supplier.read', supplierConnectors);
};
