import { DropshipError, errorText } from '../errors';
import type { Order } from '../model/order';
import type { PurchaseOrder } from '../model/purchase-order';
import type { Shipment } from '../model/shipment';
import type {
  Notification,
  NotificationStore,
  OrdersStore,
  PurchaseOrderStore,
  ShipmentStore,
} from '../store/order-store';

/** What a channel decides from: the order and everything stored about it, its outbox rows included. */
export interface OrderFacts {
  order: Order;
  purchaseOrders: PurchaseOrder[];
  shipments: Shipment[];
  notifications: Notification[];
}

/** Something a channel tells once per order under `key`; the rest of it is kept as the outbox payload. */
export interface QueuedMilestone {
  kind: string;
  key: string;
  [detail: string]: unknown;
}

/**
 * One way of telling: e-mail, SMS, the storefront. The outbox keeps one row per (order, key, channel name), so
 * each channel delivers each of its milestones once, however often and by however many workers it is asked.
 */
export interface NotificationChannel {
  /** The outbox's channel name. */
  readonly name: string;
  /** The milestones this channel tells about, from the order's facts. */
  milestones(facts: OrderFacts): QueuedMilestone[];
  /**
   * Delivers one queued notification; resolves once the other side accepted it. A failure that sending again
   * cannot fix carries `retryable: false` (DeliveryRefused, ChannelDeliveryError); anything else is retried,
   * after `retryAfterMs` when the other side said when, else with backoff.
   */
  deliver(notification: Notification, facts: OrderFacts): Promise<void>;
}

/** A notification that can never be delivered as it is (no address, refused for good): not retried. */
export class DeliveryRefused extends DropshipError {
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super('delivery_failed', message, [], options);
    this.name = 'DeliveryRefused';
  }
}

/**
 * What the outbox needs of the store: its notices, the order, POs and parcels its milestones read, and the orders
 * changed since a time (the notify node's catch-up).
 */
export type OutboxStore = NotificationStore &
  Pick<OrdersStore, 'getOrder' | 'listOrders'> &
  Pick<PurchaseOrderStore, 'listPurchaseOrders'> &
  Pick<ShipmentStore, 'listShipments'>;

export interface OutboxWorker {
  store: OutboxStore;
  /** Who holds the claims, e.g. the node's actor name. */
  owner: string;
  leaseMs: number;
  now: () => Date;
  /** The wait before attempt `attempt + 1`; 30 s doubling to an hour by default. */
  retryDelayMs?: (attempt: number) => number;
  /** Notifications claimed per call (50 by default). */
  batchSize?: number;
  /** Tries before a notification is given up as failed (12 by default: about eight hours of backoff). */
  maxAttempts?: number;
}

export interface DeliveryReport {
  sent: Notification[];
  failed: { notification: Notification; error: string; willRetry: boolean }[];
}

const defaultRetryDelay = (attempt: number): number => Math.min(3_600_000, 30_000 * 2 ** (attempt - 1));
const DEFAULT_MAX_ATTEMPTS = 12;

export async function readOrderFacts(store: OutboxStore, orderId: string): Promise<OrderFacts | undefined> {
  const order = await store.getOrder(orderId);
  if (!order) return undefined;
  const [purchaseOrders, shipments, notifications] = await Promise.all([
    store.listPurchaseOrders(orderId),
    store.listShipments(orderId),
    store.listNotifications(orderId),
  ]);
  return { order, purchaseOrders, shipments, notifications };
}

/** Queues every milestone the order has reached on `channel`; the store keeps each one once. Returns how many are new. */
export async function queueMilestones(
  store: OutboxStore,
  channel: NotificationChannel,
  orderId: string,
  facts?: OrderFacts,
): Promise<number> {
  const known = facts ?? (await readOrderFacts(store, orderId));
  if (!known) return 0;
  let queued = 0;
  for (const milestone of channel.milestones(known)) {
    if (await store.enqueueNotification(orderId, milestone.key, channel.name, { ...milestone })) queued += 1;
  }
  return queued;
}

function retryAfterOf(err: unknown): number | undefined {
  const value = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/**
 * Delivers what this worker can claim on `channel` (all due, or one order's). A notification is marked sent only
 * after the channel's other side accepted it; a failure is retried with backoff, kept in the store so a restart
 * forgets nothing, unless it can never succeed.
 */
export async function deliverNotifications(
  channel: NotificationChannel,
  worker: OutboxWorker,
  orderId?: string,
  /** The order's facts when the caller has just read them (for `orderId`): not read again. */
  facts?: OrderFacts,
): Promise<DeliveryReport> {
  const claimed = await worker.store.claimNotifications(
    channel.name,
    { owner: worker.owner, now: worker.now(), durationMs: worker.leaseMs },
    worker.batchSize ?? 50,
    orderId,
  );
  return deliverClaimed(channel, worker, claimed, facts);
}

/**
 * Queues what each channel has to tell about the order and delivers what is new at once: the new notifications
 * are queued already claimed by this worker in one transaction, so an order's news costs one write to queue and one
 * per notification sent. Notifications queued before (retries, a crash) are left to deliverNotifications.
 */
export async function queueAndDeliver(
  channels: NotificationChannel[],
  worker: OutboxWorker,
  facts: OrderFacts,
): Promise<Map<NotificationChannel, DeliveryReport>> {
  const orderId = facts.order.id;
  const notices = channels.flatMap((channel) =>
    channel.milestones(facts).map((milestone) => ({
      milestone: milestone.key,
      channel: channel.name,
      payload: { ...milestone },
    })),
  );
  const queued =
    notices.length === 0
      ? []
      : await worker.store.enqueueNotifications(orderId, notices, {
          owner: worker.owner,
          now: worker.now(),
          durationMs: worker.leaseMs,
        });
  const reports = await Promise.all(
    channels.map(
      async (channel) =>
        [
          channel,
          await deliverClaimed(
            channel,
            worker,
            queued.filter((n) => n.channel === channel.name),
            facts,
          ),
        ] as const,
    ),
  );
  return new Map(reports);
}

/** Delivers notifications this worker holds the claim of, one after the other, and records each outcome. */
async function deliverClaimed(
  channel: NotificationChannel,
  worker: OutboxWorker,
  claimed: Notification[],
  facts?: OrderFacts,
): Promise<DeliveryReport> {
  const { store } = worker;
  const report: DeliveryReport = { sent: [], failed: [] };
  const factsByOrder = new Map<string, OrderFacts | undefined>(facts ? [[facts.order.id, facts]] : []);
  for (const notification of claimed) {
    if (!factsByOrder.has(notification.orderId))
      factsByOrder.set(notification.orderId, await readOrderFacts(store, notification.orderId));
    const known = factsByOrder.get(notification.orderId);
    try {
      if (!known) throw new DeliveryRefused(`order ${notification.orderId} no longer exists`);
      await channel.deliver(notification, known);
      await store.completeNotification(notification.id, { sent: true }, worker.now());
      report.sent.push(notification);
    } catch (err) {
      const error = errorText(err);
      // A channel that stays down for hours is an incident for a person, not a reason to retry forever.
      const willRetry =
        (err as { retryable?: unknown } | null)?.retryable !== false &&
        notification.attempts < (worker.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
      // The other side's Retry-After, when it gave one, else our backoff.
      const delay = retryAfterOf(err) ?? (worker.retryDelayMs ?? defaultRetryDelay)(notification.attempts);
      const retryAt = willRetry ? new Date(worker.now().getTime() + delay) : undefined;
      await store.completeNotification(notification.id, { error, retryAt }, worker.now());
      report.failed.push({ notification, error, willRetry });
    }
  }
  return report;
}
