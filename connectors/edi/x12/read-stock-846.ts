import type { StockFeedProblem, StockFeedRow } from '../../../core/inventory/stock-feed';
import type { StockDocumentContext, StockDocumentReader } from '../../../core/ports/stock-document-reader';
import { mapX12Transaction, type X12PartnerConventions } from './documents';
import type { X12GroupReceipt } from './envelope';
import { readX12Events } from './reader';
import { errorText } from '../../../core/errors';

const positionOf = (path: string, fallback: number): number =>
  Number(/segment (\d+)/.exec(path)?.[1] ?? fallback);

/**
 * The stock rows of an X12 846 Inventory Inquiry/Advice file, and a receipt per functional group (for its 997).
 * A transaction set that cannot be read is reported at its segment position; the other sets in the file are kept.
 */
export async function readInventoryAdvice846(
  content: string | Buffer,
  context: StockDocumentContext & X12PartnerConventions,
): Promise<{ rows: StockFeedRow[]; problems: StockFeedProblem[]; receipts: X12GroupReceipt[] }> {
  const rows: StockFeedRow[] = [];
  const problems: StockFeedProblem[] = [];
  const receipts: X12GroupReceipt[] = [];
  const { supplierId, receivedAt } = context;
  for await (const event of readX12Events([content])) {
    if (event.kind === 'group') receipts.push(event.receipt);
    if (event.kind === 'problem') {
      problems.push({ line: positionOf(event.problem.path, 1), reason: event.problem.message });
      continue;
    }
    if (event.kind !== 'transaction') continue;
    const { transaction } = event;
    if (transaction.setId !== '846') {
      problems.push({
        line: transaction.position,
        reason: `transaction set ${transaction.setId} is not an 846`,
      });
      continue;
    }
    if (!supplierId) {
      problems.push({
        line: transaction.position,
        reason: `no supplier configured for this 846 (interchange sender ${transaction.interchange.senderId.trim()})`,
      });
      continue;
    }
    try {
      const document = mapX12Transaction(transaction, {
        skuQualifiers: context.skuQualifiers,
        timeZone: context.timeZone,
        supplierId,
        receivedAt,
      });
      if (document.type !== 'stock') continue;
      for (const level of document.stock) {
        rows.push({
          supplierId: level.supplierId,
          sku: level.sku,
          quantity: Math.max(0, Math.trunc(level.quantity)),
          asOf: level.asOf,
          line: transaction.position,
          ...(level.identifiers ? { identifiers: level.identifiers } : {}),
        });
      }
    } catch (err) {
      const details = (err as { details?: { path: string; message: string }[] }).details ?? [];
      const first = details[0];
      problems.push({
        line: first ? positionOf(first.path, transaction.position) : transaction.position,
        reason: first?.message ?? errorText(err),
      });
    }
  }
  return { rows, problems, receipts };
}

/**
 * The X12 846 reader the inventory node hands to the stock feed parser: read with the partner's conventions, each
 * functional group handed to `acknowledge` (which sends its 997) once the file is read.
 */
export function x12StockReaderFor(partner: {
  conventions?: X12PartnerConventions;
  acknowledge?: (receipts: X12GroupReceipt[]) => Promise<void>;
}): StockDocumentReader {
  return {
    read: async (content, context) => {
      const { rows, problems, receipts } = await readInventoryAdvice846(content, {
        ...partner.conventions,
        ...context,
      });
      if (receipts.length > 0) await partner.acknowledge?.(receipts);
      return { rows, problems };
    },
  };
}

/** An X12 846 reader with the default conventions that sends no 997 (tests, the command line). */
export const x12StockReader: StockDocumentReader = x12StockReaderFor({});
