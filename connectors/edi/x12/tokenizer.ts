/**
 * X12 segment tokenizer.
 *
 * We tokenize ourselves instead of using x12-parser's stream because x12-parser takes the delimiters from the
 * first ISA only (a file holding interchanges from two translators with different delimiters is mis-split),
 * silently accepts non-X12 input, and builds an object with string keys per element plus a regex per element,
 * which costs more than the whole of our validation and mapping (see bench/x12.bench.ts for the figures).
 * Segments here are plain arrays: `segment[0]` is the segment id and `segment[n]` is element n (ISA13 is
 * `segment[13]`), composites are left joined and split by the mappers only where they need a component.
 */

/** The separators of one interchange, read from its ISA. */
export interface X12Delimiters {
  element: string;
  /** ISA16. */
  component: string;
  /** The character after ISA16; a CR/LF after it is tolerated and skipped. */
  segment: string;
  /** ISA11 from version 00402 on ("U" before, which is not a separator). */
  repetition?: string;
}

/** A problem that stops tokenizing (the rest of the input cannot be split without trustworthy delimiters). */
export interface X12TokenizerProblem {
  /** 1-based position of the segment the problem is at (the one that could not be read). */
  position: number;
  segmentId: string;
  message: string;
}

export interface X12TokenizerHandlers {
  /** A segment; `position` counts segments from the start of the input, 1-based. */
  segment(segment: string[], position: number, delimiters: X12Delimiters, rawLength: number): void;
  fatal(problem: X12TokenizerProblem): void;
}

const ISA_LENGTH = 106;
const ISA_ELEMENT_COUNT = 16;
/** Generous bound for finding the 16 ISA separators in a non-fixed-width header. */
const ISA_SCAN_LIMIT = 220;

function isWhitespace(code: number): boolean {
  return code === 10 || code === 13 || code === 32 || code === 9;
}

function isAlphanumeric(char: string): boolean {
  return /^[A-Za-z0-9]$/.test(char);
}

function describe(char: string): string {
  if (char === '\n') return 'newline';
  if (char === '\r') return 'carriage return';
  if (char === ' ') return 'space';
  return JSON.stringify(char);
}

/**
 * Reads the delimiters from an ISA starting at `start`. Returns a message when they cannot be trusted.
 * The element separator is the character at ISA position 3, ISA16 follows the 16th element separator, and the
 * segment terminator is the character right after ISA16.
 */
export function readIsaDelimiters(
  text: string,
  start: number,
): { delimiters: X12Delimiters } | { error: string } {
  if (text.slice(start, start + 3) !== 'ISA') {
    const seen = text.slice(start, start + 12).replace(/[^\x20-\x7e]/g, '?');
    return { error: `not X12: expected an ISA interchange header, found "${seen}"` };
  }
  const element = text.charAt(start + 3);
  if (element === '' || isAlphanumeric(element) || isWhitespace(element.charCodeAt(0))) {
    return { error: `unknown element separator ${describe(element)} at ISA position 3` };
  }
  let index = start + 3;
  for (let count = 1; count < ISA_ELEMENT_COUNT; count++) {
    index = text.indexOf(element, index + 1);
    if (index < 0 || index - start > ISA_SCAN_LIMIT) {
      return { error: `ISA has fewer than 16 elements separated by ${describe(element)}` };
    }
  }
  const component = text.charAt(index + 1);
  const segment = text.charAt(index + 2);
  if (
    component === '' ||
    isAlphanumeric(component) ||
    isWhitespace(component.charCodeAt(0)) ||
    component === element
  ) {
    return { error: `unknown component separator ${describe(component)} in ISA16` };
  }
  if (
    segment === '' ||
    isAlphanumeric(segment) ||
    segment === ' ' ||
    segment === element ||
    segment === component
  ) {
    return { error: `unknown segment terminator ${describe(segment)} after ISA16` };
  }
  const isa11 = text.slice(start, index).split(element)[11] ?? '';
  const repetition =
    isa11.length === 1 && !isAlphanumeric(isa11) && ![element, component, segment].includes(isa11)
      ? isa11
      : undefined;
  return { delimiters: { element, component, segment, repetition } };
}

/**
 * The elements of the segment text[start, end). An indexOf/slice loop: about twice as fast as
 * `slice().split()` on V8, and splitting is most of the tokenizer's cost (see bench/x12.bench.ts).
 */
function splitElements(text: string, start: number, end: number, separator: string): string[] {
  const elements: string[] = [];
  let from = start;
  for (;;) {
    const at = text.indexOf(separator, from);
    if (at < 0 || at >= end) {
      elements.push(text.slice(from, end));
      return elements;
    }
    elements.push(text.slice(from, at));
    from = at + 1;
  }
}

/**
 * Splits text fed in chunks into segments, re-reading the delimiters at every ISA. Memory holds at most one
 * unfinished segment besides the current chunk; a segment longer than `maxSegmentChars` is a fatal problem
 * (a file without its terminator would otherwise be buffered whole).
 */
export class X12Tokenizer {
  private pending = '';
  private position = 0;
  private delimiters: X12Delimiters | undefined;
  private stopped = false;

  constructor(
    private readonly handlers: X12TokenizerHandlers,
    private readonly maxSegmentChars = 1 << 20,
  ) {}

  get segmentsRead(): number {
    return this.position;
  }

  write(text: string): void {
    if (this.stopped) return;
    this.consume(this.pending.length > 0 ? this.pending + text : text, false);
  }

  end(): void {
    if (this.stopped) return;
    this.consume(this.pending, true);
    if (this.stopped) return;
    const rest = this.pending;
    this.pending = '';
    if (rest.trim() !== '') {
      // The last segment may legitimately lack its terminator only if it is complete otherwise; we accept it.
      const segment = this.trimLeadingLineBreaks(rest).split(this.delimiters?.element ?? '*');
      this.emit(segment, rest.length);
    }
  }

  private fatal(message: string, segmentId = '?'): void {
    this.stopped = true;
    this.pending = '';
    this.handlers.fatal({ position: this.position + 1, segmentId, message });
  }

  private trimLeadingLineBreaks(raw: string): string {
    let start = 0;
    while (start < raw.length && isWhitespace(raw.charCodeAt(start))) start++;
    return start === 0 ? raw : raw.slice(start);
  }

  private emit(segment: string[], rawLength: number): void {
    this.position++;
    // emit only runs once delimiters are known: the ISA is always read first.
    this.handlers.segment(segment, this.position, this.delimiters as X12Delimiters, rawLength);
    if (segment[0] === 'IEA') this.delimiters = undefined;
  }

  private consume(text: string, atEnd: boolean): void {
    let pos = 0;
    const length = text.length;
    while (!this.stopped) {
      if (this.delimiters === undefined) {
        while (pos < length && isWhitespace(text.charCodeAt(pos))) pos++;
        if (pos >= length) break;
        if (length - pos < ISA_LENGTH && !atEnd) break;
        const header = readIsaDelimiters(text, pos);
        if ('error' in header) {
          this.fatal(header.error, text.slice(pos, pos + 3).replace(/[^A-Z0-9]/g, '') || '?');
          return;
        }
        // Field widths are the envelope reader's concern; the tokenizer only needs the separators.
        this.delimiters = header.delimiters;
      }
      const terminator = text.indexOf(this.delimiters.segment, pos);
      if (terminator < 0) break;
      let start = pos;
      while (start < terminator && isWhitespace(text.charCodeAt(start))) start++;
      const rawLength = terminator - pos;
      pos = terminator + 1;
      if (start === terminator) continue; // blank line between segments
      this.emit(splitElements(text, start, terminator, this.delimiters.element), rawLength);
    }
    if (this.stopped) return;
    this.pending = pos === 0 ? text : text.slice(pos);
    if (this.pending.length > this.maxSegmentChars) {
      this.fatal(
        `no segment terminator ${describe(this.delimiters?.segment ?? '~')} within ${this.maxSegmentChars} characters`,
        this.trimLeadingLineBreaks(this.pending)
          .split(this.delimiters?.element ?? '*')[0]!
          .slice(0, 3),
      );
    }
  }
}
