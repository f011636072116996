import { DropshipError } from '../../../core/errors';
import type { ShipmentEvent } from '../../../core/model/shipment';
import { createPortalLinkToken, newPortalLinkId } from '../../../core/portal/portal-link';
import { DEFAULT_PORTAL_LOCALE, PORTAL_LOCALES, portalTranslator } from '../../../core/portal/messages';
import type {
  Acknowledgement,
  ConnectorContext,
  DispatchRequest,
  SupplierConnector,
  SupplierPortalChannel,
} from '../../../core/ports/supplier-connector';
import type { PortalActionKind } from '../../../core/store/portal-store';
import { headerSafe, smtpFailure, type SmtpError } from '../email/email';

/** Which answers the shop lets this supplier give in the portal; accepting and shipping are always allowed. */
export interface PortalActions {
  backorder: boolean;
  reject: boolean;
  stock: boolean;
  confirmCancel: boolean;
}

export interface PortalSettings {
  /** Who gets the link to each PO and the sign-in codes. */
  to: string;
  /** The portal's words and the e-mails' (a locale of core/portal/messages.ts). */
  language: string;
  /** Days a link in an e-mail keeps signing the supplier in. */
  linkDays: number;
  actions: PortalActions;
  /** Domain of the Message-ID; the same PO always gets the same Message-ID. */
  messageIdDomain?: string;
}

export const DEFAULT_PORTAL_ACTIONS: PortalActions = {
  backorder: true,
  reject: true,
  stock: true,
  confirmCancel: true,
};

export const portalSettingsSchema = {
  type: 'object',
  required: ['to'],
  properties: {
    to: {
      type: 'string',
      format: 'email',
      maxLength: 254,
      title: 'Supplier e-mail (gets the links and codes)',
    },
    language: {
      type: 'string',
      enum: Object.keys(PORTAL_LOCALES),
      default: DEFAULT_PORTAL_LOCALE,
      title: 'Language',
    },
    linkDays: { type: 'integer', minimum: 1, maximum: 60, default: 14, title: 'Links work for (days)' },
    actions: {
      type: 'object',
      title: 'The supplier may',
      properties: {
        backorder: { type: 'boolean', default: true, title: 'Backorder lines' },
        reject: { type: 'boolean', default: true, title: 'Reject lines' },
        stock: { type: 'boolean', default: true, title: 'Update stock' },
        confirmCancel: { type: 'boolean', default: true, title: 'Confirm cancellations' },
      },
      additionalProperties: false,
      default: DEFAULT_PORTAL_ACTIONS,
    },
    messageIdDomain: {
      type: 'string',
      pattern: '^[A-Za-z0-9.-]+$',
      default: 'dropship.invalid',
      title: 'Message-ID domain',
    },
  },
  additionalProperties: false,
} as const;

/** The portal and the link signing key, or why the portal supplier cannot work yet. */
function portalOf(ctx: ConnectorContext<PortalSettings>): { portal: SupplierPortalChannel; key: string } {
  if (!ctx.portal)
    throw new DropshipError(
      'configuration',
      'no supplier portal is deployed: add a dropship-portal node (with a store and a mailer) to the flows',
    );
  const key = ctx.credentials.portalLinkKey;
  if (!key)
    throw new DropshipError('configuration', `supplier ${ctx.supplierId} has no portal link signing key`, [
      { path: 'credentials.portalLinkKey', message: 'required' },
    ]);
  return { portal: ctx.portal, key };
}

/** A new sign-in link for the supplier, kept in the store so it can be revoked: its full address. */
export async function portalSignInLink(
  ctx: ConnectorContext<PortalSettings>,
  path = '',
): Promise<{ url: string; expiresAt: Date }> {
  const { portal, key } = portalOf(ctx);
  const now = ctx.clock.now();
  const link = {
    supplierId: ctx.supplierId,
    id: newPortalLinkId(),
    expiresAt: new Date(now.getTime() + (ctx.settings.linkDays ?? 14) * 86_400_000),
  };
  await portal.store.recordLink({ ...link, createdAt: now });
  const next = path ? `?next=${encodeURIComponent(path)}` : '';
  return {
    url: `${portal.baseUrl}/link/${createPortalLinkToken(link, key)}${next}`,
    expiresAt: link.expiresAt,
  };
}

function messageId(
  ctx: ConnectorContext<PortalSettings>,
  poNumber: string,
  kind: 'order' | 'cancel',
): string {
  const supplier = ctx.supplierId.replace(/[^A-Za-z0-9.-]/g, '-');
  return `<${poNumber}${kind === 'cancel' ? '.cancel' : ''}.${supplier}@${ctx.settings.messageIdDomain ?? 'dropship.invalid'}>`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The text as an HTML mail: escaped, its lines kept, its one link clickable. */
function htmlMail(text: string, link: string): string {
  const body = escapeHtml(text)
    .split('\n')
    .map((line) =>
      line === escapeHtml(link) ? `<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>` : line,
    )
    .join('<br>\n');
  return `<!doctype html><html><body style="font-family:sans-serif">${body}</body></html>`;
}

/**
 * The portal's unread actions of one kind, each marked read only once the reader has handled it (the loop
 * resumes after the reader's work), so a crash in between reads it again: applying it twice changes nothing.
 */
/**
 * Sends through the portal's mailer, with SMTP failures told apart as for e-mailed POs: a refusal (5xx) is
 * permanent, a deferral (4xx) or a server not reached is worth a retry, a connection lost after the message
 * went out may have delivered it.
 */
async function mail(
  portal: SupplierPortalChannel,
  message: Parameters<SupplierPortalChannel['sendMail']>[0],
  what: string,
): Promise<void> {
  try {
    await portal.sendMail(message);
  } catch (err) {
    const failure = err as SmtpError & { errno?: unknown };
    const unreached = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH'].some(
      (code) => failure.code === code || failure.errno === code || failure.message?.includes(code),
    );
    throw smtpFailure(failure, !unreached, what);
  }
}

/** What the supplier ships, in the e-mail: items and quantities, and only the town and country of the address. */
function poSummary(po: DispatchRequest['purchaseOrder']): string {
  const lines = po.lines.map(
    (l) => `${l.quantity} x ${l.supplierSku ?? l.sku}${l.title ? ` (${l.title})` : ''}`,
  );
  const to = [po.shipTo.city, po.shipTo.postalCode, po.shipTo.country].filter(Boolean).join(' ');
  return `${lines.join('\n')}\n-> ${to}`;
}

async function* unread<T>(ctx: ConnectorContext<PortalSettings>, kind: PortalActionKind): AsyncGenerator<T> {
  const { portal } = portalOf(ctx);
  for (;;) {
    const actions = await portal.store.unreadActions(ctx.supplierId, kind, 50);
    for (const action of actions) {
      yield action.payload as T;
      await portal.store.markActionRead(action.id, ctx.clock.now());
    }
    if (actions.length < 50) return;
  }
}

export const portalConnector: SupplierConnector<PortalSettings> = {
  kind: 'portal',
  title: 'Supplier portal',
  description:
    'The PO appears in the supplier portal (/dropship/portal) and the supplier gets an e-mail with a sign-in link; the supplier accepts, backorders, ships and updates stock there.',
  settingsSchema: portalSettingsSchema,
  credentialFields: [{ name: 'portalLinkKey', label: 'Link signing key (16+ characters)', type: 'password' }],

  async testConnection(ctx) {
    const { portal } = portalOf(ctx);
    await portal.store.listActions({ supplierId: ctx.supplierId, limit: 1 });
    return `The supplier portal at ${portal.baseUrl} is deployed; links go to ${ctx.settings.to}.`;
  },

  async sendPurchaseOrder({ purchaseOrder: po }, ctx) {
    const { portal } = portalOf(ctx);
    const t = portalTranslator(ctx.settings.language);
    const { url, expiresAt } = await portalSignInLink(ctx, `/orders/${encodeURIComponent(po.number)}`);
    const text = t('mail.body', {
      poNumber: po.number,
      lineCount: po.lines.length,
      lines: poSummary(po),
      link: url,
      expires: expiresAt.toISOString().slice(0, 10),
      portal: portal.baseUrl,
    });
    await mail(
      portal,
      {
        to: ctx.settings.to,
        subject: headerSafe(t('mail.subject', { poNumber: po.number })),
        text,
        html: htmlMail(text, url),
        messageId: messageId(ctx, po.number, 'order'),
      },
      'the link',
    );
    ctx.log.info(`portal PO ${po.number} published and its link e-mailed`);
    return { outcome: 'sent' };
  },

  /** Shown in the portal until the supplier confirms it there; an e-mail tells the supplier. */
  async cancelPurchaseOrder({ purchaseOrder: po, reason }, ctx) {
    const { portal } = portalOf(ctx);
    const t = portalTranslator(ctx.settings.language);
    await portal.store.requestCancel({
      poNumber: po.number,
      supplierId: ctx.supplierId,
      reason,
      requestedAt: ctx.clock.now().toISOString(),
    });
    const { url } = await portalSignInLink(ctx, `/orders/${encodeURIComponent(po.number)}`);
    const text = t('mail.cancelBody', { poNumber: po.number, reason, link: url });
    await mail(
      portal,
      {
        to: ctx.settings.to,
        subject: headerSafe(t('mail.cancelSubject', { poNumber: po.number })),
        text,
        html: htmlMail(text, url),
        messageId: messageId(ctx, po.number, 'cancel'),
      },
      'the cancellation',
    );
    return { outcome: 'requested', reason: 'waiting for the supplier to confirm it in the portal' };
  },

  readAcknowledgements: (ctx) => unread<Acknowledgement>(ctx, 'acknowledgement'),
  readShipments: (ctx) => unread<ShipmentEvent>(ctx, 'shipment'),
};
