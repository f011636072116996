import { DropshipError } from '../errors';
import type { Order } from '../model/order';
import type { StoredOrderChange, StorefrontOrderChange } from '../model/order-change';
import type { OrderStore } from '../store/order-store';

/** The topic of the message that carries a recorded change from order-in through the router to dispatch. */
export const ORDER_CHANGE_TOPIC = 'order.change';

/** The order event types a change writes. */
export const CHANGE_EVENTS = {
  received: 'order.change_received',
  applied: 'order.change_applied',
  linesChanged: 'po.lines_changed',
  confirmed: 'po.change_confirmed',
  requested: 'po.change_requested',
  refused: 'po.change_refused',
  failed: 'po.change_failed',
  returnCandidate: 'order.return_candidate',
} as const;

export interface ChangeIntakeOutcome {
  kind: 'change';
  order: Order;
  change: StoredOrderChange;
  /** False when the same change (same key) was recorded before: nothing new was written. */
  created: boolean;
}

/**
 * Records a storefront's change to a stored order, once per (order, key), with an `order.change_received` event.
 * The change is in the store when this resolves (the webhook may be answered 2xx); applying it is the dispatch
 * side's work (`applyOrderChange`), resumed after a crash. Throws `not_found` for an order never received (the
 * storefront retries the webhook) and `invalid_input` for a line the order does not have.
 */
export async function recordStorefrontChange(
  store: OrderStore,
  change: StorefrontOrderChange,
  actor: string,
): Promise<ChangeIntakeOutcome | { kind: 'ignored'; reason: string }> {
  const order = await store.findOrder(`${change.channel}:${change.externalId}`);
  // An order never taken in (unpaid, digital only, cancelled before it was paid) has nothing to change; one whose
  // paid delivery comes later arrives as it then is.
  if (!order)
    return {
      kind: 'ignored',
      reason: `no ${change.channel} order ${change.externalId} is stored: nothing to change`,
    };
  const known = new Set(order.lines.map((line) => line.lineId));
  // Lines the storefront added are the operator's to order: recorded, never routed on their own.
  const added = change.lines.filter((line) => line.mode === 'add' && !known.has(line.lineId));
  if (added.length > 0) {
    change = {
      ...change,
      lines: change.lines.filter((line) => !added.includes(line)),
      additions: [
        ...(change.additions ?? []),
        ...added.map(({ lineId, quantity }) => ({ lineId, quantity })),
      ],
    };
  }
  const unknown = change.lines.findIndex((line) => !known.has(line.lineId));
  if (unknown >= 0) {
    throw new DropshipError(
      'invalid_input',
      `the change names line ${change.lines[unknown]!.lineId}, which the order does not have`,
      [{ path: `/lines/${unknown}/lineId`, message: 'is not a line of the stored order' }],
    );
  }
  const recorded = await store.recordOrderChange(
    {
      orderId: order.id,
      key: change.key,
      kind: change.kind,
      whole: change.whole,
      lines: change.lines,
      ...(change.additions ? { additions: change.additions } : {}),
      ...(change.reason ? { reason: change.reason } : {}),
      ...(change.refund ? { refund: change.refund } : {}),
      ...(change.shopRefunds ? { shopRefunds: change.shopRefunds } : {}),
    },
    {
      type: CHANGE_EVENTS.received,
      actor,
      reason: changeSummary(change),
      data: {
        kind: change.kind,
        whole: change.whole,
        lines: change.lines,
        ...(change.additions?.length ? { additions: change.additions } : {}),
        ...(change.refund ? { refund: change.refund } : {}),
      },
    },
  );
  return { kind: 'change', order, change: recorded.change, created: recorded.created };
}

/** The change in words, without customer data. */
export function changeSummary(
  change: Pick<StorefrontOrderChange, 'kind' | 'whole' | 'lines' | 'reason'>,
): string {
  const what = change.whole
    ? 'the whole order'
    : change.lines
        .map((l) =>
          l.mode === 'set' ? `line ${l.lineId} to ${l.quantity}` : `${l.quantity} of line ${l.lineId}`,
        )
        .join(', ');
  const verb = { cancel: 'cancelled', edit: 'edited', refund: 'refunded' }[change.kind];
  return `storefront ${verb} ${what || 'nothing that ships'}${change.reason ? ` (${change.reason})` : ''}`;
}
