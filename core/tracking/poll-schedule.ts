import { createHash } from 'node:crypto';
import type { TrackingStatus } from '../model/shipment';

/** Statuses after which a carrier has nothing more to say: polling stops. */
export const FINAL_TRACKING_STATUSES: readonly TrackingStatus[] = [
  'delivered',
  'returned_to_sender',
  'expired',
];

export interface PollPolicy {
  /** Shortest wait between two polls of one parcel. */
  minIntervalMs: number;
  /** Longest wait, however long the parcel has been still. */
  maxIntervalMs: number;
  /** The wait is this fraction of the time since the parcel last moved: still parcels are asked less often. */
  idleFraction: number;
  /** Out for delivery: delivery is hours away, so never wait longer than this. */
  outForDeliveryIntervalMs: number;
  /** A parcel that has not moved for this long is no longer polled (the carrier will not say more). */
  giveUpAfterMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_POLL_POLICY: PollPolicy = {
  minIntervalMs: 15 * MINUTE,
  maxIntervalMs: 12 * HOUR,
  idleFraction: 0.25,
  outForDeliveryIntervalMs: 30 * MINUTE,
  giveUpAfterMs: 30 * 24 * HOUR,
};

export interface PolledParcel {
  trackingNumber: string;
  status: TrackingStatus;
  /** When the parcel last moved: its latest new status or scan (or when it was registered, before any). */
  lastMovementAt: Date | string;
  /** When the carrier was last asked; undefined when never. */
  lastPolledAt?: Date | string;
}

/**
 * When to ask the carrier about a parcel next, or undefined to stop: at a final status, or after the parcel has been
 * still for `giveUpAfterMs`. The wait grows with the time the parcel has been still (a quarter of it by default,
 * between 15 min and 12 h), and is short while it is out for delivery. A spread of up to a tenth of the wait,
 * fixed per tracking number, keeps parcels registered together from being polled in one burst. Overdue polls are
 * due now.
 */
export function nextPollAt(
  parcel: PolledParcel,
  now: Date,
  policy: PollPolicy = DEFAULT_POLL_POLICY,
): Date | undefined {
  if (FINAL_TRACKING_STATUSES.includes(parcel.status)) return undefined;
  const stillForMs = Math.max(0, now.getTime() - new Date(parcel.lastMovementAt).getTime());
  if (stillForMs >= policy.giveUpAfterMs) return undefined;
  if (parcel.lastPolledAt === undefined) return now;

  let waitMs = Math.min(
    policy.maxIntervalMs,
    Math.max(policy.minIntervalMs, stillForMs * policy.idleFraction),
  );
  if (parcel.status === 'out_for_delivery') waitMs = Math.min(waitMs, policy.outForDeliveryIntervalMs);
  const spreadMs = Math.floor((waitMs / 10) * spreadFraction(parcel.trackingNumber));
  const due = new Date(new Date(parcel.lastPolledAt).getTime() + waitMs + spreadMs);
  return due.getTime() < now.getTime() ? now : due;
}

/** A fraction in [0, 1) that is the same for a tracking number every time. */
function spreadFraction(trackingNumber: string): number {
  return createHash('sha256').update(trackingNumber).digest().readUInt32BE(0) / 2 ** 32;
}
