import type { OrderEventInput } from '../model/order-event';
import type {
  NoticeInput,
  ReturnAuthorisation,
  ReturnDraft,
  ReturnQuery,
  ReturnState,
  ReturnUpdate,
  SupplierInvoiceInput,
} from '../returns/return-authorisation';

/**
 * Returns (core/returns) and supplier invoices. The RMA number comes from the `rma` sequence; the order event and
 * the customer notice (built from the stored return) are written in the same transaction.
 */
export interface ReturnsStore {
  createReturn(
    draft: ReturnDraft,
    event: OrderEventInput,
    notice?: (rma: ReturnAuthorisation) => NoticeInput,
  ): Promise<ReturnAuthorisation>;
  /** Compare-and-set on a return's state; undefined when it was not in an expected state. */
  transitionReturn(
    rmaNumber: string,
    expected: ReturnState[],
    to: ReturnState,
    update: ReturnUpdate,
    event: OrderEventInput,
    notice?: (rma: ReturnAuthorisation) => NoticeInput,
  ): Promise<ReturnAuthorisation | undefined>;
  getReturn(rmaNumber: string): Promise<ReturnAuthorisation | undefined>;
  listReturns(query: ReturnQuery): Promise<ReturnAuthorisation[]>;
  /** Records a supplier invoice once per (supplier, invoice number); false when it was recorded before. */
  recordSupplierInvoice(invoice: SupplierInvoiceInput, actor: string): Promise<boolean>;
}
