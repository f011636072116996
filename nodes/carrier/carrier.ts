import { carrierConnector, carrierConnectors } from '../../connectors/carriers/registry';
import type { CarrierConfigNode } from '../adapter/config-nodes';
import {
  connectorSettings,
  credentialDefinitions,
  mountConnectorCatalogue,
} from '../adapter/connector-account';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import { registerCarrier } from '../adapter/carrier-registry';
import { migrateConfigNode } from '../adapter/config-migrations';

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

  // The editor renders each settings form from the connector's schema.
  mountConnectorCatalogue(RED, '/dropship/carriers', 'dropship-carrier.read', carrierConnectors);
};
