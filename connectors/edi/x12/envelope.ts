import type { FieldProblem } from '../../../core/errors';
import type { X12Delimiters } from './tokenizer';

/** ISA fields a consumer needs (sender, receiver, control number) plus the delimiters it was written with. */
export interface X12InterchangeHeader {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  date: string;
  time: string;
  version: string;
  controlNumber: string;
  acknowledgementRequested: boolean;
  usage: string;
  delimiters: X12Delimiters;
  position: number;
}

export interface X12GroupHeader {
  /** GS01: PO (850), PR (855), SH (856), IN (810), IB (846), FA (997). */
  functionalId: string;
  applicationSender: string;
  applicationReceiver: string;
  date: string;
  time: string;
  controlNumber: string;
  version: string;
  position: number;
}

/** One transaction set (ST..SE), complete and consistent with its own trailer. */
export interface X12Transaction {
  /** ST01, e.g. "856". */
  setId: string;
  /** ST02. */
  controlNumber: string;
  /** Position of the ST segment in the file; segment i of `segments` is at `position + i`. */
  position: number;
  /** ST through SE; each segment is `[id, element1, element2, ...]`. */
  segments: string[][];
  group: X12GroupHeader;
  interchange: X12InterchangeHeader;
}

/** AK502 codes we detect (X12 997 transaction set syntax error codes). */
export type TransactionSyntaxError = '2' | '3' | '4' | '6' | '7';
/** AK905 codes we detect (functional group syntax error codes). */
export type GroupSyntaxError = '3' | '4' | '5' | '6';

export interface X12TransactionReceipt {
  setId: string;
  controlNumber: string;
  accepted: boolean;
  errors: TransactionSyntaxError[];
}

/** What a 997 needs to say about one received functional group. */
export interface X12GroupReceipt {
  group: X12GroupHeader;
  interchange: X12InterchangeHeader;
  transactions: X12TransactionReceipt[];
  errors: GroupSyntaxError[];
  /** The number of ST segments seen in the group (AK903). */
  received: number;
}

export type X12ReadEvent =
  | { kind: 'transaction'; transaction: X12Transaction }
  | { kind: 'group'; receipt: X12GroupReceipt }
  | { kind: 'interchange'; header: X12InterchangeHeader }
  | { kind: 'problem'; problem: FieldProblem };

/** "segment 14 (SE)": how every problem in an X12 file names where it is. */
export function segmentPath(position: number, segmentId: string): string {
  return `segment ${position} (${segmentId || '?'})`;
}

interface OpenTransaction {
  setId: string;
  controlNumber: string;
  position: number;
  segments: string[][];
  count: number;
  chars: number;
  oversized: boolean;
}

interface OpenGroup {
  header: X12GroupHeader;
  transactions: X12TransactionReceipt[];
  /** ST02s seen, for the uniqueness check without a scan per set. */
  controlNumbers: Set<string>;
  received: number;
}

interface OpenInterchange {
  header: X12InterchangeHeader;
  groups: number;
}

const ISA_WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

/** SE01, GE01 and IEA01 are numeric (N0): "0003" and "3" are the same count. */
function countMatches(declared: string, actual: number): boolean {
  return /^\d{1,10}$/.test(declared) && Number(declared) === actual;
}

/**
 * The envelope rules X12 puts on a stream of segments: ISA > GS > ST..SE > GE > IEA nesting, SE01 segment
 * counts, ST02=SE02, GS06=GE02, ISA13=IEA02, GE01 and IEA01 counts. It accumulates one transaction at a time
 * (bounded by `maxTransactionChars`) and reports each problem with the position of the segment it is at.
 * After a problem it resynchronises on the next envelope segment so that a validation run reports them all.
 */
export class X12EnvelopeReader {
  private interchange: OpenInterchange | undefined;
  private group: OpenGroup | undefined;
  private transaction: OpenTransaction | undefined;
  private lastPosition = 0;

  constructor(
    private readonly emit: (event: X12ReadEvent) => void,
    private readonly maxTransactionChars: number,
  ) {}

  private problem(position: number, segmentId: string, message: string): void {
    this.emit({ kind: 'problem', problem: { path: segmentPath(position, segmentId), message } });
  }

  segment(segment: string[], position: number, delimiters: X12Delimiters, rawLength: number): void {
    this.lastPosition = position;
    const id = segment[0] ?? '';
    if (this.transaction) {
      if (id === 'SE') return this.closeTransaction(segment, position);
      if (id === 'ST' || id === 'GE' || id === 'GS' || id === 'IEA' || id === 'ISA') {
        this.problem(
          position,
          id,
          `transaction set ${this.transaction.controlNumber} has no SE trailer before ${id}`,
        );
        this.abandonTransaction();
      } else {
        this.appendToTransaction(segment, rawLength);
        return;
      }
    }
    switch (id) {
      case 'ISA':
        return this.openInterchange(segment, position, delimiters);
      case 'GS':
        return this.openGroup(segment, position);
      case 'ST':
        return this.openTransaction(segment, position, rawLength);
      case 'GE':
        return this.closeGroup(segment, position);
      case 'IEA':
        return this.closeInterchange(segment, position);
      default:
        this.problem(
          position,
          id,
          this.group
            ? `segment ${id} is outside a transaction set (ST..SE)`
            : `segment ${id} is outside a functional group (GS..GE)`,
        );
    }
  }

  /** Call at the end of input: reports envelopes left open. */
  end(): void {
    const at = this.lastPosition;
    if (this.transaction) {
      this.problem(at, 'end of file', `transaction set ${this.transaction.controlNumber} has no SE trailer`);
      this.abandonTransaction();
    }
    if (this.group) {
      this.problem(
        at,
        'end of file',
        `functional group ${this.group.header.controlNumber} has no GE trailer`,
      );
      this.finishGroup(['3']);
    }
    if (this.interchange) {
      this.problem(
        at,
        'end of file',
        `interchange ${this.interchange.header.controlNumber} has no IEA trailer`,
      );
      this.interchange = undefined;
    }
    if (at === 0) this.problem(1, 'end of file', 'empty input: no ISA interchange header');
  }

  private openInterchange(segment: string[], position: number, delimiters: X12Delimiters): void {
    if (this.group) {
      this.problem(position, 'ISA', `functional group ${this.group.header.controlNumber} has no GE trailer`);
      this.finishGroup(['3']);
    }
    if (this.interchange) {
      this.problem(
        position,
        'ISA',
        `interchange ${this.interchange.header.controlNumber} has no IEA trailer`,
      );
    }
    if (segment.length !== 17) {
      this.problem(position, 'ISA', `ISA has ${segment.length - 1} elements; it must have 16`);
    } else {
      ISA_WIDTHS.forEach((width, i) => {
        const value = segment[i + 1] ?? '';
        if (value.length !== width) {
          this.problem(
            position,
            'ISA',
            `ISA${String(i + 1).padStart(2, '0')} is ${value.length} characters; it must be ${width}`,
          );
        }
      });
    }
    const controlNumber = segment[13] ?? '';
    if (!/^\d{9}$/.test(controlNumber)) {
      this.problem(position, 'ISA', `ISA13 control number "${controlNumber}" must be 9 digits`);
    }
    const header: X12InterchangeHeader = {
      senderQualifier: segment[5]?.trim() ?? '',
      senderId: segment[6]?.trim() ?? '',
      receiverQualifier: segment[7]?.trim() ?? '',
      receiverId: segment[8]?.trim() ?? '',
      date: segment[9] ?? '',
      time: segment[10] ?? '',
      version: segment[12] ?? '',
      controlNumber,
      acknowledgementRequested: segment[14] === '1',
      usage: segment[15] ?? '',
      delimiters,
      position,
    };
    this.interchange = { header, groups: 0 };
    this.emit({ kind: 'interchange', header });
  }

  private openGroup(segment: string[], position: number): void {
    if (!this.interchange) {
      this.problem(position, 'GS', 'GS outside an interchange (no ISA before it)');
      return;
    }
    if (this.group) {
      this.problem(position, 'GS', `functional group ${this.group.header.controlNumber} has no GE trailer`);
      this.finishGroup(['3']);
    }
    const controlNumber = segment[6] ?? '';
    if (!/^\d{1,9}$/.test(controlNumber)) {
      this.problem(position, 'GS', `GS06 group control number "${controlNumber}" must be 1-9 digits`);
    }
    this.interchange.groups++;
    this.group = {
      header: {
        functionalId: segment[1] ?? '',
        applicationSender: segment[2] ?? '',
        applicationReceiver: segment[3] ?? '',
        date: segment[4] ?? '',
        time: segment[5] ?? '',
        controlNumber,
        version: segment[8] ?? '',
        position,
      },
      transactions: [],
      controlNumbers: new Set(),
      received: 0,
    };
  }

  private openTransaction(segment: string[], position: number, rawLength: number): void {
    if (!this.group) {
      this.problem(position, 'ST', 'ST outside a functional group (no GS before it)');
      return;
    }
    this.group.received++;
    this.transaction = {
      setId: segment[1] ?? '',
      controlNumber: segment[2] ?? '',
      position,
      segments: [segment],
      count: 1,
      chars: rawLength,
      oversized: false,
    };
    if (!/^\d{3}$/.test(this.transaction.setId)) {
      this.problem(
        position,
        'ST',
        `ST01 transaction set identifier "${this.transaction.setId}" must be 3 digits`,
      );
    }
    if (!/^[A-Za-z0-9]{4,9}$/.test(this.transaction.controlNumber)) {
      this.problem(
        position,
        'ST',
        `ST02 control number "${this.transaction.controlNumber}" must be 4-9 characters`,
      );
    }
  }

  private appendToTransaction(segment: string[], rawLength: number): void {
    const open = this.transaction as OpenTransaction;
    open.count++;
    if (open.oversized) return;
    open.chars += rawLength;
    if (open.chars > this.maxTransactionChars) {
      open.oversized = true;
      open.segments = [];
      this.problem(
        open.position,
        'ST',
        `transaction set ${open.controlNumber} is larger than the limit of ${this.maxTransactionChars} characters`,
      );
      return;
    }
    open.segments.push(segment);
  }

  private closeTransaction(segment: string[], position: number): void {
    const open = this.transaction as OpenTransaction;
    const group = this.group as OpenGroup;
    this.transaction = undefined;
    open.count++;
    const errors: TransactionSyntaxError[] = [];
    const declared = segment[1] ?? '';
    if (!countMatches(declared, open.count)) {
      this.problem(
        position,
        'SE',
        `SE01 says ${declared || '(empty)'} segments; the transaction set has ${open.count}`,
      );
      errors.push('4');
    }
    if ((segment[2] ?? '') !== open.controlNumber) {
      this.problem(position, 'SE', `SE02 "${segment[2] ?? ''}" does not match ST02 "${open.controlNumber}"`);
      errors.push('3');
    }
    if (!/^\d{3}$/.test(open.setId)) errors.push('6');
    if (!/^[A-Za-z0-9]{4,9}$/.test(open.controlNumber)) errors.push('7');
    if (group.controlNumbers.has(open.controlNumber)) {
      this.problem(
        open.position,
        'ST',
        `ST02 "${open.controlNumber}" is used twice in group ${group.header.controlNumber}`,
      );
      errors.push('7');
    }
    group.controlNumbers.add(open.controlNumber);
    const accepted = errors.length === 0 && !open.oversized;
    group.transactions.push({ setId: open.setId, controlNumber: open.controlNumber, accepted, errors });
    if (!accepted) return;
    open.segments.push(segment);
    this.emit({
      kind: 'transaction',
      transaction: {
        setId: open.setId,
        controlNumber: open.controlNumber,
        position: open.position,
        segments: open.segments,
        group: group.header,
        interchange: (this.interchange as OpenInterchange).header,
      },
    });
  }

  private abandonTransaction(): void {
    const open = this.transaction as OpenTransaction;
    this.transaction = undefined;
    this.group?.transactions.push({
      setId: open.setId,
      controlNumber: open.controlNumber,
      accepted: false,
      errors: ['2'],
    });
  }

  private closeGroup(segment: string[], position: number): void {
    if (!this.group) {
      this.problem(position, 'GE', 'GE without a matching GS');
      return;
    }
    const errors: GroupSyntaxError[] = [];
    const declared = segment[1] ?? '';
    if (!countMatches(declared, this.group.received)) {
      this.problem(
        position,
        'GE',
        `GE01 says ${declared || '(empty)'} transaction sets; the group has ${this.group.received}`,
      );
      errors.push('5');
    }
    if ((segment[2] ?? '') !== this.group.header.controlNumber) {
      this.problem(
        position,
        'GE',
        `GE02 "${segment[2] ?? ''}" does not match GS06 "${this.group.header.controlNumber}"`,
      );
      errors.push('4');
    }
    if (!/^\d{1,9}$/.test(this.group.header.controlNumber)) errors.push('6');
    this.finishGroup(errors);
  }

  private finishGroup(errors: GroupSyntaxError[]): void {
    const group = this.group as OpenGroup;
    this.group = undefined;
    this.emit({
      kind: 'group',
      receipt: {
        group: group.header,
        interchange: (this.interchange as OpenInterchange).header,
        transactions: group.transactions,
        errors,
        received: group.received,
      },
    });
  }

  private closeInterchange(segment: string[], position: number): void {
    if (this.group) {
      this.problem(position, 'IEA', `functional group ${this.group.header.controlNumber} has no GE trailer`);
      this.finishGroup(['3']);
    }
    if (!this.interchange) {
      this.problem(position, 'IEA', 'IEA without a matching ISA');
      return;
    }
    const declared = segment[1] ?? '';
    if (!countMatches(declared, this.interchange.groups)) {
      this.problem(
        position,
        'IEA',
        `IEA01 says ${declared || '(empty)'} functional groups; the interchange has ${this.interchange.groups}`,
      );
    }
    if ((segment[2] ?? '') !== this.interchange.header.controlNumber) {
      this.problem(
        position,
        'IEA',
        `IEA02 "${segment[2] ?? ''}" does not match ISA13 "${this.interchange.header.controlNumber}"`,
      );
    }
    this.interchange = undefined;
  }
}
