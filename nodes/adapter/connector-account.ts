import type { Request, Response } from 'express';
import { asDropshipError } from '../../core/errors';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import type { CredentialField, JsonSchema, SettingCondition } from '../../core/ports/connector';
import type { NodeAPI } from './node-red';
import { mountOnce } from './mount-once';
import { operatorAdminRequest } from './operator-routes';

/** What every connector kind declares for the editor: supplier connectors and carrier connectors alike. */
export interface ConnectorDescription {
  kind: string;
  title: string;
  description: string;
  settingsSchema: JsonSchema;
  credentialFields: CredentialField[];
  settingConditions?: Record<string, SettingCondition>;
  /** Its transport and the transport's secrets come from a `dropship-file-connection` the dialog picks. */
  fileConnection?: true;
}

/**
 * The `credentials` of a config node that holds connector accounts: every secret any of its connectors declares,
 * by name, as Node-RED stores it (a private key is a password too: hidden once saved). Two connectors may share a
 * name (`password`) only with the same kind of field.
 */
export function credentialDefinitions(
  connectors: readonly ConnectorDescription[],
): Record<string, { type: 'text' | 'password' }> {
  const definitions: Record<string, { type: 'text' | 'password' }> = {};
  for (const connector of connectors) {
    for (const field of connector.credentialFields) {
      const type = field.type === 'text' ? 'text' : 'password';
      const known = definitions[field.name];
      if (known && known.type !== type)
        throw new Error(
          `credential "${field.name}" of ${connector.kind} is ${type}, elsewhere ${known.type}`,
        );
      definitions[field.name] = { type };
    }
  }
  return definitions;
}

/**
 * This Node-RED's own address for its HTTP endpoints, as a flow on the same machine reaches it: the editor's port,
 * loopback unless Node-RED listens on one address only, and httpNodeRoot.
 */
export function ownHttpAddress(settings: {
  uiHost?: string;
  uiPort?: number | string;
  https?: unknown;
  httpNodeRoot?: string | false;
}): string {
  const host =
    !settings.uiHost || ['0.0.0.0', '::'].includes(settings.uiHost) ? '127.0.0.1' : settings.uiHost;
  const root = (settings.httpNodeRoot || '/').replace(/\/+$/, '');
  return `${settings.https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${settings.uiPort ?? 1880}${root}`;
}

/** A path of this Node-RED ("/example/supplier/orders") where a URL is expected: not "//host", which is a URL. */
const OWN_PATH = /^\/(?!\/)/;

/** Each URL setting (format uri) given as a path of this Node-RED, made a URL at `ownAddress`. */
function withOwnUrls(schema: JsonSchema, value: unknown, ownAddress: string): unknown {
  const properties = (schema as { properties?: Record<string, JsonSchema> }).properties;
  if (!properties || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const resolved: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, property] of Object.entries(properties)) {
    const setting = resolved[key];
    if (setting === undefined) continue;
    if (
      (property as { format?: unknown }).format === 'uri' &&
      typeof setting === 'string' &&
      OWN_PATH.test(setting)
    )
      resolved[key] = `${ownAddress}${setting}`;
    else resolved[key] = withOwnUrls(property, setting, ownAddress);
  }
  return resolved;
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
  /** Where a URL setting given as a path ("/example/supplier/orders") points: this Node-RED (ownHttpAddress). */
  ownAddress?: string,
): { settings?: Record<string, unknown>; settingsError?: string } {
  try {
    const schema = schemaOf();
    const parsed = typeof raw === 'string' ? (JSON.parse(raw || '{}') as unknown) : (raw ?? {});
    const value = ownAddress ? withOwnUrls(schema, parsed, ownAddress) : parsed;
    return { settings: validateWithInlineSchema<Record<string, unknown>>(schema, value, what) };
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
        connectors().map(
          ({
            kind,
            title,
            description,
            settingsSchema,
            credentialFields,
            settingConditions,
            fileConnection,
          }) => ({
            kind,
            title,
            description,
            settingsSchema,
            credentialFields,
            settingConditions: settingConditions ?? {},
            fileConnection: fileConnection ?? false,
          }),
        ),
      );
    },
  );
}
