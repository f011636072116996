import type { IncomingHttpHeaders } from 'node:http';
import { DropshipError } from '../errors';
import type { Order } from '../model/order';
import type { OrderStore } from '../store/order-store';
import { validateOrder } from '../validation/validate-order';
import type { StorefrontIntake } from '../../connectors/storefronts/contract';

export type IntakeOutcome =
  | { kind: 'created'; order: Order }
  | { kind: 'duplicate'; order: Order; of: 'delivery' | 'order' }
  | { kind: 'ignored'; reason: string };

/** Deeper nesting than any storefront sends: refused before it can cost anything. */
const MAX_DEPTH = 32;

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const child of Object.values(value as Record<string, unknown>)) {
    max = Math.max(max, depthOf(child, depth + 1));
    if (max > MAX_DEPTH) break;
  }
  return max;
}

/** Far above a 500-line storefront order (the schema's limit), far below what parsing could cost a process. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const WEBHOOK_PING = /^webhook_id=(\d+)$/;

/**
 * The webhook id of WooCommerce's ping: when a webhook is saved, WooCommerce posts the unsigned form body
 * `webhook_id=N` to the delivery URL and keeps the webhook only if it is answered 200.
 */
export function webhookPingId(rawBody: Buffer): number | undefined {
  const match = rawBody.length < 32 ? WEBHOOK_PING.exec(rawBody.toString('utf8')) : null;
  return match ? Number(match[1]) : undefined;
}

/** Parses a webhook body as JSON (a ping as `{ webhook_id }`), with errors that say what is wrong with it. */
export function parseJsonBody(rawBody: Buffer): unknown {
  if (rawBody.length === 0)
    throw new DropshipError('invalid_input', 'the body is empty', [{ path: '', message: 'is empty' }]);
  if (rawBody.length > MAX_BODY_BYTES) {
    throw new DropshipError(
      'invalid_input',
      `the body is ${rawBody.length} bytes, more than the ${MAX_BODY_BYTES} an order may take`,
      [{ path: '', message: `is larger than ${MAX_BODY_BYTES} bytes` }],
    );
  }
  const pingId = webhookPingId(rawBody);
  if (pingId !== undefined) return { webhook_id: pingId };
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch (err) {
    throw new DropshipError('invalid_input', `the body is not JSON: ${(err as Error).message}`, [
      { path: '', message: 'is not JSON' },
    ]);
  }
  if (depthOf(parsed) > MAX_DEPTH) {
    throw new DropshipError('invalid_input', `the body nests deeper than ${MAX_DEPTH} levels`, [
      { path: '', message: 'nests too deep' },
    ]);
  }
  return parsed;
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
  return result.created
    ? { kind: 'created', order: result.order }
    : { kind: 'duplicate', order: result.order, of: result.duplicateOf ?? 'order' };
}
