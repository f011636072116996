import type { RiskSignal, RiskSignalStore } from '../risk-signal-store';
import type { StoreClass } from '../store-class';
import type { PostgresStoreBase } from './postgres-store';

/** Velocity signals in the PostgreSQL store (their own migration). */
export function withRiskSignals<T extends StoreClass<PostgresStoreBase>>(
  Base: T,
): T & StoreClass<RiskSignalStore> {
  abstract class PostgresRiskSignals extends Base implements RiskSignalStore {
    recordRiskSignals(
      orderId: string,
      signals: RiskSignal[],
      at: Date,
      since: Date,
    ): Promise<Record<string, number>> {
      return this.transaction(async (db) => {
        const counts: Record<string, number> = {};
        for (const signal of signals) {
          await db.query(
            `INSERT INTO risk_signals (order_id, kind, digest, at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (order_id, kind) DO NOTHING`,
            [orderId, signal.kind, signal.digest, at.getTime()],
          );
          const { rows } = await db.query<{ n: string }>(
            'SELECT count(*) AS n FROM risk_signals WHERE kind = $1 AND digest = $2 AND at >= $3 AND order_id <> $4',
            [signal.kind, signal.digest, since.getTime(), orderId],
          );
          counts[signal.kind] = Number(rows[0]?.n ?? 0);
        }
        return counts;
      });
    }
  }
  return PostgresRiskSignals;
}
