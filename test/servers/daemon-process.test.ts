import assert from 'node:assert/strict';
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
});
