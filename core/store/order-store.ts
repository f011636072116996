import type { Order, OrderDraft, OrderState } from '../model/order';
import type { OrderEvent, OrderEventInput } from '../model/order-event';
import type { PurchaseOrder, PurchaseOrderDraft, PurchaseOrderState } from '../model/purchase-order';
import type { Shipment, ShipmentEvent, TrackingStatus } from '../model/shipment';
import type { MetricSums, MetricsQuery } from '../metrics/metric-facts';
import type {
  NoticeInput,
  ReturnAuthorisation,
  ReturnDraft,
  ReturnQuery,
  ReturnState,
  ReturnUpdate,
  SupplierInvoiceInput,
} from '../returns/return-authorisation';
import type { SupplierPerformance } from '../routing/route-order';
import type { PortalStore } from './portal-store';
import type {
  StockFeedRecord,
  WatchdogTimer,
  WatchdogTimerDraft,
  WatchdogTimerOutcome,
  WatchdogTimerQuery,
} from '../watchdog/timers';

/** Who holds a piece of work and until when; a lease that runs out lets another worker take the work. */
export interface Lease {
  owner: string;
  now: Date;
  durationMs: number;
}

export interface IntakeMeta {
  actor: string;
  /** The storefront's delivery/event id: a second delivery with the same id is a duplicate. */
  deliveryId?: string;
}

export interface IntakeResult {
  order: Order;
  created: boolean;
  /** Why an existing order was returned: the same delivery again, or the same order in a new delivery. */
  duplicateOf?: 'delivery' | 'order';
}

/**
 * A sender's hold on a PO it claimed: the lease owner it claimed with (`Lease.owner`). A move made under a claim
 * applies only while that owner still holds the PO.
 */
export interface PurchaseOrderClaim {
  leaseOwner: string;
}

export interface PurchaseOrderUpdate {
  supplierReference?: string;
  nextAttemptAt?: Date | null;
  lastError?: string | null;
  lines?: PurchaseOrder['lines'];
}

/** A PO due for a status poll at its supplier's API (`GET /orders/{id}`), with what its earlier polls came to. */
/**
 * A functional group we sent a trading partner (an X12 850's GS), waiting for the partner's 997: one row per
 * (supplier, functional id, group control number).
 */
export interface FunctionalGroupSent {
  supplierId: string;
  /** GS01: PO for 850s. */
  functionalId: string;
  /** GS06, as the partner's AK102 names it. */
  groupControlNumber: string;
  /** What the group held, in words: "850 PO123ABC-1". */
  document: string;
  poNumber?: string;
  sentAt: string;
  acknowledgedAt?: string;
  /** The 997's verdict (AK901 in words: accepted, rejected, …). */
  acknowledgement?: string;
  /** When the missing 997 was first reported overdue (reported once). */
  overdueReportedAt?: string;
}

export interface SupplierStatusPoll {
  purchaseOrder: PurchaseOrder;
  /** Polls in a row that got no usable answer: the wait before the next grows with them. */
  failures: number;
  /** What the last answered poll said, as the connector summed it up: the same answer again is no news. */
  lastAnswer?: string;
  lastPolledAt?: string;
}

export interface SupplierStatusPollOutcome {
  polledAt: Date;
  nextPollAt: Date;
  failures: number;
  lastAnswer?: string;
  error?: string;
}

export interface ShipmentResult {
  shipment: Shipment;
  /** False when the same carrier, number, status and time was already recorded. */
  created: boolean;
  order: Order;
}

export type NotificationState = 'pending' | 'sending' | 'sent' | 'failed';

export interface Notification {
  id: number;
  orderId: string;
  milestone: string;
  channel: string;
  state: NotificationState;
  attempts: number;
  payload: Record<string, unknown>;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
}

/** A parcel claimed for a carrier status poll: what the poller needs to ask the carrier and schedule the next. */
export interface ParcelPoll {
  shipmentId: number;
  orderId: string;
  poNumber?: string;
  carrier: string;
  trackingNumber: string;
  status: TrackingStatus;
  /** When the parcel last moved: the time of its latest event. */
  lastEventAt: string;
  /** When the carrier was last asked; undefined before the first poll. */
  lastPolledAt?: string;
  polls: number;
}

export interface ParcelPollOutcome {
  polledAt: Date;
  /** When to ask the carrier again; undefined stops polling the parcel (delivered, or still for too long). */
  nextPollAt?: Date;
  /** The carrier's latest delivery estimate, kept on the parcel. */
  estimatedDelivery?: string;
  /** Why the carrier could not answer, for the operator. */
  error?: string;
}

/** `#1001` for `1001` and `1001` for `#1001`: storefronts differ in whether their order numbers carry the `#`. */
export function otherOrderNumberForm(term: string): string {
  return term.startsWith('#') ? term.slice(1) : `#${term}`;
}

export interface OrderQuery {
  states?: OrderState[];
  /** Only orders changed at or after this time, oldest change first (what a recovery sweep walks through). */
  updatedSince?: Date;
  limit?: number;
}

/** One SKU's quantity in a supplier's stock feed. */
export interface StockLevelInput {
  sku: string;
  /** Whole units; the store keeps what it is given (feed parsers clamp negatives to 0). */
  quantity: number;
}

/** A supplier's stock of one SKU as stored, with the units the feed does not reflect yet. */
export interface StockRecord {
  supplierId: string;
  sku: string;
  quantity: number;
  /**
   * Units on this supplier's open POs for the SKU that its feed cannot have counted yet: the line quantities of
   * POs in state pending, sending or sent, plus those accepted or backordered at or after the feed time
   * (`updated_at >= feed_at`; a PO the supplier accepted before its feed is already in its quantity).
   */
  committed: number;
  feedAt: string;
  updatedAt: string;
}

/** What one feed changed for one SKU: the figures before (absent for a new SKU) and after. */
export interface StockChange {
  sku: string;
  previous?: { quantity: number; committed: number };
  quantity: number;
  committed: number;
}

export interface StockFeedOutcome {
  /** False when a newer feed of this supplier was applied before: nothing was written. */
  applied: boolean;
  /** The supplier's latest applied feed time after this call. */
  lastFeedAt: string;
  /** One entry per distinct SKU written, in first-seen order (a SKU repeated in the feed: the last row wins). */
  changes: StockChange[];
}

export interface StockQuery {
  skus: string[];
  /** All suppliers when omitted. */
  supplierIds?: string[];
  /** Leaves this supplier out: a stock feed being applied knows its own supplier's units already. */
  exceptSupplierId?: string;
}

/**
 * The durable truth of the pipeline. Every method is one transaction; every state change is a compare-and-set
 * that applies only from the expected states and writes an order event in the same transaction.
 */
export interface OrderStore {
  readonly engine: 'sqlite' | 'postgres';
  /** The supplier portal's state (core/store/portal-store.ts). */
  readonly portal: PortalStore;
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Stores a new order, or returns the one already stored for this delivery or (channel, externalId). */
  receiveOrder(draft: OrderDraft, meta: IntakeMeta): Promise<IntakeResult>;
  getOrder(id: string): Promise<Order | undefined>;
  /** By internal id, or by `channel:externalId` (e.g. `shopify:450789469`). */
  findOrder(ref: string): Promise<Order | undefined>;
  listOrders(query: OrderQuery): Promise<Order[]>;
  /** Moves the order to `to` if it is in one of `expected`; undefined when it was not (nothing written). */
  transitionOrder(
    id: string,
    expected: OrderState[],
    to: OrderState,
    event: OrderEventInput,
  ): Promise<Order | undefined>;
  recordEvent(orderId: string, event: OrderEventInput): Promise<void>;
  listEvents(orderId: string): Promise<OrderEvent[]>;

  /**
   * Routes the order: moves it from one of `expected` to `routed` and creates its purchase orders (state pending),
   * atomically. Undefined when the order was not in an expected state (another worker routed it).
   */
  assignPurchaseOrders(
    orderId: string,
    expected: OrderState[],
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder[] | undefined>;
  /**
   * Adds purchase orders to an order already routed (failover of refused lines); numbers are deterministic. The
   * order's state follows its POs in the same transaction (back to routed while the new ones wait to go out).
   */
  addPurchaseOrders(
    orderId: string,
    drafts: PurchaseOrderDraft[],
    event: OrderEventInput,
  ): Promise<PurchaseOrder[]>;
  getPurchaseOrder(number: string): Promise<PurchaseOrder | undefined>;
  /** The POs of a supplier that carry this reference of its own (its order number, from its acknowledgement). */
  findPurchaseOrdersBySupplierReference(supplierId: string, reference: string): Promise<PurchaseOrder[]>;
  listPurchaseOrders(orderId: string): Promise<PurchaseOrder[]>;
  /**
   * Takes a PO for sending: pending and due, or sending with an expired lease (a worker died mid-send).
   * Undefined when someone else holds it or it is not due.
   */
  claimPurchaseOrder(number: string, lease: Lease): Promise<PurchaseOrder | undefined>;
  /** Claims up to `limit` due POs of the given suppliers (all when omitted). */
  claimDuePurchaseOrders(lease: Lease, limit: number, supplierIds?: string[]): Promise<PurchaseOrder[]>;
  /**
   * Claims up to `limit` POs stranded on a supplier outside `supplierIds` (the suppliers this worker has): due, or
   * with a lease that ran out, for at least `strandedForMs` already, so an instance that has the supplier would have
   * taken them by now. The claim does not count as a send: the claimant gives the lines to the next supplier.
   */
  claimStrandedPurchaseOrders(
    lease: Lease,
    limit: number,
    supplierIds: string[],
    strandedForMs: number,
  ): Promise<PurchaseOrder[]>;
  /**
   * Compare-and-set on a PO; the order's state follows its POs in the same transaction.
   * Undefined when the PO was not in an expected state, or, with a `claim`, when that claim no longer holds the PO
   * (its lease owner is another's since the lease ran out and another sender took it over, or the PO left
   * `sending`): nothing is written. A lease that ran out but was not taken over still holds.
   * A move that cancels a PO its supplier has (`cancelNeedsWithdrawal`) records its withdrawal, `pending` and free
   * to claim, in the same transaction.
   */
  transitionPurchaseOrder(
    number: string,
    expected: PurchaseOrderState[],
    to: PurchaseOrderState,
    update: PurchaseOrderUpdate,
    event: OrderEventInput,
    claim?: PurchaseOrderClaim,
  ): Promise<PurchaseOrder | undefined>;
  /**
   * Takes the pending withdrawal of a cancelled PO (see `PurchaseOrder.withdrawal`) when nobody holds it: never
   * claimed, or its claimant's lease ran out. Undefined when there is none to take (none recorded, done, or held).
   */
  claimWithdrawal(number: string, lease: Lease): Promise<PurchaseOrder | undefined>;
  /**
   * Claims up to `limit` pending withdrawals nobody holds, longest free first: those of `supplierIds` (the suppliers
   * this worker can reach) as soon as they are free, any other supplier's only once free for `othersAfterMs`, so a
   * worker that has the supplier gets it first and one deployed nowhere still reaches someone.
   */
  claimDueWithdrawals(
    lease: Lease,
    limit: number,
    supplierIds: string[],
    othersAfterMs: number,
  ): Promise<PurchaseOrder[]>;
  /**
   * Records a withdrawal's outcome (`event`, on the PO's order) and marks it done, in one transaction, while
   * `claim` holds it (a lease that ran out but was not taken over still holds). False when it does not: another
   * worker took it over and records its own outcome; nothing is written.
   */
  completeWithdrawal(number: string, claim: PurchaseOrderClaim, event: OrderEventInput): Promise<boolean>;

  /**
   * Claims up to `limit` POs of `supplierId` in one of `states` whose status poll for `purpose` is due (never polled,
   * or `nextPollAt` reached), those waiting longest first. A claim moves the next poll to the end of the lease, so
   * pollers in other instances skip them; a poller that dies lets them fall due again.
   */
  claimSupplierStatusPolls(
    supplierId: string,
    purpose: string,
    states: PurchaseOrderState[],
    lease: Lease,
    limit: number,
  ): Promise<SupplierStatusPoll[]>;
  /** Records a status poll: when it ran, when the next is due, the failures in a row and what it answered. */
  recordSupplierStatusPoll(
    poNumber: string,
    purpose: string,
    outcome: SupplierStatusPollOutcome,
  ): Promise<void>;

  /** Records a functional group sent to a partner, awaiting its 997 (a resend of the same group changes nothing). */
  recordFunctionalGroupSent(
    group: Omit<FunctionalGroupSent, 'acknowledgedAt' | 'acknowledgement' | 'overdueReportedAt'>,
  ): Promise<void>;
  /** Records the partner's 997 for a group we sent; false when no such group was recorded. */
  recordFunctionalGroupAcknowledged(
    supplierId: string,
    functionalId: string,
    groupControlNumber: string,
    acknowledgement: string,
    at: Date,
  ): Promise<boolean>;
  /**
   * The groups of `supplierId` sent at or before `sentBefore` with no 997 yet and not reported overdue, each
   * marked reported at `now` in the same statement: every instance sees each overdue group once.
   */
  claimOverdueFunctionalGroups(
    supplierId: string,
    sentBefore: Date,
    now: Date,
  ): Promise<FunctionalGroupSent[]>;
  /** Every group still without a 997, oldest first (what the watchdog watches). */
  listUnacknowledgedFunctionalGroups(limit: number): Promise<FunctionalGroupSent[]>;

  /** Records a parcel event (deduplicated), advances the PO and the order. */
  recordShipmentEvent(event: ShipmentEvent & { orderId: string }, actor: string): Promise<ShipmentResult>;
  listShipments(orderId: string): Promise<Shipment[]>;
  /**
   * Claims up to `limit` parcels due for a carrier poll: not final, carried by one of `carriers`, never polled or
   * due (`nextPollAt` reached), and not stopped. A claim moves the parcel's next poll to the end of the lease, so
   * pollers in other instances skip it; a poller that dies lets it fall due again.
   */
  claimParcelPolls(carriers: string[], lease: Lease, limit: number): Promise<ParcelPoll[]>;
  /** Records a poll: when it ran, when the next is due (or that polling stops), the carrier's latest estimate. */
  recordParcelPoll(shipmentId: number, outcome: ParcelPollOutcome): Promise<void>;
  /**
   * Parcels that are still only a label (every event "info received"), first reported at or before
   * `reportedBefore`, and not flagged yet; oldest first.
   */
  listLabelsWithoutScan(reportedBefore: Date, limit: number): Promise<Shipment[]>;
  /** Flags a parcel as a label without carrier scan and records `event` on its order; false when flagged before. */
  flagLabelWithoutScan(shipmentId: number, event: OrderEventInput): Promise<boolean>;
  /** Orders whose storefront order number is exactly `orderNumber` (e.g. "#1001"), newest first. */
  findOrdersByNumber(orderNumber: string): Promise<Order[]>;
  /**
   * The orders an operator looks for (core/orders/order-search.ts): those whose order number (with or without
   * `#`), storefront order id or internal id is `term`, whose customer e-mail is `term` in any case, or that have
   * a PO numbered or a parcel tracked as `term`; newest first, at most `limit`. Each match is an index lookup.
   */
  searchOrders(term: string, limit: number): Promise<Order[]>;

  /** Queues a notification once per (order, milestone, channel); false when it was queued before. */
  enqueueNotification(
    orderId: string,
    milestone: string,
    channel: string,
    payload: Record<string, unknown>,
  ): Promise<boolean>;
  /**
   * Queues several notifications of one order in one transaction, each once per (order, milestone, channel), and
   * returns the ones that are new. With a lease they are queued already claimed by its owner, who delivers them at
   * once without a separate claim; should the owner die, the lease runs out and any worker may claim them.
   */
  enqueueNotifications(
    orderId: string,
    notices: { milestone: string; channel: string; payload: Record<string, unknown> }[],
    lease?: Lease,
  ): Promise<Notification[]>;
  claimNotifications(channel: string, lease: Lease, limit: number, orderId?: string): Promise<Notification[]>;
  completeNotification(
    id: number,
    outcome: { sent: true } | { error: string; retryAt?: Date },
    now: Date,
  ): Promise<void>;
  listNotifications(orderId: string): Promise<Notification[]>;

  /** A strictly increasing number per scope (X12 control numbers, RMA numbers): never handed out twice. */
  nextSequenceValue(scope: string): Promise<number>;

  /**
   * Stock feeds (one transaction): upserts each SKU's quantity with `feedAt` as its feed time, unless the
   * supplier already has a feed newer than `feedAt` (then nothing is written and `applied` is false). A feed at
   * the same time as the last one is applied again (a resent file is harmless).
   */
  applyStockFeed(supplierId: string, feedAt: Date, levels: StockLevelInput[]): Promise<StockFeedOutcome>;
  /** Stock records of the given SKUs (and suppliers), with committed units; ordered by SKU, then supplier. */
  listStock(query: StockQuery): Promise<StockRecord[]>;

  /** The last applied stock feed of every supplier that has one (the watchdog's stale-feed condition). */
  listStockFeeds(): Promise<StockFeedRecord[]>;

  /**
   * Watchdog timers (core/watchdog). Each (subject, condition, step) exists once: scheduling it again inserts
   * nothing, so a step fires once per condition across sweeps, restarts and instances. Returns the new timers.
   */
  scheduleWatchdogTimers(timers: WatchdogTimerDraft[], now: Date): Promise<WatchdogTimer[]>;
  /** Claims up to `limit` pending timers that are due, or firing ones whose lease ran out. */
  claimDueWatchdogTimers(lease: Lease, limit: number): Promise<WatchdogTimer[]>;
  completeWatchdogTimer(id: number, outcome: WatchdogTimerOutcome, now: Date): Promise<void>;
  /** Clears an order's pending timers (the operator resolved or cancelled it); returns how many. */
  clearWatchdogTimers(orderId: string, now: Date): Promise<number>;
  listWatchdogTimers(query: WatchdogTimerQuery): Promise<WatchdogTimer[]>;

  /**
   * Returns (core/returns). The RMA number comes from the `rma` sequence; the order event and the customer
   * notice (built from the stored return) are written in the same transaction.
   */
  createReturn(
    draft: ReturnDraft,
    event: OrderEventInput,
    notice?: (rma: ReturnAuthorisation) => NoticeInput,
  ): Promise<ReturnAuthorisation>;
  /** Compare-and-set on a return's state; undefined when it was not in an expected state. */
  transitionReturn(
    rmaNumber: string,
    expected: ReturnState[],
    to: ReturnState,
    update: ReturnUpdate,
    event: OrderEventInput,
    notice?: (rma: ReturnAuthorisation) => NoticeInput,
  ): Promise<ReturnAuthorisation | undefined>;
  getReturn(rmaNumber: string): Promise<ReturnAuthorisation | undefined>;
  listReturns(query: ReturnQuery): Promise<ReturnAuthorisation[]>;
  /** Records a supplier invoice once per (supplier, invoice number); false when it was recorded before. */
  recordSupplierInvoice(invoice: SupplierInvoiceInput, actor: string): Promise<boolean>;

  /**
   * Metrics (core/metrics): brings the per-PO fact rows up to date with the events since the last refresh;
   * returns how many orders were refreshed.
   */
  refreshMetricFacts(): Promise<number>;
  /** Sums and duration quantiles of the fact rows per group, computed in SQL. */
  queryMetrics(query: MetricsQuery): Promise<MetricSums[]>;
  /** The routing engine's performance figures per supplier, from the recent scorecards (core/metrics). */
  supplierPerformance(): Promise<Record<string, SupplierPerformance>>;
}
