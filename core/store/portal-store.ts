import type { PurchaseOrder, PurchaseOrderState } from '../model/purchase-order';

/** What a supplier (or an operator for it) did in the portal, as the portal keeps it until its channel reads it. */
export type PortalActionKind = 'acknowledgement' | 'shipment' | 'stock' | 'cancel_confirmed' | 'sign_in';

export interface PortalAction {
  id: number;
  supplierId: string;
  poNumber?: string;
  kind: PortalActionKind;
  /** The acknowledgement or shipment events as the connector yields them; a summary for the other kinds. */
  payload: Record<string, unknown>;
  /** `supplier:<id>`, or `operator:<user> for supplier:<id>` when an operator acted for the supplier. */
  actor: string;
  createdAt: string;
  /** When the supplier's channel read it (acknowledgements and shipments; other kinds are only shown). */
  readAt?: string;
}

export interface PortalSession {
  supplierId: string;
  actor: string;
  expiresAt: string;
}

/** The shop asked the supplier to cancel a PO it has; the supplier confirms in the portal. */
export interface PortalCancelRequest {
  poNumber: string;
  supplierId: string;
  reason: string;
  requestedAt: string;
  confirmedAt?: string;
  confirmedBy?: string;
}

export interface PortalStockRow {
  sku: string;
  quantity: number;
  feedAt: string;
}

/**
 * The supplier portal's durable state (connectors/suppliers/portal, nodes/portal): sign-in links, one-time codes,
 * sessions, one-time form tokens, what suppliers did and their channel has not read yet, and cancel requests.
 * Secrets (session ids, codes, form tokens) are kept only as SHA-256 hashes.
 */
export interface PortalStore {
  /** Records a sign-in link handed out; its id is inside the signed link, so the link can be revoked. */
  recordLink(link: { id: string; supplierId: string; createdAt: Date; expiresAt: Date }): Promise<void>;
  /** Whether the link was handed out to this supplier, has not expired and was not revoked. */
  linkUsable(id: string, supplierId: string, now: Date): Promise<boolean>;
  /** Revokes every link and ends every session of the supplier; returns how many links were revoked. */
  revokeAccess(supplierId: string, now: Date): Promise<number>;

  /** Keeps the supplier's one-time code (replacing an earlier one) with no attempts made yet. */
  saveCode(supplierId: string, codeHash: string, expiresAt: Date): Promise<void>;
  /**
   * Counts one attempt at the supplier's code and, when it matches, is unexpired and within `maxAttempts`,
   * uses it up (it works once). False otherwise.
   */
  useCode(supplierId: string, codeHash: string, now: Date, maxAttempts: number): Promise<boolean>;

  createSession(session: {
    idHash: string;
    supplierId: string;
    actor: string;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void>;
  /** The unexpired session with this id hash. */
  session(idHash: string, now: Date): Promise<PortalSession | undefined>;
  endSession(idHash: string): Promise<void>;

  /** Keeps a form token bound to the browser's cookie (session or sign-in), and forgets expired ones. */
  issueFormToken(tokenHash: string, bindingHash: string, expiresAt: Date, now: Date): Promise<void>;
  /** Uses the token up when it was issued to this binding and has not expired: a form is taken once. */
  useFormToken(tokenHash: string, bindingHash: string, now: Date): Promise<boolean>;

  /** The supplier's POs in `states`, newest first. */
  listPortalPurchaseOrders(
    supplierId: string,
    states: PurchaseOrderState[],
    limit: number,
  ): Promise<PurchaseOrder[]>;
  /** The supplier's stock as its feeds left it, by SKU. */
  listPortalStock(supplierId: string): Promise<PortalStockRow[]>;

  recordAction(action: Omit<PortalAction, 'id' | 'createdAt' | 'readAt'>, at: Date): Promise<PortalAction>;
  /** The supplier's actions of `kind` its channel has not read, oldest first. */
  unreadActions(supplierId: string, kind: PortalActionKind, limit: number): Promise<PortalAction[]>;
  markActionRead(id: number, at: Date): Promise<void>;
  /** Recent actions, newest first: of one supplier, or of every supplier (the operator's activity view). */
  listActions(query: { supplierId?: string; poNumber?: string; limit: number }): Promise<PortalAction[]>;

  /** Records the shop's request to cancel a PO; asking again changes nothing. */
  requestCancel(request: Omit<PortalCancelRequest, 'confirmedAt' | 'confirmedBy'>): Promise<void>;
  /** Confirms an open request of this supplier; false when there is none (another supplier's, or confirmed). */
  confirmCancel(poNumber: string, supplierId: string, actor: string, at: Date): Promise<boolean>;
  cancelRequests(supplierId: string): Promise<PortalCancelRequest[]>;
}
