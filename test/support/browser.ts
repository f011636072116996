import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from './node-red-process';

/** Debian's chromium (`apt-get install chromium`); browsers are never downloaded. */
export const CHROMIUM = process.env.DROPSHIP_CHROMIUM ?? '/usr/bin/chromium';

/** Where each browser test keeps its step screenshots: the folder CI uploads as an artifact (README names it). */
export const SCREENSHOT_ROOT = path.join(REPO, 'test-artifacts', 'screenshots');

export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile that is deleted on close; `httpCredentials` answers Basic logins. */
export async function launchChromium(
  options: { httpCredentials?: { username: string; password: string } } = {},
): Promise<HeadlessChromium> {
  const profile = mkdtempSync(path.join(tmpdir(), 'dropship-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    httpCredentials: options.httpCredentials,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The major version of the Node-RED the tests run against (4, or 5 under scripts/with-node-red-5.sh). */
export function nodeRedMajor(): number {
  const manifest = JSON.parse(readFileSync(require.resolve('node-red/package.json'), 'utf8')) as {
    version: string;
  };
  return Number(manifest.version.split('.')[0]);
}

/**
 * Numbered screenshots of one test's steps, one folder per Node-RED version so both CI runs keep theirs:
 * test-artifacts/screenshots/<test>-node-red-<major>/NN-<step>.png.
 */
export class StepScreenshots {
  private step = 0;
  readonly folder: string;

  constructor(testName: string) {
    this.folder = path.join(SCREENSHOT_ROOT, `${testName}-node-red-${nodeRedMajor()}`);
    rmSync(this.folder, { recursive: true, force: true });
    mkdirSync(this.folder, { recursive: true });
  }

  async take(page: Page, step: string): Promise<string> {
    this.step++;
    const file = path.join(this.folder, `${String(this.step).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }
}

/** Browser console errors and uncaught page errors, collected so a test can assert there were none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
