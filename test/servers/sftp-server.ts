import { daemonPidNow, isDaemonRunning, readDaemonPid, stopDaemon } from './daemon-process';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A real OpenSSH sshd for the SFTP tests, on a free high loopback port with a throw-away configuration:
 * a test user with a password and an ed25519 key, internal-sftp starting in a temporary folder.
 * Needs root (sshd, useradd); installs Debian's openssh-server when it is missing.
 */
export interface SftpTestServer {
  host: '127.0.0.1';
  port: number;
  username: string;
  password: string;
  /** OpenSSH private key of the test user. */
  privateKey: string;
  /** "SHA256:..." of the server's host key, for pinning. */
  hostKeySha256: string;
  /** The folder the SFTP session starts in: inspect uploaded files here. */
  root: string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const TEST_USER = 'dropship-sftp';

function ensureOpenSsh(): void {
  if (existsSync(SSHD)) return;
  // Serialised with other installers on this machine; apt-get update first on a fresh machine.
  const install = spawnSync(
    'flock',
    [
      '/tmp/apt.lock',
      'sh',
      '-c',
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server',
    ],
    { stdio: 'inherit' },
  );
  if (install.status !== 0 || !existsSync(SSHD))
    throw new Error('could not install openssh-server for the SFTP tests');
}

/**
 * The test user's password, one per machine: test processes running at once (mocha's parallel workers, the suite
 * on two runtimes) each start servers for the same system user, and a password of their own would lock the
 * others' clients out. The first process to get here publishes its password (a hard link is created atomically
 * or not at all); the others read it.
 */
function machinePassword(): string {
  const shared = path.join(tmpdir(), 'dropship-sftp-user.password');
  if (!existsSync(shared)) {
    const mine = `${shared}.${process.pid}`;
    writeFileSync(mine, randomBytes(12).toString('base64url'), { mode: 0o600 });
    try {
      linkSync(mine, shared);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(mine, { force: true });
    }
  }
  return readFileSync(shared, 'utf8');
}

function ensureUser(password: string): void {
  // useradd's 9: another test process created the user meanwhile.
  if (spawnSync('id', [TEST_USER]).status !== 0) {
    const added = spawnSync('useradd', ['-M', '-s', '/bin/sh', TEST_USER]);
    if (added.status !== 0 && added.status !== 9)
      throw new Error(`useradd ${TEST_USER} failed: ${added.stderr.toString()}`);
  }
  // Every process sets the same password, so setting it again changes nothing for the others.
  execFileSync('chpasswd', { input: `${TEST_USER}:${password}\n` });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const DIR_PREFIX = 'dropship-sshd-';

/**
 * sshd daemonizes, so a test run killed before its `after` hook leaves it listening. Each server's folder is
 * named after the test process that owns it; servers whose owner is gone are stopped and their folders removed.
 */
function reapStaleServers(): void {
  for (const entry of readdirSync(tmpdir())) {
    const owner = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(entry);
    if (!owner || isDaemonRunning(Number(owner[1]))) continue;
    const dir = path.join(tmpdir(), entry);
    const pidFile = path.join(dir, 'sshd.pid');
    const pid = daemonPidNow(pidFile);
    if (pid !== undefined) {
      const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
      if (cmdline.includes(dir)) stopDaemon(pid);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startSftpServer(): Promise<SftpTestServer> {
  if (process.getuid?.() !== 0)
    throw new Error('the SFTP tests start sshd and add a user: they must run as root');
  ensureOpenSsh();
  reapStaleServers();
  const dir = mkdtempSync(path.join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  const root = path.join(dir, 'root');
  const keys = path.join(dir, 'keys');
  mkdirSync(root);
  mkdirSync(keys);
  mkdirSync('/run/sshd', { recursive: true });
  const password = machinePassword();
  ensureUser(password);
  execFileSync('chown', [TEST_USER, root]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client_key')]);
  writeFileSync(path.join(keys, TEST_USER), readFileSync(path.join(dir, 'client_key.pub')));
  chmodSync(dir, 0o755);
  const hostKeySha256 = execFileSync(
    'ssh-keygen',
    ['-l', '-E', 'sha256', '-f', path.join(dir, 'host_key.pub')],
    {
      encoding: 'utf8',
    },
  ).split(' ')[1]!;
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${keys}/%u`,
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      'UsePAM no',
      `AllowUsers ${TEST_USER}`,
      // internal-sftp -d: the session starts in the temp root, so relative paths land there.
      `Subsystem sftp internal-sftp -d ${root}`,
      'MaxStartups 50',
      '',
    ].join('\n'),
  );
  execFileSync(SSHD, ['-f', config, '-E', path.join(dir, 'sshd.log')]);
  await waitForPort(port, 5000);
  // The daemon writes its pid file after it listens; wait for it, it is how the server is stopped.
  const pidFile = path.join(dir, 'sshd.pid');
  const pid = await readDaemonPid(pidFile).catch((err: Error) => {
    throw new Error(`${err.message}; the sshd log: ${readFileSync(path.join(dir, 'sshd.log'), 'utf8')}`);
  });
  // Also stopped when the test process exits without running its hooks (mocha --exit, an uncaught error).
  const stopOnExit = (): void => stopDaemon(pid);
  process.once('exit', stopOnExit);
  return {
    host: '127.0.0.1',
    port,
    username: TEST_USER,
    password,
    privateKey: readFileSync(path.join(dir, 'client_key'), 'utf8'),
    hostKeySha256,
    root,
    async stop() {
      process.removeListener('exit', stopOnExit);
      stopDaemon(pid);
      for (let i = 0; i < 100 && isDaemonRunning(pid); i++) await new Promise((r) => setTimeout(r, 20));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
