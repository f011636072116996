/** One thing an order is known by for velocity checks: its e-mail, shipping address, IP or card fingerprint. */
export interface RiskSignal {
  kind: string;
  /** Normalised, then kept only as a SHA-256 digest: the store holds no second copy of the customer's data. */
  digest: string;
}

/**
 * Velocity counts for risk screening (core/risk), both engines: each order's signals are recorded once, and other
 * orders with the same signal in a window are counted.
 */
export interface RiskSignalStore {
  /**
   * Records the order's signals at `at` (again for the same order and kind: nothing changes) and returns, per
   * kind, how many other orders carried the same digest at or after `since`.
   */
  recordRiskSignals(
    orderId: string,
    signals: RiskSignal[],
    at: Date,
    since: Date,
  ): Promise<Record<string, number>>;
}
