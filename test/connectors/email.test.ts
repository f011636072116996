import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import {
  OutcomeUnknownError,
  SupplierPermanentError,
  SupplierTransientError,
} from '../../core/ports/supplier-connector';
import { emailConnector, type EmailSettings } from '../../connectors/suppliers/email/email';
import { connectorContext } from './support/context';
import { sampleDispatchRequest } from './support/dispatch-request';
import { SmtpSupplier } from './peers/smtp-supplier';

describe('e-mail connector against smtp-server', () => {
  let smtp: SmtpSupplier;
  beforeEach(async () => {
    smtp = await new SmtpSupplier().start();
  });
  afterEach(async () => smtp.stop());

  const settings = (overrides: Partial<EmailSettings> = {}): EmailSettings => ({
    smtp: { host: '127.0.0.1', port: smtp.port },
    from: 'purchasing@dropship.test',
    to: 'orders@acme.test',
    messageIdDomain: 'dropship.test',
    timeoutMs: 1500,
    ...overrides,
  });
  const credentials = { username: 'orders@dropship.test', password: 'smtp-secret' };

  it('sends a formatted e-mail with the lines attached as CSV', async () => {
    const ctx = connectorContext(settings(), credentials);
    const request = sampleDispatchRequest();
    const result = await emailConnector.sendPurchaseOrder(request, ctx);
    assert.equal(result.outcome, 'sent');
    const [mail] = smtp.messages;
    assert.equal(mail!.subject, `Purchase order ${request.purchaseOrder.number} (order 1001)`);
    assert.equal(mail!.messageId, `<${request.purchaseOrder.number}.acme@dropship.test>`);
    assert.equal(mail!.headers.get('x-po-number'), request.purchaseOrder.number);
    assert.match(
      mail!.text!,
      /Please ship purchase order PO\w+-1 directly to our customer:\n\nAda Lovelace\n12 Analytical Way\nPortland OR 97201\nUS\nPhone: \+1 555 0100\n\n2 x SUP-MUG \(Mug\) \[our SKU MUG-01\]\n1 x TEE-01 \(T-shirt\)/,
    );
    const attachment = mail!.attachments[0]!;
    assert.equal(attachment.filename, `${request.purchaseOrder.number}.csv`);
    const rows: string[][] = parse(attachment.content.toString('utf8'));
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[1]!.slice(0, 4), [request.purchaseOrder.number, '1001', '1', 'SUP-MUG']);
    assert.ok(ctx.log.entries.every((e) => !e.message.includes('Ada')));
  });

  it('keeps data out of the headers: no header injection through the subject', async () => {
    const ctx = connectorContext(
      settings({ subjectTemplate: 'PO {poNumber} for {orderReference}' }),
      credentials,
    );
    const request = sampleDispatchRequest();
    request.order = { ...request.order, orderNumber: '1001\r\nBcc: attacker@evil.test\r\nX-Injected: yes' };
    await emailConnector.sendPurchaseOrder(request, ctx);
    const [mail] = smtp.messages;
    assert.equal(
      mail!.subject,
      `PO ${request.purchaseOrder.number} for 1001 Bcc: attacker@evil.test X-Injected: yes`,
    );
    assert.equal(mail!.headers.get('x-injected'), undefined);
    assert.equal(mail!.bcc, undefined);
    assert.ok(!/^Bcc:/im.test(smtp.raw[0]!));
  });

  it('resends with the same Message-ID, and the supplier counts one order', async () => {
    const ctx = connectorContext(settings(), credentials);
    const request = sampleDispatchRequest();
    await emailConnector.sendPurchaseOrder(request, ctx);
    await emailConnector.sendPurchaseOrder(request, ctx);
    assert.equal(smtp.messages.length, 2);
    assert.equal(smtp.orderCount, 1);
  });

  it('maps SMTP failures: 4xx transient, 5xx and bad login permanent, silence after DATA unknown', async () => {
    const request = sampleDispatchRequest();
    smtp.mode = 'defer-451';
    await assert.rejects(
      emailConnector.sendPurchaseOrder(request, connectorContext(settings(), credentials)),
      SupplierTransientError,
    );
    smtp.mode = 'refuse-550';
    await assert.rejects(
      emailConnector.sendPurchaseOrder(request, connectorContext(settings(), credentials)),
      SupplierPermanentError,
    );
    smtp.mode = 'ok';
    await assert.rejects(
      emailConnector.sendPurchaseOrder(
        request,
        connectorContext(settings(), { ...credentials, password: 'wrong' }),
      ),
      (e: unknown) => e instanceof SupplierPermanentError && /login refused/.test((e as Error).message),
    );
    smtp.mode = 'hang-after-data';
    await assert.rejects(
      emailConnector.sendPurchaseOrder(request, connectorContext(settings(), credentials)),
      OutcomeUnknownError,
    );
    await assert.rejects(
      emailConnector.sendPurchaseOrder(
        request,
        connectorContext(settings({ smtp: { host: '127.0.0.1', port: 1 } }), credentials),
      ),
      SupplierTransientError,
    );
  });

  it('refuses an unknown template placeholder', async () => {
    await assert.rejects(
      emailConnector.sendPurchaseOrder(
        sampleDispatchRequest(),
        connectorContext(settings({ bodyTemplate: 'Hi {customerEmail}' }), credentials),
      ),
      /placeholder \{customerEmail\} is unknown/,
    );
  });

  describe('cancelling', () => {
    const cancelRequest = () => ({ ...sampleDispatchRequest(), reason: 'backordered; no longer needed' });

    it('e-mails the order address a cancellation in the PO thread: CANCEL and the PO number, result requested', async () => {
      const ctx = connectorContext(settings(), credentials);
      const request = cancelRequest();
      const po = request.purchaseOrder.number;
      const result = await emailConnector.cancelPurchaseOrder!(request, ctx);
      assert.deepEqual(result, {
        outcome: 'requested',
        supplierReference: `<${po}.cancel.acme@dropship.test>`,
      });
      const [mail] = smtp.messages;
      assert.equal(mail!.subject, `CANCEL purchase order ${po} (order 1001)`);
      assert.deepEqual(mail!.to, {
        value: [{ address: 'orders@acme.test', name: '' }],
        html: '<span class="mp_address_group"><a href="mailto:orders@acme.test" class="mp_address_email">orders@acme.test</a></span>',
        text: 'orders@acme.test',
      });
      assert.equal(mail!.inReplyTo, `<${po}.acme@dropship.test>`);
      assert.equal(mail!.headers.get('x-po-number'), po);
      assert.equal(mail!.headers.get('x-po-action'), 'cancel');
      assert.match(
        mail!.text!,
        new RegExp(
          `Please CANCEL purchase order ${po} \\(our order 1001\\) and do not ship it\\.\\nReason: backordered; no longer needed`,
        ),
      );
      assert.doesNotMatch(mail!.text!, /Ada|Analytical/, 'no ship-to in a cancellation');
      assert.equal(mail!.attachments.length, 0);
      // A retry is recognisable: the same Message-ID.
      await emailConnector.cancelPurchaseOrder!(request, ctx);
      assert.equal(smtp.messages[1]!.messageId, smtp.messages[0]!.messageId);
    });

    it('e-mails a change notice in the PO thread: each line as it now stands and before, one Message-ID per change', async () => {
      const ctx = connectorContext(settings(), credentials);
      const sent = sampleDispatchRequest();
      const previousLines = sent.purchaseOrder.lines;
      const [first, ...rest] = previousLines;
      const request = {
        ...sent,
        purchaseOrder: { ...sent.purchaseOrder, lines: [{ ...first!, quantity: first!.quantity - 1 }] },
        previousLines,
        changeId: `${sent.purchaseOrder.number}-C3`,
        reason: 'the customer cancelled one unit',
      };
      const po = sent.purchaseOrder.number;
      const result = await emailConnector.changePurchaseOrder!(request, ctx);
      assert.deepEqual(result, {
        outcome: 'requested',
        supplierReference: `<${po}.${po}-C3.acme@dropship.test>`,
      });
      const [mail] = smtp.messages;
      assert.equal(mail!.subject, `CHANGE purchase order ${po} (order 1001)`);
      assert.equal(mail!.inReplyTo, `<${po}.acme@dropship.test>`);
      assert.equal(mail!.headers.get('x-po-action'), 'change');
      const sku = (line: typeof first) => line!.supplierSku ?? line!.sku;
      assert.match(
        mail!.text!,
        new RegExp(`  ${sku(first)}: ${first!.quantity - 1} \\(was ${first!.quantity}\\)`),
      );
      for (const line of rest)
        assert.match(mail!.text!, new RegExp(`  ${sku(line)}: 0 \\(was ${line.quantity}\\), do not ship`));
      assert.doesNotMatch(mail!.text!, /Ada|Analytical/, 'no ship-to in a change');
    });

    it('keeps order data out of its headers, and maps SMTP failures as sends do', async () => {
      const request = cancelRequest();
      request.order = { ...request.order, orderNumber: '1001\r\nBcc: attacker@evil.test' };
      await emailConnector.cancelPurchaseOrder!(request, connectorContext(settings(), credentials));
      assert.equal(smtp.messages[0]!.bcc, undefined);
      assert.ok(!/^Bcc:/im.test(smtp.raw[0]!));
      smtp.mode = 'defer-451';
      await assert.rejects(
        emailConnector.cancelPurchaseOrder!(request, connectorContext(settings(), credentials)),
        (e: unknown) =>
          e instanceof SupplierTransientError && /deferred the cancellation/.test((e as Error).message),
      );
      smtp.mode = 'refuse-550';
      await assert.rejects(
        emailConnector.cancelPurchaseOrder!(request, connectorContext(settings(), credentials)),
        SupplierPermanentError,
      );
    });
  });
});
