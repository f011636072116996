import assert from 'node:assert/strict';
import { checkTemplate, DEFAULT_EMAIL_TEMPLATES, renderEmail } from '../../core/notify/email-templates';
import { MILESTONE_KINDS } from '../../core/notify/milestones';
import { DEFAULT_SMS_TEMPLATES, renderSms } from '../../core/notify/sms-templates';

/** A view as the outbox builds it, with values that need escaping in HTML. */
const view = {
  storeName: 'Tom & Jerry <Shop>',
  order: { number: '#1042' },
  customer: { firstName: 'Zoë' },
  lines: [
    { title: 'Mug "Big" <b>', quantity: 2 },
    { title: 'Tee', quantity: 1 },
  ],
  shipment: {
    trackingNumber: '1Z999AA10123456784',
    trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784&loc=en_US',
    carrierName: 'UPS',
  },
};

describe('email templates', () => {
  it('escapes values in the HTML part and leaves them plain in the text part', () => {
    const email = renderEmail(DEFAULT_EMAIL_TEMPLATES.confirmed, view);
    assert.ok(email.html.includes('Tom &amp; Jerry &lt;Shop&gt;'), email.html);
    assert.ok(email.html.includes('<li>2 &times; Mug &quot;Big&quot; &lt;b&gt;</li>'), email.html);
    assert.ok(!email.html.includes('<b>'));
    assert.ok(email.text.includes('- 2 x Mug "Big" <b>\n'), email.text);
    assert.ok(email.text.endsWith('Tom & Jerry <Shop>'), email.text);
    assert.equal(email.subject, 'Your order #1042 is confirmed');
  });

  it('puts the tracking link into an attribute safely', () => {
    const email = renderEmail(DEFAULT_EMAIL_TEMPLATES.shipped, {
      ...view,
      shipment: { ...view.shipment, trackingUrl: 'https://t.example/?a=1&b="x"' },
    });
    assert.ok(
      email.html.includes('href="https:&#x2F;&#x2F;t.example&#x2F;?a&#x3D;1&amp;b&#x3D;&quot;x&quot;"'),
      email.html,
    );
    assert.ok(email.text.includes('Follow it: https://t.example/?a=1&b="x"'), email.text);
    assert.ok(email.text.includes('on its way with UPS'));
  });

  it('leaves the follow line out, never empty, for a parcel with no link and no tracking page', () => {
    const unlinked = { ...view, shipment: { trackingNumber: 'ABC12345', carrierName: 'the carrier' } };
    const email = renderEmail(DEFAULT_EMAIL_TEMPLATES.shipped, unlinked);
    assert.ok(!email.text.includes('Follow it'), email.text);
    assert.ok(email.text.includes('Tracking number: ABC12345'), email.text);
    assert.ok(!email.html.includes('href=""') && !email.html.includes('Follow your parcel'), email.html);
    const sms = renderSms(DEFAULT_SMS_TEMPLATES.shipped, unlinked);
    assert.ok(!/Track it:\s*$/.test(sms) && !sms.includes('Track it'), sms);
    const withPage = renderEmail(DEFAULT_EMAIL_TEMPLATES.shipped, {
      ...unlinked,
      trackingPageUrl: 'https://shop.example/dropship/track/t0ken',
    });
    assert.ok(withPage.text.includes('Follow it: https://shop.example/dropship/track/t0ken'), withPage.text);
  });

  it('keeps a subject on one line whatever the data holds', () => {
    const email = renderEmail(DEFAULT_EMAIL_TEMPLATES.shipped, {
      ...view,
      order: { number: '1042\r\nBcc: attacker@evil.test' },
    });
    assert.equal(email.subject, 'Your order 1042 Bcc: attacker@evil.test has shipped');
    assert.ok(!/[\r\n]/.test(email.subject));
  });

  it('renders every built-in milestone with nothing left unfilled', () => {
    for (const kind of MILESTONE_KINDS) {
      const email = renderEmail(DEFAULT_EMAIL_TEMPLATES[kind], view);
      for (const part of [email.subject, email.text, email.html]) {
        assert.ok(!part.includes('{{'), `${kind}: ${part}`);
        assert.ok(part.includes('#1042') || part.includes('Tom'), `${kind} names the order or the store`);
      }
    }
  });

  it('reports a template an operator broke, and passes a sound one', () => {
    assert.match(String(checkTemplate('Hello {{#lines}}{{title}}')), /Unclosed section "lines"/);
    assert.equal(checkTemplate(DEFAULT_EMAIL_TEMPLATES.delivered.html), undefined);
  });
});
