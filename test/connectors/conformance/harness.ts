import type { DispatchRequest } from '../../../core/ports/supplier-connector';

export type FailureMode = 'transient' | 'permanent' | 'unknown';

/** A running local peer of one connector: the supplier side, as real as this machine allows. */
export interface ConformancePeer {
  settings: Record<string, unknown>;
  credentials: Record<string, string | undefined>;
  /** The document number (PO number, Idempotency-Key, Message-ID...) of every delivery the supplier side saw. */
  deliveries(): Promise<string[]>;
  /** How many distinct orders the supplier side created from those deliveries. */
  ordersCreated(): Promise<number>;
  /**
   * Makes the next send fail in the given way. Returns the settings and credentials to send with (some failures
   * are a wrong port or password rather than a server mode).
   */
  fail(
    mode: FailureMode,
    request: DispatchRequest,
  ): Promise<{ settings: Record<string, unknown>; credentials: Record<string, string | undefined> }>;
  /** Back to normal service after `fail`. */
  recover(): Promise<void>;
  stop(): Promise<void>;
}

/** How the conformance suite stands up one connector's peer, plus the bad settings it must refuse. */
export interface ConformanceHarness {
  kind: string;
  start(): Promise<ConformancePeer>;
  /** Settings derived from valid ones that must be refused, with the field path the error must name. */
  invalidSettings(valid: Record<string, unknown>): { settings: unknown; field: string }[];
}
