import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock, systemClock } from '../../core/clock';
import { DropshipError, invalidInput } from '../../core/errors';
import { SupplierPermanentError, SupplierTransientError } from '../../core/ports/supplier-connector';
import type { FileTransport } from '../../core/ports/file-transport';
import { LocalFolderTransport } from '../../connectors/transports/local-folder-transport';
import { pollInboundFiles, type InboundPollOptions } from '../../core/inbound-files';
import { SftpTransport } from '../../connectors/transports/sftp-transport';
import { startSftpServer, type SftpTestServer } from '../servers/sftp-server';
import { recordingLog } from './support/recording-log';

/**
 * Writes a file as the supplier would, leaving folders and file writable for the SFTP test user; `modifiedAt`
 * backdates it (a file written now is still settling for the inbound poll).
 */
function seed(root: string, relative: string, content: string, modifiedAt?: Date): void {
  const parts = relative.split('/');
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
  }
  writeFileSync(path.join(root, relative), content);
  chmodSync(path.join(root, relative), 0o666);
  if (modifiedAt) utimesSync(path.join(root, relative), modifiedAt, modifiedAt);
}

/** A minute ago: long settled. */
const settled = (): Date => new Date(Date.now() - 60_000);

/** Every line of every file an inbound poll reads (each file's text split at line breaks). */
async function pollLines(transport: FileTransport, options: InboundPollOptions): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of pollInboundFiles(transport, options, async function* (stream) {
    yield* (await readAll(stream)).split('\n');
  }))
    lines.push(line);
  return lines;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The file transport contract, run against each implementation with `root` being where its files land. */
function describeFileTransport(
  name: string,
  open: () => Promise<{ transport: FileTransport; root: string }>,
): void {
  describe(`${name} file transport`, () => {
    let transport: FileTransport;
    let root: string;
    beforeEach(async () => {
      ({ transport, root } = await open());
    });
    afterEach(async () => transport.close());

    it('writes under a temporary name then renames, replacing an older file', async () => {
      await transport.put('outbound', 'PO1.edi', 'first');
      await transport.put('outbound', 'PO1.edi', Buffer.from('second'));
      assert.equal(readFileSync(path.join(root, 'outbound', 'PO1.edi'), 'utf8'), 'second');
      assert.deepEqual(
        readdirSync(path.join(root, 'outbound')),
        ['PO1.edi'],
        'no temporary file is left behind',
      );
      assert.equal(await transport.exists('outbound', 'PO1.edi'), true);
      assert.equal(await transport.exists('outbound', 'PO2.edi'), false);
    });

    it('lists files oldest first, reads them as streams and moves them to an archive', async () => {
      seed(root, 'inbound/sub/.keep', '');
      seed(root, 'inbound/a.edi', 'AAA');
      seed(root, 'inbound/b.edi', 'BBBB');
      // a.edi a minute older: SFTP mtimes have one-second resolution, files written together would tie.
      const minuteAgo = new Date(Date.now() - 60_000);
      utimesSync(path.join(root, 'inbound', 'a.edi'), minuteAgo, minuteAgo);
      const files = await transport.list('inbound');
      assert.deepEqual(
        files.map((f) => [f.name, f.size]),
        [
          ['a.edi', 3],
          ['b.edi', 4],
        ],
      );
      assert.equal(await readAll(await transport.openRead('inbound', 'b.edi')), 'BBBB');
      await transport.move('inbound', 'a.edi', 'archive/2026');
      assert.equal(readFileSync(path.join(root, 'archive', '2026', 'a.edi'), 'utf8'), 'AAA');
      assert.equal(existsSync(path.join(root, 'inbound', 'a.edi')), false);
      assert.deepEqual(await transport.list('missing-folder'), []);
    });

    it('refuses path traversal, absolute paths and NUL in folders and names', async () => {
      const refused = async (work: () => Promise<unknown>, reason: RegExp): Promise<void> => {
        await assert.rejects(
          work,
          (e: unknown) => e instanceof DropshipError && e.code === 'invalid_input' && reason.test(e.message),
        );
      };
      await refused(() => transport.put('outbound', '../escape.edi', 'x'), /path traversal/);
      await refused(() => transport.put('../outbound', 'x.edi', 'x'), /path traversal/);
      await refused(() => transport.put('outbound/../../etc', 'x.edi', 'x'), /path traversal/);
      await refused(() => transport.put('/etc', 'passwd', 'x'), /absolute paths/);
      await refused(() => transport.openRead('inbound', '/etc/passwd'), /absolute paths/);
      await refused(() => transport.put('outbound', 'x\0.edi', 'x'), /NUL/);
      await refused(() => transport.move('inbound', 'a/../../b', 'archive'), /path traversal/);
      await refused(() => transport.put('outbound', 'dir\\..\\x', 'x'), /backslashes/);
      assert.equal(existsSync(path.join(root, '..', 'escape.edi')), false);
    });

    it('polls an inbound folder: archives what was read, sets invalid files aside, skips temporary files', async () => {
      seed(root, 'in/good.txt', 'line1\nline2', settled());
      seed(root, 'in/bad.txt', 'BROKEN', settled());
      seed(root, 'in/.upload.edi.123.part', 'half', settled());
      const log = recordingLog();
      const seen: string[] = [];
      const options = {
        inboundFolder: 'in',
        archiveFolder: 'in/archive',
        errorFolder: 'in/error',
        clock: systemClock,
        log,
      };
      for await (const line of pollInboundFiles(transport, options, async function* (stream) {
        const text = await readAll(stream);
        if (text === 'BROKEN')
          throw invalidInput('test file', [{ path: 'segment 1 (X)', message: 'broken' }]);
        yield* text.split('\n');
      })) {
        seen.push(line);
      }
      assert.deepEqual(seen, ['line1', 'line2']);
      assert.ok(existsSync(path.join(root, 'in', 'archive', 'good.txt')));
      assert.ok(existsSync(path.join(root, 'in', 'error', 'bad.txt')));
      assert.ok(existsSync(path.join(root, 'in', '.upload.edi.123.part')));
      assert.match(log.entries.find((e) => e.level === 'warn')!.message, /bad\.txt moved to in\/error/);
    });

    it('leaves a file in place when the consumer stops early', async () => {
      seed(root, 'in2/one.txt', 'x\ny', settled());
      const options = {
        inboundFolder: 'in2',
        archiveFolder: 'archive',
        errorFolder: 'error',
        clock: systemClock,
        log: recordingLog(),
      };
      for await (const line of pollInboundFiles(transport, options, async function* (stream) {
        yield* (await readAll(stream)).split('\n');
      })) {
        assert.equal(line, 'x');
        break;
      }
      assert.ok(existsSync(path.join(root, 'in2', 'one.txt')));
    });

    describe('files the partner may still be writing (settle time)', () => {
      // A folder per test: the SFTP server's root is shared by the tests of both logins.
      let slow: string;
      let folders: Pick<InboundPollOptions, 'inboundFolder' | 'archiveFolder' | 'errorFolder'>;
      let count = 0;
      beforeEach(() => {
        slow = `slow-${process.pid}-${Date.now()}-${count++}`;
        folders = { inboundFolder: slow, archiveFolder: `${slow}/archive`, errorFolder: `${slow}/error` };
      });
      const waiting = (): string[] => readdirSync(path.join(root, slow)).filter((f) => f.endsWith('.edi'));
      const archived = (): string[] =>
        existsSync(path.join(root, slow, 'archive'))
          ? readdirSync(path.join(root, slow, 'archive')).sort()
          : [];
      const debugLines = (log: ReturnType<typeof recordingLog>): string[] =>
        log.entries.filter((e) => e.level === 'debug').map((e) => e.message);

      it('leaves a file written just now in place, and reads and archives it once unchanged for the settle time', async () => {
        seed(root, `${slow}/856.edi`, 'ISA*first half');
        const log = recordingLog();
        assert.deepEqual(await pollLines(transport, { ...folders, clock: systemClock, log }), []);
        assert.deepEqual(waiting(), ['856.edi'], 'left where it is, not moved aside');
        assert.equal(existsSync(path.join(root, slow, 'error')), false);
        assert.match(
          debugLines(log)[0]!,
          /^inbound file 856\.edi left for a later poll: changed \d s ago, it may still be being written; read once unchanged for 10 s$/,
        );

        // The partner writes the rest; by our clock the file then stays unchanged.
        seed(root, `${slow}/856.edi`, 'ISA*first half\nsecond half~IEA', new Date('2026-11-21T12:00:00Z'));
        const clock = fixedClock('2026-11-21T12:00:09Z');
        assert.deepEqual(await pollLines(transport, { ...folders, clock, log }), []);
        assert.match(debugLines(log)[1]!, /856\.edi left for a later poll: changed 9 s ago/);
        clock.advance(1000);
        assert.deepEqual(await pollLines(transport, { ...folders, clock, log }), [
          'ISA*first half',
          'second half~IEA',
        ]);
        assert.deepEqual(waiting(), []);
        assert.deepEqual(archived(), ['856.edi']);
      });

      it('reads a file at once with a settle time of 0, whatever its modification time', async () => {
        seed(root, `${slow}/now.edi`, 'written now');
        seed(root, `${slow}/ahead.edi`, 'dated ahead', new Date(Date.now() + 3_600_000));
        const lines = await pollLines(transport, {
          ...folders,
          settleSeconds: 0,
          clock: systemClock,
          log: recordingLog(),
        });
        assert.deepEqual(lines, ['written now', 'dated ahead']);
        assert.deepEqual(archived(), ['ahead.edi', 'now.edi']);
      });

      it('counts a modification time ahead of our clock as just changed, and says so', async () => {
        seed(root, `${slow}/skewed.edi`, 'from a fast server', new Date('2026-11-21T12:00:30Z'));
        const clock = fixedClock('2026-11-21T12:00:00Z');
        const log = recordingLog();
        assert.deepEqual(await pollLines(transport, { ...folders, settleSeconds: 5, clock, log }), []);
        assert.deepEqual(debugLines(log), [
          "inbound file skewed.edi left for a later poll: its modification time is 30 s ahead of our clock (is the server's clock ahead?), counted as just changed; read once unchanged for 5 s",
        ]);
        assert.deepEqual(waiting(), ['skewed.edi']);
        clock.set('2026-11-21T12:00:35Z');
        assert.deepEqual(await pollLines(transport, { ...folders, settleSeconds: 5, clock, log }), [
          'from a fast server',
        ]);
        assert.deepEqual(archived(), ['skewed.edi']);
      });
    });
  });
}

describeFileTransport('local folder', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'dropship-local-transport-'));
  const transport = new LocalFolderTransport(root);
  return {
    transport: {
      ...transport,
      put: transport.put.bind(transport),
      exists: transport.exists.bind(transport),
      list: transport.list.bind(transport),
      openRead: transport.openRead.bind(transport),
      move: transport.move.bind(transport),
      close: async () => rmSync(root, { recursive: true, force: true }),
    },
    root,
  };
});

describe('SFTP against OpenSSH', function () {
  this.timeout(60_000);
  let server: SftpTestServer;
  before(async () => {
    server = await startSftpServer();
  });
  after(async () => server?.stop());

  const settings = (): { host: string; port: number; username: string; hostKeySha256: string } => ({
    host: server.host,
    port: server.port,
    username: server.username,
    hostKeySha256: server.hostKeySha256,
  });

  describeFileTransport('SFTP (password)', async () => ({
    transport: await SftpTransport.connect(settings(), { password: server.password }),
    root: server.root,
  }));

  describeFileTransport('SFTP (key)', async () => ({
    transport: await SftpTransport.connect(settings(), { privateKey: server.privateKey }),
    root: server.root,
  }));

  it('refuses a wrong password as a permanent error', async () => {
    await assert.rejects(
      SftpTransport.connect(settings(), { password: 'wrong' }),
      (e: unknown) => e instanceof SupplierPermanentError && /authentication methods failed/.test(e.message),
    );
  });

  it('refuses a server whose host key does not match the pinned fingerprint', async () => {
    await assert.rejects(
      SftpTransport.connect(
        { ...settings(), hostKeySha256: `SHA256:${'A'.repeat(43)}` },
        { password: server.password },
      ),
      (e: unknown) => e instanceof SupplierPermanentError,
    );
  });

  it('treats a closed port as transient', async () => {
    await assert.rejects(
      SftpTransport.connect({ ...settings(), port: 1 }, { password: server.password }),
      (e: unknown) => e instanceof SupplierTransientError && /unreachable/.test(e.message),
    );
  });

  it('refuses a folder it may not write as a permanent error', async () => {
    const transport = await SftpTransport.connect(
      { ...settings(), baseDir: '/' },
      { password: server.password },
    );
    try {
      await assert.rejects(
        transport.put('root', 'x.edi', 'x'),
        (e: unknown) => e instanceof SupplierPermanentError,
      );
    } finally {
      await transport.close();
    }
  });
});
