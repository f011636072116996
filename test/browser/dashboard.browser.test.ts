import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { sampleOrderDraft } from '../support/orders';
import {
  collectPageErrors,
  launchChromium,
  StepScreenshots,
  type HeadlessChromium,
} from '../support/browser';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { signedShopifyOrdersPaid } from '../support/shopify-delivery';

/**
 * The demo's operations dashboard (`npm start`, /dashboard) in headless Chromium: live figures from the metrics
 * node, an order the router could not route in the needs-attention list, and the operator cancelling it from the
 * list, checked through the order API (state and audited event). Screenshots:
 * test-artifacts/screenshots/dashboard/.
 */

const SECRET = 'dashboard-shopify-secret';
const SHOPIFY_ORDER_ID = 820982911946154600;
/** The watchdog node of the demo's Dashboard tab: the actor of every action taken from the dashboard. */
const WATCHDOG_ACTOR = 'dropship-watchdog:d6b00000000000c1';

interface OrderDetail {
  id: string;
  state: string;
  events: { type: string; actor: string; reason?: string; toState?: string }[];
}

describe('operations dashboard of the demo in headless Chromium', function () {
  this.timeout(180_000);
  let nodeRed: RunningNodeRed;
  let chromium: HeadlessChromium;
  let page: Page;
  let pageErrors: string[];
  const shots = new StepScreenshots('dashboard');

  const order = async (ref: string): Promise<OrderDetail> =>
    (await (await fetch(nodeRed.url(`/dropship/api/orders/${ref}`))).json()) as OrderDetail;

  before(async () => {
    nodeRed = await startNodeRed(path.join(REPO, 'flows', 'demo.json'), {
      DROPSHIP_SHOPIFY_SECRET: SECRET,
      DROPSHIP_DEMO_EDI: 'off',
    });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    pageErrors = collectPageErrors(page);
  });
  after(async () => {
    await chromium?.close();
    await nodeRed?.stop();
  });

  let heldOrderId: string;

  it('shows the sandbox supplier scorecard once an order went through', async () => {
    const delivery = signedShopifyOrdersPaid(SHOPIFY_ORDER_ID, SECRET);
    const posted = await fetch(nodeRed.url('/dropship/shopify/orders'), {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    assert.equal(posted.status, 200);
    await eventually(
      async () => ((await order(`shopify:${SHOPIFY_ORDER_ID}`)).state === 'delivered' ? true : undefined),
      60_000,
      'the Shopify order to be delivered',
    );
    await page.goto(nodeRed.url('/dashboard/suppliers'));
    // The scorecards refresh every 10 s: the row fills in once a report counts the delivered PO.
    const sandboxRow = page.locator('tr', { hasText: 'sandbox' }).first();
    const cells = await eventually(
      async () => {
        const texts = await sandboxRow.locator('td').allInnerTexts();
        // supplier, POs, fill %, accepted %: one PO, accepted and delivered in full.
        return texts[2] === '100' ? texts : undefined;
      },
      30_000,
      'the sandbox scorecard with its fill rate',
    );
    assert.deepEqual(cells.slice(0, 4), ['sandbox', '1', '100', '100']);
    assert.equal(await page.locator('.v-card', { hasText: 'KPIs by day' }).locator('canvas').count(), 1);
    await shots.take(page, 'supplier-scorecards');
  });

  it('shows the Suppliers page at 390 px without cutting anything off: the wide scorecard scrolls in its card', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(nodeRed.url('/dashboard/suppliers'));
      const sandboxRow = page.locator('tr', { hasText: 'sandbox' }).first();
      await sandboxRow.waitFor({ timeout: 30_000 });
      await shots.take(page, 'suppliers-390px');
      // Nothing makes the page itself wider than the phone: no sideways scrolling of the whole page.
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        cards: Array.from(document.querySelectorAll('.v-card')).map(
          (card) => card.getBoundingClientRect().right,
        ),
      }));
      assert.ok(widths.page <= widths.viewport, JSON.stringify(widths));
      for (const right of widths.cards) assert.ok(right <= widths.viewport + 1, JSON.stringify(widths));
      // The scorecard's last column is reachable by scrolling the table, not cut off.
      const lastHeader = page.locator('th', { hasText: 'Margin %' }).first();
      await lastHeader.scrollIntoViewIfNeeded();
      assert.ok(await lastHeader.isVisible());
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('lists an order no supplier can take under needs attention, with the state counts', async () => {
    // A gift card only: no line needs shipping, so the router holds the order for a person.
    const draft = sampleOrderDraft({
      externalId: `GIFT-${Date.now()}`,
      orderNumber: '7001',
      lines: [
        {
          lineId: '1',
          sku: 'GIFT-CARD-50',
          title: 'Gift card',
          quantity: 1,
          unitPrice: 50,
          requiresShipping: false,
        },
      ],
      totals: { subtotal: 50, shipping: 0, tax: 0, discount: 0, total: 50 },
    });
    const posted = await fetch(nodeRed.url('/dropship/orders'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(draft),
    });
    assert.equal(posted.status, 200, await posted.clone().text());
    heldOrderId = ((await posted.json()) as { id: string }).id;
    await eventually(
      async () => ((await order(heldOrderId)).state === 'needs_attention' ? true : undefined),
      10_000,
      'the gift card order to be held',
    );

    await page.goto(nodeRed.url('/dashboard/today'));
    const row = page.locator(`tr[data-order-id="${heldOrderId}"]`);
    // The watchdog sends the queue after each sweep (every 10 s).
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /#7001[\s\S]*generic[\s\S]*no line of the order needs a supplier/);
    const stateRow = page.locator('.v-card', { hasText: 'Orders by state' }).locator('tr', {
      hasText: 'Needs attention',
    });
    await stateRow.waitFor({ timeout: 30_000 });
    assert.deepEqual(await stateRow.locator('td').allInnerTexts(), ['Needs attention', '1']);
    assert.deepEqual(
      await page.locator('.v-card', { hasText: 'Orders by state' }).locator('th').allInnerTexts(),
      ['State', 'Orders'],
    );
    await shots.take(page, 'needs-attention');
  });

  it('cancels the held order from the list, applied and audited under the watchdog', async () => {
    const row = page.locator(`tr[data-order-id="${heldOrderId}"]`);
    await row.getByRole('button', { name: 'Cancel' }).click();
    const cancelled = await eventually(
      async () => {
        const detail = await order(heldOrderId);
        return detail.state === 'cancelled' ? detail : undefined;
      },
      15_000,
      'the order to be cancelled',
    );
    const audit = cancelled.events.find((e) => e.type === 'operator.cancel');
    assert.ok(audit, `no operator.cancel event in ${cancelled.events.map((e) => e.type).join(', ')}`);
    assert.equal(audit.actor, WATCHDOG_ACTOR);
    assert.equal(audit.toState, 'cancelled');
    assert.equal(audit.reason, 'cancelled from the dashboard');
    // The watchdog sends the refreshed queue after the action: the row leaves the list.
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    assert.equal(await page.getByText('Nothing needs attention.').count(), 1);
    await shots.take(page, 'after-cancel');
    assert.deepEqual(pageErrors, []);
  });
});
