import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { renderTrackingPage } from '../../core/tracking-page/tracking-page';
import { splitOrderView } from './tracking-page-views';

/** Debian's chromium (apt-get install -y --no-install-recommends chromium); Playwright gives it a fresh profile. */
const CHROMIUM = '/usr/bin/chromium';

describe('tracking page in headless Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: Server;
  let baseUrl: string;
  const pages = new Map<string, string>();

  before(async () => {
    server = createServer((req, res) => {
      const html = pages.get(req.url ?? '');
      res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('shows each parcel with its progress in the store colours', async () => {
    pages.set(
      '/track/split',
      renderTrackingPage(splitOrderView(), {
        storeName: 'Acme Goods',
        primaryColour: '#0a7d52',
        timeZone: 'America/Los_Angeles',
      }),
    );
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${baseUrl}/track/split`);

    assert.equal(await page.title(), 'Order #1001 · Acme Goods');
    assert.equal(await page.locator('header .store').innerText(), 'Acme Goods');
    assert.equal(
      await page.locator('header').evaluate((el) => getComputedStyle(el).backgroundColor),
      'rgb(10, 125, 82)',
    );
    const parcels = page.locator('section.parcel');
    assert.equal(await parcels.count(), 2);
    assert.equal(await parcels.nth(0).locator('.headline').innerText(), 'Out for delivery');
    assert.equal(await parcels.nth(0).locator('[aria-current="step"]').innerText(), 'Out for delivery');
    assert.equal(await parcels.nth(1).locator('[aria-current="step"]').innerText(), 'Shipped');
    assert.equal(
      await parcels
        .nth(0)
        .getByRole('link', { name: "Follow it on the carrier's site" })
        .getAttribute('href'),
      'https://www.ups.com/track?tracknum=1Z5R89390357567127',
    );
    assert.ok((await page.locator('section.awaiting').innerText()).includes('1 × Desk lamp'));
    // The history is folded away until the customer opens it.
    assert.equal(await parcels.nth(0).locator('.history').isVisible(), false);
    await parcels.nth(0).locator('summary').click();
    assert.equal(await parcels.nth(0).locator('.history li').count(), 3);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('shows hostile data as text and runs none of it', async () => {
    pages.set(
      '/track/hostile',
      renderTrackingPage(
        {
          orderNumber: '<img src=x onerror="window.__pwned=1">',
          parcels: [
            {
              trackingNumber: '<script>window.__pwned=2</script>',
              status: 'in_transit',
              trackingUrl: 'javascript:window.__pwned=3',
            },
          ],
        },
        { storeName: '<script>window.__pwned=4</script>Acme' },
      ),
    );
    const page = await browser.newPage();
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await page.goto(`${baseUrl}/track/hostile`);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(dialogs, 0);
    assert.equal(await page.locator('h1').innerText(), 'Order <img src=x onerror="window.__pwned=1">');
    assert.equal(await page.locator('header .store').innerText(), '<script>window.__pwned=4</script>Acme');
    assert.equal(await page.locator('section.parcel a').count(), 0);
    await page.close();
  });
});
