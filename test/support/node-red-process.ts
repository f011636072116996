import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export const REPO = path.resolve(__dirname, '..', '..');

export interface RunningNodeRed {
  /** The operating system's id of the Node-RED process (for its memory, say). */
  pid: number;
  port: number;
  smtpPort: number;
  userDir: string;
  url(pathname: string): string;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
  /** Kills the process with SIGKILL (no close handlers, nothing flushed), as a crash would; keeps the user dir. */
  crash(): Promise<void>;
}

export interface StartOptions {
  /** Start on this user directory (one a crashed Node-RED left, say) instead of a new scratch one. */
  userDir?: string;
}

/**
 * Starts Node-RED as `npm start` does (settings.js, the package from dist/), on free ports, with a scratch user
 * directory and a copy of the given flow file, and waits until its flows have started. Without a flow file,
 * settings.js chooses as it does for `npm start`: the user directory's flows.json, copied from flows/demo.json
 * on the first start.
 */
export async function startNodeRed(
  flowFile: string | undefined,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningNodeRed> {
  const port = await freePort();
  const smtpPort = await freePort();
  const userDir = options.userDir ?? mkdtempSync(path.join(tmpdir(), 'dropship-nr-'));
  const flows = path.join(userDir, 'flows.json');
  if (flowFile !== undefined) copyFileSync(flowFile, flows);
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    // Resolved rather than joined, so scripts/with-node-red-5.sh can substitute Node-RED 5. DROPSHIP_NODE_ARGS
    // passes flags to this Node-RED's Node.js that NODE_OPTIONS refuses, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
    // to profile it under a benchmark.
    [
      ...(process.env.DROPSHIP_NODE_ARGS?.split(' ').filter((arg) => arg !== '') ?? []),
      require.resolve('node-red/red.js'),
      '--settings',
      path.join(REPO, 'settings.js'),
    ],
    {
      cwd: REPO,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DROPSHIP_USER_DIR: userDir,
        ...(flowFile !== undefined ? { DROPSHIP_FLOW_FILE: flows } : {}),
        DROPSHIP_DEMO_SMTP_PORT: String(smtpPort),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(check);
      // A process that never started must not outlive the caller (its pipes would keep the caller running).
      child.kill('SIGKILL');
      rmSync(userDir, { recursive: true, force: true });
      reject(new Error(`Node-RED did not start within 40 s:\n${output}`));
    }, 40_000);
    const check = setInterval(() => {
      if (output.includes('Started flows')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(check);
        clearTimeout(timer);
        reject(new Error(`Node-RED exited with ${child.exitCode}:\n${output}`));
      }
    }, 100);
  });
  return {
    pid: child.pid!,
    port,
    smtpPort,
    userDir,
    url: (pathname) => `http://127.0.0.1:${port}${pathname}`,
    output: () => output,
    async crash() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(forced);
      }
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` with the last value seen. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
