import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import type { PurchaseOrder } from '../../core/model/purchase-order';
import { portalTranslator } from '../../core/portal/messages';
import { acknowledgementFromAnswers, parcelEvents } from '../../core/portal/portal-actions';
import {
  createPortalLinkToken,
  portalLinkSupplier,
  verifyPortalLinkToken,
} from '../../core/portal/portal-link';
import { ordersPage, purchaseOrderPage, type PortalPurchaseOrderView } from '../../core/portal/portal-pages';

const KEY = 'a-portal-link-key-of-some-length';
const NOW = new Date('2026-12-01T10:00:00Z');

const po = {
  number: 'PO123-1',
  orderId: 'ord_1',
  supplierId: 'acme',
  state: 'sent',
  lines: [
    { orderLineId: '1', sku: 'MUG', quantity: 2 },
    { orderLineId: '2', sku: 'LAMP', quantity: 1 },
  ],
} as PurchaseOrder;

function refusal(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof DropshipError && err.code === 'invalid_input', String(err));
    return err.details;
  }
  assert.fail('not refused');
}

describe('supplier portal: sign-in links', () => {
  const link = { supplierId: 'acme', id: 'L1', expiresAt: new Date(NOW.getTime() + 60_000) };

  it('opens a link signed with the supplier key until it expires', () => {
    const token = createPortalLinkToken(link, KEY);
    assert.equal(portalLinkSupplier(token), 'acme');
    assert.deepEqual(verifyPortalLinkToken(token, KEY, NOW), {
      supplierId: 'acme',
      id: 'L1',
      expiresAt: new Date(Math.floor(link.expiresAt.getTime() / 1000) * 1000),
    });
    assert.equal(verifyPortalLinkToken(token, KEY, link.expiresAt), 'expired');
  });

  it('refuses a link signed with another key, or changed in any part', () => {
    const token = createPortalLinkToken(link, KEY);
    assert.equal(verifyPortalLinkToken(token, 'another-key-of-16-characters', NOW), undefined);
    const [, payload, mac] = token.split('.');
    const otherSupplier = `${Buffer.from('zeta').toString('base64url')}.${payload}.${mac}`;
    assert.equal(verifyPortalLinkToken(otherSupplier, KEY, NOW), undefined, 'another supplier named');
    const longer = createPortalLinkToken({ ...link, expiresAt: new Date(NOW.getTime() + 9e9) }, KEY).split(
      '.',
    )[1];
    assert.equal(
      verifyPortalLinkToken(token.replace(payload!, longer!), KEY, NOW),
      undefined,
      'expiry moved',
    );
    assert.equal(verifyPortalLinkToken('not a token', KEY, NOW), undefined);
  });

  it('refuses a key too short to sign with, naming the credential', () => {
    assert.throws(
      () => createPortalLinkToken(link, 'short'),
      (err: DropshipError) => err.details.some((d) => d.path === 'credentials.portalLinkKey'),
    );
  });
});

describe('supplier portal: answers and parcels', () => {
  const who = { supplierId: 'acme', actor: 'supplier:acme' };

  it('makes a partial acknowledgement of an answer with a backordered line, by its actor', () => {
    const ack = acknowledgementFromAnswers(
      po,
      [{ status: 'accepted' }, { status: 'backordered', expectedShipDate: '2027-01-15' }],
      who,
      NOW,
    );
    assert.equal(ack.outcome, 'partial');
    assert.equal(ack.actor, 'supplier:acme');
    assert.deepEqual(
      ack.lines!.map((l) => [l.sku, l.status, l.quantity, l.expectedShipDate]),
      [
        ['MUG', 'accepted', 2, undefined],
        ['LAMP', 'backordered', 1, '2027-01-15'],
      ],
    );
    assert.equal(
      acknowledgementFromAnswers(po, [{ status: 'accepted' }, { status: 'accepted' }], who, NOW).outcome,
      'accepted',
    );
  });

  it('turns parcels into shipment events with the carrier detected from the number', () => {
    const events = parcelEvents(
      po,
      [
        { trackingNumber: '1Z999AA10123456784', quantities: [2, 0] },
        { trackingNumber: '', quantities: [0, 0] },
        { trackingNumber: '1Z999AA10987654328', quantities: [0, 1] },
      ],
      NOW,
    );
    assert.deepEqual(
      events.map((e) => [e.trackingNumber, e.carrier, e.poNumber, e.lines, e.source]),
      [
        ['1Z999AA10123456784', 'ups', 'PO123-1', [{ sku: 'MUG', quantity: 2 }], 'portal'],
        ['1Z999AA10987654328', 'ups', 'PO123-1', [{ sku: 'LAMP', quantity: 1 }], 'portal'],
      ],
    );
    assert.match(events[0]!.trackingUrl ?? '', /^https:\/\/www\.ups\.com\//);
  });

  it('refuses a failing check digit, an unknown carrier, an empty parcel and too many items, naming each', () => {
    assert.deepEqual(
      refusal(() =>
        parcelEvents(
          po,
          [
            { trackingNumber: '1Z999AA10123456785', quantities: [1, 0] },
            { trackingNumber: 'ABC12345678', quantities: [1, 0] },
            { trackingNumber: '1Z999AA10987654328', quantities: [0, 0] },
            { trackingNumber: '', quantities: [1, 1] },
          ],
          NOW,
        ),
      ),
      [
        { path: 'parcels/1/trackingNumber', message: '"1Z999AA10123456785" fails the UPS check digit' },
        {
          path: 'parcels/2/carrier',
          message: '"ABC12345678" matches no carrier we know: choose the carrier',
        },
        { path: 'parcels/3/lines', message: 'hold no item' },
        { path: 'parcels/4/trackingNumber', message: 'is required' },
      ],
    );
    assert.deepEqual(
      refusal(() =>
        parcelEvents(
          po,
          [
            { trackingNumber: '1Z999AA10123456784', quantities: [2, 0] },
            { trackingNumber: '1Z999AA10987654328', quantities: [1, 1] },
          ],
          NOW,
        ),
      ),
      [{ path: 'lines/1', message: 'MUG: more than the 2 ordered' }],
    );
    assert.deepEqual(
      refusal(() => parcelEvents(po, [], NOW)),
      [{ path: 'parcels', message: 'enter a tracking number and the items in it' }],
    );
  });
});

describe('supplier portal: pages', () => {
  const t = portalTranslator('en-US');
  const ctx = { t, language: 'en-US', base: '/dropship/portal', supplierId: 'acme', signOutToken: 'T' };
  const view: PortalPurchaseOrderView = {
    number: 'PO123-1',
    state: 'sent',
    orderNumber: '#1001',
    placedAt: NOW.toISOString(),
    dueBy: '2026-12-04T17:00:00.000Z',
    shipTo: { name: '<script>alert(1)</script>', line1: '1 Main St', city: 'Portland', country: 'US' },
    lines: [{ orderLineId: '1', sku: 'MUG', title: 'Mug "large"', quantity: 2 }],
  };

  it('escapes what comes from the order and puts a one-time token in every form', () => {
    const html = purchaseOrderPage(
      ctx,
      view,
      { backorder: true, reject: false, stock: true, confirmCancel: true },
      { answer: 'A1', ship: 'S1', cancel: 'C1' },
    );
    assert.ok(!html.includes('<script>alert'), 'the ship-to name is escaped');
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    const forms = html.match(/<form[\s\S]*?<\/form>/g)!;
    assert.ok(forms.length >= 3);
    for (const form of forms) assert.match(form, /name="_csrf" value="[^"]+"/, form.slice(0, 80));
    assert.doesNotMatch(html, /value="rejected"/, 'rejecting is not allowed for this supplier');
    assert.match(html, /Ship by 2026-12-04/);
    assert.doesNotMatch(html, / style="/, 'no inline style attribute (the CSP allows none)');
  });

  it('lists POs with their ship-by date and says when there are none', () => {
    assert.match(ordersPage(ctx, [view], ''), /Ship by 2026-12-04/);
    assert.match(ordersPage(ctx, [], 'zzz'), /No purchase orders here\./);
  });

  it('falls back to en-US for a language without a locale', () => {
    assert.equal(portalTranslator('xx-XX')('nav.orders'), 'Orders');
  });
});
