/**
 * PostgreSQL schema, one entry per released change. Never edit an entry that has shipped: add the next one.
 * The layout follows the SQLite migrations column for column so both engines share their row mapping. Times are
 * epoch milliseconds (BIGINT) as in SQLite, so SLA and metric arithmetic is the same on both engines; documents
 * are JSONB; money is NUMERIC so sums in metrics are exact. Tables are created unqualified: the store's
 * search_path puts them in its schema.
 */
export const POSTGRES_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'orders, purchase orders, events, shipments, outbox, inventory, watchdog, returns, metrics, status polls, functional groups, refunds, risk screening, storefront sync, order changes, purchase orders claimed oldest first from an index, supplier portal',
    sql: `
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  external_id TEXT NOT NULL,
  order_number TEXT,
  state TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  currency TEXT NOT NULL,
  total NUMERIC NOT NULL,
  ship_country TEXT NOT NULL,
  placed_at BIGINT NOT NULL,
  data JSONB NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (channel, external_id)
);
CREATE INDEX orders_state ON orders (state, updated_at);
CREATE INDEX orders_order_number ON orders (order_number);
-- The operator's order search (searchOrders) finds an order by any of these without reading every row; the
-- e-mail index is on the expression the search uses, so it matches in any case.
CREATE INDEX orders_customer_email ON orders (lower(data->'customer'->>'email'));
CREATE INDEX orders_external_id ON orders (external_id);

CREATE TABLE order_lines (
  order_id TEXT NOT NULL REFERENCES orders (id),
  line_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price NUMERIC NOT NULL,
  requires_shipping BOOLEAN NOT NULL,
  PRIMARY KEY (order_id, line_id)
);
CREATE INDEX order_lines_sku ON order_lines (sku);

CREATE TABLE webhook_deliveries (
  channel TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  order_id TEXT NOT NULL REFERENCES orders (id),
  received_at BIGINT NOT NULL,
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
  next_attempt_at BIGINT,
  lease_owner TEXT,
  lease_until BIGINT,
  supplier_reference TEXT,
  last_error TEXT,
  data JSONB NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  -- A cancelled PO its supplier had carries its withdrawal there: 'pending' from the cancel (same transaction)
  -- until the outcome is recorded, then 'done'. While pending, lease_owner is the worker holding it and
  -- lease_until the time from which anyone may take it (the cancel's own time until a first claim).
  withdrawal TEXT,
  UNIQUE (order_id, supplier_id, attempt)
);
CREATE INDEX purchase_orders_due ON purchase_orders (state, next_attempt_at);
CREATE INDEX purchase_orders_order ON purchase_orders (order_id);
-- The withdrawal sweep's query reads only this partial index: it holds the pending withdrawals alone, whatever the
-- number of POs.
CREATE INDEX purchase_orders_withdrawal ON purchase_orders (lease_until) WHERE withdrawal = 'pending';
-- The status poll claim reads one supplier's POs in a few states.
CREATE INDEX purchase_orders_supplier_state ON purchase_orders (supplier_id, state, created_at);

CREATE TABLE order_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id TEXT NOT NULL,
  po_number TEXT,
  type TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT,
  actor TEXT NOT NULL,
  reason TEXT,
  data JSONB,
  at BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE TABLE shipments (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  po_number TEXT,
  carrier TEXT,
  tracking_number TEXT NOT NULL,
  tracking_url TEXT,
  status TEXT NOT NULL,
  raw_status TEXT,
  last_event_at BIGINT NOT NULL,
  estimated_delivery BIGINT,
  lines JSONB,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  first_estimated_delivery BIGINT,
  UNIQUE (order_id, tracking_number)
);
CREATE INDEX shipments_status ON shipments (status, carrier);
CREATE INDEX shipments_tracking_number ON shipments (tracking_number);

CREATE TABLE tracking_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shipment_id BIGINT NOT NULL REFERENCES shipments (id),
  status TEXT NOT NULL,
  raw_status TEXT,
  occurred_at BIGINT NOT NULL,
  location TEXT,
  source TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  UNIQUE (shipment_id, status, occurred_at)
);

CREATE TABLE notifications (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  milestone TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  lease_owner TEXT,
  lease_until BIGINT,
  payload JSONB NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  sent_at BIGINT,
  UNIQUE (order_id, milestone, channel)
);
CREATE INDEX notifications_due ON notifications (channel, state, next_attempt_at);
CREATE INDEX notifications_sent ON notifications (sent_at);

CREATE TABLE sequences (
  scope TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);

CREATE TABLE inventory (
  supplier_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  feed_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (supplier_id, sku)
);
CREATE INDEX inventory_sku ON inventory (sku);

CREATE TABLE inventory_feeds (
  supplier_id TEXT PRIMARY KEY,
  last_feed_at BIGINT NOT NULL,
  applied_at BIGINT NOT NULL
);

CREATE TABLE watchdog_timers (
  id BIGSERIAL PRIMARY KEY,
  subject TEXT NOT NULL,
  order_id TEXT,
  po_number TEXT,
  supplier_id TEXT,
  condition TEXT NOT NULL,
  step INTEGER NOT NULL,
  action TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  state TEXT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  detail JSONB NOT NULL,
  outcome JSONB,
  created_at BIGINT NOT NULL,
  fired_at BIGINT,
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
  data JSONB NOT NULL,
  requested_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX return_authorisations_order ON return_authorisations (order_id);
CREATE INDEX return_authorisations_state ON return_authorisations (state, updated_at);

CREATE TABLE supplier_invoices (
  supplier_id TEXT NOT NULL,
  invoice_number TEXT NOT NULL,
  po_number TEXT NOT NULL,
  total NUMERIC NOT NULL,
  currency TEXT,
  invoiced_at BIGINT NOT NULL,
  lines JSONB,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (supplier_id, invoice_number)
);
CREATE INDEX supplier_invoices_po ON supplier_invoices (po_number);

CREATE TABLE metric_po_facts (
  po_number TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  placed_at BIGINT NOT NULL,
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
  promised_ship_by BIGINT,
  ship_at BIGINT,
  parcels INTEGER NOT NULL,
  valid_parcels INTEGER NOT NULL,
  exception INTEGER NOT NULL,
  shipped_units INTEGER NOT NULL,
  returned_units INTEGER NOT NULL,
  revenue NUMERIC NOT NULL,
  cost NUMERIC,
  send_attempts INTEGER NOT NULL,
  send_failures INTEGER NOT NULL,
  to_ack_ms BIGINT,
  to_ship_ms BIGINT,
  tracking_ms BIGINT
);
CREATE INDEX metric_po_facts_order ON metric_po_facts (order_id);
CREATE INDEX metric_po_facts_placed ON metric_po_facts (placed_at, supplier_id);

CREATE TABLE metric_line_facts (
  po_number TEXT NOT NULL,
  sku TEXT NOT NULL,
  PRIMARY KEY (sku, po_number)
);
CREATE INDEX metric_line_facts_po ON metric_line_facts (po_number);

CREATE TABLE metric_watermarks (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);

-- One row per parcel the package watches: its carrier poll schedule (a NULL next_poll_at is due now;
-- poll_stopped_at ends polling) and when it was flagged as a label the carrier never scanned.
CREATE TABLE shipment_watch (
  shipment_id BIGINT PRIMARY KEY REFERENCES shipments (id),
  next_poll_at BIGINT,
  last_polled_at BIGINT,
  polls INTEGER NOT NULL DEFAULT 0,
  poll_stopped_at BIGINT,
  lease_owner TEXT,
  last_error TEXT,
  label_flagged_at BIGINT
);
CREATE INDEX shipment_watch_due ON shipment_watch (next_poll_at);

-- One row per PO and purpose (acknowledgements, shipments) once it was first claimed: when the next poll is due
-- (a claim moves it to the end of its lease), the failures in a row the backoff grows with, and the last answer,
-- so a restart keeps the schedule and the same answer twice is no news.
CREATE TABLE supplier_status_polls (
  po_number TEXT NOT NULL REFERENCES purchase_orders (number),
  purpose TEXT NOT NULL,
  next_poll_at BIGINT,
  last_polled_at BIGINT,
  failures INTEGER NOT NULL DEFAULT 0,
  last_answer TEXT,
  last_error TEXT,
  lease_owner TEXT,
  PRIMARY KEY (po_number, purpose)
);

-- One row per functional group we sent a trading partner (an X12 850), until its 997 comes: when it was sent,
-- when and how the partner acknowledged it, and when a missing 997 was reported overdue (once, for every
-- instance). Overdue checks read the unacknowledged groups of one supplier from the partial index.
CREATE TABLE functional_groups_sent (
  supplier_id TEXT NOT NULL,
  functional_id TEXT NOT NULL,
  group_control_number TEXT NOT NULL,
  document TEXT NOT NULL,
  po_number TEXT,
  sent_at BIGINT NOT NULL,
  acknowledged_at BIGINT,
  acknowledgement TEXT,
  overdue_reported_at BIGINT,
  PRIMARY KEY (supplier_id, functional_id, group_control_number)
);
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
  amounts JSONB NOT NULL,
  total BIGINT NOT NULL,
  storefront_refund_id TEXT,
  attempts INTEGER NOT NULL,
  last_error TEXT,
  lease_owner TEXT,
  lease_until BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id, created_at);
CREATE INDEX refunds_state ON refunds (state, updated_at);

-- Each screened order's e-mail, address, IP and card fingerprint as SHA-256 digests; velocity checks count other
-- orders with the same digest in a window from the index.
CREATE TABLE risk_signals (
  order_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  digest TEXT NOT NULL,
  at BIGINT NOT NULL,
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
  variant JSONB NOT NULL,
  imported_at BIGINT NOT NULL,
  PRIMARY KEY (channel, variant_id)
);
CREATE TABLE supplier_items (
  supplier_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  identifiers JSONB,
  cost NUMERIC,
  map_price NUMERIC,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (supplier_id, sku)
);
CREATE TABLE storefront_desired (
  channel TEXT NOT NULL,
  variant_id TEXT NOT NULL,
  sku TEXT,
  quantity INTEGER NOT NULL,
  -- Text, not JSONB: sync compares it with the JSON of a newly computed state to find what moved.
  desired TEXT NOT NULL,
  computed_at BIGINT NOT NULL,
  PRIMARY KEY (channel, variant_id)
);
-- The oversell guard looks an order line's SKU up.
CREATE INDEX storefront_desired_sku ON storefront_desired (channel, sku);
CREATE TABLE storefront_pushed (
  channel TEXT NOT NULL,
  variant_id TEXT NOT NULL,
  shop JSONB,
  shop_at BIGINT,
  target JSONB,
  pending_key TEXT,
  pending JSONB,
  last_error TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (channel, variant_id)
);

-- One row per change a storefront made to a paid order (a cancellation, an edit, a refund), once per (order, key):
-- the key is the storefront's delivery id, or one derived from the change. A change is pending until the worker
-- holding its lease applied it; the partial index holds the pending ones alone.
CREATE TABLE order_changes (
  id BIGSERIAL PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (id),
  change_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  data JSONB NOT NULL,
  received_at BIGINT NOT NULL,
  applied_at BIGINT,
  lease_owner TEXT,
  lease_until BIGINT,
  UNIQUE (order_id, change_key)
);
CREATE INDEX order_changes_pending ON order_changes (order_id, id) WHERE state = 'pending';

-- The dispatch claim takes the oldest due POs (ORDER BY created_at, number COLLATE "C" LIMIT n): read in this
-- index's order it stops after n rows, where (state, next_attempt_at) made it sort every due PO first.
CREATE INDEX purchase_orders_claim ON purchase_orders (created_at, number COLLATE "C")
  WHERE state IN ('pending', 'sending');

-- The supplier portal (docs/supplier-portal.md). Session ids, codes and form tokens are kept only as hashes.
-- A link's id is inside the signed link, so a link can be revoked; a form token is used up by its form.
CREATE TABLE portal_links (
  id TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX portal_links_supplier ON portal_links (supplier_id);
CREATE TABLE portal_codes (
  supplier_id TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE portal_sessions (
  id_hash TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX portal_sessions_supplier ON portal_sessions (supplier_id);
CREATE TABLE portal_form_tokens (
  token_hash TEXT PRIMARY KEY,
  binding_hash TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX portal_form_tokens_expiry ON portal_form_tokens (expires_at);
-- What suppliers did; acknowledgements and shipments wait unread for the supplier's channel to read them.
CREATE TABLE portal_actions (
  id BIGSERIAL PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  po_number TEXT,
  kind TEXT NOT NULL,
  payload JSONB NOT NULL,
  actor TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  read_at BIGINT
);
CREATE INDEX portal_actions_unread ON portal_actions (supplier_id, kind, id) WHERE read_at IS NULL;
CREATE INDEX portal_actions_recent ON portal_actions (created_at);
CREATE TABLE portal_cancel_requests (
  po_number TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  confirmed_at BIGINT,
  confirmed_by TEXT
);
CREATE INDEX portal_cancel_requests_supplier ON portal_cancel_requests (supplier_id);
`,
  },
];
