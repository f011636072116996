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

/** AK502..AK506: transaction set syntax error codes (X12 element 718). */
export const TRANSACTION_SET_ERRORS: Record<string, string> = {
  '1': 'transaction set not supported',
  '2': 'transaction set trailer missing',
  '3': 'transaction set control number in header and trailer do not match',
  '4': 'number of included segments does not match actual count',
  '5': 'one or more segments in error',
  '6': 'missing or invalid transaction set identifier',
  '7': 'missing or invalid transaction set control number',
  '23': 'transaction set control number not unique within the functional group',
};

/** AK304..AK308: segment syntax error codes (X12 element 720). */
export const SEGMENT_ERRORS: Record<string, string> = {
  '1': 'unrecognized segment ID',
  '2': 'unexpected segment',
  '3': 'mandatory segment missing',
  '4': 'loop occurs over maximum times',
  '5': 'segment exceeds maximum use',
  '6': 'segment not in defined transaction set',
  '7': 'segment not in proper sequence',
  '8': 'segment has data element errors',
};

/** AK403: data element syntax error codes (X12 element 723). */
export const ELEMENT_ERRORS: Record<string, string> = {
  '1': 'mandatory data element missing',
  '2': 'conditional required data element missing',
  '3': 'too many data elements',
  '4': 'data element too short',
  '5': 'data element too long',
  '6': 'invalid character in data element',
  '7': 'invalid code value',
  '8': 'invalid date',
  '9': 'invalid time',
  '10': 'exclusion condition violated',
  '12': 'too many repetitions',
  '13': 'too many components',
};

/** AK905..AK909: functional group syntax error codes (X12 element 716). */
export const GROUP_ERRORS: Record<string, string> = {
  '1': 'functional group not supported',
  '2': 'functional group version not supported',
  '3': 'functional group trailer missing',
  '4': 'group control number in the functional group header and trailer do not agree',
  '5': 'number of included transaction sets does not match actual count',
  '6': 'group control number violates syntax',
};

const meaning = (table: Record<string, string>, code: string): string => table[code] ?? `error code ${code}`;

/** AK4: one element of a segment in error. */
export interface ElementError {
  /** AK401-1: position of the element in its segment (1 = the first after the segment id). */
  position: number;
  /** AK401-2: position of the component inside a composite element. */
  componentPosition?: number;
  /** AK402: the element's number in the X12 data element dictionary. */
  elementReference?: string;
  /** AK403 and what it means. */
  code: string;
  problem: string;
  /** AK404: a copy of the value found. */
  badValue?: string;
}

/** AK3: one segment of a transaction set in error, with its AK4 element errors. */
export interface SegmentError {
  /** AK301: the segment's id (PO1, N4, …). */
  segmentId: string;
  /** AK302: its position in the transaction set, ST being 1. */
  position: number;
  /** AK303: the loop it is in, when the partner says. */
  loopId?: string;
  /** AK304.. and what they mean. */
  codes: string[];
  problems: string[];
  elementErrors: ElementError[];
}

export interface TransactionAcknowledgement {
  setId: string;
  controlNumber: string;
  status: FunctionalAckStatus;
  /** AK502..AK506 codes, and what they mean. */
  errors: string[];
  problems: string[];
  segmentErrors: SegmentError[];
}

/** A partner's 997: whether the group we sent (and each transaction in it) passed their syntax checks. */
export interface FunctionalAcknowledgement {
  /** AK101: the functional id of the acknowledged group (PO for our 850s). */
  functionalId: string;
  /** AK102: our GS06. */
  groupControlNumber: string;
  status: FunctionalAckStatus;
  transactions: TransactionAcknowledgement[];
  /** AK905..AK909, and what they mean. */
  groupErrors: string[];
  groupProblems: string[];
}

const codesOf = (segment: string[], from: number): string[] =>
  segment.slice(from).filter((code) => code !== '');

export function mapFunctionalAcknowledgement997(transaction: X12Transaction): FunctionalAcknowledgement {
  const view = new TransactionView(transaction);
  const { segment: ak1 } = view.required('AK1', '997');
  const { segment: ak9, index: ak9Index } = view.required('AK9', '997');
  const groupStatus = STATUS[element(ak9, 1)];
  if (!groupStatus) throw view.error(ak9Index, `AK901 "${element(ak9, 1)}" is not an acknowledgment code`);
  const groupErrors = codesOf(ak9, 5);
  const result: FunctionalAcknowledgement = {
    functionalId: element(ak1, 1),
    groupControlNumber: element(ak1, 2),
    status: groupStatus,
    transactions: [],
    groupErrors,
    groupProblems: groupErrors.map((code) => meaning(GROUP_ERRORS, code)),
  };
  let open: { setId: string; controlNumber: string; segmentErrors: SegmentError[] } | undefined;
  let segmentError: SegmentError | undefined;
  view.segments.forEach((segment, i) => {
    switch (segment[0]) {
      case 'AK2':
        open = { setId: element(segment, 1), controlNumber: element(segment, 2), segmentErrors: [] };
        segmentError = undefined;
        break;
      case 'AK3': {
        if (!open) throw view.error(i, 'AK3 without an AK2 before it');
        const position = Number(element(segment, 2));
        if (!Number.isInteger(position)) {
          throw view.error(i, `AK302 segment position "${element(segment, 2)}" is not a number`);
        }
        const codes = codesOf(segment, 4);
        segmentError = {
          segmentId: element(segment, 1),
          position,
          loopId: element(segment, 3) || undefined,
          codes,
          problems: codes.map((code) => meaning(SEGMENT_ERRORS, code)),
          elementErrors: [],
        };
        open.segmentErrors.push(segmentError);
        break;
      }
      case 'AK4': {
        if (!segmentError) throw view.error(i, 'AK4 without an AK3 before it');
        const composite = element(segment, 1);
        const position = view.component(composite, 1);
        const component = view.component(composite, 2);
        if (!/^\d+$/.test(position))
          throw view.error(i, `AK401 element position "${position}" is not a number`);
        const code = element(segment, 3);
        segmentError.elementErrors.push({
          position: Number(position),
          componentPosition: /^\d+$/.test(component) ? Number(component) : undefined,
          elementReference: element(segment, 2) || undefined,
          code,
          problem: meaning(ELEMENT_ERRORS, code),
          badValue: element(segment, 4) || undefined,
        });
        break;
      }
      case 'AK5': {
        if (!open) throw view.error(i, 'AK5 without an AK2 before it');
        const status = STATUS[element(segment, 1)];
        if (!status) throw view.error(i, `AK501 "${element(segment, 1)}" is not an acknowledgment code`);
        const errors = codesOf(segment, 2);
        result.transactions.push({
          setId: open.setId,
          controlNumber: open.controlNumber,
          status,
          errors,
          problems: errors.map((code) => meaning(TRANSACTION_SET_ERRORS, code)),
          segmentErrors: open.segmentErrors,
        });
        open = undefined;
        segmentError = undefined;
        break;
      }
    }
  });
  return result;
}

/**
 * A 997's verdict in sentences a person can act on, one per rejected or faulted set and group:
 * "850 0001 rejected: one or more segments in error; PO1 at 12: segment has data element errors; element 2
 * (330): invalid character in data element, found "2X"".
 */
export function describeFunctionalAcknowledgement(fa: FunctionalAcknowledgement): string[] {
  const lines: string[] = [];
  if (fa.groupProblems.length > 0) {
    lines.push(
      `group ${fa.functionalId} ${fa.groupControlNumber} ${fa.status}: ${fa.groupProblems.join('; ')}`,
    );
  }
  for (const t of fa.transactions) {
    if (t.status === 'accepted' && t.segmentErrors.length === 0) continue;
    const parts = [...t.problems];
    for (const segment of t.segmentErrors) {
      const where = `${segment.segmentId} at ${segment.position}${segment.loopId ? ` in loop ${segment.loopId}` : ''}`;
      parts.push(`${where}: ${segment.problems.join(', ') || 'error'}`);
      for (const e of segment.elementErrors) {
        const name = `element ${e.position}${e.componentPosition ? `-${e.componentPosition}` : ''}`;
        const reference = e.elementReference ? ` (${e.elementReference})` : '';
        const found = e.badValue !== undefined ? `, found "${e.badValue}"` : '';
        parts.push(`${name}${reference}: ${e.problem}${found}`);
      }
    }
    lines.push(
      `${t.setId} ${t.controlNumber} ${t.status.replace(/_/g, ' ')}${parts.length ? `: ${parts.join('; ')}` : ''}`,
    );
  }
  return lines;
}
