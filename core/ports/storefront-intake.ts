import type { IncomingHttpHeaders } from 'node:http';
import type { OrderDraft } from '../model/order';
import type { StorefrontOrderChange } from '../model/order-change';

export type IntakeDecision =
  | {
      kind: 'order';
      draft: OrderDraft;
      deliveryId?: string;
      /**
       * The delivery carries the order as it is now (WooCommerce's order.updated): for an order already stored,
       * lines whose quantities differ are an edit. Absent where a late or resent delivery may carry an older copy.
       */
      currentLines?: boolean;
    }
  /** The storefront changed a paid order: cancelled it, edited its lines, refunded some of it. */
  | { kind: 'change'; change: StorefrontOrderChange }
  /** A delivery that is valid but carries nothing to fulfil (unpaid, wrong topic): answered 200, not stored. */
  | { kind: 'ignored'; reason: string };

/** How one storefront's webhooks are authenticated and turned into canonical orders. */
export interface StorefrontIntake {
  channel: string;
  /** Header that carries the signature; absent for channels that do not sign. */
  signatureHeader?: string;
  /** Throws a DropshipError('bad_signature') unless one of `secrets` signed these exact bytes. */
  verify(rawBody: Buffer, headers: IncomingHttpHeaders, secrets: string[]): void;
  /**
   * Reads a body its own way (WooCommerce's form-encoded ping, Shopify's ids beyond 2^53); undefined: read it as
   * plain JSON.
   */
  parseBody?(rawBody: Buffer): unknown;
  /** Normalises a parsed payload; throws DropshipError('invalid_input') naming the source field. */
  interpret(payload: unknown, headers: IncomingHttpHeaders): IntakeDecision;
}
