import path from 'node:path';
import {
  transportCredentialFields,
  transportSettingsSchema,
  type TransportSettings,
} from '../../connectors/transports';
import type { JsonSchema } from '../../core/ports/connector';
import type { ConnectorDescription } from './connector-account';
import { DropshipError } from '../../core/errors';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import type { Node, NodeAPI } from './node-red';

/**
 * What a `dropship-file-connection` config node holds (and what a flow saved before it existed carries inline, as
 * `legacyConnection`, after its config migration): an SFTP login or a local folder.
 */
export interface FileConnectionSettings {
  kind: 'sftp' | 'folder';
  host?: string;
  port?: number | string;
  username?: string;
  hostKeySha256?: string;
  /** SFTP: the base folder on the server (the login folder when empty). Folder: the folder itself. */
  root?: string;
  /** Only flows saved before file connections set it (an x12-sftp or csv-sftp supplier's `transport.timeoutMs`). */
  timeoutMs?: number;
}

/** A type, not an interface, so it passes where connectors take `Record<string, string | undefined>`. */
export type FileConnectionSecrets = { password?: string; privateKey?: string; passphrase?: string };

/** A connection ready to open: the transport settings the connectors take, and its secrets. */
export interface FileConnection {
  transport: TransportSettings;
  credentials: FileConnectionSecrets;
  /** Where it leads, for status texts and messages: `sftp://host:port` or the folder path. No secret. */
  label: string;
}

/** What nodes read from a deployed `dropship-file-connection`. */
export interface FileConnectionConfigNode extends Node<FileConnectionSecrets> {
  /** Undefined when the settings are invalid (see `connectionError`). */
  connection?: FileConnection;
  connectionError?: string;
}

/** The property a node refers to its connection with, and the inline settings its config migration left. */
export interface FileConnectionReference {
  connection?: string;
  legacyConnection?: FileConnectionSettings;
}

/**
 * The transport a connection's settings describe, validated: a host name, port and user for SFTP, a folder for a
 * local folder (a relative one is taken from the Node-RED user directory).
 */
export function fileConnectionOf(
  settings: FileConnectionSettings,
  secrets: FileConnectionSecrets,
  userDir: string,
  what: string,
): FileConnection {
  const root = settings.root?.trim() ?? '';
  let transport: TransportSettings;
  if (settings.kind === 'folder') {
    if (!root)
      throw new DropshipError('invalid_input', `${what}: the folder is missing`, [
        { path: 'root', message: 'name the folder' },
      ]);
    transport = { type: 'local', root: path.resolve(userDir, root) };
  } else if (settings.kind === 'sftp') {
    const port = settings.port === undefined || settings.port === '' ? 22 : Number(settings.port);
    transport = {
      type: 'sftp',
      host: settings.host ?? '',
      port,
      username: settings.username ?? '',
      ...(root ? { baseDir: root } : {}),
      ...(settings.hostKeySha256 ? { hostKeySha256: settings.hostKeySha256 } : {}),
      ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    };
  } else {
    throw new DropshipError('invalid_input', `${what}: kind must be "sftp" or "folder"`, [
      { path: 'kind', message: 'must be "sftp" or "folder"' },
    ]);
  }
  const valid = validateWithInlineSchema<TransportSettings>(transportSettingsSchema, transport, what);
  return {
    transport: valid,
    credentials:
      valid.type === 'sftp'
        ? { password: secrets.password, privateKey: secrets.privateKey, passphrase: secrets.passphrase }
        : {},
    label: valid.type === 'sftp' ? `sftp://${valid.host}:${valid.port ?? 22}` : valid.root,
  };
}

export function userDirOf(RED: Pick<NodeAPI, 'settings'>): string {
  return (RED.settings as { userDir?: string }).userDir ?? process.cwd();
}

/**
 * The connection a node uses: the `dropship-file-connection` it names, or else the settings its config migration
 * carried over from a flow saved before connection nodes existed, with the secrets still stored on the node
 * (`legacySecrets`). Throws, naming the field, when there is neither or the named one is missing or invalid.
 */
export function resolveFileConnection(
  RED: Pick<NodeAPI, 'nodes' | 'settings'>,
  reference: FileConnectionReference,
  legacySecrets: FileConnectionSecrets,
  what: string,
): FileConnection {
  if (reference.connection) {
    const node = RED.nodes.getNode(reference.connection) as FileConnectionConfigNode | null;
    if (!node)
      throw new DropshipError('configuration', `${what}: the chosen file connection is not in the flows`, [
        { path: 'connection', message: 'choose a deployed file connection' },
      ]);
    if (!node.connection)
      throw new DropshipError(
        'configuration',
        `${what}: file connection "${node.name || node.id}" is invalid: ${node.connectionError ?? 'no settings'}`,
        [{ path: 'connection', message: 'fix the file connection' }],
      );
    return node.connection;
  }
  if (reference.legacyConnection)
    return fileConnectionOf(reference.legacyConnection, legacySecrets, userDirOf(RED), what);
  throw new DropshipError('configuration', `${what}: no file connection chosen`, [
    { path: 'connection', message: 'choose a file connection (SFTP or folder)' },
  ]);
}

/** Whether a connector's settings reach their files through a transport (x12-sftp, csv-sftp): a file connection. */
export function takesFileConnection(settingsSchema: JsonSchema): boolean {
  return (
    (settingsSchema as { properties?: Record<string, unknown> }).properties?.transport ===
    transportSettingsSchema
  );
}

/**
 * A file connector as the supplier dialog draws it: the transport and its secrets are the chosen file connection's,
 * so they leave the settings form, and `fileConnection` tells the dialog to offer the connection picker.
 */
export function withFileConnectionPicker<Description extends ConnectorDescription>(
  connector: Description,
): Description & { fileConnection?: true } {
  if (!takesFileConnection(connector.settingsSchema)) return connector;
  const schema = connector.settingsSchema as { properties: Record<string, unknown>; required?: string[] };
  const properties = Object.fromEntries(
    Object.entries(schema.properties).filter(([name]) => name !== 'transport'),
  );
  return {
    ...connector,
    settingsSchema: {
      ...schema,
      properties,
      required: (schema.required ?? []).filter((name) => name !== 'transport'),
    },
    credentialFields: connector.credentialFields.filter(
      (field) => !transportCredentialFields.includes(field),
    ),
    fileConnection: true,
  };
}
