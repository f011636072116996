import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { daemonPidNow, isDaemonRunning, readDaemonPid, stopDaemon } from './daemon-process';

describe('test daemon pids', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-pid-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never takes an empty or zero pid file for a process (kill(0) would signal the test run itself)', async () => {
    const file = path.join(dir, 'daemon.pid');
    for (const content of ['', '\n', '0', '-1', '1', 'abc']) {
      writeFileSync(file, content);
      assert.equal(daemonPidNow(file), undefined, JSON.stringify(content));
    }
    await assert.rejects(readDaemonPid(file, 100), /no valid pid/);
    assert.equal(isDaemonRunning(0), false);
    stopDaemon(0);
    stopDaemon(-1);
  });

  it('waits for a pid written after the file appeared', async () => {
    const file = path.join(dir, 'late.pid');
    writeFileSync(file, '');
    setTimeout(() => writeFileSync(file, `${process.pid}\n`), 50);
    assert.equal(await readDaemonPid(file, 2000), process.pid);
    assert.equal(isDaemonRunning(process.pid), true);
  });

  it('takes a daemon that exited but is not reaped yet (a zombie) for stopped', async () => {
    // The shell starts a short sleep, then becomes a long one that never reaps it: the short one stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(
        await new Promise<string>((resolve) =>
          parent.stdout.once('data', (chunk: Buffer) => resolve(String(chunk))),
        ),
      );
      const deadline = Date.now() + 10_000;
      while (isDaemonRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(isDaemonRunning(pid), false, 'still taken for running');
      assert.doesNotThrow(() => process.kill(pid, 0), 'the zombie answers kill(pid, 0) until it is reaped');
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
