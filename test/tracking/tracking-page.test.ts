import assert from 'node:assert/strict';
import {
  renderTrackingLookupPage,
  renderTrackingPage,
  type TrackingPageView,
} from '../../core/tracking-page/tracking-page';
import { splitOrderView } from './tracking-page-views';

const branding = {
  storeName: 'Acme Goods',
  primaryColour: '#0a7d52',
  timeZone: 'America/Los_Angeles',
  locale: 'en-US',
};

describe('renderTrackingPage', () => {
  it('shows every parcel of a split order in plain words, with the store name and colour', () => {
    const html = renderTrackingPage(splitOrderView(), branding);
    assert.match(html, /<title>Order #1001 · Acme Goods<\/title>/);
    assert.match(html, /--primary: #0a7d52;/);
    assert.match(html, /Parcel 1 of 2/);
    assert.match(html, /Out for delivery/);
    assert.match(html, /Your parcel is with the driver and should arrive today\./);
    assert.match(html, /Preparing to ship/);
    assert.match(html, /Sent with UPS, tracking number <span class="number">1Z5R89390357567127<\/span>/);
    assert.match(html, /Expected Friday, November 27/);
    assert.match(html, /Still to come/);
  });

  it('uses no carrier codes or raw statuses', () => {
    const html = renderTrackingPage(splitOrderView(), branding);
    for (const jargon of [
      'out_for_delivery',
      'info_received',
      'in_transit',
      'UPSN',
      'rawStatus',
      'Manifest',
    ]) {
      assert.ok(!html.replace(/class="[^"]*"/g, '').includes(jargon), jargon);
    }
  });

  it('escapes everything that comes from data and configuration', () => {
    const view: TrackingPageView = {
      orderNumber: '<img src=x onerror=alert(1)>',
      parcels: [
        {
          trackingNumber: '"><script>alert(2)</script>',
          carrier: '<b>Evil</b>',
          trackingUrl: 'javascript:alert(3)',
          status: 'in_transit',
          items: [{ title: 'Mug & <Saucer>', quantity: 1 }],
          events: [{ status: 'in_transit', occurredAt: '2026-11-24T10:00:00Z', location: '<i>Reno</i>' }],
        },
      ],
    };
    const html = renderTrackingPage(view, {
      storeName: '</title><script>alert(4)</script>',
      primaryColour: 'red;} body{display:none',
      logoUrl: 'javascript:alert(5)',
      supportEmail: '"><script>alert(6)</script>@example.test',
    });
    assert.ok(!/<script/i.test(html), 'no script element');
    assert.ok(!html.includes('javascript:'), 'no javascript: URL');
    assert.ok(!/<img src=x/i.test(html) && !html.includes('<b>Evil') && !html.includes('<i>Reno'));
    assert.match(html, /Mug &amp; &lt;Saucer&gt;/);
    assert.match(html, /--primary: #1f4e79;/, 'an invalid colour falls back to the default');
  });

  it('tells the customer about an order cancelled or not yet shipped', () => {
    assert.match(
      renderTrackingPage({ orderNumber: '#1002', cancelled: true, parcels: [] }, branding),
      /This order was cancelled/,
    );
    const waiting = renderTrackingPage(
      { orderNumber: '#1003', parcels: [], awaiting: [{ title: 'Lamp', quantity: 1 }] },
      branding,
    );
    assert.match(waiting, /Being prepared/);
    assert.match(waiting, /1 × Lamp/);
  });

  it('is pure: the same view renders the same page', () => {
    assert.equal(
      renderTrackingPage(splitOrderView(), branding),
      renderTrackingPage(splitOrderView(), branding),
    );
  });
});

describe('renderTrackingLookupPage', () => {
  it('renders the order number and e-mail form with an escaped error and previous input', () => {
    const html = renderTrackingLookupPage(branding, {
      action: '/dropship/track',
      orderNumber: '"1001',
      error: 'No order <1001>',
    });
    assert.match(html, /<form method="post" action="\/dropship\/track">/);
    assert.match(html, /value="&quot;1001"/);
    assert.match(html, /No order &lt;1001&gt;/);
  });
});
