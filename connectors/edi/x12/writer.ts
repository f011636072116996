import { DropshipError, invalidInput, type FieldProblem } from '../../../core/errors';

/** Our side of a trading partnership: who we are, who they are, and how our files are delimited. */
export interface X12EnvelopeSettings {
  /** ISA05, e.g. "ZZ" (mutually defined), "01" (DUNS), "12" (phone). */
  senderQualifier: string;
  /** ISA06, at most 15 characters. */
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  /** GS02; defaults to the ISA sender id. */
  applicationSenderCode?: string;
  /** GS03; defaults to the ISA receiver id. */
  applicationReceiverCode?: string;
  /** ISA15: P production, T test. */
  usage?: 'P' | 'T';
  /** ISA14: ask the partner for a TA1. */
  acknowledgementRequested?: boolean;
  elementSeparator?: string;
  componentSeparator?: string;
  segmentTerminator?: string;
  /** Written after each terminator; many partners want one segment per line. */
  lineBreak?: 'none' | 'lf' | 'crlf';
}

export interface X12ControlNumbers {
  /** ISA13 (1..999999999); also used as GS06, since we write one group per interchange. */
  interchange: number;
}

const LINE_BREAKS = { none: '', lf: '\n', crlf: '\r\n' } as const;
const MAX_CONTROL_NUMBER = 999_999_999;

function escapeForRegExp(char: string): string {
  return char.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
}

/** CCYYMMDD of an ISO 8601 timestamp (or a Date). */
export function ccyymmdd(date: Date | string): string {
  const iso = typeof date === 'string' ? date : date.toISOString();
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
}

function hhmm(iso: string): string {
  return iso.slice(11, 13) + iso.slice(14, 16);
}

/**
 * Builds one interchange. Every value taken from data goes through `value()`, which refuses a value containing
 * one of our delimiters (or a line break): such a value would silently split an element or a segment at the
 * supplier, so the document is not written and the caller gets every offending field at once.
 */
export class X12Writer {
  private readonly out: string[] = [];
  private readonly problems: FieldProblem[] = [];
  private readonly forbidden: RegExp;
  private readonly terminator: string;
  private readonly element: string;
  private transactionSegments = 0;
  private transactionsInGroup = 0;
  private transactionControl = '';
  /** `now` formatted once: ISA and GS both carry the date and time. */
  private readonly nowIso: string;

  constructor(
    private readonly envelope: X12EnvelopeSettings,
    private readonly control: X12ControlNumbers,
    now: Date,
  ) {
    this.nowIso = now.toISOString();
    this.element = envelope.elementSeparator ?? '*';
    const component = envelope.componentSeparator ?? '>';
    const segment = envelope.segmentTerminator ?? '~';
    this.terminator = segment + LINE_BREAKS[envelope.lineBreak ?? 'none'];
    const delimiters = new Set([this.element, component, segment]);
    if (delimiters.size !== 3 || [...delimiters].some((d) => d.length !== 1 || /[A-Za-z0-9 ]/.test(d))) {
      throw new DropshipError(
        'configuration',
        `X12 delimiters must be three different single non-alphanumeric characters (element "${this.element}", component "${component}", segment "${segment}")`,
      );
    }
    this.forbidden = new RegExp(`[${[...delimiters].map(escapeForRegExp).join('')}\\r\\n]`);
    if (
      !Number.isInteger(control.interchange) ||
      control.interchange < 1 ||
      control.interchange > MAX_CONTROL_NUMBER
    ) {
      throw new DropshipError(
        'configuration',
        `X12 interchange control number ${control.interchange} is outside 1..${MAX_CONTROL_NUMBER}: control numbers are exhausted for this partner`,
      );
    }
  }

  /** A data value for an element; records a problem (and returns '') when it cannot be written safely. */
  value(raw: string | number | undefined, field: string, maxLength?: number): string {
    if (raw === undefined) return '';
    const text = typeof raw === 'number' ? String(raw) : raw.trim();
    if (this.forbidden.test(text)) {
      const found = text.match(this.forbidden)![0];
      this.problems.push({
        path: field,
        message: `contains ${JSON.stringify(found)}, which is an X12 delimiter or line break; the PO cannot be written without corrupting it`,
      });
      return '';
    }
    if (maxLength !== undefined && text.length > maxLength) {
      this.problems.push({
        path: field,
        message: `is ${text.length} characters; X12 allows at most ${maxLength}`,
      });
      return '';
    }
    return text;
  }

  /** Writes a segment; trailing empty elements are dropped as X12 requires. */
  segment(id: string, ...elements: string[]): void {
    let last = elements.length;
    while (last > 0 && elements[last - 1] === '') last--;
    const body = last === 0 ? id : `${id}${this.element}${elements.slice(0, last).join(this.element)}`;
    this.out.push(body, this.terminator);
    this.transactionSegments++;
  }

  private header(): void {
    const e = this.envelope;
    const control = String(this.control.interchange).padStart(9, '0');
    const isa = [
      '00',
      ''.padEnd(10),
      '00',
      ''.padEnd(10),
      e.senderQualifier.padEnd(2),
      e.senderId.padEnd(15),
      e.receiverQualifier.padEnd(2),
      e.receiverId.padEnd(15),
      ccyymmdd(this.nowIso).slice(2),
      hhmm(this.nowIso),
      'U',
      '00401',
      control,
      e.acknowledgementRequested ? '1' : '0',
      e.usage ?? 'P',
      e.componentSeparator ?? '>',
    ];
    // ISA is fixed width: the reader finds the delimiters by position, so a wrong width corrupts the interchange.
    const widths = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
    isa.forEach((value, i) => {
      if (value.length !== widths[i]) {
        throw new DropshipError(
          'configuration',
          `ISA${String(i + 1).padStart(2, '0')} "${value}" must be ${widths[i]} characters (check the sender/receiver settings)`,
        );
      }
    });
    this.segment('ISA', ...isa);
  }

  /** Opens the interchange and its one functional group. */
  begin(functionalId: string): void {
    this.header();
    const e = this.envelope;
    this.segment(
      'GS',
      functionalId,
      e.applicationSenderCode ?? e.senderId,
      e.applicationReceiverCode ?? e.receiverId,
      ccyymmdd(this.nowIso),
      hhmm(this.nowIso),
      String(this.control.interchange),
      'X',
      '004010',
    );
  }

  beginTransaction(setId: string): void {
    this.transactionsInGroup++;
    this.transactionControl = String(this.transactionsInGroup).padStart(4, '0');
    this.transactionSegments = 0;
    this.segment('ST', setId, this.transactionControl);
  }

  endTransaction(): void {
    this.segment('SE', String(this.transactionSegments + 1), this.transactionControl);
  }

  /** Closes group and interchange and returns the document, or throws with every problem found. */
  finish(what: string): string {
    if (this.problems.length > 0) throw invalidInput(what, this.problems);
    this.segment('GE', String(this.transactionsInGroup), String(this.control.interchange));
    this.segment('IEA', '1', String(this.control.interchange).padStart(9, '0'));
    return this.out.join('');
  }
}
