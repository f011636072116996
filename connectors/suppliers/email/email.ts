import { DropshipError } from '../../../core/errors';
import { requireOptionalPackage } from '../../../core/optional-package';
import {
  OutcomeUnknownError,
  SupplierPermanentError,
  SupplierTransientError,
  type CancelResult,
  type ChangeResult,
  type ConnectorContext,
  type DispatchRequest,
  type DispatchResult,
  type SupplierConnector,
} from '../../../core/ports/supplier-connector';
import {
  csvLayoutSchemaProperties,
  DEFAULT_CSV_COLUMNS,
  purchaseOrderCsv,
  type CsvLayout,
} from '../csv-sftp/csv-document';

export interface EmailSettings extends Partial<CsvLayout> {
  smtp: { host: string; port: number; secure?: boolean; requireTLS?: boolean };
  from: string;
  to: string;
  cc?: string;
  /** Placeholders: {poNumber}, {orderReference}, {supplierId}, {lineCount}. */
  subjectTemplate?: string;
  /** Placeholders as the subject, plus {shipTo} (the address block) and {lines} (a text table). */
  bodyTemplate?: string;
  /** Domain of the Message-ID; the same PO always gets the same Message-ID. */
  messageIdDomain?: string;
  timeoutMs?: number;
}

const DEFAULT_SUBJECT = 'Purchase order {poNumber} (order {orderReference})';
const DEFAULT_BODY = [
  'Hello,',
  '',
  'Please ship purchase order {poNumber} directly to our customer:',
  '',
  '{shipTo}',
  '',
  '{lines}',
  '',
  'The attached CSV holds the same lines. Please quote {poNumber} in every reply and on the parcel.',
].join('\n');

const EMAIL = { type: 'string', format: 'email', maxLength: 254 } as const;

export const emailSettingsSchema = {
  type: 'object',
  required: ['smtp', 'from', 'to'],
  properties: {
    smtp: {
      type: 'object',
      title: 'SMTP server',
      required: ['host', 'port'],
      properties: {
        host: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9.:\\[\\]-]+$' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        secure: { type: 'boolean', default: false, title: 'TLS from the start (port 465)' },
        requireTLS: { type: 'boolean', default: false, title: 'Require STARTTLS' },
      },
      additionalProperties: false,
    },
    from: { ...EMAIL, title: 'From' },
    to: { ...EMAIL, title: 'Supplier order address' },
    cc: { ...EMAIL, title: 'Cc' },
    subjectTemplate: {
      type: 'string',
      maxLength: 200,
      pattern: '^[^\\r\\n]*$',
      default: DEFAULT_SUBJECT,
      title: 'Subject',
    },
    bodyTemplate: { type: 'string', maxLength: 10000, default: DEFAULT_BODY, title: 'Body' },
    messageIdDomain: {
      type: 'string',
      pattern: '^[A-Za-z0-9.-]+$',
      default: 'dropship.invalid',
      title: 'Message-ID domain',
    },
    timeoutMs: { type: 'integer', minimum: 1000, maximum: 120000, default: 30000, title: 'Timeout (ms)' },
    ...csvLayoutSchemaProperties,
  },
  additionalProperties: false,
} as const;

/** Header values built from data: control characters (CR, LF...) become spaces, so no header can be injected. */
export function headerSafe(value: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new DropshipError('configuration', `e-mail template placeholder ${match} is unknown`);
    return value;
  });
}

function templateValues(
  { purchaseOrder: po, order }: DispatchRequest,
  supplierId: string,
): Record<string, string> {
  const to = po.shipTo;
  const region = [to.city, to.region, to.postalCode].filter(Boolean).join(' ');
  return {
    poNumber: po.number,
    orderReference: order.orderNumber ?? order.externalId,
    supplierId,
    lineCount: String(po.lines.length),
    shipTo: [
      to.name,
      to.company,
      to.line1,
      to.line2,
      region,
      to.country,
      to.phone ? `Phone: ${to.phone}` : undefined,
    ]
      .filter(Boolean)
      .join('\n'),
    lines: po.lines
      .map(
        (l) =>
          `${l.quantity} x ${l.supplierSku ?? l.sku}${l.title ? ` (${l.title})` : ''}${l.supplierSku ? ` [our SKU ${l.sku}]` : ''}`,
      )
      .join('\n'),
  };
}

export interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
}

/**
 * `reachedServer` is false while connecting and logging in: failing there, the supplier cannot have the PO.
 * Afterwards a failure without an SMTP reply (timeout, reset) may have come after the message was taken.
 * (nodemailer reports every socket timeout as command "CONN", so its `command` cannot tell the phase.)
 */
export function smtpFailure(err: SmtpError, reachedServer: boolean, what: string): Error {
  const code = err.responseCode;
  if (err.code === 'EAUTH')
    return new SupplierPermanentError(`SMTP login refused: ${err.message}`, { cause: err });
  if (code !== undefined && code >= 500)
    return new SupplierPermanentError(`SMTP server refused ${what}: ${err.message}`, { cause: err });
  if (code !== undefined && code >= 400)
    return new SupplierTransientError(`SMTP server deferred ${what}: ${err.message}`, undefined, {
      cause: err,
    });
  if (!reachedServer)
    return new SupplierTransientError(`SMTP server unreachable: ${err.message}`, undefined, { cause: err });
  // The connection failed while or after the message was sent: it may have been accepted.
  return new OutcomeUnknownError(`SMTP delivery outcome unknown: ${err.message}`, { cause: err });
}

/**
 * The same PO always gets the same Message-ID (its cancellation another, each change its own, as stable): a
 * resend is recognisable. `kind` is "order", "cancel" or a change id.
 */
function messageId(ctx: ConnectorContext<EmailSettings>, poNumber: string, kind: string): string {
  const supplier = ctx.supplierId.replace(/[^A-Za-z0-9.-]/g, '-');
  return `<${poNumber}${kind === 'order' ? '' : `.${kind.replace(/[^A-Za-z0-9-]/g, '_')}`}.${supplier}@${ctx.settings.messageIdDomain ?? 'dropship.invalid'}>`;
}

type MailMessage = Pick<
  import('nodemailer').SendMailOptions,
  'subject' | 'text' | 'messageId' | 'headers' | 'attachments' | 'inReplyTo' | 'references'
>;

/**
 * Sends one message to the supplier's order address through the configured SMTP server, and returns the
 * Message-ID the server took. `what` names the message in errors ("the PO", "the cancellation").
 */
async function deliver(
  ctx: ConnectorContext<EmailSettings>,
  message: MailMessage,
  what: string,
): Promise<string> {
  const { settings } = ctx;
  const transport = smtpTransport(ctx);
  let reachedServer = false;
  try {
    // Connect and log in first, so that a later failure is known to be after the server let us in.
    await transport.verify();
    reachedServer = true;
    const info = await transport.sendMail({
      from: settings.from,
      to: settings.to,
      cc: settings.cc,
      ...message,
    });
    return info.messageId;
  } catch (err) {
    throw smtpFailure(err as SmtpError, reachedServer, what);
  } finally {
    transport.close();
  }
}

/** A one-connection SMTP transport to the configured server with the configured login; the caller closes it. */
function smtpTransport(ctx: ConnectorContext<EmailSettings>): import('nodemailer').Transporter {
  const { settings } = ctx;
  const timeout = settings.timeoutMs ?? 30_000;
  // nodemailer is loaded by the first e-mailed PO, not by every Node-RED that never sends one.
  const { createTransport } = requireOptionalPackage('nodemailer', 'Sending purchase orders by e-mail');
  return createTransport({
    host: settings.smtp.host,
    port: settings.smtp.port,
    secure: settings.smtp.secure ?? false,
    requireTLS: settings.smtp.requireTLS ?? false,
    auth: ctx.credentials.username
      ? { user: ctx.credentials.username, pass: ctx.credentials.password ?? '' }
      : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
}

export const emailConnector: SupplierConnector<EmailSettings> = {
  kind: 'email',
  title: 'E-mail purchase order',
  description:
    'Sends the PO as a formatted e-mail with the lines attached as CSV, through your SMTP server; a cancellation is an e-mail too.',
  settingsSchema: emailSettingsSchema,
  credentialFields: [
    { name: 'username', label: 'SMTP user name', type: 'text' },
    { name: 'password', label: 'SMTP password', type: 'password' },
  ],

  /** Connects, says EHLO and logs in (SMTP AUTH when a user name is set): no message is sent. */
  async testConnection(ctx) {
    const transport = smtpTransport(ctx);
    const { host, port } = ctx.settings.smtp;
    try {
      await transport.verify();
    } catch (err) {
      throw smtpFailure(err as SmtpError, false, 'the connection');
    } finally {
      transport.close();
    }
    return ctx.credentials.username
      ? `The SMTP server ${host}:${port} accepted the login of ${ctx.credentials.username}.`
      : `The SMTP server ${host}:${port} accepted the connection (no login set).`;
  },

  async sendPurchaseOrder(request, ctx): Promise<DispatchResult> {
    const { settings } = ctx;
    const po = request.purchaseOrder;
    const values = templateValues(request, ctx.supplierId);
    const csv = purchaseOrderCsv(request, { ...settings, columns: settings.columns ?? DEFAULT_CSV_COLUMNS });
    const sent = await deliver(
      ctx,
      {
        subject: headerSafe(fill(settings.subjectTemplate ?? DEFAULT_SUBJECT, values)),
        text: fill(settings.bodyTemplate ?? DEFAULT_BODY, values),
        // The same PO always has the same Message-ID and X-PO-Number: the supplier's inbox can spot a resend.
        messageId: messageId(ctx, po.number, 'order'),
        headers: { 'X-PO-Number': headerSafe(po.number) },
        attachments: [
          {
            filename: `${po.number.replace(/[^A-Za-z0-9._-]/g, '_')}.csv`,
            content: csv,
            contentType: 'text/csv; charset=utf-8',
          },
        ],
      },
      'the PO',
    );
    ctx.log.info(`e-mail PO ${po.number} accepted by the SMTP server (${po.lines.length} line(s))`);
    return { outcome: 'sent', supplierReference: sent };
  },

  /**
   * A cancellation e-mail in the thread of the PO's e-mail. Fixed words, not the PO templates: subject and body
   * must say CANCEL whatever the templates say. Only numbers and the reason, no ship-to: nothing the supplier
   * does not need to find the order. An e-mail cannot confirm, so the result is `requested`.
   */
  async cancelPurchaseOrder(request, ctx): Promise<CancelResult> {
    const po = request.purchaseOrder;
    // One line wherever it goes: the subject, and the body's sentence.
    const reference = headerSafe(request.order.orderNumber ?? request.order.externalId);
    const original = messageId(ctx, po.number, 'order');
    const sent = await deliver(
      ctx,
      {
        subject: `CANCEL purchase order ${headerSafe(po.number)} (order ${reference})`,
        text: [
          'Hello,',
          '',
          `Please CANCEL purchase order ${po.number} (our order ${reference}) and do not ship it.`,
          `Reason: ${request.reason}`,
          '',
          'If it has already shipped, please reply with the tracking number.',
        ].join('\n'),
        messageId: messageId(ctx, po.number, 'cancel'),
        inReplyTo: original,
        references: [original],
        headers: { 'X-PO-Number': headerSafe(po.number), 'X-PO-Action': 'cancel' },
      },
      'the cancellation',
    );
    ctx.log.info(`cancellation e-mail for PO ${po.number} accepted by the SMTP server`);
    return { outcome: 'requested', supplierReference: sent };
  },

  /**
   * A change notice in the thread of the PO's e-mail: each line as it now stands beside its quantity before, in
   * fixed words like the cancellation. One Message-ID per change, so a resend is recognisable. `requested`.
   */
  async changePurchaseOrder(request, ctx): Promise<ChangeResult> {
    const po = request.purchaseOrder;
    const reference = headerSafe(request.order.orderNumber ?? request.order.externalId);
    const original = messageId(ctx, po.number, 'order');
    const before = (orderLineId: string): number =>
      request.previousLines.find((line) => line.orderLineId === orderLineId)?.quantity ?? 0;
    const dropped = request.previousLines.filter(
      (line) => !po.lines.some((now) => now.orderLineId === line.orderLineId),
    );
    const sent = await deliver(
      ctx,
      {
        subject: `CHANGE purchase order ${headerSafe(po.number)} (order ${reference})`,
        text: [
          'Hello,',
          '',
          `Please CHANGE purchase order ${po.number} (our order ${reference}) to these quantities before you ship it:`,
          '',
          ...po.lines.map(
            (line) => `  ${line.supplierSku ?? line.sku}: ${line.quantity} (was ${before(line.orderLineId)})`,
          ),
          ...dropped.map(
            (line) => `  ${line.supplierSku ?? line.sku}: 0 (was ${line.quantity}), do not ship`,
          ),
          '',
          `Reason: ${request.reason}`,
          `Change reference: ${request.changeId}`,
          '',
          'If it has already shipped, please reply with the tracking number.',
        ].join('\n'),
        messageId: messageId(ctx, po.number, request.changeId),
        inReplyTo: original,
        references: [original],
        headers: { 'X-PO-Number': headerSafe(po.number), 'X-PO-Action': 'change' },
      },
      'the change',
    );
    ctx.log.info(`change e-mail for PO ${po.number} accepted by the SMTP server`);
    return { outcome: 'requested', supplierReference: sent };
  },
};
