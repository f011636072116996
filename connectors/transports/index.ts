import { stat } from 'node:fs/promises';
import { DEFAULT_SETTLE_SECONDS } from '../../core/inbound-files';
import type { FileTransport } from '../../core/ports/file-transport';
import type { CredentialField } from '../../core/ports/connector';
import { DropshipError } from '../../core/errors';
import { LocalFolderTransport } from './local-folder-transport';
import { safeFileName } from './safe-path';
import { SftpTransport, sftpSettingsSchema, type SftpCredentials, type SftpSettings } from './sftp-transport';

export { LocalFolderTransport } from './local-folder-transport';
export {
  SftpTransport,
  hostKeyFingerprint,
  sftpSettingsSchema,
  type SftpCredentials,
  type SftpSettings,
} from './sftp-transport';
export { safeFileName, safeRelativePath } from './safe-path';

/** The settle time as each inbound folder's settings declare it (x12-sftp supplier, tracking in, stock in). */
export const settleSecondsSchema = {
  type: 'integer',
  minimum: 0,
  maximum: 3600,
  default: DEFAULT_SETTLE_SECONDS,
  title: 'Wait until a file is unchanged for (s)',
  description:
    'A file is read only once it has not changed for this long, so a file the partner is still writing is never read half-way. 0 reads files at once (for partners that upload under a temporary name and rename).',
} as const;

/** How a file-based connector reaches its supplier: `{ type: 'sftp', ...}` or `{ type: 'local', root }`. */
export type TransportSettings = ({ type: 'sftp' } & SftpSettings) | { type: 'local'; root: string };

export const transportSettingsSchema = {
  oneOf: [
    {
      type: 'object',
      title: 'SFTP',
      required: ['type', ...sftpSettingsSchema.required],
      properties: { type: { const: 'sftp' }, ...sftpSettingsSchema.properties },
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'Local folder (demo)',
      required: ['type', 'root'],
      properties: {
        type: { const: 'local' },
        root: { type: 'string', pattern: '^/', title: 'Absolute folder path' },
      },
      additionalProperties: false,
    },
  ],
} as const;

const OVER_SFTP = { setting: 'transport.type', values: ['sftp'] } as const;

/** The secrets of the SFTP transport (a local folder has none), for file connectors to declare. */
export const transportCredentialFields: CredentialField[] = [
  { name: 'password', label: 'SFTP password', type: 'password', when: OVER_SFTP },
  { name: 'privateKey', label: 'SFTP private key (OpenSSH/PEM)', type: 'multiline', when: OVER_SFTP },
  { name: 'passphrase', label: 'Private key passphrase', type: 'password', when: OVER_SFTP },
];

/** Opens the transport a connector's settings describe; the caller closes it. */
export async function openTransport(
  settings: TransportSettings,
  credentials: Record<string, string | undefined>,
): Promise<FileTransport> {
  if (settings.type === 'local') return new LocalFolderTransport(settings.root);
  const secrets: SftpCredentials = {
    password: credentials.password,
    privateKey: credentials.privateKey,
    passphrase: credentials.passphrase,
  };
  return SftpTransport.connect(settings, secrets);
}

/** Runs `work` with an open transport and always closes it, so no SFTP session outlives the operation. */
export async function withTransport<T>(
  settings: TransportSettings,
  credentials: Record<string, string | undefined>,
  work: (transport: FileTransport) => Promise<T>,
): Promise<T> {
  const transport = await openTransport(settings, credentials);
  try {
    return await work(transport);
  } finally {
    await transport.close();
  }
}

/**
 * A file connector's connection test: connects, logs in and lists each folder (nothing is written). A folder
 * that does not exist yet lists as empty: the connector creates it with its first file.
 */
export async function listFolders(
  settings: TransportSettings,
  credentials: Record<string, string | undefined>,
  folders: string[],
): Promise<string> {
  return withTransport(settings, credentials, async (transport) => {
    const listed: string[] = [];
    for (const folder of folders) {
      const count = (await transport.list(folder)).length;
      listed.push(`${folder} (${count} file${count === 1 ? '' : 's'})`);
    }
    const opened =
      settings.type === 'sftp'
        ? `Logged in to ${settings.host}:${settings.port ?? 22} as ${settings.username}`
        : `Opened ${settings.root}`;
    return `${opened} and listed ${listed.join(', ')}.`;
  });
}

/**
 * A file connection's own test: logs in to the SFTP server (checking the pinned host key) and closes again, or
 * checks that the local folder exists. Nothing is listed or written: the folders belong to the nodes using it.
 */
export async function checkTransport(
  settings: TransportSettings,
  credentials: Record<string, string | undefined>,
): Promise<string> {
  if (settings.type === 'local') {
    const found = await stat(settings.root).catch(() => undefined);
    if (!found?.isDirectory())
      throw new DropshipError('configuration', `the folder ${settings.root} does not exist on this machine`);
    return `The folder ${settings.root} exists.`;
  }
  await withTransport(settings, credentials, async () => undefined);
  return `Logged in to ${settings.host}:${settings.port ?? 22} as ${settings.username}.`;
}

/** A folder setting: relative to the transport root, no `..`, no NUL or backslash (checked again at use). */
export const transportFolderSchema = {
  type: 'string',
  minLength: 1,
  pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\u0000\\\\]+$',
} as const;

/** The setting for an outbound file name containing "{poNumber}". */
export function poFileNameSchema(defaultPattern: string) {
  return {
    type: 'string',
    pattern: '^[A-Za-z0-9._-]*\\{poNumber\\}[A-Za-z0-9._-]*$',
    default: defaultPattern,
    title: 'File name ({poNumber} is replaced)',
  } as const;
}

/**
 * The outbound file of a PO. The same PO number always gives the same name, which is what makes a resend
 * harmless for file channels: the file is found waiting, or replaced, never doubled.
 */
export function poFileName(pattern: string, poNumber: string): string {
  return safeFileName(pattern.replace('{poNumber}', poNumber), 'PO file name');
}
