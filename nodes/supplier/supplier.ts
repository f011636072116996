import type { Request, Response } from 'express';
import { asDropshipError } from '../../core/errors';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import { supplierConnector, supplierConnectors } from '../../connectors/registry';
import type { SupplierConfigNode } from '../adapter/config-nodes';
import type { NodeAPI, NodeDef } from '../adapter/node-red';
import { registerSupplier } from '../adapter/supplier-registry';
import { migrateConfigNode } from '../adapter/config-migrations';

interface SupplierNodeDef extends NodeDef {
  supplierId: string;
  connector: string;
  settings: Record<string, unknown> | string;
}

let catalogueMounted: unknown;

export = function registerSupplierNode(RED: NodeAPI): void {
  function DropshipSupplierNode(this: SupplierConfigNode, config: SupplierNodeDef): void {
    config = migrateConfigNode('dropship-supplier', config);
    RED.nodes.createNode(this, config);
    this.supplierId = config.supplierId;
    this.connectorKind = config.connector;
    try {
      const connector = supplierConnector(config.connector);
      const raw =
        typeof config.settings === 'string'
          ? (JSON.parse(config.settings || '{}') as unknown)
          : (config.settings ?? {});
      this.settings = validateWithInlineSchema<Record<string, unknown>>(
        connector.settingsSchema,
        raw,
        `settings of supplier ${config.supplierId}`,
      );
    } catch (err) {
      this.settingsError = asDropshipError(err).message;
      this.error(this.settingsError);
    }
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

  // The editor renders each connector's settings form from its schema.
  if (catalogueMounted !== RED.httpAdmin) {
    catalogueMounted = RED.httpAdmin;
    RED.httpAdmin.get(
      '/dropship/connectors',
      RED.auth.needsPermission('dropship-supplier.read'),
      (_req: Request, res: Response) => {
        res.json(
          supplierConnectors().map((c) => ({
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
