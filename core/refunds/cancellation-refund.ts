import type { Order, OrderLine } from '../model/order';
import type { StoredOrderChange } from '../model/order-change';
import type { OrderStore } from '../store/order-store';
import { proposeRefund } from './manage-refunds';
import type { Refund } from './refund';

/**
 * Proposes the refund of the units a storefront change took off the order (a cancellation, whole or partial, or an
 * edit that lowered quantities): `before` is the order as it was, `after` its lines once the change is applied
 * (units that shipped, or that a supplier refused to cancel, stay on them and are not refunded here). Left out: a
 * change that is the shop's own refund, a change the shop reported as refunded in full, and the units of the shop's
 * refunds it reported with the change, unless that refund was recorded as a change of its own applied before
 * (its units were then already off `before`). The change is the storefront change, so applying it again after a
 * crash finds the same proposal. Undefined when nothing is left to refund.
 */
export async function proposeCancellationRefund(
  store: OrderStore,
  before: Order,
  after: OrderLine[],
  change: StoredOrderChange,
  actor: string,
): Promise<{ refund: Refund; created: boolean } | undefined> {
  if (change.kind === 'refund' || change.shopRefunds === 'all') return undefined;
  const units = new Map<string, number>();
  for (const line of before.lines) {
    const left = after.find((kept) => kept.lineId === line.lineId)?.quantity ?? 0;
    if (line.quantity > left) units.set(line.lineId, line.quantity - left);
  }
  if (change.shopRefunds) {
    const earlier = (await store.listOrderChanges(before.id)).filter((c) => c.id < change.id);
    for (const refund of change.shopRefunds) {
      if (earlier.some((c) => c.key === `refund:${refund.id}`)) continue;
      for (const line of refund.lines) units.set(line.lineId, (units.get(line.lineId) ?? 0) - line.quantity);
    }
  }
  const lines = [...units]
    .filter(([, quantity]) => quantity > 0)
    .map(([lineId, quantity]) => ({ lineId, quantity }));
  if (lines.length === 0) return undefined;
  return proposeRefund(store, before.id, {
    trigger: 'customer_cancelled',
    reason:
      change.kind === 'cancel'
        ? 'the storefront cancelled the units'
        : 'the storefront edited the units away',
    change: `storefront_change:${change.key}`,
    lines,
    actor,
  });
}
