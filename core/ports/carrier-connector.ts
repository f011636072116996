import type { Clock } from '../clock';
import { DropshipError } from '../errors';
import type { ShipmentEvent } from '../model/shipment';
import type { CarrierCode } from '../tracking/carrier-detection';
import type { ConnectorLog, CredentialField, JsonSchema } from './connector';

export interface CarrierContext<Settings = Record<string, unknown>> {
  /** Validated against the connector's settingsSchema before the connector sees them. */
  settings: Settings;
  /** Secrets from Node-RED credentials; never in flow JSON, never logged. */
  credentials: Record<string, string | undefined>;
  log: ConnectorLog;
  clock: Clock;
  signal?: AbortSignal;
}

/** What a carrier said about one tracking number. */
export interface CarrierTrackingResult {
  trackingNumber: string;
  /** False when the carrier does not know the number (yet): normal in the hours after a label is printed. */
  found: boolean;
  /**
   * The parcel's scans, oldest first, in the one vocabulary with the carrier's words in rawStatus. They carry no
   * orderId/poNumber: the caller knows which order polled this number and adds it.
   */
  events: ShipmentEvent[];
  /** Date-time the carrier expects to deliver, when it says. */
  estimatedDelivery?: string;
  /** Carrier statuses that could not be placed in the vocabulary (reported, never guessed). */
  unrecognisedStatuses: string[];
  /** The carrier's own message when the number was not found. */
  message?: string;
}

/**
 * A carrier tracking API. `track` answers for every number it is given, in order; it chunks them to what the API
 * accepts per call. It throws CarrierUnavailableError when the carrier cannot answer now (retry later) and
 * DropshipError('configuration') when the carrier refuses the credentials.
 */
export interface CarrierConnector<Settings = Record<string, unknown>> {
  kind: CarrierCode;
  title: string;
  description: string;
  settingsSchema: JsonSchema;
  /** The secrets it reads from `ctx.credentials`: the carrier config node stores and draws exactly these. */
  credentialFields: CredentialField[];
  track(trackingNumbers: string[], ctx: CarrierContext<Settings>): Promise<CarrierTrackingResult[]>;
  /** The editor's "Test connection": a harmless call (a token fetch, a lookup); resolves with what was checked. */
  testConnection(ctx: CarrierContext<Settings>): Promise<string>;
}

/**
 * The carrier could not answer now (network, 429, 5xx): poll again later. Uses the store's transient code
 * because, like a supplier's, the outage is someone else's and passes.
 */
export class CarrierUnavailableError extends DropshipError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super('supplier_transient', message, [], options);
    this.name = 'CarrierUnavailableError';
  }
}

/** `source` of every event a carrier API reported, e.g. "carrier:ups". */
export function carrierSource(carrier: CarrierCode): string {
  return `carrier:${carrier}`;
}
