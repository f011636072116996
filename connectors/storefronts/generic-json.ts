import type { OrderDraft } from '../../core/model/order';
import type { StorefrontIntake } from '../../core/ports/storefront-intake';
import { validateWithSchema } from '../../core/validation/schema-validator';
import { DEFAULT_SIGNATURE_HEADER, verifySenderCredential, type SenderCredentialCheck } from './signature';

function isRecord(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The canonical order JSON (schemas/order.schema.json) from any system: a custom shop, an ERP, a CSV import.
 * Fills only the defaults a human would expect (channel "generic", line ids by position, lines that ship,
 * totals from the lines); everything else is validated as sent.
 */
export function withOrderDefaults(payload: unknown, channel = 'generic'): unknown {
  if (!isRecord(payload)) return payload;
  const lines = Array.isArray(payload.lines)
    ? payload.lines.map((line: unknown, i) =>
        isRecord(line) ? { lineId: String(i + 1), requiresShipping: true, ...line } : line,
      )
    : payload.lines;
  const draft: Record<string, unknown> = { channel, shipping: {}, customer: {}, ...payload, lines };
  if (draft.totals === undefined && Array.isArray(lines)) {
    const subtotal = lines.reduce(
      (sum: number, l: unknown) =>
        isRecord(l) && typeof l.unitPrice === 'number' && typeof l.quantity === 'number'
          ? sum + l.unitPrice * l.quantity
          : sum,
      0,
    );
    const rounded = Math.round(subtotal * 100) / 100;
    draft.totals = { subtotal: rounded, shipping: 0, tax: 0, discount: 0, total: rounded };
  }
  if (typeof draft.placedAt !== 'string') draft.placedAt = new Date().toISOString();
  return draft;
}

/**
 * The generic channel's intake for a sender that proves itself as configured: a base64 HMAC-SHA256 of the body
 * in a header of the operator's choosing, or a bearer token.
 */
export function genericJsonIntakeFor(check: SenderCredentialCheck): StorefrontIntake {
  return {
    channel: 'generic',
    signatureHeader: check.scheme === 'signature' ? check.header : undefined,
    verify(rawBody, headers, secrets) {
      verifySenderCredential(rawBody, headers, check, secrets);
    },
    // What the sender may leave out is published in schemas/order-intake.schema.json, checked before the defaults
    // fill it in, so the intake accepts exactly what that schema does (and its three rules in words).
    interpret(payload) {
      validateWithSchema('order-intake.schema.json', payload, 'order');
      return { kind: 'order', draft: withOrderDefaults(payload) as OrderDraft };
    },
  };
}

/** Signed in `X-Dropship-Signature`, the default. */
export const genericJsonIntake: StorefrontIntake = genericJsonIntakeFor({
  scheme: 'signature',
  header: DEFAULT_SIGNATURE_HEADER,
});
