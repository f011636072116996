import type { FileConnectionSecrets } from './file-connection';
import type { NodeAPI } from './node-red';

/**
 * Where flows saved before file connections existed keep their SFTP secrets: the node that had the settings
 * inline stores them under these names. They stay declared on those nodes so such a flow keeps working until the
 * editor moves the settings into a `dropship-file-connection`, which then takes the secrets over.
 */
export const LEGACY_SECRET_NAMES: Readonly<
  Record<string, Readonly<Record<keyof FileConnectionSecrets, string>>>
> = {
  'dropship-tracking-in': {
    password: 'sftpPassword',
    privateKey: 'sftpPrivateKey',
    passphrase: 'sftpPassphrase',
  },
  'dropship-inventory-in': { password: 'password', privateKey: 'privateKey', passphrase: 'passphrase' },
  'dropship-supplier': { password: 'password', privateKey: 'privateKey', passphrase: 'passphrase' },
};

const SECRETS = ['password', 'privateKey', 'passphrase'] as const;

/** The legacy secrets a node of `type` stores, under the names a file connection uses. */
export function legacySecretsOf(type: string, stored: object | undefined): FileConnectionSecrets {
  const names = LEGACY_SECRET_NAMES[type];
  const secrets: FileConnectionSecrets = {};
  if (!names || !stored) return secrets;
  for (const secret of SECRETS) {
    const value = (stored as Record<string, unknown>)[names[secret]];
    if (typeof value === 'string' && value) secrets[secret] = value;
  }
  return secrets;
}

/**
 * A file connection's secrets: its own, and, for one the editor made from a node's inline settings
 * (`secretsFrom`), those that node still stores. What is taken over is stored as the connection's own (saved with
 * the next deploy) and removed from the node it came from, so each secret lives in one place.
 */
export function adoptLegacySecrets(
  RED: Pick<NodeAPI, 'nodes'>,
  connectionId: string,
  /** `<node type>:<node id>`: not the bare id, which Node-RED would take for a dependency between config nodes. */
  secretsFrom: string | undefined,
  own: FileConnectionSecrets | undefined,
): FileConnectionSecrets {
  const secrets: FileConnectionSecrets = { ...own };
  const [fromType = '', fromId = ''] = (secretsFrom ?? '').split(':');
  const names = LEGACY_SECRET_NAMES[fromType];
  if (!names || !fromId) return secrets;
  let found = false;
  RED.nodes.eachNode((node) => {
    if (node.id === fromId && node.type === fromType) found = true;
  });
  if (!found) return secrets;
  const stored = RED.nodes.getCredentials(fromId) as Record<string, unknown> | undefined;
  const legacy = legacySecretsOf(fromType, stored);
  const adopted = SECRETS.filter((secret) => !secrets[secret] && legacy[secret]);
  if (adopted.length === 0) return secrets;
  for (const secret of adopted) secrets[secret] = legacy[secret];
  const remaining = { ...stored };
  for (const secret of SECRETS) delete remaining[names[secret]];
  void RED.nodes.addCredentials(connectionId, { ...secrets });
  void RED.nodes.addCredentials(fromId, remaining);
  return secrets;
}
