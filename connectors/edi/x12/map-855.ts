import type { ItemIdentifier } from '../../../core/model/item-identifier';
import type {
  Acknowledgement,
  LineAcknowledgement,
  LineOutcome,
} from '../../../core/ports/supplier-connector';
import type { X12PartnerConventions } from './documents';
import type { X12Transaction } from './envelope';
import {
  addSublineIdentifiers,
  element,
  itemIdentifiers,
  skuOf,
  TransactionView,
  x12Date,
  x12Number,
} from './transaction-view';

/** ACK01 line item status codes (X12 element 668) and what they mean for our PO line. */
const LINE_STATUS: Record<string, { status: LineOutcome; reason?: string }> = {
  IA: { status: 'accepted' },
  IB: { status: 'backordered' },
  IR: { status: 'rejected' },
  ID: { status: 'rejected', reason: 'item deleted' },
  IQ: { status: 'changed', reason: 'quantity changed' },
  IP: { status: 'changed', reason: 'price changed' },
  IC: { status: 'changed', reason: 'accepted with changes' },
  IS: { status: 'changed', reason: 'item substituted' },
  IW: { status: 'backordered', reason: 'item on hold' },
  AC: { status: 'accepted' },
  AR: { status: 'accepted', reason: 'accepted and released for shipment' },
  BP: { status: 'backordered', reason: 'partial shipment, balance backordered' },
  R2: { status: 'rejected', reason: 'item rejected: invalid item product number' },
  R3: { status: 'rejected', reason: 'item rejected: invalid unit of issue' },
};

/** BAK02 acknowledgment types that refuse the whole PO. */
const REJECTING_TYPES = new Set(['RD', 'RJ', 'RF', 'RO', 'RV']);
/** ACK04 date qualifiers for the expected ship or delivery date of a backordered or changed line. */
const SHIP_DATE_QUALIFIERS = new Set(['068', '067', '017', '002', '010']);

export interface AcknowledgementContext extends X12PartnerConventions {
  receivedAt: string;
}

function overallOutcome(lines: LineAcknowledgement[], ackType: string): Acknowledgement['outcome'] {
  if (REJECTING_TYPES.has(ackType) && lines.every((l) => l.status === 'rejected')) return 'rejected';
  if (lines.length === 0) return REJECTING_TYPES.has(ackType) ? 'rejected' : 'accepted';
  const kinds = new Set(lines.map((l) => (l.status === 'changed' ? 'accepted' : l.status)));
  if (kinds.size > 1) return 'partial';
  return [...kinds][0] as 'accepted' | 'backordered' | 'rejected';
}

/** 855 Purchase Order Acknowledgment: BAK header and per-line ACK codes to an Acknowledgement. */
export function mapPurchaseOrderAcknowledgement855(
  transaction: X12Transaction,
  context: AcknowledgementContext,
): Acknowledgement {
  const view = new TransactionView(transaction);
  const { segment: bak, index: bakIndex } = view.required('BAK', '855');
  const poNumber = element(bak, 3);
  if (poNumber === '') throw view.error(bakIndex, 'BAK03 purchase order number is empty');
  const ackType = element(bak, 2);
  const lines: LineAcknowledgement[] = [];
  let line:
    | { sku: string; identifiers: ItemIdentifier[]; orderLineId?: string; quantity: number; index: number }
    | undefined;
  let lineAcknowledged = false;
  // "AK" (acknowledge, no detail) may list lines without ACK; every other type must say something per line.
  const requireLineAck = (): void => {
    if (line && !lineAcknowledged && ackType !== 'AK') {
      throw view.error(line.index, `PO1 line ${line.orderLineId ?? line.sku} has no ACK segment`);
    }
  };
  const segments = view.segments;
  for (let i = bakIndex + 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const id = segment[0];
    if (id === 'PO1') {
      requireLineAck();
      const identifiers = itemIdentifiers(segment, 6);
      const sku = skuOf(identifiers, context.skuQualifiers);
      if (!sku) throw view.error(i, 'PO1 names no item identifier (qualifier and id pair)');
      line = {
        sku,
        identifiers,
        orderLineId: element(segment, 1) || undefined,
        quantity: x12Number(element(segment, 2) || '0', (m) => view.error(i, m), 'PO102 quantity'),
        index: i,
      };
      lineAcknowledged = false;
    } else if (id === 'SLN') {
      if (line) addSublineIdentifiers(line.identifiers, segment);
    } else if (id === 'ACK') {
      if (!line) throw view.error(i, 'ACK before any PO1 line');
      const code = element(segment, 1);
      const meaning = LINE_STATUS[code];
      if (!meaning) throw view.error(i, `ACK01 line status code "${code}" is not one we understand`);
      const quantityText = element(segment, 2);
      const dateQualifier = element(segment, 4);
      lines.push({
        sku: line.sku,
        identifiers: line.identifiers,
        orderLineId: line.orderLineId,
        status: meaning.status,
        quantity:
          quantityText === ''
            ? line.quantity
            : x12Number(quantityText, (m) => view.error(i, m), 'ACK02 quantity'),
        expectedShipDate: SHIP_DATE_QUALIFIERS.has(dateQualifier) ? x12Date(element(segment, 5)) : undefined,
        reason: meaning.reason,
      });
      lineAcknowledged = true;
    } else if (id === 'CTT' || id === 'SE') {
      requireLineAck();
      line = undefined;
    }
  }
  return {
    poNumber,
    outcome: overallOutcome(lines, ackType),
    supplierReference: element(bak, 8) || undefined,
    lines: lines.length > 0 ? lines : undefined,
    reason: REJECTING_TYPES.has(ackType) ? `855 acknowledgment type ${ackType}` : undefined,
    receivedAt: context.receivedAt,
  };
}
