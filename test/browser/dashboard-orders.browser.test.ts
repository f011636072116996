import assert from 'node:assert/strict';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { sampleOrderDraft } from '../support/orders';
import {
  collectPageErrors,
  launchChromium,
  StepScreenshots,
  type HeadlessChromium,
} from '../support/browser';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';

/**
 * The demo dashboard's order search and order page (`npm start`, /dashboard/order) in headless Chromium, at desktop
 * width and on a 390x844 phone: an order posted to the demo is found by its customer's e-mail and by its PO number,
 * its page shows its history, POs, parcels and notifications in words; the Today list and the order page keep
 * every action on screen at 390 px. Screenshots: test-artifacts/screenshots/dashboard-orders-node-red-<major>/.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
/** A state code as stored (`needs_attention`, `in_transit`): what the dashboard must not show. */
const RAW_CODE = /\b[a-z]+_[a-z_]+\b/;

interface OrderDetail {
  id: string;
  state: string;
  purchaseOrders: { number: string; state: string }[];
  shipments: { trackingNumber: string }[];
}

describe('order search and order page of the demo dashboard in headless Chromium', function () {
  this.timeout(240_000);
  let nodeRed: RunningNodeRed;
  let chromium: HeadlessChromium;
  let page: Page;
  let pageErrors: string[];
  const shots = new StepScreenshots('dashboard-orders');
  const email = `Zoe.Search-${Date.now()}@Example.test`;
  let delivered: OrderDetail;

  const order = async (ref: string): Promise<OrderDetail> =>
    (await (await fetch(nodeRed.url(`/dropship/api/orders/${ref}`))).json()) as OrderDetail;

  const post = async (draft: ReturnType<typeof sampleOrderDraft>): Promise<string> => {
    const posted = await fetch(nodeRed.url('/dropship/orders'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(draft),
    });
    assert.equal(posted.status, 200, await posted.clone().text());
    return ((await posted.json()) as { id: string }).id;
  };

  /** Every button and input in `area` lies inside the viewport and inside its dashboard card. */
  async function assertOnScreen(area: Locator, width: number): Promise<void> {
    const card = await page.locator('.v-card', { has: area }).first().boundingBox();
    const controls = area.locator('button, input');
    const count = await controls.count();
    assert.ok(count >= 5, `only ${count} controls`);
    for (let i = 0; i < count; i++) {
      const control = controls.nth(i);
      const box = (await control.boundingBox())!;
      const name = (await control.innerText().catch(() => '')) || (await control.getAttribute('aria-label'));
      assert.ok(box.x >= 0 && box.x + box.width <= width, `${name} is at ${box.x}..${box.x + box.width}`);
      if (card)
        assert.ok(
          box.x + box.width <= card.x + card.width + 0.5,
          `${name} runs out of its card (${box.x + box.width} > ${card.x + card.width})`,
        );
    }
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide`);
  }

  async function search(term: string, orderId: string): Promise<string> {
    const input = page.getByRole('searchbox', { name: 'Order number, e-mail, PO or tracking number' });
    await input.fill(term);
    await page.getByRole('button', { name: 'Search' }).click();
    const result = page.locator(`.dropship-search-results li[data-order-id="${orderId}"]`);
    await result.waitFor({ timeout: 15_000 });
    return result.innerText();
  }

  async function openOrder(orderId: string): Promise<Locator> {
    await page.locator(`.dropship-search-results li[data-order-id="${orderId}"] a`).click();
    const view = page.locator(`.dropship-order [data-order-id="${orderId}"]`);
    await view.waitFor({ timeout: 15_000 });
    return view;
  }

  before(async () => {
    nodeRed = await startNodeRed(path.join(REPO, 'flows', 'demo.json'), { DROPSHIP_DEMO_EDI: 'off' });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    pageErrors = collectPageErrors(page);
    const id = await post(
      sampleOrderDraft({
        externalId: `SEARCH-${Date.now()}`,
        orderNumber: '8101',
        customer: { name: 'Zoe', email },
      }),
    );
    delivered = await eventually(
      async () => {
        const detail = await order(id);
        return detail.state === 'delivered' && detail.shipments.length > 0 ? detail : undefined;
      },
      90_000,
      'the order to be delivered by the sandbox supplier',
    );
  });
  after(async () => {
    await chromium?.close();
    await nodeRed?.stop();
  });

  for (const viewport of [DESKTOP, PHONE]) {
    const size = `${viewport.width}x${viewport.height}`;

    it(`finds the order by e-mail and by PO number and reads its page (${size})`, async () => {
      await page.setViewportSize(viewport);
      await page.goto(nodeRed.url('/dashboard/order'));
      const byEmail = await search(email.toUpperCase(), delivered.id);
      assert.match(byEmail, /#8101[\s\S]*Delivered/);
      const po = delivered.purchaseOrders[0]!.number;
      assert.match(await search(po, delivered.id), /#8101/);
      await shots.take(page, `search-${size}`);

      const view = await openOrder(delivered.id);
      assert.match(await view.locator('.dropship-order-title').innerText(), /Order #8101\s+Delivered/);
      const timeline = await view.locator('.dropship-timeline li').allInnerTexts();
      assert.match(timeline[0]!, /Order received[\s\S]* · by /);
      assert.ok(
        timeline.some((line) => line.includes(`PO ${po}`)),
        `no timeline entry names ${po}: ${timeline.join(' | ')}`,
      );
      assert.ok(
        timeline.some((line) => /Delivered/.test(line)),
        `no delivery in ${timeline.join(' | ')}`,
      );
      for (const what of await view.locator('.dropship-timeline strong').allInnerTexts())
        assert.doesNotMatch(what, RAW_CODE);
      for (const state of await view.locator('.dropship-state').allInnerTexts())
        assert.doesNotMatch(state, RAW_CODE);
      assert.match(
        await view.locator('.dropship-pos').innerText(),
        new RegExp(`${po} to sandbox: Delivered`),
      );
      assert.match(
        await view.locator('.dropship-parcels').innerText(),
        new RegExp(`${delivered.shipments[0]!.trackingNumber}[\\s\\S]*Delivered`),
      );
      assert.match(await view.locator('.dropship-notifications').innerText(), /by email: Sent/);
      await assertOnScreen(view.locator('.dropship-actions'), viewport.width);
      await shots.take(page, `order-page-${size}`);
      // The page's address names the order: it opens again after a reload.
      assert.match(page.url(), new RegExp(`/dashboard/order\\?order=${delivered.id}$`));
      await page.reload();
      await page.locator(`.dropship-order [data-order-id="${delivered.id}"]`).waitFor({ timeout: 15_000 });
    });
  }

  it('keeps every action of a held order on a 390 px screen, with the state in words', async () => {
    await page.setViewportSize(PHONE);
    const heldId = await post(
      sampleOrderDraft({
        externalId: `GIFT-${Date.now()}`,
        orderNumber: '8102',
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
      }),
    );
    await page.goto(nodeRed.url('/dashboard/today'));
    const row = page.locator(`tr[data-order-id="${heldId}"]`);
    await row.waitFor({ timeout: 30_000 });
    await assertOnScreen(row, PHONE.width);
    const states = page.locator('.v-card', { hasText: 'Orders by state' });
    await states.locator('tr', { hasText: 'Needs attention' }).waitFor({ timeout: 30_000 });
    assert.doesNotMatch(await states.innerText(), RAW_CODE);
    await shots.take(page, 'today-390x844');

    // The order number opens the order's page.
    await row.getByRole('link', { name: '#8102' }).click();
    await page.waitForURL(`**/dashboard/order?order=${heldId}`);
    const view = page.locator(`.dropship-order [data-order-id="${heldId}"]`);
    await view.waitFor({ timeout: 15_000 });
    assert.match(await view.locator('.dropship-order-title').innerText(), /Needs attention/);
    await view.getByRole('button', { name: 'Resolve' }).click();
    // The watchdog answers an action with the order as it is now, its history ending with the operator's step.
    await eventually(
      async () => {
        const last = (await view.locator('.dropship-timeline li').allInnerTexts()).at(-1) ?? '';
        return /Operator resolved[\s\S]*by Watchdog node[\s\S]*resolved from the dashboard/.test(last)
          ? last
          : undefined;
      },
      15_000,
      'the resolve step at the end of the timeline',
    );
    await shots.take(page, 'order-resolved-390x844');
    assert.deepEqual(pageErrors, []);
  });
});
