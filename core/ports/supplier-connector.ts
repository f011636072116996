import type { Clock } from '../clock';
import { DropshipError, type FieldProblem } from '../errors';
import type { ItemIdentifier } from '../model/item-identifier';
import type { Order } from '../model/order';
import type { PurchaseOrder, PurchaseOrderLine, PurchaseOrderState } from '../model/purchase-order';
import type { ShipmentEvent } from '../model/shipment';
import type { SupplierStatusPoll, SupplierStatusPollOutcome } from '../store/order-store';
import type { PortalStore } from '../store/portal-store';
import type { ConnectorLog, CredentialField, JsonSchema, SettingCondition } from './connector';

/**
 * The store's schedule of one supplier's status polls (a REST supplier asked for each open PO's status): which POs
 * are due, and what each poll came to, kept across restarts and shared by every instance.
 */
export interface StatusPollSchedule {
  /** Claims up to `limit` of this supplier's POs in `states` due for a `purpose` poll, held for `leaseMs`. */
  claim(
    purpose: string,
    states: PurchaseOrderState[],
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<SupplierStatusPoll[]>;
  record(poNumber: string, purpose: string, outcome: SupplierStatusPollOutcome): Promise<void>;
}

/** What a connector that sends X12 tells the store: each group it sent, and each 997 that answered one. */
export interface FunctionalGroupLog {
  sent(group: {
    functionalId: string;
    groupControlNumber: string;
    document: string;
    poNumber?: string;
  }): Promise<void>;
  /** False when the 997 names a group this partner was never sent (or not recorded). */
  acknowledged(ack: {
    functionalId: string;
    groupControlNumber: string;
    acknowledgement: string;
  }): Promise<boolean>;
}

/** The supplier portal as a portal supplier's connector uses it: its state in the store, its address, its mail. */
export interface SupplierPortalChannel {
  store: PortalStore;
  /** The portal's address as suppliers reach it, without a trailing slash: https://shop.example/dropship/portal. */
  baseUrl: string;
  /** Sends one e-mail through the portal's mailer; resolves when the SMTP server took it. */
  sendMail(message: {
    to: string;
    subject: string;
    text: string;
    html: string;
    messageId: string;
  }): Promise<void>;
}

export interface ConnectorContext<Settings = Record<string, unknown>> {
  supplierId: string;
  /** Validated against the connector's settingsSchema before the connector sees them. */
  settings: Settings;
  /** Secrets from Node-RED credentials; never in flow JSON, never logged. */
  credentials: Record<string, string | undefined>;
  log: ConnectorLog;
  clock: Clock;
  /** Strictly increasing numbers kept in the store (X12 control numbers): never reused across restarts. */
  nextSequenceValue(scope: string): Promise<number>;
  /** Status polls of this supplier's POs, kept in the store; absent where no store is at hand. */
  statusPolls?: StatusPollSchedule;
  /** Functional groups sent to this partner until its 997 (X12), kept in the store; absent without one. */
  functionalGroups?: FunctionalGroupLog;
  /** The supplier portal, where a dropship-portal node serves it; absent otherwise. */
  portal?: SupplierPortalChannel;
  signal?: AbortSignal;
}

export type LineOutcome = 'accepted' | 'backordered' | 'rejected' | 'changed';

export interface LineAcknowledgement {
  sku: string;
  /** Every identifier the supplier gave the line (UPC, vendor part, …), with its qualifier. */
  identifiers?: ItemIdentifier[];
  orderLineId?: string;
  status: LineOutcome;
  quantity: number;
  /** For backorders and changes: when the supplier expects to ship. */
  expectedShipDate?: string;
  reason?: string;
}

/** What the supplier said about a PO, synchronously (API reply) or later (855, e-mail, ConfirmationRequest). */
export interface Acknowledgement {
  poNumber: string;
  /**
   * Set when this answers a change to the PO (an X12 865 to our 860), not the PO itself: `<PO number>-C<change>`,
   * the change id the connector sent. Its outcome is the change's: accepted, or rejected (the supplier keeps the PO
   * as it was).
   */
  changeId?: string;
  outcome: 'accepted' | 'backordered' | 'rejected' | 'partial';
  supplierReference?: string;
  lines?: LineAcknowledgement[];
  reason?: string;
  receivedAt: string;
  /** Who answered, where a person did in the supplier's portal: `supplier:<id>` (or an operator for it). */
  actor?: string;
}

/** The result of handing a PO to the supplier's channel. "sent" means delivered, no answer yet (files, e-mail). */
export interface DispatchResult {
  outcome: 'sent' | 'accepted' | 'backordered' | 'rejected' | 'partial';
  supplierReference?: string;
  lines?: LineAcknowledgement[];
  reason?: string;
  /** The supplier's own code for its answer (e.g. "SKU_UNKNOWN"), where its channel gives one. */
  code?: string;
}

export interface StockLevel {
  supplierId: string;
  sku: string;
  quantity: number;
  asOf: string;
  /** Every identifier the supplier gave the item (UPC, vendor part, …), with its qualifier. */
  identifiers?: ItemIdentifier[];
  /** When an item out of stock becomes available again (ISO date), where the supplier says. */
  availableFrom?: string;
}

export interface DispatchRequest {
  purchaseOrder: PurchaseOrder;
  /** The order the PO belongs to, for fields some channels carry (order number, customer phone for the carrier). */
  order: Order;
}

/** A purchase order the supplier already has, to be withdrawn there (its lines went elsewhere, or the order was cancelled). */
export interface CancelRequest {
  purchaseOrder: PurchaseOrder;
  order: Order;
  /** Why, in words the supplier may read (no customer data): "lines moved to another supplier". */
  reason: string;
  /**
   * Only these lines, each with the units to cancel (a partial cancellation); absent: the whole PO. The PO's own
   * lines are what the supplier keeps.
   */
  lines?: PurchaseOrderLine[];
  /** Deduplicates a partial cancellation at the supplier: the same one sent twice cancels once. */
  changeId?: string;
}

/** A PO the supplier has whose lines changed: quantities lowered or raised, lines dropped. */
export interface ChangeRequest {
  /** The PO as it stands now: its lines are what the supplier is to ship. */
  purchaseOrder: PurchaseOrder;
  /** The lines the supplier had before this change. */
  previousLines: PurchaseOrderLine[];
  order: Order;
  /** Deduplicates the change at the supplier (the PO number and the change): sent twice, it applies once. */
  changeId: string;
  /** Why, in words the supplier may read (no customer data). */
  reason: string;
}

/**
 * What the supplier's channel said about a change. `changed`: the supplier confirmed it (an API reply, a cXML
 * Status 2xx, an X12 865 accepting it). `requested`: delivered, not confirmed (a file, an e-mail) yet.
 */
export interface ChangeResult {
  outcome: 'changed' | 'requested';
  supplierReference?: string;
  reason?: string;
}

/**
 * What the supplier's channel said about a cancellation. `cancelled`: the supplier confirmed it (an API reply, a
 * cXML Status 2xx). `requested`: the request was delivered but the channel cannot confirm it (a file, an
 * e-mail); the supplier may still ship, so the operator should check.
 */
export interface CancelResult {
  outcome: 'cancelled' | 'requested';
  supplierReference?: string;
  reason?: string;
}

/**
 * A supplier channel. `sendPurchaseOrder` must be idempotent on `purchaseOrder.number`: the same number sent
 * twice must not make the supplier ship twice (Idempotency-Key header, the number inside the document).
 */
export interface SupplierConnector<Settings = Record<string, unknown>> {
  kind: string;
  title: string;
  description: string;
  settingsSchema: JsonSchema;
  /** The secrets it reads from `ctx.credentials`: the supplier config node stores and draws exactly these. */
  credentialFields: CredentialField[];
  /**
   * Top-level settings that belong to one choice of another setting (the OAuth2 section to OAuth2
   * authentication): the editor shows them only under that choice and does not save them otherwise.
   */
  settingConditions?: Record<string, SettingCondition>;
  /**
   * Checks beyond the settings schema (request templates against the fields they may name), run when the
   * supplier is deployed: any problem keeps the supplier from sending until it is fixed.
   */
  settingsProblems?(settings: Settings): FieldProblem[];
  sendPurchaseOrder(request: DispatchRequest, ctx: ConnectorContext<Settings>): Promise<DispatchResult>;
  /**
   * Withdraws a PO the supplier already has. Idempotent on `purchaseOrder.number` like a send (the same
   * cancellation sent twice cancels once). Throws like `sendPurchaseOrder`: SupplierTransientError or
   * OutcomeUnknownError (worth a retry), SupplierPermanentError (the supplier refused: shipped already, unknown
   * PO), and CancelUnsupportedError when this supplier's settings give no way to cancel.
   */
  cancelPurchaseOrder?(request: CancelRequest, ctx: ConnectorContext<Settings>): Promise<CancelResult>;
  /**
   * Tells the supplier that a PO it has changed (a line's quantity, lines dropped). Idempotent on
   * `request.changeId`. Throws like `cancelPurchaseOrder`: SupplierPermanentError when the supplier refuses (it
   * shipped already), CancelUnsupportedError when these settings give no way to change a PO.
   */
  changePurchaseOrder?(request: ChangeRequest, ctx: ConnectorContext<Settings>): Promise<ChangeResult>;
  /**
   * The editor's "Test connection": one harmless call showing that the settings and secrets work (an HTTP GET or
   * HEAD, a login and a folder listing, an SMTP login); nothing is ordered, written or changed at the supplier.
   * Resolves with what was checked, in words; throws like a send when it does not work.
   */
  testConnection?(ctx: ConnectorContext<Settings>): Promise<string>;
  readAcknowledgements?(ctx: ConnectorContext<Settings>): AsyncIterable<Acknowledgement>;
  readShipments?(ctx: ConnectorContext<Settings>): AsyncIterable<ShipmentEvent>;
  /** Whether these settings give `readShipments` something to read (REST: status polling set up); absent: they do. */
  readsShipments?(settings: Settings): boolean;
  readStock?(ctx: ConnectorContext<Settings>): AsyncIterable<StockLevel>;
  /** Releases connections (SFTP sessions, SMTP pools); called when the supplier config node closes. */
  close?(ctx: ConnectorContext<Settings>): Promise<void>;
}

/** The supplier could not take the PO now (5xx, 429, network): retry later with the same PO number. */
export class SupplierTransientError extends DropshipError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super('supplier_transient', message, [], options);
    this.name = 'SupplierTransientError';
  }
}

/**
 * The supplier will never take this PO as sent (4xx validation, unknown SKU, auth refused): do not retry.
 * `details` name what the supplier said, by where it said it (HTTP status, its code and reason fields).
 */
export class SupplierPermanentError extends DropshipError {
  constructor(message: string, options?: { cause?: unknown; details?: FieldProblem[] }) {
    super('supplier_permanent', message, options?.details ?? [], options);
    this.name = 'SupplierPermanentError';
  }
}

/**
 * The request may or may not have reached the supplier (timeout, connection reset after sending). Retried with
 * the same PO number, which the supplier deduplicates.
 */
export class OutcomeUnknownError extends DropshipError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('outcome_unknown', message, [], options);
    this.name = 'OutcomeUnknownError';
  }
}

/** This supplier's settings give no way to cancel (no cancel URL configured): someone must withdraw the PO by hand. */
export class CancelUnsupportedError extends DropshipError {
  constructor(message: string) {
    super('configuration', message);
    this.name = 'CancelUnsupportedError';
  }
}
