import { existsSync, readFileSync } from 'node:fs';

/**
 * Signals to a daemon the tests started, by the pid it wrote. A pid of 0 or below is never used: process.kill(0)
 * signals the caller's own process group, so a pid file read before the daemon finished writing it would have
 * stopped the whole test run.
 */
function validPid(text: string): number | undefined {
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
}

/** Waits until the daemon has written a whole pid to `file`, then returns it. */
export async function readDaemonPid(file: string, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = existsSync(file) ? validPid(readFileSync(file, 'utf8')) : undefined;
    if (pid !== undefined) return pid;
    if (Date.now() > deadline) throw new Error(`no valid pid in ${file} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pid written in `file` right now, if it is a whole, valid one. */
export function daemonPidNow(file: string): number | undefined {
  return existsSync(file) ? validPid(readFileSync(file, 'utf8')) : undefined;
}

/**
 * Whether the daemon is still alive. One that has exited is a zombie until init reaps it, which some machines do
 * only about once a second: kill(pid, 0) still succeeds then, so the state in /proc decides (where there is one).
 */
export function isDaemonRunning(pid: number): boolean {
  if (!(pid > 1)) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return processState(pid) !== 'Z';
}

/** The state letter of /proc/<pid>/stat (R, S, Z...), after the command name, which may hold spaces and ")". */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

export function stopDaemon(pid: number): void {
  if (isDaemonRunning(pid)) process.kill(pid, 'SIGTERM');
}
