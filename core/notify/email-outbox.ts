import { carrierFromDeclaration, carrierName } from '../tracking/carrier-detection';
import type { Order } from '../model/order';
import type { Shipment } from '../model/shipment';
import type { Notification, OrderStore } from '../store/order-store';
import { DEFAULT_EMAIL_TEMPLATES, renderEmail, type EmailTemplate } from './email-templates';
import { milestonesReached, type MilestoneKind } from './milestones';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Deterministic per order and milestone: a resend after a crash is recognisable as the same message. */
  messageId: string;
}

export interface EmailSender {
  /** Resolves once the server accepted the message; a refusal carries the SMTP reply code in `responseCode`. */
  send(email: OutgoingEmail): Promise<void>;
}

/** RFC 5321 section 4.2.1: a 5yz reply is final, so the same message must not be sent again. */
function isPermanentRefusal(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export interface EmailOutboxOptions {
  store: OrderStore;
  sender: EmailSender;
  milestones: readonly MilestoneKind[];
  templates?: Partial<Record<MilestoneKind, EmailTemplate>>;
  storeName: string;
  owner: string;
  leaseMs: number;
  now: () => Date;
  retryDelayMs?: (attempt: number) => number;
}

export interface DeliveryReport {
  sent: Notification[];
  failed: { notification: Notification; error: string; willRetry: boolean }[];
}

export const EMAIL_CHANNEL = 'email';

/** Queues every milestone the order has reached and this outbox handles; the store keeps each one once. */
export async function queueEmailMilestones(options: EmailOutboxOptions, orderId: string): Promise<number> {
  const { store } = options;
  const order = await store.getOrder(orderId);
  if (!order) return 0;
  const [pos, shipments] = await Promise.all([
    store.listPurchaseOrders(orderId),
    store.listShipments(orderId),
  ]);
  let queued = 0;
  for (const milestone of milestonesReached(order, pos, shipments)) {
    if (!options.milestones.includes(milestone.kind)) continue;
    const created = await store.enqueueNotification(orderId, milestone.key, EMAIL_CHANNEL, { ...milestone });
    if (created) queued += 1;
  }
  return queued;
}

/** What a template sees: the order, the customer's first name, the lines and, for parcel milestones, the parcel. */
export function emailView(
  order: Order,
  shipment: Shipment | undefined,
  storeName: string,
): Record<string, unknown> {
  const carrier = shipment?.carrier ? carrierFromDeclaration(shipment.carrier) : undefined;
  return {
    storeName,
    order: { number: order.orderNumber ?? order.externalId, placedAt: order.placedAt },
    customer: { name: order.customer.name, firstName: order.customer.name?.split(' ')[0] ?? 'there' },
    lines: order.lines.map((l) => ({ title: l.title ?? l.sku, quantity: l.quantity, sku: l.sku })),
    shipment: shipment && {
      trackingNumber: shipment.trackingNumber,
      trackingUrl: shipment.trackingUrl,
      carrierName: carrier ? carrierName(carrier) : (shipment.carrier ?? 'the carrier'),
      status: shipment.status,
    },
  };
}

const defaultRetryDelay = (attempt: number): number => Math.min(3_600_000, 30_000 * 2 ** (attempt - 1));

/**
 * Sends the queued e-mails this worker can claim (all, or one order's). A notification is marked sent only after
 * the SMTP server accepted it; a failure is retried later, a message that can never be sent (no address) fails.
 */
export async function deliverEmailNotifications(
  options: EmailOutboxOptions,
  orderId?: string,
): Promise<DeliveryReport> {
  const { store } = options;
  const claimed = await store.claimNotifications(
    EMAIL_CHANNEL,
    { owner: options.owner, now: options.now(), durationMs: options.leaseMs },
    50,
    orderId,
  );
  const report: DeliveryReport = { sent: [], failed: [] };
  for (const notification of claimed) {
    const kind = notification.payload.kind as MilestoneKind;
    const order = await store.getOrder(notification.orderId);
    const fail = async (error: string, willRetry: boolean): Promise<void> => {
      const retryAt = willRetry
        ? new Date(
            options.now().getTime() + (options.retryDelayMs ?? defaultRetryDelay)(notification.attempts),
          )
        : undefined;
      await store.completeNotification(notification.id, { error, retryAt }, options.now());
      report.failed.push({ notification, error, willRetry });
    };
    if (!order?.customer.email) {
      await fail('the order has no customer e-mail address', false);
      continue;
    }
    const trackingNumber = notification.payload.trackingNumber;
    const shipment =
      typeof trackingNumber === 'string'
        ? (await store.listShipments(order.id)).find((s) => s.trackingNumber === trackingNumber)
        : undefined;
    const template = options.templates?.[kind] ?? DEFAULT_EMAIL_TEMPLATES[kind];
    const rendered = renderEmail(template, emailView(order, shipment, options.storeName));
    try {
      await options.sender.send({
        ...rendered,
        to: order.customer.email,
        messageId: `<${order.id}.${notification.milestone.replace(/[^A-Za-z0-9.-]/g, '.')}@dropship>`,
      });
      await store.completeNotification(notification.id, { sent: true }, options.now());
      report.sent.push(notification);
    } catch (err) {
      await fail(err instanceof Error ? err.message : String(err), !isPermanentRefusal(err));
    }
  }
  return report;
}
