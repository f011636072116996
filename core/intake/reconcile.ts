import type { StorefrontIntake } from '../ports/storefront-intake';
import { systemClock, type Clock } from '../clock';
import { asDropshipError, type DropshipError } from '../errors';
import type { Order } from '../model/order';
import type { OrderStore } from '../store/order-store';
import { receiveStorefrontOrder } from './receive-order';

/**
 * A storefront's order API, read as pages of orders in the storefront's own JSON (the shape its webhooks carry),
 * limited to orders that are paid and changed at or after `since`.
 */
export interface StorefrontOrderSource {
  readonly channel: string;
  paidOrdersChangedSince(since: Date, signal?: AbortSignal): AsyncIterable<unknown[]>;
  /** The shop's own order number or id of a raw order, for reports (never customer data). */
  orderReference(raw: unknown): string | undefined;
}

export interface ReconcileRefusal {
  /** The shop's order number or id. */
  reference?: string;
  error: DropshipError;
}

export interface ReconcileReport {
  since: Date;
  /** Orders the API listed. */
  seen: number;
  /** Orders no webhook had brought: stored now. */
  created: Order[];
  /** Orders already stored (their webhook arrived, or an earlier poll took them). */
  duplicates: number;
  /** Orders the intake skips (nothing to ship, not paid after all). */
  ignored: number;
  /** Orders the intake refused, each with the reason naming the field. */
  refused: ReconcileRefusal[];
}

/**
 * Feeds every paid order the storefront's API lists since `since` through the webhook's own intake path, so an
 * order whose webhook never arrived is stored now, and one that did arrive collapses onto the stored order (the
 * store deduplicates on channel and external id). One refused order does not stop the others.
 */
export async function reconcileStorefrontOrders(
  store: OrderStore,
  intake: StorefrontIntake,
  source: StorefrontOrderSource,
  options: { since: Date; actor: string; signal?: AbortSignal },
): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    since: options.since,
    seen: 0,
    created: [],
    duplicates: 0,
    ignored: 0,
    refused: [],
  };
  for await (const page of source.paidOrdersChangedSince(options.since, options.signal)) {
    for (const raw of page) {
      report.seen += 1;
      try {
        // No webhook headers: no topic to filter on and no delivery id; the order id deduplicates.
        const outcome = await receiveStorefrontOrder(store, intake, raw, {}, options.actor);
        if (outcome.kind === 'created') report.created.push(outcome.order);
        else if (outcome.kind === 'duplicate') report.duplicates += 1;
        else report.ignored += 1;
      } catch (err) {
        report.refused.push({ reference: source.orderReference(raw), error: asDropshipError(err) });
      }
    }
  }
  return report;
}

export interface ReconcilerOptions {
  store: () => Promise<OrderStore>;
  intake: StorefrontIntake;
  source: StorefrontOrderSource;
  actor: string;
  /** How far back the first poll after a start looks (orders missed while this instance was down). */
  lookbackMs: number;
  /**
   * Each poll reaches this far behind the start of the previous successful one, for clock skew between the shop
   * and this machine and for orders the shop commits late.
   */
  overlapMs: number;
  clock?: Clock;
}

/**
 * Polls a storefront's order API on behalf of one order-in node, remembering up to when the last successful poll
 * looked. A failed poll moves nothing on: the next one covers its window again.
 */
export class StorefrontReconciler {
  private watermark: Date | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: ReconcilerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Where the next poll starts. */
  nextSince(): Date {
    return this.watermark ?? new Date(this.clock.now().getTime() - this.options.lookbackMs);
  }

  async poll(signal?: AbortSignal): Promise<ReconcileReport> {
    const startedAt = this.clock.now();
    const store = await this.options.store();
    const report = await reconcileStorefrontOrders(store, this.options.intake, this.options.source, {
      since: this.nextSince(),
      actor: this.options.actor,
      signal,
    });
    this.watermark = new Date(startedAt.getTime() - this.options.overlapMs);
    return report;
  }
}
