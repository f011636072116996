import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchChromium, StepScreenshots, type HeadlessChromium } from '../support/browser';
import { startFakeShopifyShop, type FakeShopifyShop } from '../fakes/shopify-shop';

/**
 * The sandbox shop's inventory page (`/sandbox/shopify/inventory` in the demo) in headless Chromium on a 390x844
 * phone: every variant's name, SKU, quantity and price on screen without sideways scrolling, a sale shown after
 * the page reloads itself. Screenshots: test-artifacts/screenshots/sandbox-shop-inventory-node-red-<major>/.
 */
describe('the sandbox shop inventory page on a 390 px phone', function () {
  this.timeout(60_000);
  let shop: FakeShopifyShop;
  let browser: HeadlessChromium;
  let page: Page;

  before(async () => {
    shop = await startFakeShopifyShop();
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
  });
  after(async () => {
    await browser?.close();
    await shop?.close();
  });

  it('shows each variant with its quantity and price, fits the screen, and follows a change', async () => {
    const shots = new StepScreenshots('sandbox-shop-inventory');
    await page.goto(`${shop.url}/inventory`);
    const rows = await page.locator('tbody tr').allInnerTexts();
    assert.deepEqual(
      rows.map((row) => row.replace(/\s+/g, ' ').trim()),
      ['Black mug MUG-BLACK 0 12.00', 'Water bottle, large WCB-LG 0 24.00', 'Bird feeder BW-FIN-200 0 39.00'],
    );
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width} px wide`);
    await shots.take(page, 'inventory');
    shop.shop.sell('WCB-LG', 2);
    // The page reloads itself every 3 seconds.
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('tbody tr')).some(
          (row) => row.textContent?.includes('WCB-LG') && row.querySelector('td.n')?.textContent === '-2',
        ),
      undefined,
      { timeout: 10_000 },
    );
    await shots.take(page, 'after-a-sale');
  });
});
