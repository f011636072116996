import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import { openStore } from '../../../core/store/open-store';
import { recordPortalAnswer, recordPortalShipment } from '../../../core/portal/portal-actions';
import type { SupplierPortalChannel } from '../../../core/ports/supplier-connector';
import { sentPurchaseOrder } from '../../support/withdrawals';
import { SmtpSupplier, type SmtpSupplierMode } from '../peers';
import type { ConformanceHarness, FailureMode, PurchaseOrderContent } from './harness';

/** The PO as the portal e-mail states it: "2 x MUG-01 (Mug)" lines and "-> Portland 97201 US". */
function mailContent(subject: string, text: string): PurchaseOrderContent {
  const poNumber =
    /Purchase order (\S+)/.exec(subject)?.[1] ?? /CANCEL purchase order (\S+)/.exec(subject)?.[1] ?? '';
  const lines = [...text.matchAll(/^(\d+) x (\S+)/gm)].map((m) => ({
    skus: [m[2]!],
    quantity: Number(m[1]),
  }));
  const destination = /^-> (.*)$/m.exec(text)?.[1]?.split(' ') ?? [];
  return {
    poNumber,
    lines,
    shipTo: { country: destination.at(-1), postalCode: destination.at(-2) },
  };
}

/**
 * The portal's peer: the order store that holds the portal's state and an SMTP server standing in for the
 * supplier's inbox, reached as the dropship-portal node's mailer reaches it. The supplier answers and ships
 * through the portal's own actions (core/portal/portal-actions.ts), as its pages do.
 */
export const harness: ConformanceHarness = {
  kind: 'portal',
  async start() {
    const smtp = await new SmtpSupplier().start();
    const dir = mkdtempSync(path.join(tmpdir(), 'dropship-portal-conformance-'));
    const store = await openStore({ engine: 'sqlite', filename: path.join(dir, 'store.sqlite') });
    const settings = { to: 'orders@acme.test', language: 'en-US' };
    const credentials = { portalLinkKey: 'conformance-portal-link-key' };
    const portal: SupplierPortalChannel = {
      store,
      baseUrl: 'https://shop.example/dropship/portal',
      async sendMail(message) {
        const transport = createTransport({
          host: '127.0.0.1',
          port: smtp.port,
          secure: false,
          auth: { user: smtp.username, pass: smtp.password },
          connectionTimeout: 1000,
          greetingTimeout: 1000,
          socketTimeout: 1000,
        });
        try {
          await transport.sendMail({ from: 'shop@dropship.test', ...message });
        } finally {
          transport.close();
        }
      },
    };
    const modes: Record<FailureMode, SmtpSupplierMode> = {
      transient: 'defer-451',
      permanent: 'refuse-550',
      unknown: 'hang-after-data',
    };
    const isCancellation = (m: SmtpSupplier['messages'][number]): boolean => /CANCEL/.test(m.subject ?? '');
    const who = { supplierId: 'acme', actor: 'supplier:acme' };
    return {
      settings,
      credentials,
      context: { portal },
      documents: async () =>
        smtp.messages
          .filter((m) => !isCancellation(m))
          .map((m) => ({ id: m.messageId ?? '', content: mailContent(m.subject ?? '', m.text ?? '') })),
      ordersCreated: async () =>
        new Set(smtp.messages.filter((m) => !isCancellation(m)).map((m) => m.messageId)).size,
      cancellations: async () =>
        smtp.messages
          .filter(isCancellation)
          .map((m) => ({ id: m.messageId ?? '', poNumber: mailContent(m.subject ?? '', '').poNumber })),
      newRequest: async () => {
        const { order, po } = await sentPurchaseOrder(store, 'acme');
        return { order, purchaseOrder: po };
      },
      acknowledge: async ({ purchaseOrder }, outcome) => {
        const answers = purchaseOrder.lines.map(() =>
          outcome === 'accepted'
            ? { status: 'accepted' as const }
            : { status: 'rejected' as const, reason: 'discontinued' },
        );
        await recordPortalAnswer(store, who, purchaseOrder, answers, new Date());
      },
      ship: async ({ purchaseOrder }, trackingNumber) => {
        await recordPortalShipment(
          store,
          who,
          purchaseOrder,
          [{ trackingNumber, quantities: purchaseOrder.lines.map((l) => l.quantity) }],
          new Date(),
        );
      },
      fail: async (mode) => {
        smtp.mode = modes[mode];
        return { settings, credentials };
      },
      recover: async () => {
        smtp.mode = 'ok';
      },
      stop: async () => {
        await smtp.stop();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  invalidSettings: (valid) => [
    { settings: { ...valid, to: 'not-an-address' }, field: '/to' },
    { settings: { ...valid, language: 'xx-XX' }, field: '/language' },
    { settings: { ...valid, linkDays: 0 }, field: '/linkDays' },
  ],
};
