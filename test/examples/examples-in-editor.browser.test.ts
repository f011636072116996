import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  collectPageErrors,
  launchChromium,
  StepScreenshots,
  type HeadlessChromium,
} from '../support/browser';
import { REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';

/**
 * Each example, deployed and opened in a real editor (headless Chromium): the shared editor helpers from
 * resources/ load, and every node of the example passes its editor's validation, so an imported example shows
 * no red triangles. Screenshots: test-artifacts/screenshots/examples-in-editor/.
 */

const EXAMPLES = path.join(REPO, 'examples');

interface Invalid {
  id: string;
  type: string;
  name?: string;
  errors: string[];
}

/** Opens the editor and waits until the deployed flow is loaded into the workspace. */
async function openEditor(page: Page, nodeRed: RunningNodeRed, expectedNodes: number): Promise<void> {
  await page.goto(nodeRed.url('/'));
  await page.waitForFunction(
    (count) => {
      const red = (window as unknown as { RED?: { nodes?: { eachNode?: unknown; filterNodes?: unknown } } })
        .RED;
      if (!red?.nodes || typeof red.nodes.eachNode !== 'function') return false;
      let loaded = 0;
      (red.nodes.eachNode as (f: () => void) => void)(() => void loaded++);
      return loaded >= count;
    },
    expectedNodes,
    { timeout: 30_000 },
  );
}

/**
 * Nodes and config nodes of the workspace that the editor marks invalid, with the editor's reasons. A string, not a
 * function: tsx's compiled functions call helpers the page does not have.
 */
const INVALID_NODES = `(() => {
  const found = [];
  const check = (n) => {
    if (n.valid === false) found.push({ id: n.id, type: n.type, name: n.name, errors: n.validationErrors || [] });
  };
  RED.nodes.eachNode(check);
  RED.nodes.eachConfig(check);
  return found;
})()`;

/**
 * Replaces the open editor's workspace with the flows the server runs, as the editor itself does when the active
 * project changes (RED.nodes.clear, then the start-up loadFlows: GET flows, RED.nodes.import, which validates
 * every node): the same import as a fresh page, without loading the editor again. Answers the ids loaded.
 */
const LOAD_DEPLOYED_FLOWS = `new Promise((resolve, reject) => {
  RED.nodes.clear();
  RED.history.clear();
  $.ajax({ url: 'flows', headers: { Accept: 'application/json' }, cache: false })
    .done((answer) => {
      RED.nodes.version(answer.rev);
      RED.nodes.import(answer.flows);
      RED.nodes.dirty(false);
      RED.view.redraw(true);
      const tab = answer.flows.find((n) => n.type === 'tab');
      if (tab) RED.workspaces.show(tab.id);
      const ids = [];
      RED.nodes.eachWorkspace((n) => ids.push(n.id));
      RED.nodes.eachNode((n) => ids.push(n.id));
      RED.nodes.eachConfig((n) => ids.push(n.id));
      resolve(ids);
    })
    .fail((xhr) => reject(new Error('GET flows answered ' + xhr.status)));
})`;

describe('examples in the editor (headless Chromium)', function () {
  this.timeout(180_000);
  let nodeRed: RunningNodeRed;
  let browser: HeadlessChromium;
  const files = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort();

  before(async () => {
    nodeRed = await startNodeRed(path.join(EXAMPLES, files[0]!), { DROPSHIP_DEMO_SMTP_PORT: 'off' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await nodeRed?.stop();
  });

  it('loads the shared editor helpers from resources/@node-red-contrib-dropship/node-red-contrib-dropship/', async () => {
    const answer = await fetch(nodeRed.url('/resources/@node-red-contrib-dropship/node-red-contrib-dropship/dropship-editor.js'));
    assert.equal(answer.status, 200);
    const page = await browser.context.newPage();
    try {
      await openEditor(page, nodeRed, 1);
      const helpers = await page.evaluate(() =>
        Object.keys((window as unknown as { DropshipEditor?: object }).DropshipEditor ?? {}).sort(),
      );
      // Every helper the nodes' dialogs call is there (the set grows with the dialogs).
      const used = [
        'configChoice',
        'configDialogValue',
        'configuredSuppliers',
        'dialogValue',
        'endpointPath',
        'isEnvReference',
        'isHostKeyFingerprint',
        'isPort',
        'relativeFolder',
        'selectDefaults',
        'settingsForm',
        'wholeNumber',
      ];
      assert.deepEqual(
        used.filter((name) => !helpers.includes(name)),
        [],
        'helpers missing from DropshipEditor',
      );
    } finally {
      await page.close();
    }
  });

  it('answers with the message key for what the shared validators refuse, and true for what they accept', async () => {
    const page = await browser.context.newPage();
    try {
      await openEditor(page, nodeRed, 1);
      // A stand-in translator that returns the message key, so the answers say which message the editor shows.
      const verdicts = await page.evaluate(`(() => {
        const t = (key) => key;
        const E = DropshipEditor;
        return {
          wholeNumber: [E.wholeNumber(t, 'x', 1, 10)('0'), E.wholeNumber(t, 'x', 1, 10)('7'), E.wholeNumber(t, 'x', 1, 10)('')],
          relativeFolder: [E.relativeFolder('/etc', t), E.relativeFolder('in/../..', t), E.relativeFolder('in/archive', t)],
          isPort: [E.isPort('0'), E.isPort('65536'), E.isPort('22')],
          isEnvReference: [E.isEnvReference('\${DROPS'), E.isEnvReference('587'), E.isEnvReference('\${DROPSHIP_DEMO_SMTP_PORT}')],
          isHostKeyFingerprint: [E.isHostKeyFingerprint('SHA256:abc'), E.isHostKeyFingerprint('SHA256:' + 'A'.repeat(43))],
          settingsForm: [{}, { url: 'mailto:x' }, { url: '\${SUPPLIER_URL}' }, { url: 'https://supplier.example' }].map(
            (settings) => E.settingsForm(t).problems(
              { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' } } },
              settings,
            ),
          ),
        };
      })()`);
      assert.deepEqual(verdicts, {
        wholeNumber: ['errors.range', true, true],
        relativeFolder: ['errors.folder', 'errors.folderTraversal', true],
        isPort: [false, false, true],
        isEnvReference: [false, false, true],
        isHostKeyFingerprint: [false, true],
        settingsForm: [['errors.settingRequired'], ['errors.settingUri'], [], []],
      });
    } finally {
      await page.close();
    }
  });

  it("shows a carrier account's settings as a form that marks what is wrong", async () => {
    const file = files.find((f) =>
      readFileSync(path.join(EXAMPLES, f), 'utf8').includes('"dropship-carrier"'),
    );
    assert.ok(file, 'no example has a carrier account');
    const flow = JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as {
      id: string;
      type: string;
      z?: string;
    }[];
    const carrier = flow.find((n) => n.type === 'dropship-carrier')!;
    const deploy = await fetch(nodeRed.url('/flows'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flow),
    });
    assert.equal(deploy.status, 204, await deploy.text());
    const page = await browser.context.newPage();
    const pageErrors = collectPageErrors(page);
    try {
      await openEditor(page, nodeRed, flow.filter((n) => n.z).length);
      await page.evaluate(`RED.editor.editConfig('', 'dropship-carrier', ${JSON.stringify(carrier.id)})`);
      const settings = page.locator('#dropship-carrier-settings');
      const baseUrl = settings.locator('[data-setting="baseUrl"]');
      await baseUrl.fill('ftp://onlinetools.ups.com');
      await settings.locator('[data-setting="timeoutMs"]').fill('50');
      await settings.locator('[data-setting="timeoutMs"]').blur();
      await new StepScreenshots('examples-in-editor/carrier-dialog').take(page, 'settings-refused');
      assert.equal(await settings.locator('.input-error').count(), 2);
      await baseUrl.fill('https://wwwcie.ups.com');
      await settings.locator('[data-setting="timeoutMs"]').fill('8000');
      await settings.locator('[data-setting="timeoutMs"]').blur();
      assert.equal(await settings.locator('.input-error').count(), 0);
      await page.click('#node-config-dialog-cancel');
      await settings.waitFor({ state: 'detached' });
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  describe('each example deployed, then loaded into one open editor', () => {
    let page: Page;
    let pageErrors: string[];
    before(async () => {
      page = await browser.context.newPage();
      pageErrors = collectPageErrors(page);
      await openEditor(page, nodeRed, 1);
    });
    after(async () => page?.close());

    // The demo too: what `npm start` opens must not greet a new operator with red triangles.
    const flows = [
      ...files.map((file) => ({ file, flowPath: path.join(EXAMPLES, file) })),
      { file: 'demo.json', flowPath: path.join(REPO, 'flows', 'demo.json') },
    ];
    for (const { file, flowPath } of flows) {
      it(`shows ${file} with every node valid`, async () => {
        const flow = JSON.parse(readFileSync(flowPath, 'utf8')) as { id: string }[];
        const deploy = await fetch(nodeRed.url('/flows'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
          body: JSON.stringify(flow),
        });
        assert.equal(deploy.status, 204, await deploy.text());
        const loaded = await page.evaluate<string[]>(LOAD_DEPLOYED_FLOWS);
        assert.deepEqual(loaded.sort(), flow.map((n) => n.id).sort());
        await new StepScreenshots(`examples-in-editor/${file.replace(/\.json$/, '')}`).take(
          page,
          'workspace',
        );
        assert.deepEqual(await page.evaluate<Invalid[]>(INVALID_NODES), []);
        assert.deepEqual(pageErrors, []);
      });
    }
  });
});
