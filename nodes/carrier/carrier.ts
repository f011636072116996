import { carrierConnector, carrierConnectors } from '../../connectors/carriers/registry';
import type { CarrierConfigNode } from '../adapter/config-nodes';
import {
  connectorSettings,
  credentialDefinitions,
  mountConnectorCatalogue,
  ownHttpAddress,
} from '../adapter/connector-account';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import { registerCarrier } from '../adapter/carrier-registry';
import { migrateConfigNode } from '../adapter/config-migrations';
import { connectionTestHandler } from '../adapter/connection-test';
import { mountOnce } from '../adapter/mount-once';
import { operatorAdminRequest } from '../adapter/operator-routes';
import { systemClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';

interface CarrierNodeDef extends NodeDef {
  carrier: string;
  settings: Record<string, unknown> | string;
}

export = function registerCarrierNode(RED: NodeAPI): void {
  function DropshipCarrierNode(this: CarrierConfigNode, config: CarrierNodeDef): void {
    config = migrateConfigNode('dropship-carrier', config);
    RED.nodes.createNode(this, config);
    this.carrierCode = config.carrier;
    const { settings, settingsError } = connectorSettings(
      () => carrierConnector(config.carrier).settingsSchema,
      config.settings,
      `settings of carrier ${config.carrier}`,
      ownHttpAddress(RED.settings),
    );
    this.settings = settings;
    this.settingsError = settingsError;
    if (settingsError) this.error(settingsError);
    registerCarrier(this);
  }
  RED.nodes.registerType('dropship-carrier', DropshipCarrierNode as never, {
    // Every secret a carrier connector declares (connectors/carriers/contract.ts: credentialFields).
    credentials: credentialDefinitions(carrierConnectors()),
  });

  // "Test connection" in the dialog: one lookup with the dialog's settings and secrets.
  if (mountOnce(RED.httpAdmin, '/dropship/carriers/test'))
    RED.httpAdmin.post(
      '/dropship/carriers/test',
      RED.auth.needsPermission('dropship-carrier.write'),
      operatorAdminRequest(RED),
      connectionTestHandler(RED, 'dropship-carrier', async ({ fields, credentials, signal, log }) => {
        const connector = carrierConnector(typeof fields.carrier === 'string' ? fields.carrier : '');
        const { settings, settingsError } = connectorSettings(
          () => connector.settingsSchema,
          fields.settings as Record<string, unknown> | undefined,
          'settings',
          ownHttpAddress(RED.settings),
        );
        if (settingsError) throw new DropshipError('invalid_input', settingsError);
        return connector.testConnection({
          settings: settings!,
          credentials,
          log,
          clock: systemClock,
          signal,
        });
      }),
    );

  // The editor renders each settings form from the connector's schema.
  mountConnectorCatalogue(RED, '/dropship/carriers', 'dropship-carrier.read', carrierConnectors);
};
