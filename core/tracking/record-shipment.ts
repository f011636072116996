import { DropshipError, invalidInput, type FieldProblem } from '../errors';
import type { ShipmentEvent } from '../model/shipment';
import type { OrdersStore, PurchaseOrderStore, ShipmentResult, ShipmentStore } from '../store/order-store';
import { validateShipmentEvent } from '../validation/validate-order';
import { detectCarrier, trackingNumberFault } from './carrier-detection';
import type { InvalidTrackingPolicy } from './event-carrier';
import { normaliseTrackingStatus } from './status-vocabulary';

/** A shipment report as suppliers post it: our field names, their words for the status, carrier optional. */
export interface ShipmentReport {
  poNumber?: unknown;
  orderId?: unknown;
  trackingNumber?: unknown;
  carrier?: unknown;
  status?: unknown;
  occurredAt?: unknown;
  trackingUrl?: unknown;
  location?: unknown;
  estimatedDelivery?: unknown;
  lines?: unknown;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Turns a supplier's report into a canonical ShipmentEvent: the status put into the one vocabulary (the raw
 * words kept), the carrier detected from the number where the supplier did not say, the tracking link added.
 * A report without status means the supplier has a label: "info received". A number whose check digit fails is
 * refused naming /trackingNumber, or kept as unverified without carrier or link, as `invalidTracking` says.
 */
export function shipmentEventFromReport(
  report: ShipmentReport,
  source: string,
  now: Date,
  invalidTracking: InvalidTrackingPolicy = 'refuse',
): ShipmentEvent {
  const problems: FieldProblem[] = [];
  const rawStatus = optionalString(report.status);
  const declaredCarrier = optionalString(report.carrier);
  const status = rawStatus ? normaliseTrackingStatus(rawStatus, declaredCarrier) : 'info_received';
  if (!status) problems.push({ path: '/status', message: `"${rawStatus}" is not a status we recognise` });
  const trackingNumber = optionalString(report.trackingNumber)?.replace(/\s+/g, '') ?? '';
  const fault = trackingNumber ? trackingNumberFault(trackingNumber, declaredCarrier) : undefined;
  if (fault && invalidTracking === 'refuse') problems.push({ path: '/trackingNumber', message: fault });
  const match = trackingNumber && !fault ? detectCarrier(trackingNumber, declaredCarrier) : undefined;
  if (problems.length > 0) throw invalidInput('shipment event', problems);
  const event: Record<string, unknown> = {
    poNumber: optionalString(report.poNumber),
    orderId: optionalString(report.orderId),
    // A number kept although its check digit fails has no carrier or link: both would be a guess.
    carrier: fault ? undefined : (match?.carrier ?? declaredCarrier?.toLowerCase()),
    trackingNumber,
    trackingUrl: fault ? undefined : (optionalString(report.trackingUrl) ?? match?.trackingUrl),
    status,
    rawStatus,
    occurredAt: optionalString(report.occurredAt) ?? now.toISOString(),
    location: optionalString(report.location),
    estimatedDelivery: optionalString(report.estimatedDelivery),
    lines: report.lines,
    source,
    unverified: fault,
  };
  for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
  return validateShipmentEvent(event);
}

/**
 * Finds the order a shipment belongs to (by PO number first), records the event and advances PO and order. With
 * `supplierId` (a route that hears one supplier only), a PO or order of another supplier is answered exactly as
 * one that does not exist, so a sender cannot learn which numbers are in use elsewhere.
 */
export async function recordShipment(
  store: Pick<ShipmentStore, 'recordShipmentEvent'> &
    Pick<OrdersStore, 'findOrder'> &
    Pick<PurchaseOrderStore, 'getPurchaseOrder' | 'listPurchaseOrders'>,
  event: ShipmentEvent,
  actor: string,
  scope: { supplierId?: string } = {},
): Promise<ShipmentResult> {
  let orderId: string | undefined;
  if (event.poNumber) {
    const po = await store.getPurchaseOrder(event.poNumber);
    if (!po || (scope.supplierId !== undefined && po.supplierId !== scope.supplierId))
      throw new DropshipError('not_found', `no purchase order ${event.poNumber}`, [
        { path: '/poNumber', message: 'matches no purchase order' },
      ]);
    orderId = po.orderId;
  } else if (event.orderId) {
    orderId = (await store.findOrder(event.orderId))?.id;
    if (
      orderId !== undefined &&
      scope.supplierId !== undefined &&
      !(await store.listPurchaseOrders(orderId)).some((po) => po.supplierId === scope.supplierId)
    )
      orderId = undefined;
    if (!orderId)
      throw new DropshipError('not_found', `no order ${event.orderId}`, [
        { path: '/orderId', message: 'matches no order' },
      ]);
  }
  if (!orderId)
    throw invalidInput('shipment event', [{ path: '/poNumber', message: 'or orderId is required' }]);
  return store.recordShipmentEvent({ ...event, orderId }, actor);
}
