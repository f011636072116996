export interface RetryPolicy {
  /** Sends of one PO before its lines go to the next supplier. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 5_000,
  maxDelayMs: 3_600_000,
};

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries from many POs spread
 * out without any of them retrying almost at once. A supplier's Retry-After wins when it asks for longer.
 */
export function retryDelay(
  sendAttempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, sendAttempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
