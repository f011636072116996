import { invalidInput } from '../../core/errors';
import { supplierConnector, supplierConnectors } from '../../connectors/registry';
import type { SupplierConfigNode, SupplierCredentials } from '../adapter/config-nodes';
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
import { asDropshipError, DropshipError } from '../../core/errors';
import type { TransportSettings } from '../../connectors/transports';
import {
  resolveFileConnection,
  takesFileConnection,
  withFileConnectionPicker,
  type FileConnection,
  type FileConnectionReference,
} from '../adapter/file-connection';
import { legacySecretsOf } from '../adapter/file-connection-legacy';

interface SupplierNodeDef extends NodeDef {
  supplierId: string;
  connector: string;
  settings: Record<string, unknown> | string;
  /** The `dropship-file-connection` of an x12-sftp or csv-sftp supplier; empty for other connectors. */
  connection: string;
}

/** The settings with the transport of the supplier's file connection in them, as a file connector reads them. */
function withTransport(
  settings: SupplierNodeDef['settings'] | undefined,
  transport: TransportSettings,
): Record<string, unknown> | string | undefined {
  if (typeof settings === 'string') {
    try {
      const parsed = JSON.parse(settings || '{}') as unknown;
      if (parsed === null || typeof parsed !== 'object') return settings;
      return { ...(parsed as Record<string, unknown>), transport };
    } catch {
      return settings; // reported by connectorSettings
    }
  }
  return { ...settings, transport };
}

/** The connectors as the dialog draws them: a file connector's transport is its file connection's. */
const connectorsAsDrawn = () => supplierConnectors().map(withFileConnectionPicker);

export = function registerSupplierNode(RED: NodeAPI): void {
  function DropshipSupplierNode(this: SupplierConfigNode, config: SupplierNodeDef): void {
    // The saved config itself goes to createNode: it carries the node's flow (not copied with the properties).
    RED.nodes.createNode(this, config);
    const migrated: SupplierNodeDef & FileConnectionReference = migrateConfigNode(
      'dropship-supplier',
      config,
    );
    this.supplierId = migrated.supplierId;
    this.connectorKind = migrated.connector;
    const fileConnection = fileConnectionOfSupplier(migrated, this.credentials);
    if (fileConnection?.connection) this.transportCredentials = fileConnection.connection.credentials;
    const { settings, settingsError } = connectorSettings(
      () => supplierConnector(config.connector).settingsSchema,
      fileConnection?.connection
        ? withTransport(migrated.settings, fileConnection.connection.transport)
        : migrated.settings,
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
    this.settingsError = fileConnection?.error ?? settingsError ?? settingsProblem;
    if (fileConnection?.error) this.settings = undefined;
    if (this.settingsError) this.error(this.settingsError);
    registerSupplier(this);
  }
  /** The file connection of a supplier whose connector reads and writes files; undefined for other connectors. */
  function fileConnectionOfSupplier(
    config: SupplierNodeDef & FileConnectionReference,
    stored: SupplierCredentials | undefined,
  ): { connection?: FileConnection; error?: string } | undefined {
    let takesConnection: boolean;
    try {
      takesConnection = takesFileConnection(supplierConnector(config.connector).settingsSchema);
    } catch {
      return undefined; // an unknown connector: reported by connectorSettings
    }
    if (!takesConnection) return undefined;
    try {
      return {
        connection: resolveFileConnection(
          RED,
          config,
          legacySecretsOf('dropship-supplier', stored),
          `settings of supplier ${config.supplierId}`,
        ),
      };
    } catch (err) {
      return { error: asDropshipError(err).message };
    }
  }

  RED.nodes.registerType('dropship-supplier', DropshipSupplierNode as never, {
    // Every secret a connector declares (connectors/contract.ts: credentialFields), so no list to keep here. The
    // SFTP secrets are the file connection's; those of flows saved before file connections are still stored for
    // the node (Node-RED keeps undeclared ones) until the connection the editor makes takes them over.
    credentials: credentialDefinitions(connectorsAsDrawn()),
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
        // A file connector tests through the deployed file connection the dialog picks; settings that still
        // carry their transport (a supplier saved before file connections) test with it and the dialog's secrets.
        const inlineTransport = (fields.settings as { transport?: unknown } | undefined)?.transport;
        const fileConnection =
          takesFileConnection(connector.settingsSchema) && (fields.connection || !inlineTransport)
            ? resolveFileConnection(
                RED,
                { connection: typeof fields.connection === 'string' ? fields.connection : '' },
                {},
                'settings',
              )
            : undefined;
        const { settings, settingsError } = connectorSettings(
          () => connector.settingsSchema,
          fileConnection
            ? withTransport(fields.settings as Record<string, unknown> | undefined, fileConnection.transport)
            : (fields.settings as Record<string, unknown> | undefined),
          'settings',
          ownHttpAddress(RED.settings),
        );
        if (settingsError) throw new DropshipError('invalid_input', settingsError);
        return connector.testConnection({
          supplierId: typeof fields.supplierId === 'string' && fields.supplierId ? fields.supplierId : 'test',
          settings: settings!,
          credentials: { ...credentials, ...fileConnection?.credentials },
          log,
          clock: systemClock,
          nextSequenceValue: () =>
            Promise.reject(new DropshipError('configuration', 'a connection test draws no control numbers')),
          signal,
        });
      }),
    );

  // The editor renders each settings form from the connector's schema.
  mountConnectorCatalogue(RED, '/dropship/connectors', 'dropship-supplier.read', connectorsAsDrawn);
};
