/**
 * SQLite schema, one entry per released change. Never edit an entry that has shipped: add the next one.
 * Times are epoch milliseconds (INTEGER) so SLA and metric arithmetic needs no parsing.
 */
export const SQLITE_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'orders, purchase orders, events, shipments, outbox, inventory, watchdog, returns, metrics, status polls, functional groups, refunds, risk screening, storefront sync, order changes, supplier portal',
    sql: `
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  external_id TEXT NOT NULL,
  order_number TEXT,
  state TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  currency TEXT NOT NULL,
  total REAL NOT NULL,
  ship_country TEXT NOT NULL,
  placed_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (channel, external_id)
);
CREATE INDEX orders_state ON orders (state, updated_at);
CREATE INDEX orders_order_number ON orders (order_number);
-- The operator's order search (searchOrders) finds an order by any of these without reading every row; the
-- e-mail index is on the expression the search uses, so it matches in any case.
CREATE INDEX orders_customer_email ON orders (lower(json_extract(data, '$.customer.email')));
CREATE INDEX orders_external_id ON orders (external_id);

CREATE TABLE order_lines (
  order_id TEXT NOT NULL REFERENCES orders (id),
  line_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price REAL NOT NULL,
  requires_shipping INTEGER NOT NULL,
  PRIMARY KEY (order_id, line_id)
);
CREATE INDEX order_lines_sku ON order_lines (sku);

CREATE TABLE webhook_deliveries (
  channel TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  order_id TEXT NOT NULL REFERENCES orders (id),
  received_at INTEGER NOT NULL,
  PRIMARY KEY (channel, delivery_id)
);

CREATE TABLE purchase_orders (
  number TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  supplier_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  state TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  send_attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_owner TEXT,
  lease_until INTEGER,
  supplier_reference TEXT,
  last_error TEXT,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- A cancelled PO its supplier had carries its withdrawal there: 'pending' from the cancel (same transaction)
  -- until the outcome is recorded, then 'done'. While pending, lease_owner is the worker holding it and
  -- lease_until the time from which anyone may take it (the cancel's own time until a first claim).
  withdrawal TEXT,
  UNIQUE (order_id, supplier_id, attempt)
);
CREATE INDEX purchase_orders_due ON purchase_orders (state, next_attempt_at);
CREATE INDEX purchase_orders_order ON purchase_orders (order_id);
-- The dispatch sweep takes the oldest due POs of each state in index order and stops at its batch size, instead of
-- sorting every due PO (all of them while a supplier is down) on every sweep; next_attempt_at is in the index so
-- POs deferred to later are skipped without reading their rows.
CREATE INDEX purchase_orders_claim ON purchase_orders (state, created_at, next_attempt_at);
-- The withdrawal sweep's query reads only this partial index: it holds the pending withdrawals alone, whatever the
-- number of POs.
CREATE INDEX purchase_orders_withdrawal ON purchase_orders (lease_until) WHERE withdrawal = 'pending';
-- The status poll claim reads one supplier's POs in a few states.
CREATE INDEX purchase_orders_supplier_state ON purchase_orders (supplier_id, state, created_at);

CREATE TABLE order_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL,
  po_number TEXT,
  type TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT,
  actor TEXT NOT NULL,
  reason TEXT,
  data TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE TABLE shipments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL REFERENCES orders (id),
  po_number TEXT,
  carrier TEXT,
  tracking_number TEXT NOT NULL,
  tracking_url TEXT,
  status TEXT NOT NULL,
  raw_status TEXT,
  last_event_at INTEGER NOT NULL,
  estimated_delivery INTEGER,
  lines TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  first_estimated_delivery INTEGER,
  UNIQUE (order_id, tracking_number)
);
CREATE INDEX shipments_status ON shipments (status, carrier);
CREATE INDEX shipments_tracking_number ON shipments (tracking_number);

CREATE TABLE tracking_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  shipment_id INTEGER NOT NULL REFERENCES shipments (id),
  status TEXT NOT NULL,
  raw_status TEXT,
  occurred_at INTEGER NOT NULL,
  location TEXT,
  source TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  UNIQUE (shipment_id, status, occurred_at)
);

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL REFERENCES orders (id),
  milestone TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_owner TEXT,
  lease_until INTEGER,
  payload TEXT NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  UNIQUE (order_id, milestone, channel)
);
CREATE INDEX notifications_due ON notifications (channel, state, next_attempt_at);
CREATE INDEX notifications_sent ON notifications (sent_at);

CREATE TABLE sequences (
  scope TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);

CREATE TABLE inventory (
  supplier_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  feed_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (supplier_id, sku)
) WITHOUT ROWID;
CREATE INDEX inventory_sku ON inventory (sku);

CREATE TABLE inventory_feeds (
  supplier_id TEXT PRIMARY KEY,
  last_feed_at INTEGER NOT NULL,
  applied_at INTEGER NOT NULL
);

CREATE TABLE watchdog_timers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subject TEXT NOT NULL,
  order_id TEXT,
  po_number TEXT,
  supplier_id TEXT,
  condition TEXT NOT NULL,
  step INTEGER NOT NULL,
  action TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  detail TEXT NOT NULL,
  outcome TEXT,
  created_at INTEGER NOT NULL,
  fired_at INTEGER,
  UNIQUE (subject, condition, step)
);
CREATE INDEX watchdog_timers_due ON watchdog_timers (state, due_at);
CREATE INDEX watchdog_timers_order ON watchdog_timers (order_id);

CREATE TABLE return_authorisations (
  rma_number TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  supplier_id TEXT NOT NULL,
  po_number TEXT,
  state TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  data TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX return_authorisations_order ON return_authorisations (order_id);
CREATE INDEX return_authorisations_state ON return_authorisations (state, updated_at);

CREATE TABLE supplier_invoices (
  supplier_id TEXT NOT NULL,
  invoice_number TEXT NOT NULL,
  po_number TEXT NOT NULL,
  total REAL NOT NULL,
  currency TEXT,
  invoiced_at INTEGER NOT NULL,
  lines TEXT,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (supplier_id, invoice_number)
);
CREATE INDEX supplier_invoices_po ON supplier_invoices (po_number);

-- Clustered by supplier and placement time: scorecards group by supplier over a window without sorting.
CREATE TABLE metric_po_facts (
  supplier_id TEXT NOT NULL,
  placed_at INTEGER NOT NULL,
  po_number TEXT NOT NULL,
  order_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  region TEXT NOT NULL,
  settled INTEGER NOT NULL,
  filled INTEGER NOT NULL,
  lines_ordered INTEGER NOT NULL,
  lines_filled INTEGER NOT NULL,
  acknowledged INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  stockout INTEGER NOT NULL,
  cancelled_after_acceptance INTEGER NOT NULL,
  promised_ship_by INTEGER,
  ship_at INTEGER,
  parcels INTEGER NOT NULL,
  valid_parcels INTEGER NOT NULL,
  exception INTEGER NOT NULL,
  shipped_units INTEGER NOT NULL,
  returned_units INTEGER NOT NULL,
  revenue REAL NOT NULL,
  cost REAL,
  send_attempts INTEGER NOT NULL,
  send_failures INTEGER NOT NULL,
  to_ack_ms INTEGER,
  to_ship_ms INTEGER,
  tracking_ms INTEGER,
  PRIMARY KEY (supplier_id, placed_at, po_number)
) WITHOUT ROWID;
CREATE UNIQUE INDEX metric_po_facts_po ON metric_po_facts (po_number);
CREATE INDEX metric_po_facts_order ON metric_po_facts (order_id);
CREATE INDEX metric_po_facts_placed ON metric_po_facts (placed_at);

CREATE TABLE metric_watermarks (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);

-- One row per (SKU, PO) with the PO's figures, clustered by SKU: grouping by SKU walks this table in order
-- instead of looking every PO up.
CREATE TABLE metric_sku_facts (
  sku TEXT NOT NULL,
  supplier_id TEXT NOT NULL,
  placed_at INTEGER NOT NULL,
  po_number TEXT NOT NULL,
  order_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  region TEXT NOT NULL,
  settled INTEGER NOT NULL,
  filled INTEGER NOT NULL,
  lines_ordered INTEGER NOT NULL,
  lines_filled INTEGER NOT NULL,
  acknowledged INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  stockout INTEGER NOT NULL,
  cancelled_after_acceptance INTEGER NOT NULL,
  promised_ship_by INTEGER,
  ship_at INTEGER,
  parcels INTEGER NOT NULL,
  valid_parcels INTEGER NOT NULL,
  exception INTEGER NOT NULL,
  shipped_units INTEGER NOT NULL,
  returned_units INTEGER NOT NULL,
  revenue REAL NOT NULL,
  cost REAL,
  send_attempts INTEGER NOT NULL,
  send_failures INTEGER NOT NULL,
  to_ack_ms INTEGER,
  to_ship_ms INTEGER,
  tracking_ms INTEGER,
  PRIMARY KEY (sku, placed_at, po_number)
) WITHOUT ROWID;
CREATE INDEX metric_sku_facts_order ON metric_sku_facts (order_id);

-- The PO facts summed per UTC day of placement, supplier, channel and region; the durations and the promises not
-- yet shipped are kept as JSON arrays so medians and percentiles stay exact (docs/metrics.md).
CREATE TABLE metric_day_buckets (
  day INTEGER NOT NULL,
  supplier_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  region TEXT NOT NULL,
  purchase_orders INTEGER NOT NULL,
  settled INTEGER NOT NULL,
  filled INTEGER NOT NULL,
  lines_ordered INTEGER NOT NULL,
  lines_filled INTEGER NOT NULL,
  acknowledged INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  stockouts INTEGER NOT NULL,
  cancelled_after_acceptance INTEGER NOT NULL,
  shipped_on_time INTEGER NOT NULL,
  shipped_with_promise INTEGER NOT NULL,
  parcels INTEGER NOT NULL,
  valid_parcels INTEGER NOT NULL,
  exceptions INTEGER NOT NULL,
  shipped_units INTEGER NOT NULL,
  returned_units INTEGER NOT NULL,
  revenue REAL NOT NULL,
  costed_revenue REAL NOT NULL,
  cost REAL NOT NULL,
  send_attempts INTEGER NOT NULL,
  send_failures INTEGER NOT NULL,
  to_ack_ms TEXT NOT NULL,
  to_ship_ms TEXT NOT NULL,
  tracking_ms TEXT NOT NULL,
  unshipped_promises TEXT NOT NULL,
  PRIMARY KEY (day, supplier_id, channel, region)
) WITHOUT ROWID;

-- The (day, supplier) slices whose buckets must be summed again: committed with the fact rows that changed them,
-- so a refresh interrupted between the two still leaves them marked.
CREATE TABLE metric_stale_slices (
  day INTEGER NOT NULL,
  supplier_id TEXT NOT NULL,
  PRIMARY KEY (day, supplier_id)
) WITHOUT ROWID;

-- One row per parcel the package watches: its carrier poll schedule (a NULL next_poll_at is due now;
-- poll_stopped_at ends polling) and when it was flagged as a label the carrier never scanned.
CREATE TABLE shipment_watch (
  shipment_id INTEGER PRIMARY KEY REFERENCES shipments (id),
  next_poll_at INTEGER,
  last_polled_at INTEGER,
  polls INTEGER NOT NULL DEFAULT 0,
  poll_stopped_at INTEGER,
  lease_owner TEXT,
  last_error TEXT,
  label_flagged_at INTEGER
);
CREATE INDEX shipment_watch_due ON shipment_watch (next_poll_at);

-- One row per PO and purpose (acknowledgements, shipments) once it was first claimed: when the next poll is due
-- (a claim moves it to the end of its lease), the failures in a row the backoff grows with, and the last answer,
-- so a restart keeps the schedule and the same answer twice is no news.
CREATE TABLE supplier_status_polls (
  po_number TEXT NOT NULL REFERENCES purchase_orders (number),
  purpose TEXT NOT NULL,
  next_poll_at INTEGER,
  last_polled_at INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  last_answer TEXT,
  last_error TEXT,
  lease_owner TEXT,
  PRIMARY KEY (po_number, purpose)
) WITHOUT ROWID;

-- One row per functional group we sent a trading partner (an X12 850), until its 997 comes: when it was sent,
-- when and how the partner acknowledged it, and when a missing 997 was reported overdue (once, for every
-- instance). Overdue checks read the unacknowledged groups of one supplier from the partial index.
CREATE TABLE functional_groups_sent (
  supplier_id TEXT NOT NULL,
  functional_id TEXT NOT NULL,
  group_control_number TEXT NOT NULL,
  document TEXT NOT NULL,
  po_number TEXT,
  sent_at INTEGER NOT NULL,
  acknowledged_at INTEGER,
  acknowledgement TEXT,
  overdue_reported_at INTEGER,
  PRIMARY KEY (supplier_id, functional_id, group_control_number)
) WITHOUT ROWID;
CREATE INDEX functional_groups_unacknowledged ON functional_groups_sent (supplier_id, sent_at)
  WHERE acknowledged_at IS NULL;

-- One row per refund, keyed by the refund key derived from the order and the change (core/refunds/refund.ts), so
-- proposing the same change again inserts nothing. An approved refund is held by its lease while the storefront is
-- called; a lease that ran out is taken over by the next sweep, which calls with the same key.
CREATE TABLE refunds (
  refund_key TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  state TEXT NOT NULL,
  trigger_kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  amounts TEXT NOT NULL,
  total INTEGER NOT NULL,
  storefront_refund_id TEXT,
  attempts INTEGER NOT NULL,
  last_error TEXT,
  lease_owner TEXT,
  lease_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id, created_at);
CREATE INDEX refunds_state ON refunds (state, updated_at);

-- Each screened order's e-mail, address, IP and card fingerprint as SHA-256 digests; velocity checks count other
-- orders with the same digest in a window from the index.
CREATE TABLE risk_signals (
  order_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  digest TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (order_id, kind)
);
CREATE INDEX risk_signals_digest ON risk_signals (kind, digest, at);

-- Storefront sync (core/storefront-sync): the variants last imported from each shop, the identifiers, cost and MAP
-- stock feeds gave supplier items, what each variant should show (desired) and what the shop holds as far as sync
-- knows (pushed: its state after the last applied push, the targets sync set, and the push pending with its
-- idempotency key, stored before the push is sent so a crash resumes it with the same key).
CREATE TABLE storefront_variants (
  channel TEXT NOT NULL,
  variant_id TEXT NOT NULL,
  sku TEXT,
  variant TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  PRIMARY KEY (channel, variant_id)
) WITHOUT ROWID;
CREATE TABLE supplier_items (
  supplier_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  identifiers TEXT,
  cost REAL,
  map_price REAL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (supplier_id, sku)
) WITHOUT ROWID;
CREATE TABLE storefront_desired (
  channel TEXT NOT NULL,
  variant_id TEXT NOT NULL,
  sku TEXT,
  quantity INTEGER NOT NULL,
  desired TEXT NOT NULL,
  computed_at INTEGER NOT NULL,
  PRIMARY KEY (channel, variant_id)
) WITHOUT ROWID;
-- The oversell guard looks an order line's SKU up.
CREATE INDEX storefront_desired_sku ON storefront_desired (channel, sku);
CREATE TABLE storefront_pushed (
  channel TEXT NOT NULL,
  variant_id TEXT NOT NULL,
  shop TEXT,
  shop_at INTEGER,
  target TEXT,
  pending_key TEXT,
  pending TEXT,
  last_error TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (channel, variant_id)
) WITHOUT ROWID;

-- One row per change a storefront made to a paid order (a cancellation, an edit, a refund), once per (order, key):
-- the key is the storefront's delivery id, or one derived from the change. A change is pending until the worker
-- holding its lease applied it; the partial index holds the pending ones alone.
CREATE TABLE order_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL REFERENCES orders (id),
  change_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  data TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  applied_at INTEGER,
  lease_owner TEXT,
  lease_until INTEGER,
  UNIQUE (order_id, change_key)
);
CREATE INDEX order_changes_pending ON order_changes (order_id, id) WHERE state = 'pending';

-- The supplier portal (docs/supplier-portal.md). Session ids, codes and form tokens are kept only as hashes.
-- A link's id is inside the signed link, so a link can be revoked; a form token is used up by its form.
CREATE TABLE portal_links (
  id TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX portal_links_supplier ON portal_links (supplier_id);
CREATE TABLE portal_codes (
  supplier_id TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE portal_sessions (
  id_hash TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX portal_sessions_supplier ON portal_sessions (supplier_id);
CREATE TABLE portal_form_tokens (
  token_hash TEXT PRIMARY KEY,
  binding_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX portal_form_tokens_expiry ON portal_form_tokens (expires_at);
-- What suppliers did; acknowledgements and shipments wait unread for the supplier's channel to read them.
CREATE TABLE portal_actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  supplier_id TEXT NOT NULL,
  po_number TEXT,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  read_at INTEGER
);
CREATE INDEX portal_actions_unread ON portal_actions (supplier_id, kind, id) WHERE read_at IS NULL;
CREATE INDEX portal_actions_recent ON portal_actions (created_at);
CREATE TABLE portal_cancel_requests (
  po_number TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  confirmed_at INTEGER,
  confirmed_by TEXT
);
CREATE INDEX portal_cancel_requests_supplier ON portal_cancel_requests (supplier_id);
`,
  },
];
