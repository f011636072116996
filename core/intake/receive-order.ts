import type { IncomingHttpHeaders } from 'node:http';
import { parseJsonBody } from '../http-body';
import { recordStorefrontChange, type ChangeIntakeOutcome } from '../changes/record-order-change';
import type { Order, OrderDraft } from '../model/order';
import type { OrderChangeLine } from '../model/order-change';
import type { OrderStore } from '../store/order-store';
import { validateOrder } from '../validation/validate-order';
import type { StorefrontIntake } from '../ports/storefront-intake';
import { flagOversoldOrder } from '../storefront-sync/oversell';

export type IntakeOutcome =
  | { kind: 'created'; order: Order }
  | { kind: 'duplicate'; order: Order; of: 'delivery' | 'order' }
  | { kind: 'ignored'; reason: string }
  | ChangeIntakeOutcome;

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
  if (decision.kind === 'change') return recordStorefrontChange(store, decision.change, actor);
  const draft = validateOrder(decision.draft);
  const result = await store.receiveOrder(draft, { actor, deliveryId: decision.deliveryId });
  if (result.created) {
    await flagOversoldOrder(store, result.order, actor);
    return { kind: 'created', order: result.order };
  }
  const edit = decision.currentLines ? lineEdit(result.order, draft) : undefined;
  if (edit) return recordStorefrontChange(store, edit, actor);
  return { kind: 'duplicate', order: result.order, of: result.duplicateOf ?? 'order' };
}

/**
 * The edit a delivery carrying the order as it is now makes to the stored order: each line whose quantity
 * differs is set to the delivered quantity (a line no longer delivered to 0). Keyed by the quantities, so the same
 * order delivered again is the same change.
 */
function lineEdit(stored: Order, delivered: OrderDraft) {
  const now = new Map(delivered.lines.map((line) => [line.lineId, line.quantity]));
  const lines: OrderChangeLine[] = [];
  for (const line of stored.lines) {
    const quantity = now.get(line.lineId) ?? 0;
    if (quantity !== line.quantity) lines.push({ lineId: line.lineId, mode: 'set', quantity });
  }
  const known = new Set(stored.lines.map((line) => line.lineId));
  const additions = delivered.lines
    .filter((line) => !known.has(line.lineId))
    .map((line) => ({ lineId: line.lineId, quantity: line.quantity }));
  if (lines.length === 0 && additions.length === 0) return undefined;
  const key = [...delivered.lines]
    .sort((a, b) => (a.lineId < b.lineId ? -1 : 1))
    .map((line) => `${line.lineId}=${line.quantity}`)
    .join(',');
  return {
    channel: stored.channel,
    externalId: stored.externalId,
    kind: 'edit' as const,
    whole: false,
    lines,
    ...(additions.length > 0 ? { additions } : {}),
    key: `lines:${key}`,
  };
}
