import type { RiskSignal, RiskSignalStore } from '../risk-signal-store';
import type { StoreClass } from '../store-class';
import type { SqliteStoreBase } from './sqlite-store';

/** Velocity signals in the SQLite store (their own migration). */
export function withRiskSignals<T extends StoreClass<SqliteStoreBase>>(
  Base: T,
): T & StoreClass<RiskSignalStore> {
  abstract class SqliteRiskSignals extends Base implements RiskSignalStore {
    async recordRiskSignals(
      orderId: string,
      signals: RiskSignal[],
      at: Date,
      since: Date,
    ): Promise<Record<string, number>> {
      const insert = this.db.prepare(
        `INSERT INTO risk_signals (order_id, kind, digest, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (order_id, kind) DO NOTHING`,
      );
      const count = this.db.prepare(
        'SELECT count(*) AS n FROM risk_signals WHERE kind = ? AND digest = ? AND at >= ? AND order_id <> ?',
      );
      const run = this.db.transaction((): Record<string, number> => {
        const counts: Record<string, number> = {};
        for (const signal of signals) {
          insert.run(orderId, signal.kind, signal.digest, at.getTime());
          const row = count.get(signal.kind, signal.digest, since.getTime(), orderId) as { n: number };
          counts[signal.kind] = Number(row.n);
        }
        return counts;
      });
      return run.immediate();
    }
  }
  return SqliteRiskSignals;
}
