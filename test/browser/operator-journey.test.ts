import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { supplierConnectors } from '../../connectors/registry';
import {
  collectPageErrors,
  launchChromium,
  StepScreenshots,
  type HeadlessChromium,
} from '../support/browser';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { signedShopifyOrdersPaid } from '../support/shopify-delivery';

/**
 * The operator's journey in a real editor (headless Chromium, Node-RED started as `npm start` does, from an empty
 * workspace): the palette, an example imported from Import > Examples, a supplier and a routing rule set up in
 * their edit dialogs, deploy, a signed Shopify order, the order moving, the customer's tracking page.
 * Screenshots of every step: test-artifacts/screenshots/operator-journey-node-red-<major>/.
 */

const SECRET = 'browser-shopify-secret';
const SHOPIFY_ORDER_ID = 450789469;
const CUSTOMER_EMAIL = 'bob.norman@mail.example.com';
const ROUTED_SKU = 'IPOD2008GREEN';
const MODULE = '@node-red-contrib-dropship/node-red-contrib-dropship';
const TRACKING_PAGE_PATH = '/dropship/track';

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  name?: string;
  label?: string;
  url?: string;
  method?: string;
  path?: string;
  platform?: string;
  storefront?: string;
  secretEnv?: string;
  supplierId?: string;
  connector?: string;
  settings?: Record<string, unknown>;
  rules?: { rules?: { name?: string; match?: Record<string, unknown>; suppliers?: string[] }[] };
}

/** A flow the journey can drive: one to import, the way it is imported, and the nodes the steps work on. */
interface JourneyFlow {
  /** The Import menu's Examples entry. */
  example: string;
  tabId: string;
  tabLabel: string;
  /** Nodes of the example on its tab (config nodes are not). */
  tabNodeCount: number;
  /** The environment variable the example's storefront reads its webhook secret from. */
  secretEnv: string;
  orderIn: FlowNode;
  supplier: FlowNode;
  supplierApiPath: string;
  router: FlowNode;
  dispatch: FlowNode;
  notify: FlowNode;
}

function journeyFlowOf(nodes: FlowNode[], example: string): JourneyFlow | undefined {
  const orderIn = nodes.find((n) => n.type === 'dropship-order-in' && n.platform === 'shopify');
  const supplier = nodes.find((n) => n.type === 'dropship-supplier' && n.connector === 'rest-json');
  // The flow plays its supplier with an `http in` node: its order API is where the supplier gets pointed.
  const supplierApi = nodes.find(
    (n) => n.type === 'http in' && n.method === 'post' && /supplier/.test(n.url ?? ''),
  );
  const router = nodes.find((n) => n.type === 'dropship-router');
  const dispatch = nodes.find((n) => n.type === 'dropship-dispatch' && n.z === router?.z);
  const notify = nodes.find((n) => n.type === 'dropship-notify' && n.z === router?.z);
  const tab = nodes.find((n) => n.type === 'tab' && n.id === router?.z);
  const storefront = nodes.find((n) => n.id === orderIn?.storefront);
  if (
    !orderIn ||
    !storefront?.secretEnv ||
    !supplier ||
    !supplierApi?.url ||
    !router ||
    !dispatch ||
    !notify ||
    !tab
  ) {
    return undefined;
  }
  return {
    example,
    tabId: tab.id,
    tabLabel: tab.label ?? '',
    tabNodeCount: nodes.filter((n) => n.z === tab.id).length,
    secretEnv: storefront.secretEnv,
    orderIn,
    supplier,
    supplierApiPath: supplierApi.url,
    router,
    dispatch,
    notify,
  };
}

/** The first example (Import > Examples) that takes a Shopify order to a REST supplier it plays itself. */
function chooseJourneyFlow(): JourneyFlow {
  const examplesDir = path.join(REPO, 'examples');
  const files = readdirSync(examplesDir)
    .filter((f) => f.endsWith('.json'))
    .sort((a, b) => Number(/pipeline/i.test(b)) - Number(/pipeline/i.test(a)) || a.localeCompare(b));
  for (const file of files) {
    const nodes = JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8')) as FlowNode[];
    const flow = journeyFlowOf(nodes, file.replace(/\.json$/, ''));
    if (flow) return flow;
  }
  throw new Error(`no example in ${examplesDir} has a Shopify order-in, a REST supplier it plays, a router`);
}

function packageNodeTypes(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
    'node-red': { nodes: Record<string, string> };
  };
  return Object.keys(manifest['node-red'].nodes);
}

/** Opens an entry of the editor's main menu (the "hamburger" at the top right). */
async function openMainMenu(page: Page, item: string): Promise<void> {
  await page.click('#red-ui-header-button-sidemenu');
  await page.click(`#menu-item-${item}`);
}

interface OrderDetail {
  id: string;
  state: string;
  purchaseOrders: { number: string; state: string; supplierId: string }[];
}

describe('the operator journey in headless Chromium (editor, example, dialogs, deploy, order)', function () {
  this.timeout(60_000);
  const journey = chooseJourneyFlow();
  const supplierId = journey.supplier.supplierId ?? '';
  const ruleName = `${ROUTED_SKU} to ${supplierId}`;
  let nodeRed: RunningNodeRed;
  let chromium: HeadlessChromium;
  let page: Page;
  let pageErrors: string[];
  let scratch: string;
  let supplierUrl: string;
  const shots = new StepScreenshots('operator-journey');

  before(async function () {
    this.timeout(90_000);
    scratch = mkdtempSync(path.join(tmpdir(), 'dropship-browser-'));
    const emptyFlows = path.join(scratch, 'flows.json');
    writeFileSync(emptyFlows, '[]');
    // The examples name their webhook secret SHOPIFY_WEBHOOK_SECRET, the demo DROPSHIP_SHOPIFY_SECRET.
    nodeRed = await startNodeRed(emptyFlows, {
      SHOPIFY_WEBHOOK_SECRET: SECRET,
      DROPSHIP_SHOPIFY_SECRET: SECRET,
    });
    supplierUrl = nodeRed.url(journey.supplierApiPath);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    pageErrors = collectPageErrors(page);
  });

  after(async () => {
    await chromium?.close();
    await nodeRed?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('opens the editor', async () => {
    await page.goto(nodeRed.url('/'));
    await page.waitForSelector('#red-ui-palette-container-dropship', { timeout: 30_000 });
    await shots.take(page, 'editor');
    assert.deepEqual(pageErrors, []);
  });

  it('shows every node of the package in the "dropship" palette category, config nodes registered', async () => {
    await page.locator('#red-ui-palette-search input').pressSequentially('dropship');
    const category = page.locator('#red-ui-palette-container-dropship');
    await category.locator('.red-ui-palette-header').waitFor();
    assert.equal(await category.locator('.red-ui-palette-header span').innerText(), 'dropship');
    const categoryOf = (type: string) =>
      page.evaluate((t) => {
        const { RED } = window as unknown as {
          RED: { nodes: { getType(type: string): { category: string } } };
        };
        return RED.nodes.getType(t)?.category;
      }, type);
    for (const type of packageNodeTypes()) {
      const where = await categoryOf(type);
      if (where === 'config') continue; // Node-RED lists config nodes in the sidebar, never in the palette.
      assert.equal(where, 'dropship', `${type} is in palette category ${where}`);
      assert.ok(
        await category.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).isVisible(),
        `${type} is not shown under "dropship" when the palette is filtered`,
      );
    }
    await shots.take(page, 'palette');
    await page.locator('#red-ui-palette-search .red-ui-searchBox-clear').click();
  });

  it(`imports the example "${journey.example}" from the Import menu`, async () => {
    await openMainMenu(page, 'import');
    await page.click('#red-ui-tab-red-ui-clipboard-dialog-import-tab-examples a');
    const examples = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await examples.locator('.red-ui-treeList-label', { hasText: MODULE }).click();
    await examples.locator('.red-ui-treeList-label', { hasText: journey.example }).click();
    await shots.take(page, 'import-dialog');
    await page.click('#red-ui-clipboard-dialog-ok');
    // The import summary stays up until clicked, over the dialogs of the next steps.
    const summary = page.locator('.red-ui-notification', { hasText: 'Imported' });
    await summary.click();
    await summary.waitFor({ state: 'hidden' });
    const tab = page.locator('#red-ui-workspace-tabs .red-ui-tab', { hasText: journey.tabLabel });
    await tab.click();
    await page.locator(`[id="${journey.router.id}"]`).waitFor();
    const onTab = await page.evaluate((z) => {
      const { RED } = window as unknown as { RED: { nodes: { filterNodes(f: object): unknown[] } } };
      return RED.nodes.filterNodes({ z }).length;
    }, journey.tabId);
    assert.equal(onTab, journey.tabNodeCount);
    await shots.take(page, 'imported');
  });

  it('configures the supplier in its edit dialog: connector and settings form', async () => {
    await openMainMenu(page, 'config-nodes');
    await page
      .locator('#red-ui-sidebar-node-config .red-ui-palette-node', {
        hasText: journey.supplier.name ?? supplierId,
      })
      .dblclick();
    const connector = page.locator('#node-config-input-connector');
    await connector.waitFor();
    const offered = await connector
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(
      [...offered].sort(),
      supplierConnectors()
        .map((c) => c.kind)
        .sort(),
    );
    await connector.selectOption('rest-json');
    const settings = page.locator('#dropship-supplier-settings');
    await settings.locator('[data-setting="url"]').fill(supplierUrl);
    await settings.locator('[data-setting="timeoutMs"]').fill('8000');
    await settings.locator('[data-setting="timeoutMs"]').blur();
    await shots.take(page, 'supplier-dialog');
    assert.equal(await settings.locator('.input-error').count(), 0, 'the settings form shows an error');
    await page.click('#node-config-dialog-ok');
    await connector.waitFor({ state: 'detached' });
  });

  it('sets the routing rule in the router dialog: a name, the SKU it fits and its supplier', async () => {
    await page.locator(`[id="${journey.router.id}"] .red-ui-flow-node`).dblclick();
    const rules = page.locator('#dropship-router-rules');
    await rules.waitFor();
    await rules.scrollIntoViewIfNeeded();
    // The example's one rule sends everything (SKU *) to its supplier: the new rule goes above it.
    const rows = rules.locator('> li');
    assert.equal(await rows.count(), 1);
    const catchAll = await rows.first().locator('input').nth(0).inputValue();
    await page.click('#dropship-router-add-rule');
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.nth(1).locator('input').nth(0).inputValue(), catchAll);
    const inputs = rows.first().locator('input');
    await inputs.nth(0).fill(ruleName);
    await inputs.nth(1).fill(supplierId);
    await inputs.nth(3).fill(ROUTED_SKU);
    await shots.take(page, 'router-dialog');
    await page.click('#node-dialog-ok');
    await rules.waitFor({ state: 'detached' });
  });

  it("turns on the customer tracking page in the notify node's dialog", async () => {
    await page.locator(`[id="${journey.notify.id}"] .red-ui-flow-node`).dblclick();
    const trackingPage = page.locator('#node-input-trackingPage');
    await trackingPage.waitFor();
    await trackingPage.check();
    await page.locator('#node-input-trackingPagePath').fill(TRACKING_PAGE_PATH);
    await page.locator('#node-input-publicUrl').fill(nodeRed.url(''));
    // The secret that signs the page's links (at least 16 characters).
    await page.locator('#node-input-linkSecret').fill(randomBytes(24).toString('hex'));
    await trackingPage.scrollIntoViewIfNeeded();
    await shots.take(page, 'notify-dialog');
    await page.click('#node-dialog-ok');
    await trackingPage.waitFor({ state: 'detached' });
  });

  it('deploys without a warning about invalid nodes', async () => {
    await page.click('#red-ui-header-button-deploy');
    const outcome = await Promise.race([
      page
        .locator('.red-ui-notification', { hasText: 'Successfully deployed' })
        .waitFor()
        .then(() => 'deployed'),
      page
        .locator('.red-ui-notification', { hasText: /invalid|error/i })
        .first()
        .waitFor()
        .then(async () => page.locator('.red-ui-notification').allInnerTexts()),
    ]);
    await shots.take(page, 'deployed');
    assert.equal(outcome, 'deployed');
    const deployed = (await (
      await fetch(nodeRed.url('/flows'), { headers: { 'Node-RED-API-Version': 'v1' } })
    ).json()) as FlowNode[];
    const supplier = deployed.find((n) => n.id === journey.supplier.id);
    assert.equal(supplier?.settings?.url, supplierUrl);
    assert.equal(supplier?.settings?.timeoutMs, 8000);
    const router = deployed.find((n) => n.id === journey.router.id);
    assert.deepEqual(router?.rules?.rules?.[0], {
      name: ruleName,
      match: { sku: ROUTED_SKU },
      suppliers: [supplierId],
    });
    assert.equal(router?.rules?.rules?.length, 2);
  });

  it('takes a signed Shopify order to the supplier by the new rule, seen in the debug sidebar and statuses', async () => {
    const delivery = signedShopifyOrdersPaid(SHOPIFY_ORDER_ID, SECRET);
    const answer = await fetch(nodeRed.url(journey.orderIn.path ?? '/dropship/shopify/orders'), {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    assert.equal(answer.status, 200, await answer.text());
    // Node-RED 4 shows the debug messages in a sidebar tab, Node-RED 5 in a panel that is open from the start.
    const debugTab = page.locator('#red-ui-tab-debug-link-button');
    if (await debugTab.isVisible()) await debugTab.click();
    const messages = page.locator('.red-ui-debug-msg');
    await messages.first().waitFor({ timeout: 20_000 });
    const order = await eventually(
      async () => {
        const res = await fetch(nodeRed.url(`/dropship/api/orders/shopify:${SHOPIFY_ORDER_ID}`));
        const detail = (await res.json()) as OrderDetail;
        return detail.purchaseOrders.some((p) => p.state !== 'pending') ? detail : undefined;
      },
      30_000,
      'a purchase order sent to the supplier',
    );
    assert.deepEqual(
      order.purchaseOrders.map((p) => p.supplierId),
      [supplierId],
    );
    const poNumber = order.purchaseOrders[0]!.number;
    // TODO: look at the order in the operator dashboard once the package has one (issue 6).
    const sidebar = await eventually(
      async () => {
        const texts = await messages.allInnerTexts();
        return texts.some((t) => t.includes(order.id)) && texts.some((t) => t.includes('accepted'))
          ? texts
          : undefined;
      },
      20_000,
      "the order id and the supplier's acceptance in the debug sidebar",
    );
    assert.ok(sidebar.length >= 2);
    const dispatchStatus = page.locator(`[id="${journey.dispatch.id}"] .red-ui-flow-node-status-label`);
    await eventually(
      async () => ((await dispatchStatus.textContent())?.includes(poNumber) ? true : undefined),
      20_000,
      `the dispatch node's status naming ${poNumber}`,
    );
    await shots.take(page, 'order-moving');
    assert.deepEqual(pageErrors, []);
  });

  it('opens the customer tracking page: the lookup form, then the order', async () => {
    const lookup = await page.goto(nodeRed.url(TRACKING_PAGE_PATH));
    assert.equal(lookup?.status(), 200);
    await page.getByLabel('Order number').fill('#1001');
    await page.getByLabel('E-mail address used for the order').fill(CUSTOMER_EMAIL);
    await shots.take(page, 'tracking-lookup');
    await page.getByRole('button', { name: 'Track' }).click();
    await page.waitForURL((url) => url.pathname.startsWith(`${TRACKING_PAGE_PATH}/`));
    assert.match(await page.locator('h1').innerText(), /1001/);
    assert.equal(await page.locator('[role="alert"]').count(), 0);
    assert.ok((await page.locator('main, body').first().innerText()).includes('1 × IPod Nano - 8gb'));
    await shots.take(page, 'tracking-page');
  });
});
