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

/** A supplier's last applied stock feed (the inventory_feeds table). */
export interface StockFeedRecord {
  supplierId: string;
  lastFeedAt: string;
  appliedAt: string;
}

/** Suppliers' stock as their feeds report it, with the units their open POs commit. */
export interface StockStore {
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
}
