import { StringDecoder } from 'node:string_decoder';
import { invalidInput, type FieldProblem } from '../../../core/errors';
import { X12EnvelopeReader, segmentPath, type X12ReadEvent, type X12Transaction } from './envelope';
import { X12Tokenizer } from './tokenizer';

/** Bytes or text in chunks: a file read stream, an SFTP read stream, or an array of strings in tests. */
export type X12Source = AsyncIterable<Buffer | string> | Iterable<Buffer | string>;

export interface X12ReadOptions {
  /** A transaction set larger than this is an error instead of a memory spike. Default 16 MiB of text. */
  maxTransactionChars?: number;
  /** X12 is ASCII; UTF-8 is the common superset partners actually send. */
  encoding?: 'utf8' | 'latin1';
}

const DEFAULT_MAX_TRANSACTION_CHARS = 16 * 1024 * 1024;

/**
 * Every envelope event of an X12 input, in order, one chunk at a time: transactions (only those consistent with
 * their own SE), one receipt per functional group (for 997s), and problems naming the segment position.
 * Only the current chunk and the transaction being read are in memory.
 */
export async function* readX12Events(
  source: X12Source,
  options: X12ReadOptions = {},
): AsyncGenerator<X12ReadEvent> {
  const queue: X12ReadEvent[] = [];
  const envelope = new X12EnvelopeReader(
    (event) => queue.push(event),
    options.maxTransactionChars ?? DEFAULT_MAX_TRANSACTION_CHARS,
  );
  let fatal = false;
  const tokenizer = new X12Tokenizer(
    {
      segment: (segment, position, delimiters, rawLength) =>
        envelope.segment(segment, position, delimiters, rawLength),
      fatal: (problem) => {
        fatal = true;
        queue.push({
          kind: 'problem',
          problem: { path: segmentPath(problem.position, problem.segmentId), message: problem.message },
        });
      },
    },
    options.maxTransactionChars ?? DEFAULT_MAX_TRANSACTION_CHARS,
  );
  const decoder = new StringDecoder(options.encoding ?? 'utf8');
  for await (const chunk of source) {
    tokenizer.write(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (queue.length > 0) yield* queue.splice(0, queue.length);
    // Nothing after an unreadable delimiter can be trusted; stop reading (breaking closes the source stream).
    if (fatal) return;
  }
  tokenizer.write(decoder.end());
  tokenizer.end();
  if (!fatal) envelope.end();
  yield* queue.splice(0, queue.length);
}

/**
 * The valid transaction sets of an X12 input, one at a time. Throws a DropshipError (invalid_input) at the
 * first problem, with the segment position in its details, e.g. `segment 14 (SE)`.
 */
export async function* readX12Transactions(
  source: X12Source,
  options: X12ReadOptions = {},
): AsyncGenerator<X12Transaction> {
  for await (const event of readX12Events(source, options)) {
    if (event.kind === 'problem') throw invalidInput('X12 file', [event.problem]);
    if (event.kind === 'transaction') yield event.transaction;
  }
}

export interface X12ValidationReport {
  valid: boolean;
  problems: FieldProblem[];
  interchanges: number;
  groups: number;
  transactions: number;
  /** True when more problems were found than `maxProblems` and the rest were not listed. */
  truncated: boolean;
}

/** Checks a whole input and lists every problem found (up to `maxProblems`), without keeping the file. */
export async function validateX12(
  source: X12Source,
  options: X12ReadOptions & { maxProblems?: number } = {},
): Promise<X12ValidationReport> {
  const maxProblems = options.maxProblems ?? 1000;
  const report: X12ValidationReport = {
    valid: true,
    problems: [],
    interchanges: 0,
    groups: 0,
    transactions: 0,
    truncated: false,
  };
  for await (const event of readX12Events(source, options)) {
    if (event.kind === 'problem') {
      report.valid = false;
      if (report.problems.length < maxProblems) report.problems.push(event.problem);
      else report.truncated = true;
    } else if (event.kind === 'interchange') report.interchanges++;
    else if (event.kind === 'group') report.groups++;
    else report.transactions++;
  }
  return report;
}
