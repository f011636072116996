import type { X12Transaction } from './envelope';
import { element, TransactionView } from './transaction-view';

export type FunctionalAckStatus = 'accepted' | 'accepted_with_errors' | 'partially_accepted' | 'rejected';

/** AK501 / AK901 codes. */
const STATUS: Record<string, FunctionalAckStatus> = {
  A: 'accepted',
  E: 'accepted_with_errors',
  P: 'partially_accepted',
  R: 'rejected',
  M: 'rejected',
  W: 'rejected',
  X: 'rejected',
};

/** A partner's 997: whether the group we sent (and each transaction in it) passed their syntax checks. */
export interface FunctionalAcknowledgement {
  /** AK101: the functional id of the acknowledged group (PO for our 850s). */
  functionalId: string;
  /** AK102: our GS06. */
  groupControlNumber: string;
  status: FunctionalAckStatus;
  transactions: { setId: string; controlNumber: string; status: FunctionalAckStatus; errors: string[] }[];
  /** AK905..AK909. */
  groupErrors: string[];
}

export function mapFunctionalAcknowledgement997(transaction: X12Transaction): FunctionalAcknowledgement {
  const view = new TransactionView(transaction);
  const { segment: ak1 } = view.required('AK1', '997');
  const { segment: ak9, index: ak9Index } = view.required('AK9', '997');
  const groupStatus = STATUS[element(ak9, 1)];
  if (!groupStatus) throw view.error(ak9Index, `AK901 "${element(ak9, 1)}" is not an acknowledgment code`);
  const result: FunctionalAcknowledgement = {
    functionalId: element(ak1, 1),
    groupControlNumber: element(ak1, 2),
    status: groupStatus,
    transactions: [],
    groupErrors: ak9.slice(5).filter((code) => code !== ''),
  };
  let open: { setId: string; controlNumber: string } | undefined;
  view.segments.forEach((segment, i) => {
    if (segment[0] === 'AK2') open = { setId: element(segment, 1), controlNumber: element(segment, 2) };
    else if (segment[0] === 'AK5') {
      if (!open) throw view.error(i, 'AK5 without an AK2 before it');
      const status = STATUS[element(segment, 1)];
      if (!status) throw view.error(i, `AK501 "${element(segment, 1)}" is not an acknowledgment code`);
      result.transactions.push({ ...open, status, errors: segment.slice(2).filter((code) => code !== '') });
      open = undefined;
    }
  });
  return result;
}
