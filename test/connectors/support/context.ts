import { fixedClock } from '../../../core/clock';
import type { ConnectorContext } from '../../../core/ports/supplier-connector';
import { recordingLog } from './recording-log';

/** A per-scope counter standing in for the store's sequence where persistence is not what a test is about. */
export function memorySequence(): (scope: string) => Promise<number> {
  const values = new Map<string, number>();
  return async (scope) => {
    const next = (values.get(scope) ?? 0) + 1;
    values.set(scope, next);
    return next;
  };
}

/** The time of the clock connectorContext gives connectors. */
export const CONTEXT_NOW = '2026-11-21T08:00:00.000Z';

export function connectorContext<S>(
  settings: S,
  credentials: Record<string, string | undefined> = {},
  overrides: Partial<ConnectorContext<S>> = {},
): ConnectorContext<S> & { log: ReturnType<typeof recordingLog> } {
  return {
    supplierId: 'acme',
    settings,
    credentials,
    log: recordingLog(),
    clock: fixedClock(CONTEXT_NOW),
    nextSequenceValue: memorySequence(),
    ...overrides,
  } as ConnectorContext<S> & { log: ReturnType<typeof recordingLog> };
}
