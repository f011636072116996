import type { Request, Response } from 'express';
import { asDropshipError } from '../../core/errors';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import type { JsonSchema } from '../../core/ports/connector';
import type { NodeAPI } from './node-red';
import { mountOnce } from './mount-once';
import { operatorAdminRequest } from './operator-routes';

/** What every connector kind declares for the editor: supplier connectors and carrier connectors alike. */
export interface ConnectorDescription {
  kind: string;
  title: string;
  description: string;
  settingsSchema: JsonSchema;
  credentialFields: { name: string; label: string }[];
}

/**
 * The settings of a config node that holds a connector account (a supplier, a carrier), read from the flow (an
 * object, or JSON text from older flows) and validated against the connector's schema. A problem is returned as
 * text, so the node can still register and report it wherever it is used.
 */
export function connectorSettings(
  /** Looks the connector up: an unknown kind is a settings problem too. */
  schemaOf: () => JsonSchema,
  raw: Record<string, unknown> | string | undefined,
  what: string,
): { settings?: Record<string, unknown>; settingsError?: string } {
  try {
    const value = typeof raw === 'string' ? (JSON.parse(raw || '{}') as unknown) : (raw ?? {});
    return { settings: validateWithInlineSchema<Record<string, unknown>>(schemaOf(), value, what) };
  } catch (err) {
    return { settingsError: asDropshipError(err).message };
  }
}

/** Serves the connector kinds on the admin API once per runtime: the editor renders each settings form from it. */
export function mountConnectorCatalogue(
  RED: NodeAPI,
  path: string,
  permission: string,
  connectors: () => readonly ConnectorDescription[],
): void {
  if (!mountOnce(RED.httpAdmin, path)) return;
  RED.httpAdmin.get(
    path,
    RED.auth.needsPermission(permission),
    operatorAdminRequest(RED),
    (_req: Request, res: Response) => {
      res.json(
        connectors().map(({ kind, title, description, settingsSchema, credentialFields }) => ({
          kind,
          title,
          description,
          settingsSchema,
          credentialFields,
        })),
      );
    },
  );
}
