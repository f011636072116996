import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { FakeRestSupplier } from '../connectors/peers';
import { startFakeUps, type FakeCarrier } from '../fakes/carriers';
import {
  collectPageErrors,
  launchChromium,
  StepScreenshots,
  type HeadlessChromium,
} from '../support/browser';
import { eventually, startNodeRed, type RunningNodeRed } from '../support/node-red-process';

/**
 * The supplier dialog in a real editor (headless Chromium): only the secrets and settings of the chosen
 * authentication are shown, and "Test connection" calls the supplier with the dialog's current settings, the
 * stored API key standing in for Node-RED's password placeholder. Screenshots:
 * test-artifacts/screenshots/supplier-dialog-node-red-<major>/.
 */

const SUPPLIER_NODE_ID = 'f00dfeed12345678';
const CARRIER_NODE_ID = 'c0ffee0012345678';

describe('the supplier and carrier dialogs in headless Chromium (declared secrets, Test connection)', function () {
  this.timeout(60_000);
  let nodeRed: RunningNodeRed;
  let chromium: HeadlessChromium;
  let page: Page;
  let pageErrors: string[];
  let scratch: string;
  let supplier: FakeRestSupplier;
  let ups: FakeCarrier;
  const shots = new StepScreenshots('supplier-dialog');

  const visible = (selector: string) => page.locator(selector).isVisible();

  before(async function () {
    this.timeout(90_000);
    supplier = await new FakeRestSupplier().start();
    ups = await startFakeUps();
    scratch = mkdtempSync(path.join(tmpdir(), 'dropship-supplier-dialog-'));
    const flows = path.join(scratch, 'flows.json');
    writeFileSync(flows, '[]');
    nodeRed = await startNodeRed(flows);
    const deployed = await fetch(nodeRed.url('/flows'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify([
        {
          id: SUPPLIER_NODE_ID,
          type: 'dropship-supplier',
          name: 'ACME API',
          supplierId: 'acme',
          connector: 'rest-json',
          settings: {
            url: `${supplier.baseUrl}/orders`,
            auth: 'api-key',
            testUrl: `${supplier.baseUrl}/ping`,
          },
          credentials: { apiKey: supplier.apiKey },
        },
        {
          id: CARRIER_NODE_ID,
          type: 'dropship-carrier',
          name: 'UPS account',
          carrier: 'ups',
          settings: { baseUrl: ups.url },
          credentials: { clientId: ups.clientId, clientSecret: ups.clientSecret },
        },
      ]),
    });
    assert.ok(deployed.ok, `deploy answered ${deployed.status}`);
    // The deploy is answered before the new flows have started.
    await eventually(
      async () => (nodeRed.output().split('Started flows').length > 2 ? true : undefined),
      20_000,
      'the deployed flows to start',
    );
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    pageErrors = collectPageErrors(page);
    await page.goto(nodeRed.url('/'));
    await page.waitForSelector('#red-ui-palette-container-dropship', { timeout: 30_000 });
  });

  after(async () => {
    await chromium?.close();
    await nodeRed?.stop();
    await supplier?.stop();
    await ups?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('opens the deployed supplier and shows only the API key of its API key authentication', async () => {
    await page.click('#red-ui-header-button-sidemenu');
    await page.click('#menu-item-config-nodes');
    await page
      .locator('#red-ui-sidebar-node-config .red-ui-palette-node', { hasText: 'ACME API' })
      .dblclick();
    await page.locator('#node-config-input-connector').waitFor();
    await page.locator('#dropship-supplier-settings [data-setting="url"]').waitFor();
    await shots.take(page, 'api-key');
    assert.equal(await visible('#node-config-input-apiKey'), true, 'the API key field is shown');
    assert.equal(await page.locator('#node-config-input-apiKey').inputValue(), '__PWRD__');
    assert.equal(await visible('[data-setting="apiKeyHeader"]'), true);
    // Fields of the other authentications are not shown, so none is asked for.
    assert.equal(await visible('[data-setting="oauth2.tokenUrl"]'), false, 'Token URL shown with API key');
    for (const other of ['token', 'username', 'password', 'clientId', 'clientSecret'])
      assert.equal(await visible(`#node-config-input-${other}`), false, `${other} shown with API key`);
  });

  it('switches the fields with the authentication: OAuth2 shows its token URL and client, not the API key', async () => {
    const auth = page.locator('#dropship-supplier-settings [data-setting="auth"]');
    await auth.selectOption({ label: 'oauth2-client-credentials' });
    await shots.take(page, 'oauth2');
    assert.equal(await visible('[data-setting="oauth2.tokenUrl"]'), true);
    assert.equal(await visible('#node-config-input-clientId'), true);
    assert.equal(await visible('#node-config-input-clientSecret'), true);
    assert.equal(await visible('#node-config-input-apiKey'), false);
    assert.equal(await visible('[data-setting="apiKeyHeader"]'), false);
    await auth.selectOption({ label: 'api-key' });
    assert.equal(await visible('[data-setting="oauth2.tokenUrl"]'), false);
    assert.equal(await visible('#node-config-input-apiKey'), true);
  });

  it('tests the connection with the stored API key and says so', async () => {
    await page.click('#dropship-supplier-test');
    const result = page.locator('#dropship-supplier-test-result');
    await result.filter({ hasText: /✓|✗/ }).waitFor();
    await shots.take(page, 'test-ok');
    assert.match(await result.innerText(), /✓ GET http:\/\/127\.0\.0\.1:\d+\/ping answered HTTP 200/);
    assert.ok(supplier.requests.some((r) => r.url === '/ping' && r.headers['x-api-key'] === supplier.apiKey));
  });

  it('tests what the dialog holds now: a changed, undeployed key is refused in words', async () => {
    await page.locator('#node-config-input-apiKey').fill('a-key-just-typed');
    await page.click('#dropship-supplier-test');
    const result = page.locator('#dropship-supplier-test-result');
    await result.filter({ hasText: /✗/ }).waitFor();
    await shots.take(page, 'test-refused');
    assert.match(await result.innerText(), /✗ .*HTTP 401: the supplier refused the credentials/);
    assert.equal(supplier.orders.size, 0, 'testing orders nothing');
    await page.click('#node-config-dialog-cancel');
    await page.locator('#node-config-input-connector').waitFor({ state: 'detached' });
    assert.deepEqual(pageErrors, []);
  });

  it("draws a carrier's declared secrets and tests the account with the stored secret", async () => {
    await page
      .locator('#red-ui-sidebar-node-config .red-ui-palette-node', { hasText: 'UPS account' })
      .dblclick();
    const carrier = page.locator('#node-config-input-carrier');
    await carrier.waitFor();
    await page.locator('#dropship-carrier-settings [data-setting="baseUrl"]').waitFor();
    assert.equal(await visible('#node-config-input-clientId'), true);
    assert.equal(await page.locator('#node-config-input-clientId').inputValue(), ups.clientId);
    assert.equal(await page.locator('#node-config-input-clientSecret').inputValue(), '__PWRD__');
    assert.equal(await visible('#node-config-input-apiKey'), false, "DHL's API key shown for UPS");
    assert.equal(await page.locator('label[for="node-config-input-clientId"]').innerText(), 'Client ID');
    await page.click('#dropship-carrier-test');
    const result = page.locator('#dropship-carrier-test-result');
    await result.filter({ hasText: /✓|✗/ }).waitFor();
    await shots.take(page, 'carrier-test');
    assert.match(await result.innerText(), /✓ UPS accepted the credentials and answered a tracking lookup/);
    await carrier.selectOption('dhl');
    assert.equal(await visible('#node-config-input-apiKey'), true);
    assert.equal(await visible('#node-config-input-clientId'), false);
    await page.click('#node-config-dialog-cancel');
    assert.deepEqual(pageErrors, []);
  });
});
