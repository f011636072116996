/** A problem found in something a user or a partner sent: one entry per field, named by its path. */
export interface FieldProblem {
  /** JSON pointer-like path of the field, e.g. "/lines/0/quantity" ("" for the document itself). */
  path: string;
  message: string;
}

export type DropshipErrorCode =
  | 'invalid_input'
  | 'bad_signature'
  | 'not_found'
  | 'conflict'
  | 'unroutable'
  | 'configuration'
  | 'supplier_transient'
  | 'supplier_permanent'
  | 'outcome_unknown'
  | 'delivery_failed'
  /** A PO cancelled here could not be withdrawn at its supplier: someone must do it by hand. */
  | 'cancel_failed'
  /** A trading partner has not answered a document we sent with its functional acknowledgement (997) in time. */
  | 'acknowledgement_overdue'
  /** Risk screening held the order for a person before routing (core/risk). */
  | 'risk_hold'
  /** A storefront refused a variant's quantity or price push (storefront sync); its own words follow. */
  | 'storefront_refused';

/**
 * The one error type that leaves the core: a stable machine code, a sentence for people and, for bad input,
 * the field-level problems. Nodes put `toJSON()` into `msg.error`.
 */
export class DropshipError extends Error {
  constructor(
    readonly code: DropshipErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DropshipError';
  }

  toJSON(): { code: DropshipErrorCode; message: string; details: FieldProblem[] } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function invalidInput(what: string, details: FieldProblem[]): DropshipError {
  const summary = details
    .slice(0, 3)
    .map((d) => `${d.path || '(document)'} ${d.message}`)
    .join('; ');
  const more = details.length > 3 ? ` (+${details.length - 3} more)` : '';
  return new DropshipError('invalid_input', `Invalid ${what}: ${summary}${more}`, details);
}

/** The message of anything thrown: an Error's message, else the value as text. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Turns anything thrown into a DropshipError without losing the original as its cause. */
export function asDropshipError(err: unknown, fallback: DropshipErrorCode = 'configuration'): DropshipError {
  if (err instanceof DropshipError) return err;
  return new DropshipError(fallback, errorText(err), [], { cause: err });
}
