import { isDaemonRunning, readDaemonPid, stopDaemon } from './daemon-process';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

/**
 * A real Dovecot IMAP server on a free loopback port with a throwaway configuration, for integration tests.
 * Needs Debian's dovecot-imapd (`apt-get install -y --no-install-recommends dovecot-imapd`) and root, which
 * Dovecot's master process requires; mail is stored as the unprivileged user nobody.
 */
export interface ImapTestServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Delivers a raw RFC 5322 message the way a mail server would (IMAP APPEND by a second client). */
  deliver(raw: string | Buffer, mailbox?: string): Promise<void>;
  /** Flags of every message in a mailbox, by UID. */
  flags(mailbox?: string): Promise<Map<number, Set<string>>>;
  stop(): Promise<void>;
}

export interface ImapServerOptions {
  /** false: advertise no IDLE, as some servers do, so clients must poll. */
  idle?: boolean;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not listen on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Post-login capabilities Dovecot 2.3 advertises, without IDLE. */
const CAPABILITIES_WITHOUT_IDLE =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS ' +
  'THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED ' +
  'I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE';

export async function startImapServer(options: ImapServerOptions = {}): Promise<ImapTestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dropship-dovecot-'));
  const port = await freePort();
  const user = 'orders@example.test';
  const password = 'imap-test-secret';
  chmodSync(dir, 0o755); // Dovecot's auth process (user dovecot) reads the users file inside
  mkdirSync(path.join(dir, 'mail'));
  chownSync(path.join(dir, 'mail'), 65534, 65534); // nobody:nogroup; root cannot be the mail user
  writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${password}\n`);
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    [
      'protocols = imap',
      'listen = 127.0.0.1',
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `log_path = ${dir}/dovecot.log`,
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      `mail_location = maildir:${dir}/mail/%u`,
      options.idle === false ? `imap_capability = ${CAPABILITIES_WITHOUT_IDLE}` : '',
      'passdb {',
      '  driver = passwd-file',
      `  args = scheme=PLAIN username_format=%u ${dir}/users`,
      '}',
      'userdb {',
      '  driver = static',
      `  args = uid=nobody gid=nogroup home=${dir}/mail/%u`,
      '}',
      'service imap-login {',
      '  inet_listener imap {',
      '    address = 127.0.0.1',
      `    port = ${port}`,
      '  }',
      '  inet_listener imaps {',
      '    port = 0',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  // Dovecot daemonizes; its detached master keeps inherited pipes open, so the launcher's stdio is not piped.
  await new Promise<void>((resolve, reject) => {
    const launcher = spawn('dovecot', ['-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore' });
    launcher.once('error', reject);
    launcher.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`dovecot exited with ${code}`)),
    );
  });
  await waitForPort(port, 10_000);

  const client = async (): Promise<ImapFlow> => {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: password },
      logger: false,
    });
    await c.connect();
    return c;
  };

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    async deliver(raw, mailbox = 'INBOX') {
      const c = await client();
      try {
        await c.append(mailbox, raw);
      } finally {
        await c.logout();
      }
    },
    async flags(mailbox = 'INBOX') {
      const c = await client();
      try {
        await c.mailboxOpen(mailbox);
        const all = await c.fetchAll('1:*', { uid: true, flags: true }, { uid: false }).catch(() => []);
        return new Map(all.map((m) => [m.uid, m.flags ?? new Set<string>()]));
      } finally {
        await c.logout();
      }
    },
    async stop() {
      const pid = await readDaemonPid(path.join(dir, 'run', 'master.pid'));
      stopDaemon(pid);
      // Dovecot releases its port 1-3 s after the master exits; later servers take other ports, so just wait for exit.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        if (!isDaemonRunning(pid)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (!process.env.KEEP_DOVECOT_DIR) rmSync(dir, { recursive: true, force: true });
    },
  };
}
