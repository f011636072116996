import { createHash } from 'node:crypto';
import path from 'node:path';
import type SftpClient from 'ssh2-sftp-client';
import { DropshipError } from '../../core/errors';
import { requireOptionalPackage } from '../../core/optional-package';
import {
  OutcomeUnknownError,
  SupplierPermanentError,
  SupplierTransientError,
} from '../../core/ports/supplier-connector';
import { temporaryName, type FileTransport, type TransportFile } from '../../core/ports/file-transport';
import { safeFileName, safeRelativePath } from './safe-path';

export interface SftpSettings {
  host: string;
  port?: number;
  username: string;
  /** Folder every transport path is relative to; the login directory when absent. */
  baseDir?: string;
  /** Pins the server's host key, as `ssh-keygen -lf` prints it ("SHA256:..."). Strongly advised. */
  hostKeySha256?: string;
  /** Connection and handshake timeout. */
  timeoutMs?: number;
}

/** Secrets from the node's credentials: a password, or a private key (PEM/OpenSSH) with its passphrase. */
export interface SftpCredentials {
  password?: string;
  privateKey?: string;
  passphrase?: string;
}

export const sftpSettingsSchema = {
  type: 'object',
  required: ['host', 'username'],
  properties: {
    host: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9.:\\[\\]-]+$', title: 'SFTP host' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 22, title: 'Port' },
    username: { type: 'string', minLength: 1, maxLength: 64, title: 'User name' },
    baseDir: { type: 'string', pattern: '^[^\\u0000]*$', title: 'Base folder on the server' },
    hostKeySha256: {
      type: 'string',
      pattern: '^SHA256:[A-Za-z0-9+/]{43}=?$',
      title: 'Host key fingerprint (SHA256:...)',
    },
    timeoutMs: { type: 'integer', minimum: 1000, maximum: 120000, default: 15000, title: 'Timeout (ms)' },
  },
  additionalProperties: false,
} as const;

interface SftpError extends Error {
  code?: string | number;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);
const LOST_CONNECTION =
  /ECONNRESET|not connected|No SFTP connection|connection lost|Connection closed|No response from server|socket|EPIPE/i;

function isPermissionOrPath(err: SftpError): boolean {
  return (
    err.code === 2 ||
    err.code === 3 ||
    err.code === 'ENOENT' ||
    err.code === 'EACCES' ||
    err.code === 'ERR_BAD_PATH' ||
    /permission denied|no such file/i.test(err.message)
  );
}

/** Errors while connecting: nothing was sent yet, so only "retry later" or "fix the settings". */
function connectFailure(err: SftpError, where: string): Error {
  if (/authentication methods failed|host key|hostVerifier|Host denied/i.test(err.message)) {
    return new SupplierPermanentError(`SFTP login to ${where} refused: ${err.message}`, { cause: err });
  }
  if (
    (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) ||
    /timed out|refused|reset/i.test(err.message)
  ) {
    return new SupplierTransientError(`SFTP server ${where} unreachable: ${err.message}`, undefined, {
      cause: err,
    });
  }
  return new SupplierTransientError(`SFTP connection to ${where} failed: ${err.message}`, undefined, {
    cause: err,
  });
}

/**
 * Errors after login. A refused path is permanent (wrong folder, no permission); a connection that drops while
 * writing leaves the outcome unknown (the rename may have happened); while reading it is merely transient.
 */
function operationFailure(err: SftpError, operation: string, writing: boolean): Error {
  if (isPermissionOrPath(err))
    return new SupplierPermanentError(`SFTP ${operation} refused: ${err.message}`, { cause: err });
  if (writing && LOST_CONNECTION.test(err.message)) {
    return new OutcomeUnknownError(`SFTP connection lost during ${operation}: ${err.message}`, {
      cause: err,
    });
  }
  if (writing) return new OutcomeUnknownError(`SFTP ${operation} failed: ${err.message}`, { cause: err });
  return new SupplierTransientError(`SFTP ${operation} failed: ${err.message}`, undefined, { cause: err });
}

/** "SHA256:<base64 without padding>" of a raw host key, as OpenSSH prints fingerprints. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** One SFTP session (ssh2-sftp-client) implementing the file transport contract. */
export class SftpTransport implements FileTransport {
  private constructor(
    private readonly client: SftpClient,
    private readonly baseDir: string,
  ) {}

  /** Connects and logs in; the caller must `close()` the transport (use `withSftpTransport` to be sure). */
  static async connect(settings: SftpSettings, credentials: SftpCredentials): Promise<SftpTransport> {
    if (!credentials.password && !credentials.privateKey) {
      throw new DropshipError('configuration', 'SFTP needs a password or a private key in the credentials');
    }
    const where = `${settings.host}:${settings.port ?? 22}`;
    // Loaded on the first connection, not with the package: ssh2 reserves 16 MB of WebAssembly memory (its
    // Poly1305) as it loads, which every Node-RED would carry whether or not any supplier uses SFTP.
    const SftpClientClass = requireOptionalPackage('ssh2-sftp-client', 'SFTP');
    const client = new SftpClientClass('dropship');
    const expected = settings.hostKeySha256?.replace(/=+$/, '');
    try {
      await client.connect({
        host: settings.host,
        port: settings.port ?? 22,
        username: settings.username,
        password: credentials.password,
        privateKey: credentials.privateKey,
        passphrase: credentials.passphrase,
        readyTimeout: settings.timeoutMs ?? 15_000,
        timeout: settings.timeoutMs ?? 15_000,
        hostVerifier: expected ? (key: Buffer) => hostKeyFingerprint(key) === expected : undefined,
        // Do not let ssh2 retry on its own: retries belong to the dispatch schedule.
        retries: 0,
      });
    } catch (err) {
      await client.end().catch(() => undefined);
      throw connectFailure(err as SftpError, where);
    }
    return new SftpTransport(client, settings.baseDir ?? '.');
  }

  private remote(folder: string, name?: string): string {
    const relative = safeRelativePath(folder, 'folder');
    return path.posix.join(this.baseDir, relative, ...(name === undefined ? [] : [safeFileName(name)]));
  }

  async put(folder: string, name: string, content: string | Buffer): Promise<void> {
    const dir = this.remote(folder);
    const final = this.remote(folder, name);
    const temporary = this.remote(folder, temporaryName(path.posix.basename(final)));
    try {
      if ((await this.client.exists(dir)) !== 'd') await this.client.mkdir(dir, true);
      await this.client.put(Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), temporary);
      // posix-rename@openssh.com replaces an existing file atomically; plain SFTP rename refuses to.
      await this.client.posixRename(temporary, final);
    } catch (err) {
      throw operationFailure(err as SftpError, `upload of ${name}`, true);
    }
  }

  async exists(folder: string, name: string): Promise<boolean> {
    const file = this.remote(folder, name);
    try {
      return (await this.client.exists(file)) === '-';
    } catch (err) {
      throw operationFailure(err as SftpError, `check of ${name}`, false);
    }
  }

  async list(folder: string): Promise<TransportFile[]> {
    const dir = this.remote(folder);
    try {
      if ((await this.client.exists(dir)) !== 'd') return [];
      const entries = await this.client.list(dir);
      return entries
        .filter((entry) => entry.type === '-')
        .map((entry) => ({ name: entry.name, size: entry.size, modifiedAt: new Date(entry.modifyTime) }))
        .sort((a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime() || a.name.localeCompare(b.name));
    } catch (err) {
      throw operationFailure(err as SftpError, `listing of ${folder}`, false);
    }
  }

  async openRead(folder: string, name: string): Promise<NodeJS.ReadableStream> {
    const file = this.remote(folder, name);
    try {
      if ((await this.client.exists(file)) !== '-') {
        throw new SupplierPermanentError(`SFTP file ${folder}/${name} does not exist`);
      }
      return this.client.createReadStream(file);
    } catch (err) {
      if (err instanceof DropshipError) throw err;
      throw operationFailure(err as SftpError, `read of ${name}`, false);
    }
  }

  async move(fromFolder: string, name: string, toFolder: string): Promise<void> {
    const target = this.remote(toFolder);
    const from = this.remote(fromFolder, name);
    const to = this.remote(toFolder, name);
    try {
      if ((await this.client.exists(target)) !== 'd') await this.client.mkdir(target, true);
      await this.client.posixRename(from, to);
    } catch (err) {
      throw operationFailure(err as SftpError, `move of ${name}`, true);
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
