import type { PurchaseOrderLine } from '../model/purchase-order';
import type { Acknowledgement } from '../ports/supplier-connector';
import type { OrderStore } from '../store/order-store';
import { CHANGE_EVENTS } from './record-order-change';

/** What a supplier's later answer to a change (an X12 865) came to. */
export type ChangeAnswerOutcome =
  | { kind: 'recorded'; orderId: string; confirmed: boolean }
  /** The same answer was recorded before (a file read twice): nothing written. */
  | { kind: 'duplicate'; orderId: string }
  | { kind: 'unknown'; reason: string };

/** Events of a change's answer carry this, so an answer read twice is recorded once. */
const ANSWER = 'supplier-answer';

/**
 * Records a supplier's answer to a change it was sent (`ack.changeId`): `po.change_confirmed` when it accepts it,
 * else `po.change_refused` with the units it keeps as a return candidate and, when it refused it all, the PO's lines
 * put back as the supplier keeps them. The answer to a whole-PO cancellation (`<PO>-CANCEL`) is recorded as
 * `po.cancel_confirmed` or `po.cancel_refused`.
 */
export async function recordChangeAnswer(
  store: OrderStore,
  actor: string,
  ack: Acknowledgement & { changeId: string },
): Promise<ChangeAnswerOutcome> {
  const po = await store.getPurchaseOrder(ack.poNumber);
  if (!po) return { kind: 'unknown', reason: `no purchase order ${ack.poNumber}` };
  const events = await store.listEvents(po.orderId);
  const key = `${ack.changeId}@${ack.receivedAt}`;
  if (events.some((e) => e.data?.[ANSWER] === key)) return { kind: 'duplicate', orderId: po.orderId };
  const confirmed = ack.outcome === 'accepted';
  const data = { [ANSWER]: key, supplierId: po.supplierId, outcome: ack.outcome, lines: ack.lines };
  if (ack.changeId === `${po.number}-CANCEL`) {
    await store.recordEvent(po.orderId, {
      type: confirmed ? 'po.cancel_confirmed' : 'po.cancel_refused',
      actor,
      poNumber: po.number,
      reason: confirmed
        ? `supplier ${po.supplierId} confirmed the cancellation`
        : `supplier ${po.supplierId} refused the cancellation (${ack.reason ?? ack.outcome}): if it ships, open a return`,
      data,
    });
    return { kind: 'recorded', orderId: po.orderId, confirmed };
  }
  const changeNumber = Number(/-C(\d+)$/.exec(ack.changeId)?.[1]);
  const changed = events.find(
    (e) =>
      e.type === CHANGE_EVENTS.linesChanged && e.poNumber === po.number && e.data?.changeId === changeNumber,
  );
  if (!changed) return { kind: 'unknown', reason: `no change ${ack.changeId} was sent for ${po.number}` };
  if (confirmed) {
    await store.recordEvent(po.orderId, {
      type: CHANGE_EVENTS.confirmed,
      actor,
      poNumber: po.number,
      reason: `supplier ${po.supplierId} accepted change ${ack.changeId}`,
      data: { ...data, changeId: changeNumber },
    });
    return { kind: 'recorded', orderId: po.orderId, confirmed };
  }
  const before = (changed.data?.previousLines ?? []) as PurchaseOrderLine[];
  const after = (changed.data?.lines ?? []) as PurchaseOrderLine[];
  const refusedLines = new Set(
    (ack.lines ?? []).filter((l) => l.status === 'rejected').map((l) => l.orderLineId ?? l.sku),
  );
  const whole = ack.outcome === 'rejected';
  const kept = before
    .map((line) => ({
      orderLineId: line.orderLineId,
      sku: line.sku,
      quantity: line.quantity - (after.find((a) => a.orderLineId === line.orderLineId)?.quantity ?? 0),
    }))
    .filter(
      (line) =>
        line.quantity > 0 && (whole || refusedLines.has(line.orderLineId) || refusedLines.has(line.sku)),
    );
  if (whole) {
    await store.changePurchaseOrderLines(po.number, [po.state], po.version, before, {
      type: 'po.lines_restored',
      actor,
      reason: `supplier refused change ${ack.changeId}`,
    });
  }
  if (kept.length > 0) {
    await store.recordEvent(po.orderId, {
      type: CHANGE_EVENTS.returnCandidate,
      actor,
      poNumber: po.number,
      reason: `supplier ${po.supplierId} refused change ${ack.changeId}: if it ships these units, open a return for them`,
      data: { changeId: changeNumber, lines: kept },
    });
  }
  await store.recordEvent(po.orderId, {
    type: CHANGE_EVENTS.refused,
    actor,
    poNumber: po.number,
    reason: `supplier ${po.supplierId} refused ${whole ? '' : 'part of '}change ${ack.changeId} (${ack.reason ?? ack.outcome})`,
    data: { ...data, changeId: changeNumber },
  });
  return { kind: 'recorded', orderId: po.orderId, confirmed };
}
