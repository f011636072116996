import type { ConnectorContext, DispatchRequest } from '../../../core/ports/supplier-connector';

export type FailureMode = 'transient' | 'permanent' | 'unknown';

/** A purchase order document as the supplier side read it back. */
export interface PurchaseOrderContent {
  poNumber: string;
  /** Each item as the document names it (the supplier's part number where the format carries one) and its quantity. */
  lines: { skus: string[]; quantity: number }[];
  shipTo: { postalCode?: string; country?: string };
}

/** One document the supplier side holds or received. */
export interface SupplierDocument {
  /**
   * How the supplier tells deliveries apart: the file name in its folder, the Idempotency-Key, the Message-ID,
   * the cXML payloadID. A resend must reuse it, or the supplier sees two documents.
   */
  id: string;
  /** What the document says, read back with the connector's own reader where there is one (X12), else parsed as the supplier would. */
  content: PurchaseOrderContent;
}

/** A running local peer of one connector: the supplier side, as real as this machine allows. */
export interface ConformancePeer {
  settings: Record<string, unknown>;
  credentials: Record<string, string | undefined>;
  /** Every purchase order document the supplier side holds (files) or received (requests, e-mails), cancellations excluded. */
  documents(): Promise<SupplierDocument[]>;
  /** How many distinct orders the supplier side created from those documents. */
  ordersCreated(): Promise<number>;
  /** Every withdrawal the supplier side received, by its identity and the PO number it names. Required where the connector cancels. */
  cancellations?(): Promise<{ id: string; poNumber: string }[]>;
  /** What every connector call needs beyond settings and secrets here (REST status polling: the store's schedule). */
  context?: Partial<ConnectorContext>;
  /**
   * A PO the connector can later be asked about, for the acknowledgement and shipment checks: a peer that reads
   * open POs from the order store (REST status polling) makes one there. Others get a made-up PO.
   */
  newRequest?(): Promise<DispatchRequest>;
  /** The supplier acknowledges a PO it received (an 855 in its outbound folder...). Required where the connector reads acknowledgements. */
  acknowledge?(request: DispatchRequest, outcome: 'accepted' | 'rejected'): Promise<void>;
  /** The supplier ships a PO under this tracking number (an 856...). Required where the connector reads shipments. */
  ship?(request: DispatchRequest, trackingNumber: string): Promise<void>;
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

/**
 * How the conformance suite stands up one connector's peer, plus the bad settings it must refuse. A harness is
 * the file `test/connectors/conformance/<kind>.harness.ts` exporting `harness`: the suite finds it by its name.
 */
export interface ConformanceHarness {
  kind: string;
  start(): Promise<ConformancePeer>;
  /** Settings derived from valid ones that must be refused, with the field path the error must name. */
  invalidSettings(valid: Record<string, unknown>): { settings: unknown; field: string }[];
}
