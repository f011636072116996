/**
 * The words an operator reads for every state code the product stores: orders, POs, parcels, notifications and
 * watchdog conditions. One table, used by the order API's timeline, the watchdog's answers and the dashboard flow
 * (scripts/dashboard-flow.js writes it into its widgets), so a state reads the same everywhere.
 */
export const STATE_NAMES: Readonly<Record<string, string>> = {
  // Orders
  received: 'Received',
  routed: 'Routed to suppliers',
  dispatched: 'Sent to suppliers',
  acknowledged: 'Acknowledged',
  partially_shipped: 'Partly shipped',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  needs_attention: 'Needs attention',
  returned: 'Returned',
  // Purchase orders and notifications
  pending: 'Waiting to send',
  sending: 'Sending',
  sent: 'Sent',
  accepted: 'Accepted',
  backordered: 'Backordered',
  rejected: 'Rejected',
  failed: 'Failed',
  // Parcels
  info_received: 'Label created',
  in_transit: 'In transit',
  out_for_delivery: 'Out for delivery',
  failed_attempt: 'Delivery attempt failed',
  available_for_pickup: 'Ready for pickup',
  exception: 'Carrier exception',
  returned_to_sender: 'Returned to sender',
  expired: 'Tracking expired',
  // Watchdog conditions
  po_unacknowledged: 'PO not acknowledged',
  not_shipped_by_promise: 'Not shipped by the promised date',
  label_without_scan: 'Label without a carrier scan',
  no_tracking_movement: 'No tracking movement',
  late_delivery: 'Late delivery',
  stock_feed_stale: 'Stock feed out of date',
  supplier_error_rate: 'Supplier error rate high',
  address_rejected: 'Address rejected',
  // Refunds
  refund_proposed: 'Proposed',
  refund_approved: 'Being refunded',
  refund_refunded: 'Refunded',
  refund_failed: 'Refund failed',
  refund_dismissed: 'Dismissed',
};

/** The operator's words for a state code; a code not in the table reads as itself with spaces ("new_code" -> "New code"). */
export function stateName(code: string): string {
  const known = STATE_NAMES[code];
  if (known) return known;
  const words = code.replace(/[_.]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
