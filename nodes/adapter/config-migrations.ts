import { DropshipError } from '../../core/errors';

/**
 * Versions of the saved form of the config nodes (and of flow nodes whose saved form changed), so a flow saved by
 * an older release keeps working: each such node's constructor passes its saved properties through
 * `migrateConfigNode` before reading them. Flows saved
 * before versions existed carry no `version` and are version 1. Pure functions, no Node-RED.
 */

export type VersionedConfigType =
  | 'dropship-store'
  | 'dropship-storefront'
  | 'dropship-supplier'
  | 'dropship-mailer'
  | 'dropship-carrier'
  | 'dropship-watchdog'
  | 'dropship-tracking-in'
  | 'dropship-inventory-in';

export type SavedConfig = Readonly<Record<string, unknown>>;

/** One step, from version `from` to `from + 1`. Returns a new object; never edit a step once released. */
export interface ConfigMigration {
  from: number;
  /** What the step changes, in a sentence (for the changelog and the log line). */
  description: string;
  migrate(config: SavedConfig): Record<string, unknown>;
}

/** The steps of each node type in order; version N + 1 is current when a type has N steps. */
export const CONFIG_MIGRATIONS: Readonly<Record<VersionedConfigType, readonly ConfigMigration[]>> = {
  'dropship-store': [],
  'dropship-storefront': [],
  'dropship-supplier': [
    {
      from: 1,
      description:
        "an x12-sftp or csv-sftp supplier's transport (SFTP login or folder) moves out of its settings into a file connection",
      migrate: ({ settings, ...rest }) => {
        const parsed = parseSettings(settings);
        if (!parsed || !isObject(parsed.transport)) return { ...rest, settings };
        const { transport, ...others } = parsed;
        const { type, baseDir, root, ...login } = transport;
        return {
          ...rest,
          settings: others,
          connection: '',
          legacyConnection:
            type === 'local'
              ? { kind: 'folder', root }
              : { ...login, kind: 'sftp', ...(baseDir ? { root: baseDir } : {}) },
        };
      },
    },
  ],
  'dropship-mailer': [],
  'dropship-carrier': [],
  'dropship-watchdog': [
    {
      from: 1,
      description: 'the escalation policy is kept as an object (edited in a form) instead of JSON text',
      migrate: ({ policy, ...rest }) => {
        if (typeof policy !== 'string') return { ...rest, policy };
        if (policy.trim() === '') return { ...rest, policy: {} };
        try {
          return { ...rest, policy: JSON.parse(policy) as unknown };
        } catch {
          // Not JSON: kept as it is, so the node reports it instead of silently using the defaults.
          return { ...rest, policy };
        }
      },
    },
  ],
  'dropship-tracking-in': [
    {
      from: 1,
      description: 'the SFTP or local folder a node reads ship notices from moves into a file connection',
      migrate: ({ sftpHost, sftpPort, sftpUser, sftpHostKey, folderRoot, ...rest }) =>
        withInlineConnection(rest, {
          local: { kind: 'folder', root: folderRoot || '.' },
          sftp: {
            kind: 'sftp',
            host: sftpHost,
            port: sftpPort,
            username: sftpUser,
            hostKeySha256: sftpHostKey,
          },
        }),
    },
  ],
  'dropship-inventory-in': [
    {
      from: 1,
      description: 'the SFTP or local folder a stock feed is read from moves into a file connection',
      migrate: ({ host, port, username, hostKeySha256, root, ...rest }) =>
        withInlineConnection(rest, {
          local: { kind: 'folder', root },
          sftp: { kind: 'sftp', host, port, username, hostKeySha256, root },
        }),
    },
  ],
};

/**
 * A node whose folder source was `sftp` or `local` (with the settings inline), now `files` through a file
 * connection: none chosen yet, the inline settings carried as `legacyConnection` until the editor converts them.
 * Other sources only lose the unused inline fields (already taken out of `rest`).
 */
function withInlineConnection(
  rest: Record<string, unknown>,
  inline: { local: Record<string, unknown>; sftp: Record<string, unknown> },
): Record<string, unknown> {
  if (rest.source !== 'sftp' && rest.source !== 'local') return rest;
  return { ...rest, source: 'files', connection: '', legacyConnection: inline[rest.source] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Settings saved as an object, or as JSON text by older flows; undefined when neither (left for the node to report). */
function parseSettings(settings: unknown): Record<string, unknown> | undefined {
  if (isObject(settings)) return settings;
  if (typeof settings !== 'string' || settings.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(settings) as unknown;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function currentConfigVersion(migrations: readonly ConfigMigration[]): number {
  return 1 + migrations.length;
}

/** The version a saved config claims: missing or empty is 1 (flows saved before versions existed). */
export function savedConfigVersion(type: string, config: SavedConfig): number {
  const raw = config.version;
  if (raw === undefined || raw === null || raw === '') return 1;
  const version = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(version) || version < 1)
    throw new DropshipError(
      'configuration',
      `${type}: version must be a whole number from 1, not ${JSON.stringify(raw)}`,
      [{ path: '/version', message: 'must be a whole number from 1' }],
    );
  return version;
}

/**
 * Applies the steps from the saved version up to the current one and stamps the result with it. A config saved
 * by a newer release is refused rather than misread.
 */
export function applyConfigMigrations(
  type: string,
  config: SavedConfig,
  migrations: readonly ConfigMigration[],
): Record<string, unknown> & { version: number } {
  const current = currentConfigVersion(migrations);
  let version = savedConfigVersion(type, config);
  if (version > current)
    throw new DropshipError(
      'configuration',
      `${type} ${JSON.stringify(config.name || config.id || '')} was saved by a newer release (version ${version}; this ` +
        `release reads up to ${current}): update node-red-contrib-dropship`,
      [{ path: '/version', message: `is newer than ${current}` }],
    );
  let migrated: Record<string, unknown> = { ...config };
  for (const step of migrations) {
    if (step.from !== version) continue;
    migrated = step.migrate(migrated);
    version = step.from + 1;
  }
  return { ...migrated, version };
}

/** The saved properties of a config node in the current format; call first thing in its constructor. */
export function migrateConfigNode<Config extends object>(type: VersionedConfigType, config: Config): Config {
  return applyConfigMigrations(type, config as SavedConfig, CONFIG_MIGRATIONS[type]) as Config;
}
