import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../bin/dropship';
import { REPO } from '../support/node-red-process';

const BIN = path.join(REPO, 'dist', 'bin', 'dropship.js');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** An X12 file of many 856s, so `edi parse` prints far more than a pipe holds. */
function manyShipNotices(count: number): string {
  const fixture = readFileSync(path.join(REPO, 'test', 'fixtures', 'x12', '856-pipe-newline.x12'), 'utf8');
  const lines = fixture.trim().split('\n');
  const transaction = lines.slice(2, lines.findIndex((l) => l.startsWith('SE|')) + 1);
  const body: string[] = [];
  for (let i = 1; i <= count; i++) {
    const control = String(i).padStart(4, '0');
    body.push(
      ...transaction.map((l) =>
        l.replace(/^ST\|856\|0001$/, `ST|856|${control}`).replace(/^SE\|22\|0001$/, `SE|22|${control}`),
      ),
    );
  }
  return [...lines.slice(0, 2), ...body, `GE|${count}|118`, 'IEA|1|000000118', ''].join('\n');
}

describe('npx dropship (the command line)', () => {
  it('prints its help on stdout and exits 0 for --help, -h and help', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const { code, out, err } = await run(flag);
      assert.equal(code, 0, flag);
      assert.equal(err, '', flag);
      assert.match(out, /^usage: dropship <command>/, flag);
      assert.match(out, /route/);
      assert.match(out, /edi/);
    }
  });

  it('help <command> prints that command’s own help', async () => {
    const { code, out } = await run('help', 'edi');
    assert.equal(code, 0);
    assert.match(out, /^usage: dropship edi parse/);
  });

  it('names an unknown command and exits 2', async () => {
    const { code, out, err } = await run('rout');
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /^dropship: unknown command 'rout'\n/);
    assert.match(err, /usage: dropship <command>/);
  });

  it('without a command, shows the usage on stderr and exits 2', async () => {
    const { code, out, err } = await run();
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /^usage: dropship <command>/);
  });

  describe('as a process (dist/bin/dropship.js)', function () {
    this.timeout(30_000);
    let dir: string;
    before(function () {
      assert.ok(existsSync(BIN), 'dist/ is missing: run `npm run build` (npm test does)');
      dir = mkdtempSync(path.join(tmpdir(), 'dropship-cli-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('--help goes to stdout with exit code 0', () => {
      const result = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
      assert.equal(result.status, 0);
      assert.match(result.stdout, /^usage: dropship <command>/);
      assert.equal(result.stderr, '');
    });

    it('an unknown command exits 2 naming it', () => {
      const result = spawnSync(process.execPath, [BIN, 'frobnicate'], { encoding: 'utf8' });
      assert.equal(result.status, 2);
      assert.match(result.stderr, /unknown command 'frobnicate'/);
    });

    it('edi parse into a reader that stops early (| head) ends quietly, without an EPIPE stack trace', async () => {
      const file = path.join(dir, 'many-856.x12');
      writeFileSync(file, manyShipNotices(400));
      const child = spawn(process.execPath, [BIN, 'edi', 'parse', file], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // Like `head -1`: read the first chunk, then close the pipe.
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      assert.equal(stderr, '');
      assert.equal(code, 0);
    });
  });
});
