import { DropshipError, invalidInput, type FieldProblem } from '../errors';
import type { PurchaseOrder, PurchaseOrderState } from '../model/purchase-order';
import type { ShipmentEvent } from '../model/shipment';
import type { Acknowledgement, LineAcknowledgement } from '../ports/supplier-connector';
import type { OrderStore } from '../store/order-store';
import type { PortalActionKind } from '../store/portal-store';
import { shipmentEventFromReport } from '../tracking/record-shipment';

/** Who is acting in the portal: the supplier signed in, or an operator acting for it (recorded as such). */
export interface PortalActor {
  supplierId: string;
  /** `supplier:<id>`, or `operator:<user> for supplier:<id>`. */
  actor: string;
}

/** The POs a supplier sees in its portal, and those it may still answer or ship. */
export const PORTAL_VISIBLE_STATES: PurchaseOrderState[] = [
  'sent',
  'accepted',
  'backordered',
  'shipped',
  'delivered',
  'cancelled',
  'rejected',
];
export const ANSWERABLE_STATES: PurchaseOrderState[] = ['sent', 'backordered'];
export const SHIPPABLE_STATES: PurchaseOrderState[] = ['sent', 'accepted', 'backordered'];

export type LineAnswer =
  | { status: 'accepted' }
  | { status: 'backordered'; expectedShipDate: string }
  | { status: 'rejected'; reason: string };

/** The supplier's PO, or not_found: another supplier's PO is answered exactly like one that does not exist. */
export async function supplierPurchaseOrder(
  store: OrderStore,
  who: PortalActor,
  poNumber: string,
): Promise<PurchaseOrder> {
  const po = await store.getPurchaseOrder(poNumber);
  if (!po || po.supplierId !== who.supplierId || !PORTAL_VISIBLE_STATES.includes(po.state))
    throw new DropshipError('not_found', 'no such purchase order', [
      { path: 'poNumber', message: 'not found' },
    ]);
  return po;
}

/** The acknowledgement the answers make: all accepted, all backordered, all rejected, or partial. */
export function acknowledgementFromAnswers(
  po: PurchaseOrder,
  answers: LineAnswer[],
  who: PortalActor,
  now: Date,
): Acknowledgement {
  if (answers.length !== po.lines.length)
    throw invalidInput('answer', [
      { path: 'lines', message: `needs one answer per line (${po.lines.length})` },
    ]);
  const lines: LineAcknowledgement[] = po.lines.map((line, i) => {
    const answer = answers[i]!;
    return {
      sku: line.sku,
      orderLineId: line.orderLineId,
      status: answer.status,
      quantity: line.quantity,
      ...(answer.status === 'backordered' ? { expectedShipDate: answer.expectedShipDate } : {}),
      ...(answer.status === 'rejected' ? { reason: answer.reason } : {}),
    };
  });
  const statuses = new Set(lines.map((l) => l.status));
  const outcome =
    statuses.size === 1 ? ([...statuses][0] as 'accepted' | 'backordered' | 'rejected') : 'partial';
  const reasons = lines.filter((l) => l.reason).map((l) => `${l.sku}: ${l.reason}`);
  return {
    poNumber: po.number,
    outcome,
    lines,
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    receivedAt: now.toISOString(),
    actor: who.actor,
  };
}

/**
 * Keeps what the supplier did on a PO (one action per payload, for its channel to read or the operator to see) and
 * records it on the order under the supplier's (or the acting operator's) name.
 */
async function recordOnPurchaseOrder(
  store: OrderStore,
  who: PortalActor,
  po: PurchaseOrder,
  kind: PortalActionKind,
  payloads: Record<string, unknown>[],
  now: Date,
  event: { type: string; reason: string; data: Record<string, unknown> },
): Promise<void> {
  for (const payload of payloads)
    await store.recordAction(
      { supplierId: who.supplierId, poNumber: po.number, kind, payload, actor: who.actor },
      now,
    );
  await store.recordEvent(po.orderId, {
    type: event.type,
    actor: who.actor,
    reason: event.reason,
    data: { poNumber: po.number, ...event.data },
  });
}

/**
 * Keeps the supplier's answer for its channel to read (the dispatch node applies it like any acknowledgement)
 * and records who gave it on the order.
 */
export async function recordPortalAnswer(
  store: OrderStore,
  who: PortalActor,
  po: PurchaseOrder,
  answers: LineAnswer[],
  now: Date,
): Promise<Acknowledgement> {
  if (!ANSWERABLE_STATES.includes(po.state))
    throw new DropshipError(
      'conflict',
      `purchase order ${po.number} is ${po.state}: it cannot be answered now`,
    );
  const ack = acknowledgementFromAnswers(po, answers, who, now);
  await recordOnPurchaseOrder(store, who, po, 'acknowledgement', [{ ...ack }], now, {
    type: 'portal.answered',
    reason: `${ack.outcome} in the supplier portal`,
    data: { outcome: ack.outcome },
  });
  return ack;
}

export interface ParcelInput {
  trackingNumber: string;
  /** The carrier the supplier chose; empty: detected from the number. */
  carrier?: string;
  /** Quantities by the PO line's place. */
  quantities: number[];
}

/**
 * The shipment events of the parcels: each number checked (a check digit that fails is refused, naming the
 * parcel) and its carrier detected, each line's quantities within what the PO has. Parcels with no number and no
 * quantity are left out (the blank parcel of a form).
 */
export function parcelEvents(po: PurchaseOrder, parcels: ParcelInput[], now: Date): ShipmentEvent[] {
  const problems: FieldProblem[] = [];
  const events: ShipmentEvent[] = [];
  const shipped = po.lines.map(() => 0);
  parcels.forEach((parcel, p) => {
    const quantity = parcel.quantities.reduce((sum, q) => sum + q, 0);
    if (!parcel.trackingNumber && quantity === 0) return;
    const path = `parcels/${p + 1}`;
    if (!parcel.trackingNumber)
      return problems.push({ path: `${path}/trackingNumber`, message: 'is required' });
    if (quantity === 0) return problems.push({ path: `${path}/lines`, message: 'hold no item' });
    parcel.quantities.forEach((q, i) => (shipped[i] = (shipped[i] ?? 0) + q));
    try {
      const event = shipmentEventFromReport(
        {
          poNumber: po.number,
          orderId: po.orderId,
          trackingNumber: parcel.trackingNumber,
          carrier: parcel.carrier || undefined,
          status: 'shipped',
          occurredAt: now.toISOString(),
          lines: po.lines
            .map((line, i) => ({ sku: line.sku, quantity: parcel.quantities[i] ?? 0 }))
            .filter((line) => line.quantity > 0),
        },
        'portal',
        now,
        'refuse',
      );
      if (!event.carrier)
        problems.push({
          path: `${path}/carrier`,
          message: `"${parcel.trackingNumber}" matches no carrier we know: choose the carrier`,
        });
      events.push(event);
    } catch (err) {
      for (const detail of err instanceof DropshipError ? err.details : [])
        problems.push({ path: `${path}${detail.path}`, message: detail.message });
    }
  });
  po.lines.forEach((line, i) => {
    if ((shipped[i] ?? 0) > line.quantity)
      problems.push({
        path: `lines/${i + 1}`,
        message: `${line.sku}: more than the ${line.quantity} ordered`,
      });
  });
  if (events.length === 0 && problems.length === 0)
    problems.push({ path: 'parcels', message: 'enter a tracking number and the items in it' });
  if (problems.length > 0) throw invalidInput('shipment', problems);
  return events;
}

/** Keeps each parcel for the supplier's channel to read (tracking-in records it) and records who shipped. */
export async function recordPortalShipment(
  store: OrderStore,
  who: PortalActor,
  po: PurchaseOrder,
  parcels: ParcelInput[],
  now: Date,
): Promise<ShipmentEvent[]> {
  if (!SHIPPABLE_STATES.includes(po.state))
    throw new DropshipError(
      'conflict',
      `purchase order ${po.number} is ${po.state}: it cannot be shipped now`,
    );
  const events = parcelEvents(po, parcels, now);
  await recordOnPurchaseOrder(
    store,
    who,
    po,
    'shipment',
    events.map((event) => ({ ...event })),
    now,
    {
      type: 'portal.shipped',
      reason: `${events.length} parcel(s) reported in the supplier portal`,
      data: { trackingNumbers: events.map((e) => e.trackingNumber) },
    },
  );
  return events;
}

/** The supplier confirms the shop's cancel request in the portal; recorded on the order. */
export async function confirmPortalCancel(
  store: OrderStore,
  who: PortalActor,
  po: PurchaseOrder,
  now: Date,
): Promise<boolean> {
  const confirmed = await store.confirmCancel(po.number, who.supplierId, who.actor, now);
  if (!confirmed) return false;
  await recordOnPurchaseOrder(store, who, po, 'cancel_confirmed', [{}], now, {
    type: 'po.cancel_confirmed',
    reason: 'the supplier confirmed the cancellation in the supplier portal',
    data: {},
  });
  return true;
}
