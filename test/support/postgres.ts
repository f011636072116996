import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/** The PostgreSQL server the tests use: loopback, trust authentication, database `test`. */
export const TEST_POSTGRES_URL =
  process.env.DROPSHIP_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function canConnect(): Promise<Error | undefined> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    await client.end().catch(() => undefined);
  }
}

function installedVersion(): string {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1) {
    throw new Error(`expected one PostgreSQL version in /etc/postgresql, found ${versions.length}`);
  }
  return versions[0]!;
}

/** Starts the Debian cluster directly: CI machines and containers run no systemd to redirect to. */
function startDebianCluster(): string {
  return execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', installedVersion(), 'main', 'start'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

let ready: Promise<void> | undefined;

/**
 * Resolves once the test server answers. When it is down, starts the local cluster once and waits up to 30 s;
 * rejects with the reasons when it still cannot connect, so a missing database fails the run instead of
 * skipping the PostgreSQL tests.
 */
export function ensurePostgres(): Promise<void> {
  ready ??= (async () => {
    const firstError = await canConnect();
    if (!firstError) return;
    let startOutput: string;
    try {
      startOutput = startDebianCluster();
    } catch (err) {
      startOutput = `start failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    const deadline = Date.now() + 30_000;
    let lastError: Error | undefined = firstError;
    while (lastError && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      lastError = await canConnect();
    }
    if (lastError) {
      throw new Error(
        `PostgreSQL is not reachable at ${TEST_POSTGRES_URL}: ${lastError.message}. ` +
          `Tried pg_ctlcluster --skip-systemctl-redirect <version> main start: ${startOutput.trim() || 'no output'}`,
      );
    }
  })();
  return ready;
}

/** A schema name no other test uses, for one test's tables. */
export function uniqueSchemaName(prefix = 'dropship_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Drops test schemas with everything in them. */
export async function dropSchemas(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    for (const name of names) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  } finally {
    await client.end();
  }
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ThrowawayCluster {
  /** A URL without the password, for user postgres and database postgres. */
  url: string;
  password: string;
  stop(): void;
}

/**
 * A private PostgreSQL server that demands a password (scram-sha-256), for what the shared trust-auth server
 * cannot show. Needs root, as CI has, to run the server binaries as the postgres user.
 */
export async function startPasswordProtectedCluster(): Promise<ThrowawayCluster> {
  const bin = `/usr/lib/postgresql/${installedVersion()}/bin`;
  const dir = mkdtempSync(path.join(tmpdir(), 'dropship-pg-'));
  const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, postgresUid, -1);
  // Characters that mean something in a URL, so the test shows the password survives the trip through one.
  const password = `${randomBytes(9).toString('hex')}@:/?#%`;
  writeFileSync(path.join(dir, 'password'), password);
  chownSync(path.join(dir, 'password'), postgresUid, -1);
  const asPostgres = (command: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  const data = path.join(dir, 'data');
  const port = await freeLoopbackPort();
  asPostgres('initdb', [
    '-D',
    data,
    '-A',
    'scram-sha-256',
    '-U',
    'postgres',
    `--pwfile=${dir}/password`,
    '-N',
  ]);
  asPostgres('pg_ctl', [
    '-D',
    data,
    '-l',
    path.join(dir, 'server.log'),
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`,
    '-w',
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    password,
    stop: () => {
      asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
