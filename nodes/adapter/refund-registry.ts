import type { RefundResult } from '../../core/refunds/manage-refunds';
import type { OrderStore } from '../../core/store/order-store';

/** A deployed dropship-refunds node, as other nodes (the watchdog, for the dashboard) reach it. */
export interface Refunder {
  /** Approves the refund `key` and makes it through the node's storefront, audited under `actor`. */
  approve(store: OrderStore, key: string, actor: string): Promise<RefundResult>;
}

/** Deployed refunds nodes by the order channel their storefront serves, first deployed first. */
const refunders = new Map<string, Refunder[]>();

/** Registers a refunds node for `channel`; the returned function removes it (on close). */
export function registerRefunder(channel: string, refunder: Refunder): () => void {
  const list = refunders.get(channel) ?? [];
  list.push(refunder);
  refunders.set(channel, list);
  return () => {
    const current = refunders.get(channel) ?? [];
    current.splice(current.indexOf(refunder), 1);
  };
}

/** The refunds node that makes refunds for orders of `channel`, if one is deployed. */
export function refunderFor(channel: string): Refunder | undefined {
  return refunders.get(channel)?.[0];
}
