import type { Request, Response } from 'express';
import { asDropshipError } from '../../core/errors';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import { carrierConnector, carrierConnectors } from '../../connectors/carriers/registry';
import type { CarrierConfigNode } from '../adapter/config-nodes';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import { registerCarrier } from '../adapter/carrier-registry';
import { migrateConfigNode } from '../adapter/config-migrations';

interface CarrierNodeDef extends NodeDef {
  carrier: string;
  settings: Record<string, unknown> | string;
}

let catalogueMounted: unknown;

export = function registerCarrierNode(RED: NodeAPI): void {
  function DropshipCarrierNode(this: CarrierConfigNode, config: CarrierNodeDef): void {
    config = migrateConfigNode('dropship-carrier', config);
    RED.nodes.createNode(this, config);
    this.carrierCode = config.carrier;
    try {
      const connector = carrierConnector(config.carrier);
      const raw =
        typeof config.settings === 'string'
          ? (JSON.parse(config.settings || '{}') as unknown)
          : (config.settings ?? {});
      this.settings = validateWithInlineSchema<Record<string, unknown>>(
        connector.settingsSchema,
        raw,
        `settings of carrier ${config.carrier}`,
      );
    } catch (err) {
      this.settingsError = asDropshipError(err).message;
      this.error(this.settingsError);
    }
    registerCarrier(this);
  }
  RED.nodes.registerType('dropship-carrier', DropshipCarrierNode as never, {
    credentials: {
      clientId: { type: 'text' },
      clientSecret: { type: 'password' },
      apiKey: { type: 'password' },
    },
  });

  // The editor renders each carrier's settings form from its schema.
  if (catalogueMounted !== RED.httpAdmin) {
    catalogueMounted = RED.httpAdmin;
    RED.httpAdmin.get(
      '/dropship/carriers',
      RED.auth.needsPermission('dropship-carrier.read'),
      (_req: Request, res: Response) => {
        res.json(
          carrierConnectors().map((c) => ({
            kind: c.kind,
            title: c.title,
            description: c.description,
            settingsSchema: c.settingsSchema,
            credentialFields: c.credentialFields,
          })),
        );
      },
    );
  }
};
