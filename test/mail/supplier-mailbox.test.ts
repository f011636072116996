import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DropshipError } from '../../core/errors';
import type { SupplierMailReading } from '../../connectors/mail/supplier-mail';
import {
  READ_KEYWORD,
  SupplierMailbox,
  UNMATCHED_KEYWORD,
  type HandledMail,
  type MailDisposition,
  type SupplierMailboxSettings,
} from '../../connectors/mail/supplier-mailbox';
import { startImapServer, type ImapTestServer } from '../servers/imap-server';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'mail', name));
const quietLog = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/** The orders a store would know: PO numbers and order numbers of the fixtures, except the newsletter's. */
const KNOWN = new Set(['POM5W7RC67QB-1', 'POPD8B4545QA-1', '1001', 'POE9SEFNR5TA-2', 'POPSWMQGBNH3-1']);

function matchAgainstKnownOrders(reading: SupplierMailReading): MailDisposition {
  if (reading.problems.length > 0) return { outcome: 'unmatched', reason: reading.problems.join('; ') };
  const reference = [...reading.poNumbers, ...reading.orderNumbers].find((r) => KNOWN.has(r));
  return reference ? { outcome: 'processed' } : { outcome: 'unmatched', reason: 'no such order' };
}

/** Resolves with the next handled mail that satisfies `test`. */
function nextHandled(
  handled: HandledMail[],
  test: (h: HandledMail) => boolean,
  timeoutMs = 10_000,
): Promise<HandledMail> {
  const start = handled.length;
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('no such mail was handled')), timeoutMs);
    const timer = setInterval(() => {
      const found = handled.slice(start).find(test);
      if (found) {
        clearInterval(timer);
        clearTimeout(deadline);
        resolve(found);
      }
    }, 20);
  });
}

describe('supplier mailbox against Dovecot', function () {
  this.timeout(30_000);
  let server: ImapTestServer;
  const mailboxes: SupplierMailbox[] = [];

  function open(
    settings: Partial<SupplierMailboxSettings>,
    onMail = async (r: SupplierMailReading) => matchAgainstKnownOrders(r),
  ) {
    const handled: HandledMail[] = [];
    const readings: SupplierMailReading[] = [];
    const mailbox = new SupplierMailbox({
      settings: { host: server.host, port: server.port, secure: false, ...settings },
      credentials: { user: server.user, password: server.password },
      onMail: async (reading) => {
        readings.push(reading);
        return onMail(reading);
      },
      onHandled: (h) => handled.push(h),
      log: quietLog,
    });
    mailboxes.push(mailbox);
    return { mailbox, handled, readings };
  }

  afterEach(async () => {
    await Promise.all(mailboxes.splice(0).map((m) => m.stop()));
    await server?.stop();
  });

  it('reads waiting mail once: processed mail moved, unmatched mail kept aside with its reason', async () => {
    server = await startImapServer();
    for (const file of [
      'plain-ups.eml',
      'html-only-fedex.eml',
      'multipart-usps.eml',
      'unmatched-newsletter.eml',
    ]) {
      await server.deliver(fixture(file));
    }
    const first = open({ processedFolder: 'Processed', unmatchedFolder: 'Unmatched' });
    await first.mailbox.start();
    assert.deepEqual(
      first.handled.map((h) => h.disposition.outcome),
      ['processed', 'processed', 'processed', 'unmatched'],
    );
    const unmatched = first.handled[3]!;
    assert.deepEqual(unmatched.disposition, {
      outcome: 'unmatched',
      reason: 'no PO number or order number found; no tracking number found',
    });
    assert.equal(unmatched.reading?.subject, 'Holiday hours and shipping cut-off dates');

    assert.equal((await server.flags('INBOX')).size, 0);
    const processed = await server.flags('Processed');
    assert.equal(processed.size, 3);
    assert.ok([...processed.values()].every((f) => f.has(READ_KEYWORD) && !f.has(UNMATCHED_KEYWORD)));
    const aside = [...(await server.flags('Unmatched')).values()];
    assert.equal(aside.length, 1);
    assert.ok(aside[0]!.has(UNMATCHED_KEYWORD));

    // A restart reads nothing twice.
    await first.mailbox.stop();
    const second = open({ processedFolder: 'Processed', unmatchedFolder: 'Unmatched' });
    await second.mailbox.start();
    assert.deepEqual(second.handled, []);
  });

  it('marks mail in place when no folders are configured, so a restart skips it', async () => {
    server = await startImapServer();
    await server.deliver(fixture('forwarded-inline-dhl.eml'));
    await server.deliver(fixture('unmatched-newsletter.eml'));
    const first = open({});
    await first.mailbox.start();
    const flags = [...(await server.flags('INBOX')).values()];
    assert.equal(flags.length, 2);
    assert.ok(flags.every((f) => f.has(READ_KEYWORD)));
    assert.equal(flags.filter((f) => f.has(UNMATCHED_KEYWORD)).length, 1);
    await first.mailbox.stop();
    const second = open({});
    await second.mailbox.start();
    assert.deepEqual(second.handled, []);
  });

  it('follows new mail with IDLE when the server offers it', async () => {
    server = await startImapServer();
    const { mailbox, handled } = open({ idleDelayMs: 100 });
    await mailbox.start();
    assert.equal(mailbox.mode, 'idle');
    const arrival = nextHandled(handled, (h) => h.reading?.poNumbers.includes('POPSWMQGBNH3-1') === true);
    await server.deliver(fixture('forwarded-attachment-ups.eml'));
    const mail = await arrival;
    assert.equal(mail.disposition.outcome, 'processed');
    assert.equal(mail.reading?.parcels[0]?.trackingNumber, '1Z879E930346834440');
  });

  it('polls when the server offers no IDLE', async () => {
    server = await startImapServer({ idle: false });
    const { mailbox, handled } = open({ pollIntervalMs: 1000 });
    await mailbox.start();
    assert.equal(mailbox.mode, 'poll');
    const arrival = nextHandled(handled, (h) => h.reading?.orderNumbers.includes('1001') === true);
    await server.deliver(fixture('multipart-usps.eml'));
    assert.equal((await arrival).disposition.outcome, 'processed');
  });

  it('leaves mail unmarked when the handler cannot take it now, and reads it again later', async () => {
    server = await startImapServer();
    await server.deliver(fixture('plain-ups.eml'));
    let storeUp = false;
    const { mailbox, handled } = open({ retryDelayMs: 1000 }, async (reading) => {
      if (!storeUp) throw new Error('store unavailable');
      return matchAgainstKnownOrders(reading);
    });
    await mailbox.start();
    assert.deepEqual(handled[0]?.disposition, { outcome: 'retry', reason: 'store unavailable' });
    assert.ok(![...(await server.flags('INBOX')).values()][0]!.has(READ_KEYWORD));
    storeUp = true;
    const again = await nextHandled(handled, (h) => h.disposition.outcome === 'processed');
    assert.equal(again.reading?.poNumbers[0], 'POM5W7RC67QB-1');
  });

  it('rejects start when the server refuses the login, and does not keep retrying', async () => {
    server = await startImapServer();
    const mailbox = new SupplierMailbox({
      settings: { host: server.host, port: server.port, secure: false },
      credentials: { user: server.user, password: 'wrong' },
      onMail: async () => ({ outcome: 'processed' }),
      log: quietLog,
    });
    await assert.rejects(
      mailbox.start(),
      (err: unknown) =>
        err instanceof DropshipError && err.code === 'configuration' && /refused the login/.test(err.message),
    );
    assert.equal(mailbox.mode, 'stopped');
  });
});
