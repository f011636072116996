import type { ConnectorLog } from '../../../core/ports/connector';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn';
  message: string;
}

/** A ConnectorLog that keeps every call, so tests can check what (and what not) was logged. */
export function recordingLog(): ConnectorLog & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    debug: (message) => entries.push({ level: 'debug', message }),
    info: (message) => entries.push({ level: 'info', message }),
    warn: (message) => entries.push({ level: 'warn', message }),
  };
}
