import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { createPortalLinkToken } from '../../core/portal/portal-link';
import { trackingNumberFault, detectCarrier } from '../../core/tracking/carrier-detection';
import { sampleOrderDraft } from '../support/orders';
import {
  collectPageErrors,
  launchChromium,
  StepScreenshots,
  type HeadlessChromium,
} from '../support/browser';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';

/**
 * The supplier portal of the demo (`npm start`, /dropship/portal) in headless Chromium, at desktop width and on a
 * 390x844 phone: the portal supplier signs in with the link its purchase order e-mail carries, accepts the PO with
 * one line backordered (that line fails over to the sandbox supplier), ships the rest in two parcels, prints the
 * packing slip, uploads its stock and edits it, and reads its scorecard; the order's customer is told. Refused:
 * another supplier's PO, an expired link, a replayed form. Screenshots:
 * test-artifacts/screenshots/supplier-portal-node-red-<major>/.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
const LINK_KEY = 'browser-test-portal-link-key';
const PORTAL_SUPPLIER = 'orders@portal-supplier.test';

interface OrderDetail {
  id: string;
  state: string;
  purchaseOrders: { number: string; state: string; supplierId: string; lines: { sku: string }[] }[];
  shipments: { trackingNumber: string; carrier?: string }[];
}

interface MailboxEntry {
  id: string;
  to: string;
  subject: string;
}

/** A UPS number whose check digit holds: `1Z999AA1` and nine digits of `seed`, then the digit that fits. */
function upsNumber(seed: number): string {
  const body = `1Z999AA1${String(seed).padStart(9, '0').slice(-9)}`;
  for (let digit = 0; digit < 10; digit++) {
    const candidate = `${body}${digit}`;
    if (!trackingNumberFault(candidate) && detectCarrier(candidate)?.carrier === 'ups') return candidate;
  }
  throw new Error(`no UPS check digit fits ${body}`);
}

describe('the supplier portal of the demo in headless Chromium', function () {
  this.timeout(300_000);
  let nodeRed: RunningNodeRed;
  let chromium: HeadlessChromium;
  let page: Page;
  let pageErrors: string[];
  /** The page's errors but the refusals a test asks for (a 4xx answer is "failed to load"). */
  const unexpectedErrors = (): string[] =>
    pageErrors.filter(
      (error) => !/^Failed to load resource: the server responded with a status of 4\d\d/.test(error),
    );
  const shots = new StepScreenshots('supplier-portal');
  const otherSuppliersPo: string[] = [];

  const order = async (id: string): Promise<OrderDetail> =>
    (await (await fetch(nodeRed.url(`/dropship/api/orders/${id}`))).json()) as OrderDetail;

  const mailbox = (): MailboxEntry[] =>
    JSON.parse(
      readFileSync(path.join(nodeRed.userDir, 'sandbox-mail', 'messages.json'), 'utf8'),
    ) as MailboxEntry[];

  const mailText = async (entry: MailboxEntry): Promise<string> =>
    (await simpleParser(readFileSync(path.join(nodeRed.userDir, 'sandbox-mail', `${entry.id}.eml`)))).text ??
    '';

  /** Posts a three-line order of the portal catalogue; resolves with its id and its portal PO's link e-mail. */
  async function portalOrder(reference: string): Promise<{ id: string; po: string; link: string }> {
    const posted = await fetch(nodeRed.url('/dropship/orders'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(
        sampleOrderDraft({
          externalId: `PORTAL-${reference}-${Date.now()}`,
          orderNumber: reference,
          customer: { name: 'Pia Portal', email: `pia.${reference}@example.test` },
          lines: [
            {
              lineId: '1',
              sku: 'PORTAL-MUG',
              title: 'Mug',
              quantity: 2,
              unitPrice: 12,
              requiresShipping: true,
            },
            {
              lineId: '2',
              sku: 'PORTAL-LAMP',
              title: 'Lamp',
              quantity: 1,
              unitPrice: 40,
              requiresShipping: true,
            },
            {
              lineId: '3',
              sku: 'PORTAL-TEE',
              title: 'T-shirt',
              quantity: 1,
              unitPrice: 20,
              requiresShipping: true,
            },
          ],
          shipping: { method: 'standard', promisedShipBy: '2026-12-24T17:00:00.000Z' },
          totals: { subtotal: 84, shipping: 5, tax: 0, discount: 0, total: 89 },
        }),
      ),
    });
    assert.equal(posted.status, 200, await posted.clone().text());
    const { id } = (await posted.json()) as { id: string };
    const po = await eventually(
      async () =>
        (await order(id)).purchaseOrders.find((p) => p.supplierId === 'sandbox-portal' && p.state === 'sent')
          ?.number,
      60_000,
      'the portal PO to be sent',
    );
    const mail = await eventually(
      async () => mailbox().find((m) => m.to === PORTAL_SUPPLIER && m.subject.includes(po)),
      30_000,
      `the portal e-mail of ${po}`,
    );
    const link = /https?:\/\/\S+\/dropship\/portal\/link\/\S+/.exec(await mailText(mail))?.[0];
    assert.ok(link, 'the e-mail carries a sign-in link');
    return { id, po, link };
  }

  async function assertFitsWidth(width: number): Promise<void> {
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide`);
  }

  before(async () => {
    nodeRed = await startNodeRed(path.join(REPO, 'flows', 'demo.json'), {
      DROPSHIP_DEMO_EDI: 'off',
      DROPSHIP_PORTAL_LINK_KEY: LINK_KEY,
    });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    pageErrors = collectPageErrors(page);
  });
  after(async () => {
    await chromium?.close();
    await nodeRed?.stop();
  });

  for (const [n, viewport] of [DESKTOP, PHONE].entries()) {
    const size = `${viewport.width}x${viewport.height}`;

    it(`walks a supplier from the e-mailed link to two parcels and its stock (${size})`, async () => {
      await chromium.context.clearCookies();
      await page.setViewportSize(viewport);
      const placed = await portalOrder(`77${n}1`);

      // Sign-in: the link opens the PO it was sent for.
      await page.goto(placed.link);
      await page.waitForURL(`**/dropship/portal/orders/${placed.po}`);
      const heading = await page.locator('h1').innerText();
      assert.equal(heading, `Purchase order ${placed.po}`);
      const card = await page.locator('main').innerText();
      assert.match(card, /Pia Portal|Ada Lovelace/);
      assert.match(card, /Ship by 2026-12-24/);
      assert.doesNotMatch(card, /@example\.test/, 'no customer e-mail in the portal');
      await assertFitsWidth(viewport.width);
      await shots.take(page, `purchase-order-${size}`);

      // The open POs, newest first, searchable.
      await page.getByRole('link', { name: 'Orders' }).click();
      await page.locator(`li[data-po="${placed.po}"]`).waitFor();
      await page.getByLabel('Search PO, order or SKU').fill('PORTAL-LAMP');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator(`li[data-po="${placed.po}"]`).waitFor();
      await assertFitsWidth(viewport.width);
      await shots.take(page, `orders-${size}`);
      await page.locator(`li[data-po="${placed.po}"] a`).click();

      // Accept with the lamp backordered.
      const lamp = page.locator('.line[data-line-sku="PORTAL-LAMP"]');
      await lamp.locator('select').selectOption('backordered');
      await lamp.getByLabel('Ships on').fill('2027-01-15');
      assert.equal(
        await lamp.getByLabel('Reason').isVisible(),
        false,
        'the reason shows for a rejection only',
      );
      await shots.take(page, `answer-${size}`);
      await page.getByRole('button', { name: 'Send answer' }).click();
      await page.getByText('Your answer was sent to the shop.').waitFor();

      // The dispatch node reads the answer: the PO keeps mug and T-shirt, the lamp goes to the sandbox supplier.
      const answered = await eventually(
        async () => {
          const detail = await order(placed.id);
          const portalPo = detail.purchaseOrders.find((p) => p.number === placed.po);
          const lampElsewhere = detail.purchaseOrders.find(
            (p) => p.supplierId === 'sandbox' && p.lines.some((l) => l.sku === 'PORTAL-LAMP'),
          );
          return portalPo?.state === 'accepted' && lampElsewhere ? { detail, lampElsewhere } : undefined;
        },
        60_000,
        'the answer to be applied and the lamp to fail over',
      );
      otherSuppliersPo.push(answered.lampElsewhere.number);
      await page.reload();
      assert.deepEqual(
        await page
          .locator('form[data-form=ship] fieldset[data-parcel]')
          .first()
          .locator('label')
          .allInnerTexts(),
        ['Tracking number', 'Carrier', 'PORTAL-MUG', 'PORTAL-TEE'],
      );

      // Ship in two parcels; a number whose check digit fails is refused first, naming the parcel.
      const first = upsNumber(4_200 + n * 10);
      const second = upsNumber(4_201 + n * 10);
      const ship = page.locator('form[data-form=ship]');
      const parcel = (k: number) => ship.locator('fieldset[data-parcel]').nth(k);
      if (n === 0) {
        const wrong = `${first.slice(0, -1)}${(Number(first.slice(-1)) + 1) % 10}`;
        await parcel(0).getByLabel('Tracking number').fill(wrong);
        await parcel(0).getByLabel('PORTAL-MUG').fill('2');
        await ship.getByRole('button', { name: 'Report shipment' }).click();
        const refusal = await page.getByRole('alert').innerText();
        assert.match(refusal, new RegExp(`parcels/1/trackingNumber: "${wrong}" fails the UPS check digit`));
        await shots.take(page, `tracking-number-refused-${size}`);
      }
      await parcel(0).getByLabel('Tracking number').fill(first);
      await parcel(0).getByLabel('PORTAL-MUG').fill('2');
      // (A full-page screenshot taken just before a click makes Chromium drop that click: taken between fills.)
      await shots.take(page, `parcels-${size}`);
      await parcel(1).getByLabel('Tracking number').fill(second);
      await parcel(1).getByLabel('PORTAL-TEE').fill('1');
      await ship.getByRole('button', { name: 'Report shipment' }).click();
      await page.getByText('The shipment was reported to the shop.').waitFor();
      const shipped = await eventually(
        async () => {
          const detail = await order(placed.id);
          const numbers = detail.shipments.map((s) => s.trackingNumber);
          return numbers.includes(first) && numbers.includes(second) ? detail : undefined;
        },
        60_000,
        'both parcels to be recorded',
      );
      assert.equal(shipped.purchaseOrders.find((p) => p.number === placed.po)?.state, 'shipped');
      assert.ok(shipped.shipments.every((s) => s.carrier === 'ups' || !s.trackingNumber.startsWith('1Z')));
      await assertFitsWidth(viewport.width);
      await shots.take(page, `shipped-${size}`);

      // The packing slip.
      await page.getByRole('link', { name: 'Packing slip' }).click();
      await page.locator('h1', { hasText: `Packing slip ${placed.po}` }).waitFor();
      await shots.take(page, `packing-slip-${size}`);

      // Stock: a CSV file, then one quantity edited in the table.
      await page.getByRole('link', { name: 'Stock' }).click();
      await page.getByLabel('Upload a CSV file (columns sku and quantity)').setInputFiles({
        name: 'stock.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`sku,quantity\nPORTAL-MUG,${40 + n}\nPORTAL-LAMP,0\n`),
      });
      await page.waitForFunction(
        () => (document.querySelector('textarea[name=csv]') as HTMLTextAreaElement).value !== '',
      );
      await page.getByRole('button', { name: 'Upload stock' }).click();
      await page.getByText('Stock saved: 2 SKU(s).').waitFor();
      await page.getByLabel('PORTAL-LAMP').fill('5');
      await page.getByRole('button', { name: 'Save quantities' }).click();
      await page.getByText('Stock saved: 1 SKU(s).').waitFor();
      assert.equal(await page.getByLabel('PORTAL-MUG').inputValue(), String(40 + n));
      assert.equal(await page.getByLabel('PORTAL-LAMP').inputValue(), '5');
      await assertFitsWidth(viewport.width);
      await shots.take(page, `stock-${size}`);

      await page.getByRole('link', { name: 'Scorecard' }).click();
      await page.locator('h1', { hasText: 'Your scorecard' }).waitFor();
      await shots.take(page, `scorecard-${size}`);

      // The customer hears of the parcels, as from any supplier.
      await eventually(
        async () => mailbox().find((m) => m.to === `pia.77${n}1@example.test` && /shipped/i.test(m.subject)),
        60_000,
        "the customer's shipped e-mail",
      );
      assert.deepEqual(unexpectedErrors(), []);
    });
  }

  it("shows the shop's cancel request on the PO and lets the supplier confirm it", async () => {
    await chromium.context.clearCookies();
    await page.setViewportSize(PHONE);
    const placed = await portalOrder('7731');
    await page.goto(placed.link);
    await page.waitForURL(`**/dropship/portal/orders/${placed.po}`);
    // The operator cancels the order (the watchdog's action); the PO is withdrawn through the portal connector.
    const cancel = await fetch(nodeRed.url(`/dropship/watchdog/orders/${placed.id}/actions`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'cancel', reason: 'the customer changed their mind' }),
    });
    assert.equal(cancel.status, 200, await cancel.clone().text());
    await eventually(
      async () =>
        mailbox().find(
          (m) => m.to === PORTAL_SUPPLIER && m.subject === `Please CANCEL purchase order ${placed.po}`,
        ),
      30_000,
      'the cancel e-mail to the supplier',
    );
    await page.reload();
    const request = page.locator('[data-cancel-request]');
    assert.match(await request.innerText(), /The shop asks you to cancel this purchase order/);
    await shots.take(page, 'cancel-request-390x844');
    await request.getByRole('button', { name: 'Confirm cancellation' }).click();
    await page.getByText('Cancellation confirmed.').first().waitFor();
    const events = (
      (await (await fetch(nodeRed.url(`/dropship/api/orders/${placed.id}`))).json()) as {
        events: { type: string; actor: string }[];
      }
    ).events;
    assert.ok(
      events.some((e) => e.type === 'po.cancel_confirmed' && e.actor === 'supplier:sandbox-portal'),
      JSON.stringify(events.map((e) => [e.type, e.actor])),
    );
    assert.deepEqual(unexpectedErrors(), []);
  });

  it("shows the portal's activity on the dashboard's Suppliers page", async () => {
    await page.setViewportSize(DESKTOP);
    await page.goto(nodeRed.url('/dashboard/suppliers'));
    const activity = page.locator('.v-card', { hasText: 'Supplier portal: latest activity' });
    const row = activity.locator('tr', { hasText: 'reported a parcel' }).first();
    const cells = await eventually(
      async () => {
        const texts = await row.locator('td').allInnerTexts();
        return texts.length >= 5 ? texts : undefined;
      },
      30_000,
      'a parcel report in the portal activity table',
    );
    assert.deepEqual(cells.slice(1, 3), ['sandbox-portal', 'reported a parcel']);
    assert.match(cells[3]!, /^PO/);
    assert.equal(cells[4], 'supplier:sandbox-portal');
    await shots.take(page, 'dashboard-portal-activity');
  });

  it("refuses another supplier's PO, an expired link and a replayed form", async () => {
    await page.setViewportSize(DESKTOP);
    // Signed in as the portal supplier (the earlier walk's session), the sandbox supplier's PO is not there.
    assert.ok(otherSuppliersPo[0], 'the walk made a PO of another supplier');
    const foreign = await page.goto(nodeRed.url(`/dropship/portal/orders/${otherSuppliersPo[0]}`));
    assert.equal(foreign?.status(), 404);
    assert.match(await page.locator('main').innerText(), /There is no such purchase order among yours/);
    const foreignSlip = await page.request.get(
      nodeRed.url(`/dropship/portal/orders/${otherSuppliersPo[0]}/packing-slip`),
    );
    assert.equal(foreignSlip.status(), 404);
    await shots.take(page, 'foreign-po-refused');

    // A replayed form: the stock table posted twice with the same token.
    await page.goto(nodeRed.url('/dropship/portal/stock'));
    const token = await page.locator('form[data-form=stock-table] input[name=_csrf]').inputValue();
    const form = { _csrf: token, 'sku-0': 'PORTAL-LAMP', 'qty-0': '6' };
    const once = await page.request.post(nodeRed.url('/dropship/portal/stock/table'), { form });
    assert.equal(once.status(), 200);
    const replayed = await page.request.post(nodeRed.url('/dropship/portal/stock/table'), { form });
    assert.equal(replayed.status(), 403);
    assert.match(await replayed.text(), /This form was already sent or has expired/);
    const forged = await page.request.post(nodeRed.url('/dropship/portal/stock/table'), {
      form: { ...form, _csrf: 'made-up' },
    });
    assert.equal(forged.status(), 403);

    // An expired link, signed with the right key, and one signed with another key.
    await chromium.context.clearCookies();
    const expired = createPortalLinkToken(
      { supplierId: 'sandbox-portal', id: 'expired-link', expiresAt: new Date(Date.now() - 60_000) },
      LINK_KEY,
    );
    const answer = await page.goto(nodeRed.url(`/dropship/portal/link/${expired}`));
    assert.equal(answer?.status(), 410);
    assert.match(await page.locator('main').innerText(), /This sign-in link has expired/);
    await shots.take(page, 'expired-link-refused');
    const forgedLink = createPortalLinkToken(
      { supplierId: 'sandbox-portal', id: 'forged', expiresAt: new Date(Date.now() + 60_000) },
      'another-key-of-16-chars',
    );
    assert.equal((await page.goto(nodeRed.url(`/dropship/portal/link/${forgedLink}`)))?.status(), 404);
    // The portal's address without its slash is the sign-in too.
    await page.goto(nodeRed.url('/dropship/portal'));
    assert.equal(await page.locator('h1').innerText(), 'Sign in');
    // Signed out, the portal's pages lead to the sign-in form, not to any PO.
    await page.goto(nodeRed.url(`/dropship/portal/orders`));
    await page.waitForURL('**/dropship/portal/');
    assert.equal(await page.locator('h1').innerText(), 'Sign in');
    assert.deepEqual(unexpectedErrors(), []);
  });

  it('signs a supplier in with a one-time code sent to its address', async () => {
    await chromium.context.clearCookies();
    await page.setViewportSize(PHONE);
    await page.goto(nodeRed.url('/dropship/portal/'));
    await page.getByLabel('E-mail address').fill(PORTAL_SUPPLIER);
    await page.getByRole('button', { name: 'E-mail me a code' }).click();
    await page.getByLabel('Code').waitFor();
    const mail = await eventually(
      async () =>
        mailbox().find((m) => m.to === PORTAL_SUPPLIER && m.subject === 'Your supplier portal code'),
      30_000,
      'the code e-mail',
    );
    const code = /\b(\d{6})\b/.exec(await mailText(mail))?.[1];
    assert.ok(code);
    await page.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That code is not right or has expired').waitFor();
    await page.getByLabel('Code').fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/dropship/portal/orders');
    await assertFitsWidth(PHONE.width);
    await shots.take(page, 'signed-in-by-code-390x844');
    assert.deepEqual(unexpectedErrors(), []);
  });
});
