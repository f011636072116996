import type { StockFeedProblem, StockFeedRow } from '../inventory/stock-feed';

/** What a stock document reader needs to know besides the document. */
export interface StockDocumentContext {
  /** The supplier of the rows; a document that names none and has none here is reported, not guessed at. */
  supplierId?: string;
  /** Time of a document without its own date (ISO 8601). */
  receivedAt: string;
}

/**
 * Reads a stock document in a wire format core does not know (an X12 846): the rows it could read and what it
 * could not, each at its position in the document. Implemented in connectors/ (connectors/edi/x12), handed to
 * the stock feed parser by the node.
 */
export interface StockDocumentReader {
  read(
    content: string | Buffer,
    context: StockDocumentContext,
  ): Promise<{ rows: StockFeedRow[]; problems: StockFeedProblem[] }>;
}
