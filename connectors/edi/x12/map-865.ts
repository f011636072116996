import type { Acknowledgement, LineAcknowledgement } from '../../../core/ports/supplier-connector';
import type { X12Transaction } from './envelope';
import type { AcknowledgementContext } from './map-855';
import { element, itemIdentifiers, skuOf, TransactionView, x12Number } from './transaction-view';

/** BCA02 acknowledgment types (element 587) that refuse the change. */
const REFUSING_TYPES = new Set(['RJ', 'RD', 'RF', 'RO', 'RV']);
/** ACK01 codes that refuse a line's change (element 668): the supplier keeps it as it was. */
const LINE_REFUSALS = new Set(['IR', 'R1', 'R2', 'R3', 'R4']);

/**
 * 865 Purchase Order Change Acknowledgment (seller's answer to our 860): BCA03 our PO number, BCA05 the change's
 * sequence number as our 860 gave it in BCH05, BCA02 whether the change is accepted, and per POC line an ACK. The
 * result is an Acknowledgement naming the change (`changeId`), so dispatch records it against the change instead
 * of the PO: `accepted` (every line, or the whole change), `rejected` (refused: the supplier keeps the PO as it
 * was) or `partial`.
 */
export function mapPurchaseOrderChangeAcknowledgement865(
  transaction: X12Transaction,
  context: AcknowledgementContext,
): Acknowledgement {
  const view = new TransactionView(transaction);
  const { segment: bca, index: bcaIndex } = view.required('BCA', '865');
  const poNumber = element(bca, 3);
  if (poNumber === '') throw view.error(bcaIndex, 'BCA03 purchase order number is empty');
  const sequence = element(bca, 5);
  if (sequence === '') throw view.error(bcaIndex, 'BCA05 change order sequence number is empty');
  const ackType = element(bca, 2);
  const lines: LineAcknowledgement[] = [];
  let line: { sku: string; orderLineId?: string; quantity: number } | undefined;
  view.segments.forEach((segment, i) => {
    if (i <= bcaIndex) return;
    if (segment[0] === 'POC') {
      const sku = skuOf(itemIdentifiers(segment, 8), context.skuQualifiers);
      if (!sku) throw view.error(i, 'POC names no item identifier (qualifier and id pair)');
      line = {
        sku,
        orderLineId: element(segment, 1) || undefined,
        quantity: x12Number(element(segment, 3) || '0', (m) => view.error(i, m), 'POC03 quantity'),
      };
    } else if (segment[0] === 'ACK') {
      if (!line) throw view.error(i, 'ACK before any POC line');
      const refused = LINE_REFUSALS.has(element(segment, 1));
      lines.push({
        sku: line.sku,
        orderLineId: line.orderLineId,
        status: refused ? 'rejected' : 'accepted',
        quantity: line.quantity,
        ...(refused ? { reason: `line change refused (ACK01 ${element(segment, 1)})` } : {}),
      });
    }
  });
  const refusedLines = lines.filter((l) => l.status === 'rejected').length;
  const outcome: Acknowledgement['outcome'] =
    REFUSING_TYPES.has(ackType) || (lines.length > 0 && refusedLines === lines.length)
      ? 'rejected'
      : refusedLines > 0
        ? 'partial'
        : 'accepted';
  return {
    poNumber,
    changeId: `${poNumber}-${sequence}`,
    outcome,
    lines: lines.length > 0 ? lines : undefined,
    reason: outcome === 'accepted' ? undefined : `865 acknowledgment type ${ackType}`,
    receivedAt: context.receivedAt,
  };
}
