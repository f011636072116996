import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import {
  compileMailMatching,
  htmlToText,
  readMailTexts,
  readSupplierMail,
  shipmentEventsFromMail,
} from '../../connectors/mail/supplier-mail';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'mail', name));
const matching = compileMailMatching();

describe('reading supplier e-mails', () => {
  const cases: {
    file: string;
    po?: string;
    order?: string;
    number: string;
    carrier: string;
    sentAt: string;
  }[] = [
    // plain text, number printed in groups, carrier named in the text
    {
      file: 'plain-ups.eml',
      po: 'POM5W7RC67QB-1',
      number: '1Z5R89390357567127',
      carrier: 'ups',
      sentAt: '2026-11-24T14:13:58.000Z',
    },
    // HTML only, quoted-printable, the number only inside the carrier link
    {
      file: 'html-only-fedex.eml',
      po: 'POPD8B4545QA-1',
      number: '041441760228964',
      carrier: 'fedex',
      sentAt: '2026-11-24T15:02:11.000Z',
    },
    // multipart/alternative with a base64 HTML part, matched by store order number
    {
      file: 'multipart-usps.eml',
      order: '1001',
      number: '9400111202555842332669',
      carrier: 'usps',
      sentAt: '2026-11-25T16:30:00.000Z',
    },
    // forwarded inline by a colleague: the supplier's text below the separator
    {
      file: 'forwarded-inline-dhl.eml',
      po: 'POE9SEFNR5TA-2',
      number: '3318810025',
      carrier: 'dhl',
      sentAt: '2026-11-25T09:05:41.000Z',
    },
    // forwarded as a message/rfc822 attachment: PO in the inner subject, number unlabelled in inner HTML
    {
      file: 'forwarded-attachment-ups.eml',
      po: 'POPSWMQGBNH3-1',
      number: '1Z879E930346834440',
      carrier: 'ups',
      sentAt: '2026-11-25T17:40:12.000Z',
    },
  ];
  for (const c of cases) {
    it(`finds the reference and the parcel in ${c.file}`, async () => {
      const reading = await readSupplierMail(fixture(c.file), matching);
      assert.deepEqual(reading.poNumbers, c.po ? [c.po] : []);
      assert.deepEqual(reading.orderNumbers, c.order ? [c.order] : []);
      assert.deepEqual(
        reading.parcels.map((p) => [p.trackingNumber, p.carrier]),
        [[c.number, c.carrier]],
      );
      assert.equal(reading.sentAt, c.sentAt);
      assert.deepEqual(reading.problems, []);
    });
  }

  it('reports a mail with nothing to match, and takes no phone or account number for a parcel', async () => {
    const reading = await readSupplierMail(fixture('unmatched-newsletter.eml'), matching);
    assert.deepEqual(reading.parcels, []);
    assert.deepEqual(reading.problems, ['no PO number or order number found', 'no tracking number found']);
  });

  it('matches order numbers with the configured patterns', () => {
    const custom = compileMailMatching({
      orderNumberPatterns: [String.raw`your ref(?:erence)?:?\s*(SO-\d+)`],
    });
    const reading = readMailTexts(
      { subject: 'Dispatch note', text: 'Your ref: SO-48213\nTracking number: 1Z5R89390357567127' },
      custom,
    );
    assert.deepEqual(reading.orderNumbers, ['SO-48213']);
  });

  it('names a broken or capture-less pattern by its place in the settings', () => {
    assert.throws(
      () => compileMailMatching({ orderNumberPatterns: ['order (\\d+', 'order \\d+'] }),
      (err: unknown) => {
        assert.ok(err instanceof DropshipError);
        assert.deepEqual(
          err.details.map((d) => d.path),
          ['/matching/orderNumberPatterns/0', '/matching/orderNumberPatterns/1'],
        );
        return true;
      },
    );
  });

  it('refuses a labelled number whose check digit is wrong', () => {
    const reading = readMailTexts(
      { subject: 'PO POM5W7RC67QB-1', text: 'Tracking number: 1Z5R89390357567128' },
      matching,
    );
    assert.deepEqual(reading.parcels, []);
  });

  it('keeps table cells apart and decodes entities when reading HTML', () => {
    assert.equal(htmlToText('<td>PO</td><td>POM5W7RC67QB-1</td>').trim(), 'PO POM5W7RC67QB-1');
    assert.equal(htmlToText('A&nbsp;&amp;&#x42;&#67;').trim(), 'A &BC');
  });

  it('turns a matched mail into info-received events timed by the mail, the same each time it is read', async () => {
    const reading = await readSupplierMail(fixture('plain-ups.eml'), matching);
    const events = shipmentEventsFromMail(
      reading,
      { orderId: 'ord-7f3a', poNumber: 'POM5W7RC67QB-1' },
      new Date(),
    );
    assert.deepEqual(events, [
      {
        orderId: 'ord-7f3a',
        poNumber: 'POM5W7RC67QB-1',
        carrier: 'ups',
        trackingNumber: '1Z5R89390357567127',
        trackingUrl: 'https://www.ups.com/track?tracknum=1Z5R89390357567127',
        status: 'info_received',
        rawStatus: 'e-mail: Shipment confirmation for PO POM5W7RC67QB-1',
        occurredAt: '2026-11-24T14:13:58.000Z',
        source: 'email',
      },
    ]);
  });

  it('never times a parcel before its PO was sent: an old Date header is raised to the send time and flagged', async () => {
    const reading = await readSupplierMail(fixture('plain-ups.eml'), matching);
    const sentAt = new Date('2026-11-25T08:00:00.000Z');
    const [event] = shipmentEventsFromMail(
      reading,
      { orderId: 'ord-7f3a', poNumber: 'POM5W7RC67QB-1' },
      new Date('2026-11-25T09:00:00.000Z'),
      sentAt,
    );
    assert.equal(event!.occurredAt, '2026-11-25T08:00:00.000Z');
    assert.match(event!.rawStatus!, /Date header 2026-11-24T14:13:58\.000Z is before the PO was sent/);
    const [later] = shipmentEventsFromMail(
      reading,
      { orderId: 'ord-7f3a', poNumber: 'POM5W7RC67QB-1' },
      new Date('2026-11-25T09:00:00.000Z'),
      new Date('2026-11-20T00:00:00.000Z'),
    );
    assert.equal(later!.occurredAt, '2026-11-24T14:13:58.000Z');
    assert.equal(later!.rawStatus, 'e-mail: Shipment confirmation for PO POM5W7RC67QB-1');
  });

  it("reads a supplier's own order references with its patterns, only in mail from that supplier", async () => {
    const acme = compileMailMatching({
      supplierReferences: [
        String.raw`acme @acme-supply.example your order #(\d+)`,
        String.raw`acme shipping@acme-supply.example \bPO (\d{6})\b`,
        String.raw`zeta @zeta.example Auftrag (\d+)`,
      ],
    });
    const raw = fixture('plain-ups.eml')
      .toString()
      .replace(
        'Subject: Shipment confirmation for PO POM5W7RC67QB-1',
        'Subject: your order #1042 (PO 100234) has shipped, Auftrag 77',
      );
    const reading = await readSupplierMail(raw, acme);
    assert.deepEqual(reading.supplierReferences, [
      { supplierId: 'acme', reference: '1042' },
      { supplierId: 'acme', reference: '100234' },
    ]);
    assert.throws(
      () => compileMailMatching({ supplierReferences: ['acme @acme.example'] }),
      (e: unknown) =>
        e instanceof DropshipError &&
        e.details[0]!.path === '/matching/supplierReferences/0' &&
        /supplier id, a sender address or @domain, and a pattern/.test(e.details[0]!.message),
    );
  });
});
