/**
 * One breaker per supplier: after `failureThreshold` transient failures in a row the supplier is left alone for
 * `cooldownMs` (open); then one PO probes it (half-open); a success closes the breaker.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    readonly failureThreshold = 5,
    readonly cooldownMs = 60_000,
  ) {}

  stateAt(now: Date): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.failureThreshold) return 'closed';
    return this.probing || now.getTime() >= this.openUntil ? 'half-open' : 'open';
  }

  /** Whether a send may go ahead now; otherwise when to try again. */
  admit(now: Date): { allowed: true } | { allowed: false; retryAt: Date } {
    if (this.failures < this.failureThreshold) return { allowed: true };
    if (now.getTime() >= this.openUntil && !this.probing) {
      this.probing = true;
      return { allowed: true };
    }
    return { allowed: false, retryAt: new Date(Math.max(this.openUntil, now.getTime() + 1_000)) };
  }

  recordSuccess(): void {
    this.failures = 0;
    this.probing = false;
  }

  recordFailure(now: Date): void {
    this.failures += 1;
    this.probing = false;
    if (this.failures >= this.failureThreshold) this.openUntil = now.getTime() + this.cooldownMs;
  }
}
