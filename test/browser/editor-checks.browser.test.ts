import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { sampleOrderDraft } from '../support/orders';
import {
  collectPageErrors,
  launchChromium,
  StepScreenshots,
  type HeadlessChromium,
} from '../support/browser';
import { startNodeRed, type RunningNodeRed } from '../support/node-red-process';

/**
 * Mistakes an operator can make in the edit dialogs, made in a real editor (headless Chromium): each is refused in
 * the dialog (the field marked, the node flagged) or shown on the deployed node. A supplier id typed wrong in a
 * router rule, a rule added after the catch-all, the tracking page with a short link secret; and what the dialogs
 * give instead of raw JSON and bare numbers: the watchdog's escalation form (reading a policy saved as JSON text),
 * the dispatch node's backorder choice with its default, metrics with units. Screenshots:
 * test-artifacts/screenshots/editor-checks-node-red-<major>/.
 */

const TYPO = 'sandbox-emial';

interface FlowNode {
  id: string;
  type: string;
  policy?: unknown;
  policies?: string;
  version?: number;
  onBackorder?: string;
  rules?: { rules?: { name?: string; match?: Record<string, unknown>; suppliers?: string[] }[] };
}

function flow(dir: string): unknown[] {
  return [
    { id: 'checks-tab', type: 'tab', label: 'Editor checks' },
    {
      id: 'orders-store',
      type: 'dropship-store',
      engine: 'sqlite',
      filename: path.join(dir, 'orders.sqlite'),
    },
    {
      id: 'sandbox-config',
      type: 'dropship-supplier',
      supplierId: 'sandbox',
      connector: 'rest-json',
      settings: { url: 'http://127.0.0.1:9/po' },
    },
    // The demo's mailer takes its port from the environment.
    {
      id: 'mail-server',
      type: 'dropship-mailer',
      host: '127.0.0.1',
      port: '${DROPSHIP_DEMO_SMTP_PORT}',
      from: 'Shop <shop@example.test>',
    },
    {
      id: 'router-node',
      type: 'dropship-router',
      z: 'checks-tab',
      x: 200,
      y: 80,
      store: 'orders-store',
      rules: {
        strategy: 'priority',
        suppliers: {
          sandbox: { name: 'Sandbox warehouse', timeZone: 'Europe/Berlin', cutoff: '14:00', handlingDays: 1 },
        },
        rules: [
          { name: 'Mugs from the sandbox', match: { sku: 'MUG-*' }, suppliers: ['sandbox'] },
          { name: 'Everything', match: { sku: '*' }, suppliers: ['sandbox'] },
        ],
      },
      sweepSeconds: 30,
      wires: [['dispatch-node'], []],
    },
    // Saved before the Backorder choice existed: no onBackorder.
    {
      id: 'dispatch-node',
      type: 'dropship-dispatch',
      z: 'checks-tab',
      x: 420,
      y: 80,
      store: 'orders-store',
      wires: [['notify-node'], []],
    },
    {
      id: 'notify-node',
      type: 'dropship-notify',
      z: 'checks-tab',
      x: 640,
      y: 80,
      store: 'orders-store',
      mailer: 'mail-server',
      channels: ['email'],
      trackingPage: false,
      wires: [[], []],
    },
    // Saved before the escalation form: the policy as JSON text.
    {
      id: 'watchdog-node',
      type: 'dropship-watchdog',
      z: 'checks-tab',
      x: 200,
      y: 200,
      store: 'orders-store',
      sweepSeconds: 3600,
      policy: '{"conditions":{"po_unacknowledged":{"thresholdHours":8}}}',
      wires: [[], [], []],
    },
    // Saved before the return policy form: the policies as JSON text.
    {
      id: 'returns-node',
      type: 'dropship-returns',
      z: 'checks-tab',
      x: 640,
      y: 200,
      store: 'orders-store',
      listen: false,
      policies:
        '{"sandbox":{"windowDays":14,"restockingFeePercent":10,"returnAddress":{"line1":"1 Dock Rd","city":"Reno","country":"US"}}}',
      wires: [[], []],
    },
    {
      id: 'metrics-node',
      type: 'dropship-metrics',
      z: 'checks-tab',
      x: 420,
      y: 200,
      store: 'orders-store',
      intervalSeconds: 0,
      listen: false,
      wires: [[], []],
    },
  ];
}

describe('editor checks in headless Chromium: mistakes refused in the dialog or shown on the node', function () {
  this.timeout(60_000);
  let dir: string;
  let nodeRed: RunningNodeRed;
  let chromium: HeadlessChromium;
  let page: Page;
  let pageErrors: string[];
  const shots = new StepScreenshots('editor-checks');

  const openNode = async (id: string) => {
    await page.locator(`[id="${id}"] .red-ui-flow-node`).dblclick();
  };
  const done = async (waitFor: string) => {
    await page.click('#node-dialog-ok');
    await page.locator(waitFor).waitFor({ state: 'detached' });
  };
  const nodeValid = (id: string) =>
    page.evaluate((nodeId) => {
      const { RED } = window as unknown as { RED: { nodes: { node(id: string): { valid?: boolean } } } };
      return RED.nodes.node(nodeId).valid !== false;
    }, id);
  const statusOf = (id: string) => page.locator(`[id="${id}"] .red-ui-flow-node-status-label`);
  const deployed = async (): Promise<FlowNode[]> =>
    (await (
      await fetch(nodeRed.url('/flows'), { headers: { 'Node-RED-API-Version': 'v1' } })
    ).json()) as FlowNode[];

  before(async function () {
    this.timeout(90_000);
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-editor-checks-'));
    const flowFile = path.join(dir, 'flows.json');
    writeFileSync(flowFile, JSON.stringify(flow(dir)));
    nodeRed = await startNodeRed(flowFile, { DROPSHIP_DEMO_SMTP_PORT: '2525' });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    pageErrors = collectPageErrors(page);
    await page.goto(nodeRed.url('/'));
    await page.locator('[id="router-node"] .red-ui-flow-node').waitFor({ timeout: 30_000 });
  });
  after(async () => {
    await chromium?.close();
    await nodeRed?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows router rules as labelled rows and marks a mistyped supplier id at its field', async () => {
    await openNode('router-node');
    const rows = page.locator('#dropship-router-rules > li');
    await rows.first().waitFor();
    await page.locator('#dropship-router-rules').scrollIntoViewIfNeeded();
    const captions = await rows.first().locator('.dropship-router-cell > label').allInnerTexts();
    assert.deepEqual(captions.slice(0, 4), [
      'Rule name',
      'Suppliers, best first',
      'Then, one at a time',
      'SKU or pattern',
    ]);
    // The configured suppliers are offered as the field is typed.
    assert.deepEqual(
      await page
        .locator('#dropship-router-supplier-ids option')
        .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)),
      ['sandbox'],
    );
    const suppliers = rows.first().locator('.dropship-router-supplier-field').first();
    await suppliers.fill(TYPO);
    assert.ok(await suppliers.evaluate((input) => input.classList.contains('input-error')));
    assert.equal(
      await rows.first().locator('.dropship-router-field-problem').first().innerText(),
      `Unknown supplier: ${TYPO} (no dropship-supplier has this id)`,
    );
    await page
      .locator('#dropship-router-problems', {
        hasText: `Unknown supplier "${TYPO}" in rule Mugs from the sandbox`,
      })
      .waitFor();
    await shots.take(page, 'router-unknown-supplier');
    // The supplier settings: a labelled row, its id a supplier field like the rules'.
    const supplierRow = page.locator('#dropship-router-suppliers > li').first();
    await supplierRow.scrollIntoViewIfNeeded();
    assert.deepEqual(
      (await supplierRow.locator('.dropship-router-cell > label').allInnerTexts()).slice(0, 3),
      ['Supplier', 'Display name', 'Active'],
    );
    assert.equal(await supplierRow.locator('.dropship-router-supplier-field').inputValue(), 'sandbox');
    await shots.take(page, 'router-supplier-row');
  });

  it('answers the preview with "unknown supplier" instead of a decision', async () => {
    await page.locator('#dropship-router-order').fill(JSON.stringify(sampleOrderDraft()));
    await page.click('#dropship-router-preview-button');
    await page
      .locator('#dropship-router-problems', {
        hasText: `/rules/0/suppliers/0: "${TYPO}" is not a configured supplier`,
      })
      .waitFor();
    assert.ok(!(await page.locator('#dropship-router-preview-result').isVisible()));
    await shots.take(page, 'router-preview-refused');
  });

  it('adds a new rule above the catch-all, and refuses a rule left below it', async () => {
    const list = page.locator('#dropship-router-rules');
    await page.click('#dropship-router-add-rule');
    const names = () =>
      list
        .locator('> li')
        .evaluateAll((rows) => rows.map((row) => (row.querySelector('input') as HTMLInputElement).value));
    assert.deepEqual(await names(), ['Mugs from the sandbox', '', 'Everything']);
    const added = list.locator('> li').nth(1);
    await added.locator('input').nth(0).fill('Tees');
    await added.locator('.dropship-router-supplier-field').first().fill('sandbox');
    await added.locator('input').nth(3).fill('TEE-*');
    await shots.take(page, 'router-rule-added-above-catch-all');
    await done('#dropship-router-rules');
    assert.equal(await nodeValid('router-node'), false, 'the router with the mistyped id is flagged');
  });

  it('marks a short link secret when the tracking page is served', async () => {
    await openNode('notify-node');
    const trackingPage = page.locator('#node-input-trackingPage');
    await trackingPage.waitFor();
    await trackingPage.check();
    const secret = page.locator('#node-input-linkSecret');
    await secret.fill('short');
    assert.ok(await secret.evaluate((input) => input.classList.contains('input-error')));
    assert.match(
      await page.locator('#dropship-notify-link-secret-problem').innerText(),
      /Link secret: 5 characters is too short; enter at least 16/,
    );
    await secret.scrollIntoViewIfNeeded();
    await shots.take(page, 'notify-short-secret');
    await done('#node-input-trackingPage');
    assert.equal(await nodeValid('notify-node'), false, 'the notify node with a short secret is flagged');
  });

  it('edits the escalation policy saved as JSON text in a form, with units and actions from a list', async () => {
    await openNode('watchdog-node');
    const conditions = page.locator('.dropship-watchdog-condition');
    await conditions.nth(8).waitFor();
    // One row per watchdog condition (WATCHDOG_CONDITIONS).
    assert.equal(await conditions.count(), 9);
    const unacknowledged = page.locator('.dropship-watchdog-condition[data-condition="po_unacknowledged"]');
    assert.equal(await unacknowledged.locator('.dropship-watchdog-threshold').inputValue(), '8');
    assert.equal(await unacknowledged.locator('.dropship-watchdog-threshold-unit').inputValue(), 'hours');
    // The built-in ladder: remind at once, reroute after 12 hours, alert after a day.
    const actions = unacknowledged.locator('.dropship-watchdog-action');
    assert.deepEqual(await actions.evaluateAll((s) => s.map((e) => (e as HTMLSelectElement).value)), [
      'remind_supplier',
      'reroute',
      'alert_operator',
    ]);
    const lastStep = unacknowledged.locator('.dropship-watchdog-step').nth(2);
    assert.equal(await lastStep.locator('.dropship-watchdog-delay').inputValue(), '1');
    assert.equal(await lastStep.locator('.dropship-watchdog-unit').inputValue(), 'days');
    await lastStep.locator('.dropship-watchdog-delay').fill('2');
    // A supplier deadline: a mistyped id is marked and flags the node until it names a configured supplier.
    await page.locator('#dropship-watchdog-sla button').click();
    const deadline = page.locator('.dropship-watchdog-sla-row').first();
    await deadline.locator('.dropship-watchdog-sla-supplier').fill(TYPO);
    await deadline.locator('.dropship-watchdog-sla-hours').fill('4');
    assert.ok(
      await deadline
        .locator('.dropship-watchdog-sla-supplier')
        .evaluate((i) => i.classList.contains('input-error')),
    );
    await deadline.scrollIntoViewIfNeeded();
    await shots.take(page, 'watchdog-deadline-unknown-supplier');
    await deadline.locator('.dropship-watchdog-sla-supplier').fill('sandbox');
    assert.ok(
      !(await deadline
        .locator('.dropship-watchdog-sla-supplier')
        .evaluate((i) => i.classList.contains('input-error'))),
    );
    await unacknowledged.scrollIntoViewIfNeeded();
    await shots.take(page, 'watchdog-policy-form');
    await done('#dropship-watchdog-conditions');
    assert.equal(await nodeValid('watchdog-node'), true);
  });

  it('edits the return policies in a form, a row per supplier, and refuses a return address without its city', async () => {
    await openNode('returns-node');
    const row = page.locator('#dropship-returns-policies li').first();
    await row.locator('.dropship-returns-windowDays').waitFor();
    assert.equal(await row.locator('.dropship-returns-supplier').inputValue(), 'sandbox');
    assert.equal(await row.locator('.dropship-returns-windowDays').inputValue(), '14');
    assert.equal(await row.locator('.dropship-returns-address-city').inputValue(), 'Reno');
    assert.equal(await page.locator('#node-input-policies').getAttribute('type'), 'hidden');
    await row.locator('.dropship-returns-address-city').fill('');
    await done('#dropship-returns-policies');
    assert.equal(await nodeValid('returns-node'), false, 'a policy without the city of its return address');
    await openNode('returns-node');
    await row.locator('.dropship-returns-address-city').fill('Sparks');
    await row.locator('.dropship-returns-fee').fill('5');
    await shots.take(page, 'returns-policy-form');
    await done('#dropship-returns-policies');
    assert.equal(await nodeValid('returns-node'), true);
  });

  it('gives the dispatch Backorder choice its default and shows metrics with units', async () => {
    await openNode('dispatch-node');
    const backorder = page.locator('#node-input-onBackorder');
    await backorder.waitFor();
    assert.equal(await backorder.inputValue(), 'fail-over');
    await shots.take(page, 'dispatch-backorder-default');
    await done('#node-input-onBackorder');

    await openNode('metrics-node');
    const window = page.locator('#node-input-windowDays');
    await window.waitFor();
    const row = async (id: string) => (await page.locator(`#${id}`).locator('xpath=..').innerText()).trim();
    assert.match(await row('node-input-windowDays'), /Figures over the last\s+days/);
    assert.match(
      await row('node-input-intervalSeconds'),
      /Send figures every\s+seconds \(0 = never on its own/,
    );
    assert.match(await row('node-input-controlBaselineDays'), /Normal level measured over\s+days/);
    await shots.take(page, 'metrics-units');
    await done('#node-input-windowDays');
    assert.equal(await nodeValid('mail-server'), true, 'a port given as ${NAME} is accepted');
  });

  it('deploys only after the warning about invalid nodes, and shows each mistake on its node', async () => {
    await page.click('#red-ui-header-button-deploy');
    const confirm = page.locator('#red-ui-deploy-dialog-confirm-deploy-deploy');
    await confirm.waitFor();
    await shots.take(page, 'deploy-warns-invalid-nodes');
    await confirm.click();
    await page.locator('.red-ui-notification', { hasText: 'Successfully deployed' }).waitFor();
    await statusOf('router-node')
      .filter({ hasText: `unknown supplier ${TYPO}` })
      .waitFor();
    await statusOf('notify-node')
      .filter({ hasText: 'tracking page off: link secret shorter than 16 characters' })
      .waitFor();
    await shots.take(page, 'deployed-statuses');

    const nodes = await deployed();
    const router = nodes.find((n) => n.id === 'router-node')!;
    assert.deepEqual(
      router.rules?.rules?.map((r) => [r.name, r.suppliers]),
      [
        ['Mugs from the sandbox', [TYPO]],
        ['Tees', ['sandbox']],
        ['Everything', ['sandbox']],
      ],
    );
    const watchdog = nodes.find((n) => n.id === 'watchdog-node')!;
    assert.deepEqual(watchdog.policy, {
      conditions: {
        po_unacknowledged: {
          thresholdHours: 8,
          steps: [
            { action: 'remind_supplier', afterHours: 0 },
            { action: 'reroute', afterHours: 12 },
            { action: 'alert_operator', afterHours: 48 },
          ],
        },
      },
      supplierSlaHours: { sandbox: 4 },
    });
    assert.equal(watchdog.version, 2);
    assert.deepEqual(JSON.parse(nodes.find((n) => n.id === 'returns-node')!.policies!), {
      sandbox: {
        windowDays: 14,
        restockingFeePercent: 5,
        returnAddress: { line1: '1 Dock Rd', city: 'Sparks', country: 'US' },
        autoApprove: false,
      },
    });
    assert.equal(nodes.find((n) => n.id === 'dispatch-node')!.onBackorder, 'fail-over');
    assert.doesNotMatch(nodeRed.output(), /watchdog policy:/);
    // The refused checks and preview answer 400, which the browser logs; nothing else may go wrong.
    assert.deepEqual(
      pageErrors.filter((e) => !/responded with a status of 400/.test(e)),
      [],
    );
  });
});
