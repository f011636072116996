import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import type { OrderStore } from '../../core/store/order-store';
import { READ_KEYWORD, UNMATCHED_KEYWORD } from '../../connectors/mail/supplier-mailbox';
import storeNode from '../../nodes/store/store';
import trackingInNode from '../../nodes/tracking-in/tracking-in';
import { startImapServer, type ImapTestServer } from '../servers/imap-server';
import { acceptedOrder, collect, storeOfFlow, until, type Received } from './tracking-in-setup';

helper.init(require.resolve('node-red'));

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'mail', name), 'utf8');

/** Realistic supplier mails, each with the PO number its fixture quotes, and the parcel it announces. */
const MAILS = [
  { file: 'plain-ups.eml', po: 'POM5W7RC67QB-1', parcel: ['1Z5R89390357567127', 'ups'] },
  { file: 'html-only-fedex.eml', po: 'POPD8B4545QA-1', parcel: ['041441760228964', 'fedex'] },
  { file: 'forwarded-inline-dhl.eml', po: 'POE9SEFNR5TA-2', parcel: ['3318810025', 'dhl'] },
  { file: 'forwarded-attachment-ups.eml', po: 'POPSWMQGBNH3-1', parcel: ['1Z879E930346834440', 'ups'] },
  // Quotes no PO, only the store's order number "#1001".
  { file: 'multipart-usps.eml', parcel: ['9400111202555842332669', 'usps'] },
] as const;

interface Stored {
  orderIds: string[];
  /** The fixture mails rewritten to quote the PO numbers of the stored orders. */
  mails: { file: string; raw: string }[];
}

/** One order per mail; the mails rewritten to name them as the supplier would. */
async function ordersForMails(store: OrderStore): Promise<Stored> {
  const orderIds: string[] = [];
  const mails: Stored['mails'] = [];
  for (const [i, mail] of MAILS.entries()) {
    const { order, pos } = await acceptedOrder(store, { orderNumber: 'po' in mail ? `#70${i}` : '#1001' });
    orderIds.push(order.id);
    const raw = fixture(mail.file);
    mails.push({ file: mail.file, raw: 'po' in mail ? raw.split(mail.po).join(pos[0]!.number) : raw });
  }
  return { orderIds, mails };
}

function parcelsOf(events: Received[]): string[][] {
  return events
    .map((e) => [
      e.orderId!,
      e.shipmentEvent!.trackingNumber,
      e.shipmentEvent!.carrier!,
      e.shipmentEvent!.status,
    ])
    .sort((a, b) => a[1]!.localeCompare(b[1]!));
}

function expectedParcels(orderIds: string[]): string[][] {
  return MAILS.map((m, i) => [orderIds[i]!, m.parcel[0], m.parcel[1], 'info_received']).sort((a, b) =>
    a[1]!.localeCompare(b[1]!),
  );
}

describe('dropship-tracking-in: supplier e-mail', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dropship-tracking-mail-'));
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(tracking: Record<string, unknown>, credentials: Record<string, string> = {}) {
    const flow = [
      { id: 'store', type: 'dropship-store', engine: 'sqlite', filename: path.join(dir, 'orders.sqlite') },
      {
        id: 'tracking',
        type: 'dropship-tracking-in',
        store: 'store',
        listen: false,
        wires: [['events'], ['errors'], ['labels']],
        ...tracking,
      },
      { id: 'events', type: 'helper' },
      { id: 'errors', type: 'helper' },
      { id: 'labels', type: 'helper' },
    ];
    await helper.load([storeNode, trackingInNode], flow, { tracking: credentials });
    return { store: await storeOfFlow(), events: collect('events'), errors: collect('errors') };
  }

  /** Resolves when the tracking node shows `text` as its status. */
  function statusText(text: string): Promise<void> {
    type StatusCall = { args: [{ text?: string }]; thisValue: unknown };
    const node = helper.getNode('tracking') as unknown as {
      on(e: string, f: (call: StatusCall) => void): void;
      // The helper spies on every node's status(); calls made before this listener are in its history.
      status: { getCalls(): StatusCall[] };
    };
    const shown = (call: StatusCall) => call.thisValue === node && call.args[0].text === text;
    return new Promise((resolve) => {
      if (node.status.getCalls().some(shown)) resolve();
      node.on('call:status', (call) => {
        if (shown(call)) resolve();
      });
    });
  }

  describe('over IMAP (Dovecot on 127.0.0.1)', () => {
    let server: ImapTestServer;
    afterEach(async () => {
      await server?.stop();
    });

    function imapSettings(mode: 'auto' | 'poll') {
      return {
        source: 'imap',
        imapHost: server.host,
        imapPort: server.port,
        imapTls: false,
        imapMode: mode,
        pollSeconds: 0.5,
      };
    }

    it('turns each new mail into shipment events as IDLE reports it; mail for no order goes out with the reason', async () => {
      server = await startImapServer();
      const { store, events, errors } = await load(imapSettings('auto'), {
        imapUser: server.user,
        imapPassword: server.password,
      });
      const { orderIds, mails } = await ordersForMails(store);
      // The mailbox is followed before the mail arrives: IDLE, not the first read, must bring it in.
      await statusText('waiting: mailbox followed (the server reports new mail)');
      for (const mail of mails) await server.deliver(mail.raw);
      await server.deliver(fixture('unmatched-newsletter.eml'));
      await server.deliver(fixture('plain-ups.eml')); // quotes a PO number the store does not have

      await until(() => (events.length === 5 && errors.length === 2 ? true : undefined), 'every mail');
      assert.deepEqual(parcelsOf(events), expectedParcels(orderIds));
      assert.ok(events.every((e) => e.shipmentEvent!.source === 'email'));
      for (const id of orderIds) assert.equal((await store.getOrder(id))!.state, 'shipped');

      const reasons = errors.map((e) => [e.error!.code, e.error!.message]).sort();
      assert.deepEqual(reasons, [
        ['not_found', 'supplier mail not used: PO POM5W7RC67QB-1 matches no order in the store'],
        ['not_found', 'supplier mail not used: no tracking number found in the mail'],
      ]);
      const newsletter = errors.find((e) => e.error!.message.includes('no tracking number'))!;
      assert.equal(newsletter.payload!.subject, 'Holiday hours and shipping cut-off dates');

      const flags = await until(async () => {
        const byUid = await server.flags();
        return [...byUid.values()].every((f) => f.has(READ_KEYWORD)) ? byUid : undefined;
      }, 'every mail marked as read');
      assert.equal([...flags.values()].filter((f) => f.has(UNMATCHED_KEYWORD)).length, 2);
    });

    it('polls a server without IDLE, and reads each mail once across a restart', async () => {
      server = await startImapServer({ idle: false });
      const { store, events } = await load(imapSettings('auto'), {
        imapUser: server.user,
        imapPassword: server.password,
      });
      const { orderIds, mails } = await ordersForMails(store);
      await server.deliver(mails[0]!.raw);
      await until(() => (events.length === 1 ? true : undefined), 'the polled mail');
      assert.equal(events[0]!.orderId, orderIds[0]);

      await helper.unload();
      const again = await load(imapSettings('poll'), {
        imapUser: server.user,
        imapPassword: server.password,
      });
      await server.deliver(mails[1]!.raw);
      await until(() => (again.events.length === 1 ? true : undefined), 'the next mail');
      assert.equal(again.events[0]!.orderId, orderIds[1], 'the first mail was not read again');
    });

    it('reports a refused login instead of following the mailbox', async () => {
      server = await startImapServer();
      await load(imapSettings('auto'), { imapUser: server.user, imapPassword: 'wrong' });
      const node = helper.getNode('tracking') as unknown as {
        on(e: string, f: (call: unknown) => void): void;
      };
      const problems: string[] = [];
      node.on('call:error', (call) => problems.push(String((call as { args: unknown[] }).args[0])));
      await until(() => (problems.length > 0 ? problems : undefined), 'an error');
      assert.match(problems[0]!, /refused the login/);
    });
  });

  it('reads a Maildir the same way: used mail to cur/ seen, unmatched mail seen and flagged', async () => {
    const maildir = path.join(dir, 'supplier-mail');
    const { store, events, errors } = await load({
      source: 'mailFolder',
      mailFolder: maildir,
      pollSeconds: 0.2,
    });
    const { orderIds, mails } = await ordersForMails(store);
    mkdirSync(path.join(maildir, 'new'), { recursive: true });
    mails.forEach((mail, i) =>
      writeFileSync(path.join(maildir, 'new', `17640000${i}.M1P1.sandbox`), mail.raw),
    );
    writeFileSync(path.join(maildir, 'new', '17640009.M1P1.sandbox'), fixture('unmatched-newsletter.eml'));

    await until(() => (events.length === 5 && errors.length === 1 ? true : undefined), 'the mail folder');
    assert.deepEqual(parcelsOf(events), expectedParcels(orderIds));
    assert.deepEqual(errors[0]!.payload!.file, '17640009.M1P1.sandbox');
    assert.deepEqual(readdirSync(path.join(maildir, 'new')), []);
    const read = readdirSync(path.join(maildir, 'cur')).sort();
    assert.equal(read.length, 6);
    assert.deepEqual(
      read.filter((name) => name.endsWith(':2,FS')),
      ['17640009.M1P1.sandbox:2,FS'],
    );
    assert.ok(read.filter((name) => !name.startsWith('17640009')).every((name) => name.endsWith(':2,S')));
  });

  it('never times a parcel by a Date header older than its PO: raised to the send time and flagged', async () => {
    const maildir = path.join(dir, 'supplier-mail');
    const { store, events } = await load({ source: 'mailFolder', mailFolder: maildir, pollSeconds: 0.2 });
    const { order, pos } = await acceptedOrder(store, { orderNumber: '#7101' });
    // The fixture's Date header (24 Nov 2026, 14:13 UTC) is older than this PO, made just now.
    const raw = fixture('plain-ups.eml').split('POM5W7RC67QB-1').join(pos[0]!.number);
    mkdirSync(path.join(maildir, 'new'), { recursive: true });
    writeFileSync(path.join(maildir, 'new', '17641000.M1P1.sandbox'), raw);
    await until(() => (events.length === 1 ? true : undefined), 'the parcel of the mail');
    const [shipment] = await store.listShipments(order.id);
    assert.ok(
      Date.parse(shipment!.lastEventAt) >= Date.parse(pos[0]!.createdAt),
      `the parcel is timed ${shipment!.lastEventAt}, before its PO (${pos[0]!.createdAt})`,
    );
    assert.match(shipment!.rawStatus!, /Date header 2026-11-24T14:13:58\.000Z is before the PO was sent/);
  });

  it("matches mail written in a supplier's own order numbers by that supplier's patterns", async () => {
    const maildir = path.join(dir, 'supplier-mail');
    const { store, events, errors } = await load({
      source: 'mailFolder',
      mailFolder: maildir,
      pollSeconds: 0.2,
      supplierReferences: 'acme @acme-supply.example your order #(\\d+)',
    });
    const { order, pos } = await acceptedOrder(store, { orderNumber: '#7201' });
    await store.transitionPurchaseOrder(
      pos[0]!.number,
      ['accepted'],
      'accepted',
      { supplierReference: '1042' },
      { type: 'po.reference', actor: 'test' },
    );
    // The mail names no PO number of ours and no store order number: only the supplier's own "order #1042".
    const raw = fixture('plain-ups.eml')
      .split('Shipment confirmation for PO POM5W7RC67QB-1')
      .join('Your order #1042 has shipped')
      .split('POM5W7RC67QB-1')
      .join('');
    mkdirSync(path.join(maildir, 'new'), { recursive: true });
    writeFileSync(path.join(maildir, 'new', '17642000.M1P1.sandbox'), raw);
    await until(() => (events.length + errors.length > 0 ? true : undefined), 'the mail read');
    assert.deepEqual(errors, []);
    assert.equal(events[0]!.orderId, order.id);
    assert.equal(events[0]!.poNumber, pos[0]!.number);
  });
});
