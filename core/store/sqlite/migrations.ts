/**
 * SQLite schema, one entry per released change. Never edit an entry that has shipped: add the next one.
 * Times are epoch milliseconds (INTEGER) so SLA and metric arithmetic needs no parsing.
 */
export const SQLITE_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'orders, purchase orders, events, shipments, outbox',
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
  UNIQUE (order_id, supplier_id, attempt)
);
CREATE INDEX purchase_orders_due ON purchase_orders (state, next_attempt_at);
CREATE INDEX purchase_orders_order ON purchase_orders (order_id);

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
  UNIQUE (order_id, tracking_number)
);

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

CREATE TABLE sequences (
  scope TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'inventory: supplier stock per SKU and the last feed applied per supplier',
    sql: `
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
`,
  },
];
