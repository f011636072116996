import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startSftpServer, type SftpTestServer } from '../servers/sftp-server';
import {
  collectPageErrors,
  launchChromium,
  StepScreenshots,
  type HeadlessChromium,
} from '../support/browser';
import { eventually, startNodeRed, type RunningNodeRed } from '../support/node-red-process';

/**
 * A flow saved before file connections, in a real editor (headless Chromium) with the real OpenSSH server: the
 * tracking in node with its own SFTP settings and password is opened, Done moves the settings into a new file
 * connection, and after the deploy the connection logs in with the password it took over from the node.
 * Screenshots: test-artifacts/screenshots/file-connection-dialog-node-red-<major>/.
 */

const TAB = 'aa00000000000001';
const STORE = 'aa00000000000002';
const TRACKING = 'aa00000000000003';

const CREDENTIAL_SECRET = 'file-connection-dialog-test';

/** A credentials file as Node-RED writes it: aes-256-ctr under SHA-256 of the credential secret. */
function sealedCredentials(credentials: Record<string, unknown>, secret: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(secret).digest(), iv);
  const sealed = cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64');
  return JSON.stringify({ $: iv.toString('hex') + sealed });
}

interface FlowNode {
  id: string;
  type: string;
  [property: string]: unknown;
}

describe('a tracking in node saved before file connections, converted in the editor (headless Chromium)', function () {
  this.timeout(90_000);
  let nodeRed: RunningNodeRed;
  let chromium: HeadlessChromium;
  let page: Page;
  let pageErrors: string[];
  let scratch: string;
  let server: SftpTestServer;
  const shots = new StepScreenshots('file-connection-dialog');

  const deployedFlows = async (): Promise<FlowNode[]> =>
    (await (
      await fetch(nodeRed.url('/flows'), { headers: { 'Node-RED-API-Version': 'v1' } })
    ).json()) as FlowNode[];

  before(async function () {
    this.timeout(120_000);
    server = await startSftpServer();
    scratch = mkdtempSync(path.join(tmpdir(), 'dropship-file-connection-dialog-'));
    // An upgrade as it happens: the old flow and its encrypted credentials are on disk, written by an older
    // release that declared the node's SFTP secrets.
    const userDir = path.join(scratch, 'user');
    mkdirSync(userDir);
    const flows = path.join(scratch, 'flows.json');
    writeFileSync(
      flows,
      JSON.stringify([
        { id: TAB, type: 'tab', label: 'Old flow' },
        {
          id: STORE,
          type: 'dropship-store',
          engine: 'sqlite',
          filename: path.join(scratch, 'orders.sqlite'),
        },
        {
          id: TRACKING,
          type: 'dropship-tracking-in',
          z: TAB,
          x: 200,
          y: 100,
          name: 'ACME ship notices',
          store: STORE,
          listen: false,
          source: 'sftp',
          sftpHost: server.host,
          sftpPort: server.port,
          sftpUser: server.username,
          sftpHostKey: server.hostKeySha256,
          inboundFolder: 'inbound',
          archiveFolder: 'inbound/archive',
          errorFolder: 'inbound/error',
          wires: [[], [], []],
        },
      ]),
    );
    writeFileSync(
      path.join(userDir, 'flows_cred.json'),
      sealedCredentials({ [TRACKING]: { sftpPassword: server.password } }, CREDENTIAL_SECRET),
    );
    nodeRed = await startNodeRed(flows, { DROPSHIP_CREDENTIAL_SECRET: CREDENTIAL_SECRET }, { userDir });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    pageErrors = collectPageErrors(page);
    await page.goto(nodeRed.url('/'));
    await page.waitForSelector('#red-ui-palette-container-dropship', { timeout: 30_000 });
  });

  after(async () => {
    await chromium?.close();
    await nodeRed?.stop();
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('opens the old node with its folder source chosen and a note that Done moves its settings', async () => {
    await page.locator(`[id="${TRACKING}"] .red-ui-flow-node`).dblclick();
    await page.locator('#node-input-source').waitFor();
    await shots.take(page, 'old-node');
    assert.equal(await page.locator('#node-input-source').inputValue(), 'files');
    assert.equal(await page.locator('#dropship-tracking-in-legacy-connection').isVisible(), true);
    assert.match(
      await page.locator('#dropship-tracking-in-legacy-connection').innerText(),
      /moves them into a new file connection/,
    );
  });

  it('makes a file connection of the settings on Done, chosen in the node', async () => {
    await page.click('#node-dialog-ok');
    await page.locator('#node-input-source').waitFor({ state: 'detached' });
    // Plain property reads only: a function declared inside would not survive the page's serialisation.
    const { node, connection } = await page.evaluate((id) => {
      const { RED } = window as unknown as {
        RED: { nodes: { node(id: string): Record<string, unknown> } };
      };
      const tracking = RED.nodes.node(id);
      const made = RED.nodes.node(String(tracking.connection)) ?? {};
      return {
        node: {
          source: tracking.source,
          sftpHost: tracking.sftpHost,
          sftpUser: tracking.sftpUser,
          version: tracking.version,
        },
        connection: {
          type: made.type,
          kind: made.kind,
          host: made.host,
          port: made.port,
          username: made.username,
          hostKeySha256: made.hostKeySha256,
          secretsFrom: made.secretsFrom,
        },
      };
    }, TRACKING);
    assert.deepEqual(node, { source: 'files', sftpHost: '', sftpUser: '', version: 2 });
    assert.deepEqual(connection, {
      type: 'dropship-file-connection',
      kind: 'sftp',
      host: server.host,
      port: server.port,
      username: server.username,
      hostKeySha256: server.hostKeySha256,
      secretsFrom: `dropship-tracking-in:${TRACKING}`,
    });
  });

  it('deploys, and the connection logs in with the password it took over from the node', async () => {
    await page.click('#red-ui-header-button-deploy');
    await page.locator('.red-ui-notification', { hasText: 'Successfully deployed' }).waitFor();
    await shots.take(page, 'deployed');
    const flows = await deployedFlows();
    const connection = flows.find((n) => n.type === 'dropship-file-connection');
    assert.ok(connection, 'the file connection is deployed');
    assert.equal(flows.find((n) => n.id === TRACKING)!.connection, connection.id);
    const test = await eventually(
      async () => {
        const response = await fetch(nodeRed.url('/dropship/file-connections/test'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            id: connection.id,
            kind: 'sftp',
            host: server.host,
            port: server.port,
            username: server.username,
            hostKeySha256: server.hostKeySha256,
            // Node-RED's placeholder for a stored password: the test uses the connection's own.
            credentials: { password: '__PWRD__' },
          }),
        });
        const answer = (await response.json()) as { ok: boolean; message: string };
        return answer.ok ? answer : undefined;
      },
      20_000,
      'the connection to log in with the adopted password',
    );
    assert.equal(test.message, `Logged in to 127.0.0.1:${server.port} as ${server.username}.`);
    assert.doesNotMatch(nodeRed.output(), /\[error\]/);
    assert.deepEqual(pageErrors, []);
  });
});
