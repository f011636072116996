import { AxiosError } from 'axios';
import type { FieldProblem } from '../../core/errors';
import {
  OutcomeUnknownError,
  SupplierPermanentError,
  SupplierTransientError,
} from '../../core/ports/supplier-connector';

/** Retry-After is either seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function parseRetryAfter(header: unknown, now: Date): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** What a supplier said in a refusal body: its sentence, its code, and where in the body each was found. */
export interface RefusalWords {
  reason?: string;
  code?: string;
  details?: FieldProblem[];
}

/**
 * Maps an HTTP failure (axios) to the contract's error types: what may be retried, what may not, and what may
 * or may not have reached the supplier. `reason` extracts the supplier's own words from a refusal body; a
 * refusal's details name the HTTP status and those words.
 */
export function httpFailure(
  err: unknown,
  now: Date,
  reason: (body: unknown) => string | RefusalWords | undefined = () => undefined,
): Error {
  if (!(err instanceof AxiosError)) return new OutcomeUnknownError(String(err), { cause: err });
  const status = err.response?.status;
  if (status === undefined) {
    // No reply: a refused connection never reached the supplier; anything else may have.
    if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
      return new SupplierTransientError(`supplier unreachable (${err.code})`, undefined, { cause: err });
    }
    return new OutcomeUnknownError(`no reply from supplier (${err.code ?? err.message})`, { cause: err });
  }
  if (status === 429 || status === 503) {
    return new SupplierTransientError(
      `supplier answered HTTP ${status}`,
      parseRetryAfter(err.response?.headers['retry-after'], now),
      { cause: err },
    );
  }
  if (status === 408 || status === 504)
    return new OutcomeUnknownError(`supplier answered HTTP ${status}`, { cause: err });
  if (status >= 500)
    return new SupplierTransientError(`supplier answered HTTP ${status}`, undefined, { cause: err });
  const said = reason(err.response?.data);
  const words: RefusalWords = typeof said === 'string' ? { reason: said } : (said ?? {});
  const sentence = [words.code && `[${words.code}]`, words.reason?.slice(0, 200)].filter(Boolean).join(' ');
  return new SupplierPermanentError(
    `supplier refused the PO with HTTP ${status}${sentence ? `: ${sentence}` : ''}`,
    {
      cause: err,
      details: [
        { path: 'httpStatus', message: String(status) },
        ...(words.details ?? (words.reason ? [{ path: 'reason', message: words.reason }] : [])),
      ],
    },
  );
}
