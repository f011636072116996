import type { Lease } from './lease';

export type NotificationState = 'pending' | 'sending' | 'sent' | 'failed';

export interface Notification {
  id: number;
  orderId: string;
  milestone: string;
  channel: string;
  state: NotificationState;
  attempts: number;
  payload: Record<string, unknown>;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
}

/** The outbox of customer and storefront notices: each queued once per (order, milestone, channel). */
export interface NotificationStore {
  /** Queues a notification once per (order, milestone, channel); false when it was queued before. */
  enqueueNotification(
    orderId: string,
    milestone: string,
    channel: string,
    payload: Record<string, unknown>,
  ): Promise<boolean>;
  /**
   * Queues several notifications of one order in one transaction, each once per (order, milestone, channel), and
   * returns the ones that are new. With a lease they are queued already claimed by its owner, who delivers them at
   * once without a separate claim; should the owner die, the lease runs out and any worker may claim them.
   */
  enqueueNotifications(
    orderId: string,
    notices: { milestone: string; channel: string; payload: Record<string, unknown> }[],
    lease?: Lease,
  ): Promise<Notification[]>;
  claimNotifications(channel: string, lease: Lease, limit: number, orderId?: string): Promise<Notification[]>;
  completeNotification(
    id: number,
    outcome: { sent: true } | { error: string; retryAt?: Date },
    now: Date,
  ): Promise<void>;
  listNotifications(orderId: string): Promise<Notification[]>;
}
