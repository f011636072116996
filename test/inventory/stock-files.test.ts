import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { x12StockReader } from '../../connectors/edi/x12/read-stock-846';
import type { FileTransport } from '../../core/ports/file-transport';
import { LocalFolderTransport } from '../../connectors/transports/local-folder-transport';
import { SftpTransport } from '../../connectors/transports/sftp-transport';
import { fixedClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { ingestStockFeed } from '../../core/inventory/ingest-stock-feed';
import { parseStockFile, stockFileFormat } from '../../core/inventory/stock-feed';
import { ingestStockFiles, type StockFileOutcome } from '../../core/inventory/stock-files';
import { SqliteOrderStore } from '../../core/store/sqlite/sqlite-store';
import { recordingLog } from '../connectors/support/recording-log';
import { startSftpServer, type SftpTestServer } from '../servers/sftp-server';
import { INVENTORY_846 } from './feed-fixtures';

const NOW = new Date('2026-11-21T12:00:00Z');

/** Writes a file as the supplier would, modified at `modifiedAt`, writable for the SFTP test user. */
function drop(root: string, relative: string, content: string, modifiedAt: Date): void {
  let dir = root;
  for (const part of relative.split('/').slice(0, -1)) {
    dir = path.join(dir, part);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
  }
  const file = path.join(root, relative);
  writeFileSync(file, content);
  chmodSync(file, 0o666);
  utimesSync(file, modifiedAt, modifiedAt);
}

const filesIn = (root: string, folder: string): string[] =>
  existsSync(path.join(root, folder))
    ? readdirSync(path.join(root, folder), { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name)
        .sort()
    : [];

describe('parseStockFile', () => {
  it('reads a file by the type its name announces, and by its content when the name says nothing', async () => {
    assert.equal(stockFileFormat('ACME_STOCK.CSV'), 'csv');
    assert.equal(stockFileFormat('feed.846'), 'x12-846');
    assert.equal(stockFileFormat('feed'), undefined);
    const csvNamedJson = await parseStockFile('stock.json', Buffer.from('sku,qty\nMUG,1\n'), {
      supplierId: 'acme',
    });
    assert.equal(csvNamedJson.format, 'json');
    assert.equal(csvNamedJson.rows.length, 0);
    assert.match(csvNamedJson.problems[0]!.reason, /^not valid JSON/);
    const sniffed = await parseStockFile('stock', Buffer.from(INVENTORY_846), {
      supplierId: 'acme',
      x12Reader: x12StockReader,
    });
    assert.equal(sniffed.format, 'x12-846');
    assert.deepEqual(
      sniffed.rows.map((r) => [r.sku, r.quantity]),
      [
        ['MUG-01', 140],
        ['CAP-01', 12],
      ],
    );
  });
});

/** The same behaviour over each transport; `root` is where the transport's folders are on this machine. */
function describeStockFolder(name: string, open: () => Promise<{ transport: FileTransport; root: string }>) {
  describe(`ingestStockFiles over ${name}`, () => {
    let transport: FileTransport;
    let root: string;
    let store: SqliteOrderStore;
    beforeEach(async () => {
      ({ transport, root } = await open());
      store = new SqliteOrderStore({ filename: ':memory:' });
      await store.migrate();
    });
    afterEach(async () => {
      await transport.close();
      await store.close();
      rmSync(root, { recursive: true, force: true });
    });

    async function poll(inboundFolder = 'stock', maxFileBytes?: number) {
      const log = recordingLog();
      const outcomes: StockFileOutcome[] = [];
      for await (const outcome of ingestStockFiles(transport, {
        inboundFolder,
        archiveFolder: 'stock/archive',
        errorFolder: 'stock/error',
        parse: { supplierId: 'acme', x12Reader: x12StockReader },
        ingest: (feed, feedAt) => ingestStockFeed(store, feed, { feedAt }),
        clock: fixedClock(NOW),
        log,
        maxFileBytes,
      })) {
        outcomes.push(outcome);
      }
      return { outcomes, log };
    }

    it('stores each file by its type, oldest first, archives it and reports bad rows with the file and line', async () => {
      drop(
        root,
        'stock/b.json',
        JSON.stringify([{ sku: 'TEE-01', quantity: 7 }, { sku: '' }]),
        new Date('2026-11-21T04:00:00Z'),
      );
      drop(
        root,
        'stock/a.csv',
        '\uFEFFsku,qty\r\n"MUG,RED",12\r\nCAP-01,lots\r\n',
        new Date('2026-11-21T03:00:00Z'),
      );
      // The 846 dates its rows itself (BIA 06:00, DTM 07:00), later than the other two files.
      drop(root, 'stock/c.846', INVENTORY_846, new Date('2026-11-21T10:00:00Z'));
      drop(root, 'stock/.d.csv.123.part', 'sku,qty\nHALF,1', new Date('2026-11-21T07:00:00Z'));
      const { outcomes } = await poll();
      assert.deepEqual(
        outcomes.map((o) =>
          o.status === 'ingested'
            ? [o.file, o.feedAt, o.result.format, o.result.applied, o.result.problems]
            : o,
        ),
        [
          [
            'a.csv',
            '2026-11-21T03:00:00.000Z',
            'csv',
            1,
            [{ line: 3, reason: 'quantity for CAP-01 is "lots", not a whole number' }],
          ],
          ['b.json', '2026-11-21T04:00:00.000Z', 'json', 1, [{ line: 2, reason: 'sku is empty' }]],
          [
            'c.846',
            '2026-11-21T10:00:00.000Z',
            'x12-846',
            2,
            [{ line: 15, reason: 'LIN TEE-01 has no QTY with qualifier 33, 17 or 02' }],
          ],
        ],
      );
      assert.deepEqual(
        (await store.listStock({ skus: ['MUG,RED', 'TEE-01', 'MUG-01', 'CAP-01', 'HALF'] })).map((r) => [
          r.supplierId,
          r.sku,
          r.quantity,
        ]),
        [
          ['acme', 'CAP-01', 12],
          ['acme', 'MUG,RED', 12],
          ['acme', 'MUG-01', 140],
          ['acme', 'TEE-01', 7],
        ],
      );
      assert.deepEqual(filesIn(root, 'stock/archive'), ['a.csv', 'b.json', 'c.846']);
      assert.deepEqual(filesIn(root, 'stock'), ['.d.csv.123.part'], 'the upload in progress is left alone');
      assert.deepEqual(filesIn(root, 'stock/error'), []);
    });

    it('moves a file with no readable row to the error folder and reports it, keeping the others', async () => {
      drop(root, 'stock/garbled.csv', 'article;count\nMUG;4\n', new Date('2026-11-21T08:00:00Z'));
      drop(root, 'stock/good.csv', 'sku,qty\nMUG-01,4\n', new Date('2026-11-21T09:00:00Z'));
      const { outcomes, log } = await poll();
      const [garbled, good] = outcomes;
      assert.equal(outcomes.length, 2);
      assert.ok(garbled?.status === 'unreadable');
      assert.equal(garbled.file, 'garbled.csv');
      assert.equal(garbled.errorFolder, 'stock/error');
      assert.equal(garbled.error.code, 'invalid_input');
      assert.deepEqual(garbled.error.details, [
        {
          path: 'line 1',
          message: 'the header needs a SKU and a quantity column; found "article;count"',
        },
      ]);
      assert.equal(good?.status, 'ingested');
      assert.deepEqual(filesIn(root, 'stock/error'), ['garbled.csv']);
      assert.deepEqual(filesIn(root, 'stock/archive'), ['good.csv']);
      assert.ok(log.entries.some((e) => e.level === 'warn' && e.message.includes('garbled.csv')));
    });

    it('refuses a file larger than the limit without storing any of it', async () => {
      drop(root, 'stock/huge.csv', `sku,qty\n${'MUG-01,1\n'.repeat(100)}`, new Date('2026-11-21T08:00:00Z'));
      const { outcomes } = await poll('stock', 200);
      const [refused] = outcomes;
      assert.ok(refused?.status === 'unreadable');
      assert.deepEqual(refused.problems, []);
      assert.match(refused.error.message, /huge\.csv: size is larger than the limit of 200 bytes/);
      assert.deepEqual(filesIn(root, 'stock/error'), ['huge.csv']);
      assert.deepEqual(await store.listStock({ skus: ['MUG-01'] }), []);
    });

    it('dates a file by its modification time, so a late old file does not overwrite newer figures', async () => {
      drop(root, 'stock/new.csv', 'sku,qty\nMUG-01,3\n', new Date('2026-11-21T11:00:00Z'));
      await poll();
      drop(root, 'stock/old.csv', 'sku,qty\nMUG-01,50\n', new Date('2026-11-21T06:00:00Z'));
      const { outcomes } = await poll();
      assert.ok(outcomes[0]?.status === 'ingested');
      assert.equal(outcomes[0].result.applied, 0);
      assert.equal(outcomes[0].result.ignored[0]?.lastFeedAt, '2026-11-21T11:00:00.000Z');
      assert.equal((await store.listStock({ skus: ['MUG-01'] }))[0]?.quantity, 3);
      assert.deepEqual(filesIn(root, 'stock/archive'), ['new.csv', 'old.csv']);
    });

    it('refuses an inbound folder that climbs out of the root, touching nothing', async () => {
      drop(root, 'stock/a.csv', 'sku,qty\nMUG-01,3\n', new Date('2026-11-21T08:00:00Z'));
      await assert.rejects(
        poll('stock/../..'),
        (err: unknown) =>
          err instanceof DropshipError && err.code === 'invalid_input' && /path traversal/.test(err.message),
      );
      assert.deepEqual(filesIn(root, 'stock'), ['a.csv']);
    });

    it('leaves the file in place when the store fails, for the next poll', async () => {
      drop(root, 'stock/a.csv', 'sku,qty\nMUG-01,3\n', new Date('2026-11-21T08:00:00Z'));
      await store.close();
      await assert.rejects(poll());
      assert.deepEqual(filesIn(root, 'stock'), ['a.csv']);
      assert.deepEqual(filesIn(root, 'stock/error'), []);
      store = new SqliteOrderStore({ filename: ':memory:' });
      await store.migrate();
      const { outcomes } = await poll();
      assert.equal(outcomes[0]?.status, 'ingested');
      assert.deepEqual(filesIn(root, 'stock/archive'), ['a.csv']);
    });
  });
}

describeStockFolder('a local folder', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'dropship-stock-folder-'));
  return { transport: new LocalFolderTransport(root), root };
});

describe('over OpenSSH', function () {
  let server: SftpTestServer;
  before(async () => {
    server = await startSftpServer();
  });
  after(async () => server?.stop());

  describeStockFolder('SFTP with a pinned host key', async () => {
    // A fresh folder per test inside the session root, owned by the SFTP user through its 0777 mode.
    const base = mkdtempSync(path.join(server.root, 'case-'));
    chmodSync(base, 0o777);
    const transport = await SftpTransport.connect(
      {
        host: server.host,
        port: server.port,
        username: server.username,
        baseDir: path.basename(base),
        hostKeySha256: server.hostKeySha256,
      },
      { privateKey: server.privateKey },
    );
    return { transport, root: base };
  });

  it('refuses a server whose host key is not the pinned one, leaving the files unread', async () => {
    drop(server.root, 'pinned/stock/a.csv', 'sku,qty\nMUG-01,3\n', new Date('2026-11-21T08:00:00Z'));
    await assert.rejects(
      SftpTransport.connect(
        {
          host: server.host,
          port: server.port,
          username: server.username,
          baseDir: 'pinned',
          hostKeySha256: `SHA256:${'A'.repeat(43)}`,
        },
        { password: server.password },
      ),
      /SFTP login to .* refused/,
    );
    assert.deepEqual(filesIn(server.root, 'pinned/stock'), ['a.csv']);
  });
});
