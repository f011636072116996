import type { IncomingHttpHeaders } from 'node:http';
import type { OrderDraft } from '../model/order';

export type IntakeDecision =
  | { kind: 'order'; draft: OrderDraft; deliveryId?: string }
  /** A delivery that is valid but carries nothing to fulfil (unpaid, wrong topic): answered 200, not stored. */
  | { kind: 'ignored'; reason: string };

/** How one storefront's webhooks are authenticated and turned into canonical orders. */
export interface StorefrontIntake {
  channel: string;
  /** Header that carries the signature; absent for channels that do not sign. */
  signatureHeader?: string;
  /** Throws a DropshipError('bad_signature') unless one of `secrets` signed these exact bytes. */
  verify(rawBody: Buffer, headers: IncomingHttpHeaders, secrets: string[]): void;
  /** Reads a body this storefront sends that is not JSON (WooCommerce's form-encoded ping); undefined: read it as JSON. */
  parseBody?(rawBody: Buffer): unknown;
  /** Normalises a parsed payload; throws DropshipError('invalid_input') naming the source field. */
  interpret(payload: unknown, headers: IncomingHttpHeaders): IntakeDecision;
}
