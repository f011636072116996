import path from 'node:path';
import { asDropshipError, DropshipError } from '../../core/errors';
import { compileMailMatching, shipmentEventsFromMail } from '../../connectors/mail/supplier-mail';
import {
  SupplierMailbox,
  type HandledMail,
  type MailDisposition,
} from '../../connectors/mail/supplier-mailbox';
import { sendOfNode, type SendFunction } from '../adapter/node-red';
import { patternLines, positive, type TrackingInContext } from './context';
import { mailTarget, mailTimeFloor, MailFolderReader } from './mail-sources';

/**
 * Supplier e-mail as a tracking source, from an IMAP mailbox or a Maildir folder: parcels recorded on the order
 * the mail names, mail for no order sent out of the exceptions output with the reason.
 */
function mailHandlers(context: TrackingInContext) {
  const { node } = context;
  const send: SendFunction = sendOfNode(node);

  /** What a supplier mail becomes: parcels on its order, or a reason it matched none (exceptions output). */
  async function handleMail(reading: Parameters<typeof shipmentEventsFromMail>[0]): Promise<MailDisposition> {
    if (reading.parcels.length === 0)
      return { outcome: 'unmatched', reason: 'no tracking number found in the mail' };
    const store = await context.store();
    const target = await mailTarget(store, reading);
    if ('reason' in target) return { outcome: 'unmatched', reason: target.reason };
    const events = shipmentEventsFromMail(reading, target, new Date(), await mailTimeFloor(store, target));
    await context.recordEvents(
      events,
      { topic: 'email', mail: { messageId: reading.messageId, subject: reading.subject } },
      send,
    );
    return { outcome: 'processed' };
  }

  function mailHandled(handled: HandledMail & { file?: string }): void {
    if (handled.disposition.outcome !== 'unmatched') return;
    const { reading } = handled;
    context.exception(
      {
        topic: 'email',
        payload: {
          messageId: reading?.messageId,
          subject: reading?.subject,
          from: reading?.from,
          poNumbers: reading?.poNumbers,
          orderNumbers: reading?.orderNumbers,
          trackingNumbers: reading?.parcels.map((p) => p.trackingNumber),
          ...(handled.file ? { file: handled.file } : { uid: handled.uid }),
        },
      },
      new DropshipError('not_found', `supplier mail not used: ${handled.disposition.reason}`),
      send,
    );
  }

  return { handleMail, mailHandled };
}

function matchingPatterns(context: TrackingInContext) {
  return {
    orderNumberPatterns: patternLines(context.config.orderNumberPatterns),
    poNumberPatterns: patternLines(context.config.poNumberPatterns),
    supplierReferences: patternLines(context.config.supplierReferences),
  };
}

export function startMailbox(context: TrackingInContext): void {
  const { node, config, credentials, log } = context;
  const { handleMail, mailHandled } = mailHandlers(context);
  const mailbox = new SupplierMailbox({
    settings: {
      host: config.imapHost,
      port: positive(config.imapPort, config.imapTls === false ? 143 : 993),
      secure: config.imapTls !== false,
      mailbox: config.imapMailbox || 'INBOX',
      processedFolder: config.processedFolder || undefined,
      unmatchedFolder: config.unmatchedFolder || undefined,
      mode: config.imapMode === 'poll' ? 'poll' : 'auto',
      pollIntervalMs: context.pollMs,
      matching: matchingPatterns(context),
    },
    credentials: { user: credentials.imapUser, password: credentials.imapPassword },
    onMail: handleMail,
    onHandled: mailHandled,
    log,
  });
  context.stops.push(() => mailbox.stop());
  mailbox.start().then(
    () => context.status.show('waiting', mailbox.mode === 'idle' ? 'imapIdle' : 'imapPolling'),
    (err: unknown) => {
      const { message } = asDropshipError(err);
      node.error(`IMAP mailbox not followed: ${message}`);
      context.status.show('failed', 'imapFailed', { reason: message });
    },
  );
}

export function startMailFolder(context: TrackingInContext): void {
  const { node, config, log } = context;
  const { handleMail, mailHandled } = mailHandlers(context);
  const reader = new MailFolderReader({
    folder: path.resolve(context.userDir, config.mailFolder || 'supplier-mail'),
    matching: compileMailMatching(matchingPatterns(context)),
    pollIntervalMs: context.pollMs,
    onMail: handleMail,
    onHandled: mailHandled,
    log,
  });
  context.stops.push(() => reader.stop());
  reader.start().catch((err: unknown) => {
    const { message } = asDropshipError(err);
    node.error(`mail folder not followed: ${message}`);
    context.status.show('failed', 'mailFolderFailed', { reason: message });
  });
}
