import { DropshipError, type FieldProblem } from '../../../core/errors';
import type { ShipmentEvent } from '../../../core/model/shipment';
import { mapX12Transaction, type X12PartnerConventions } from './documents';
import { segmentPath, type X12GroupReceipt } from './envelope';
import { readX12Events } from './reader';

export interface ShipNoticeReadContext extends X12PartnerConventions {
  /** Names the source of every event ("x12-856:<supplier>"). */
  supplierId: string;
  receivedAt: Date;
}

/**
 * The parcels of every 856 Ship Notice/Manifest in an X12 text, what could not be used (with its segment or
 * element), and a receipt per functional group to answer with a 997. One unmappable set does not hide the others
 * of the file; a set of another kind is reported.
 */
export async function readX12ShipNotices(
  text: string,
  context: ShipNoticeReadContext,
): Promise<{ events: ShipmentEvent[]; problems: FieldProblem[]; receipts: X12GroupReceipt[] }> {
  const events: ShipmentEvent[] = [];
  const problems: FieldProblem[] = [];
  const receipts: X12GroupReceipt[] = [];
  for await (const event of readX12Events([text])) {
    if (event.kind === 'problem') problems.push(event.problem);
    if (event.kind === 'group') receipts.push(event.receipt);
    if (event.kind !== 'transaction') continue;
    const { transaction } = event;
    if (transaction.setId !== '856') {
      problems.push({
        path: segmentPath(transaction.position, 'ST'),
        message: `transaction set ${transaction.setId} is not a ship notice (856)`,
      });
      continue;
    }
    try {
      const document = mapX12Transaction(transaction, {
        skuQualifiers: context.skuQualifiers,
        timeZone: context.timeZone,
        supplierId: context.supplierId,
        receivedAt: context.receivedAt.toISOString(),
      });
      if (document.type === 'shipment') events.push(...document.shipments);
    } catch (err) {
      if (!(err instanceof DropshipError && err.code === 'invalid_input')) throw err;
      problems.push(...err.details);
    }
  }
  return { events, problems, receipts };
}
