import type { ReturnAuthorisation, ReturnDraft, ReturnState } from '../returns/return-authorisation';
import type { WatchdogTimer } from '../watchdog/timers';
import type { StockFeedRecord } from './stock-store';
import type { StoreRow } from './row-mapping';

/**
 * Row mapping for the watchdog, returns and stock-feed tables, shared by both engines like row-mapping.ts:
 * times are epoch ms (strings from `pg`), documents JSON (strings from SQLite).
 */

const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const optional = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function watchdogTimerFromRow(row: StoreRow): WatchdogTimer {
  return {
    id: Number(row.id),
    subject: String(row.subject),
    orderId: optional(row.order_id),
    poNumber: optional(row.po_number),
    supplierId: optional(row.supplier_id),
    condition: row.condition as WatchdogTimer['condition'],
    step: Number(row.step),
    action: row.action as WatchdogTimer['action'],
    dueAt: iso(row.due_at),
    state: row.state as WatchdogTimer['state'],
    detail: json<Record<string, unknown>>(row.detail),
    outcome: row.outcome == null ? undefined : json<Record<string, unknown>>(row.outcome),
    createdAt: iso(row.created_at),
    firedAt: row.fired_at == null ? undefined : iso(row.fired_at),
  };
}

/** The document column of a return: everything but the keys, state and times. */
export function returnData(rma: ReturnDraft | ReturnAuthorisation): string {
  const {
    reason,
    lines,
    currency,
    returnAddress,
    restockingFee,
    refundAmount,
    label,
    creditMemo,
    refunded,
    note,
  } = rma;
  return JSON.stringify({
    reason,
    lines,
    currency,
    returnAddress,
    restockingFee,
    refundAmount,
    label,
    creditMemo,
    refunded,
    note,
  });
}

export function returnFromRow(row: StoreRow): ReturnAuthorisation {
  return {
    ...json<
      Omit<ReturnAuthorisation, 'rmaNumber' | 'orderId' | 'supplierId' | 'poNumber' | 'state' | 'version'>
    >(row.data),
    rmaNumber: String(row.rma_number),
    orderId: String(row.order_id),
    supplierId: String(row.supplier_id),
    poNumber: optional(row.po_number),
    state: row.state as ReturnState,
    version: Number(row.version),
    requestedAt: iso(row.requested_at),
    updatedAt: iso(row.updated_at),
  };
}

/** RMA numbers are a store sequence, zero-padded so they sort and read well on a label. */
export function rmaNumber(sequenceValue: number): string {
  return `RMA-${String(sequenceValue).padStart(6, '0')}`;
}

export function stockFeedFromRow(row: StoreRow): StockFeedRecord {
  return {
    supplierId: String(row.supplier_id),
    lastFeedAt: iso(row.last_feed_at),
    appliedAt: iso(row.applied_at),
  };
}
