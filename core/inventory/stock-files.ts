import type { ConnectorLog } from '../ports/connector';
import type { FileTransport, TransportFile } from '../ports/file-transport';
import { pollInboundFiles } from '../inbound-files';
import type { Clock } from '../clock';
import { DropshipError, invalidInput } from '../errors';
import type { IngestResult } from './ingest-stock-feed';
import {
  parseStockFile,
  type ParsedStockFeed,
  type StockFeedOptions,
  type StockFeedProblem,
} from './stock-feed';

export interface StockFolderOptions {
  /** Where the supplier drops its stock files (relative to the transport's root). */
  inboundFolder: string;
  /** Where a file goes once its rows are stored. */
  archiveFolder: string;
  /** Where a file that cannot be read at all goes, kept for a person to look at. */
  errorFolder: string;
  /** The supplier of rows that name none, and the other parser options. */
  parse: Omit<StockFeedOptions, 'receivedAt'>;
  /** Stores one parsed file (ingestStockFeed with the caller's buffers and thresholds). */
  ingest(feed: ParsedStockFeed, feedAt: Date): Promise<IngestResult>;
  /** Seconds a file must be unchanged before it is read (default 10; 0: at once), by `clock`. */
  settleSeconds?: number;
  clock: Clock;
  log: ConnectorLog;
  /** Larger files are refused (moved to the error folder) rather than read into memory. */
  maxFileBytes?: number;
  signal?: AbortSignal;
}

/** What became of one file of the inbound folder. */
export type StockFileOutcome =
  | { status: 'ingested'; file: string; feedAt: string; result: IngestResult }
  | {
      status: 'unreadable';
      file: string;
      errorFolder: string;
      /** The rows' problems when the parser read the file; empty when it was refused whole (too large). */
      problems: StockFeedProblem[];
      error: DropshipError;
    };

export const DEFAULT_MAX_STOCK_FILE_BYTES = 256 * 1024 * 1024;

async function readWhole(stream: NodeJS.ReadableStream, file: TransportFile, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > limit) throw tooLarge(file, limit);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

function tooLarge(file: TransportFile, limit: number): DropshipError {
  return invalidInput(`stock file ${file.name}`, [
    { path: 'size', message: `is larger than the limit of ${limit} bytes` },
  ]);
}

/**
 * Reads every stock file of an inbound folder, oldest first: each is parsed by its type (file name ending, else
 * content), stored through `ingest`, and archived. A file's time is its modification time (never later than
 * now), so a late upload of an old file cannot overwrite newer figures. Bad rows travel in the outcome with the
 * good rows stored; a file with no readable row at all is reported and moved to the error folder. A failure that
 * is not the file's fault (connection, store) ends the poll with the file left in place for the next one.
 */
export async function* ingestStockFiles(
  transport: FileTransport,
  options: StockFolderOptions,
): AsyncGenerator<StockFileOutcome> {
  const limit = options.maxFileBytes ?? DEFAULT_MAX_STOCK_FILE_BYTES;
  yield* pollInboundFiles(
    transport,
    {
      inboundFolder: options.inboundFolder,
      archiveFolder: options.archiveFolder,
      errorFolder: options.errorFolder,
      settleSeconds: options.settleSeconds,
      clock: options.clock,
      log: options.log,
      signal: options.signal,
    },
    async function* readStockFile(stream, file): AsyncGenerator<StockFileOutcome> {
      const now = options.clock.now();
      const feedAt = file.modifiedAt.getTime() < now.getTime() ? file.modifiedAt : now;
      let feed: ParsedStockFeed | undefined;
      try {
        if (file.size > limit) throw tooLarge(file, limit);
        const content = await readWhole(stream, file, limit);
        feed = await parseStockFile(file.name, content, {
          ...options.parse,
          receivedAt: feedAt.toISOString(),
        });
        if (feed.rows.length === 0 && feed.problems.length > 0) {
          throw invalidInput(
            `stock file ${file.name}`,
            feed.problems.map((problem) => ({ path: `line ${problem.line}`, message: problem.reason })),
          );
        }
      } catch (err) {
        if (err instanceof DropshipError && err.code === 'invalid_input') {
          // Reported here because the poll only logs it; rethrown so the poll moves the file to the error folder.
          yield {
            status: 'unreadable',
            file: file.name,
            errorFolder: options.errorFolder,
            problems: feed?.problems ?? [],
            error: err,
          };
        }
        throw err;
      }
      const result = await options.ingest(feed, feedAt);
      yield { status: 'ingested', file: file.name, feedAt: feedAt.toISOString(), result };
    },
  );
}
