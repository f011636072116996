import type { IncomingHttpHeaders } from 'node:http';
import { parseJsonBody } from '../http-body';
import type { Order } from '../model/order';
import type { OrderStore } from '../store/order-store';
import { validateOrder } from '../validation/validate-order';
import type { StorefrontIntake } from '../ports/storefront-intake';
import { flagOversoldOrder } from '../storefront-sync/oversell';

export type IntakeOutcome =
  | { kind: 'created'; order: Order }
  | { kind: 'duplicate'; order: Order; of: 'delivery' | 'order' }
  | { kind: 'ignored'; reason: string };

/**
 * Reads a storefront's webhook body: what the storefront sends that is not JSON (WooCommerce's form-encoded
 * ping) through its intake, everything else as JSON.
 */
export function parseStorefrontBody(intake: StorefrontIntake, rawBody: Buffer): unknown {
  return intake.parseBody?.(rawBody) ?? parseJsonBody(rawBody);
}

/**
 * Normalises, validates and commits one storefront delivery. The order is in the store when this resolves, so
 * the caller may answer the webhook 2xx; a duplicate returns the stored order and writes nothing new.
 */
export async function receiveStorefrontOrder(
  store: OrderStore,
  intake: StorefrontIntake,
  payload: unknown,
  headers: IncomingHttpHeaders,
  actor: string,
): Promise<IntakeOutcome> {
  const decision = intake.interpret(payload, headers);
  if (decision.kind === 'ignored') return decision;
  const draft = validateOrder(decision.draft);
  const result = await store.receiveOrder(draft, { actor, deliveryId: decision.deliveryId });
  if (result.created) await flagOversoldOrder(store, result.order, actor);
  return result.created
    ? { kind: 'created', order: result.order }
    : { kind: 'duplicate', order: result.order, of: result.duplicateOf ?? 'order' };
}
