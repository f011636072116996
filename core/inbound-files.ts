import type { Clock } from './clock';
import { DropshipError } from './errors';
import type { ConnectorLog } from './ports/connector';
import { isTemporaryName, type FileTransport, type TransportFile } from './ports/file-transport';

/**
 * How long a file must have been left unchanged before it is read. Many partners and VANs write the final name
 * in place over a few seconds; 10 s outlasts such an upload's pauses without holding files back noticeably
 * against poll intervals of a minute or more.
 */
export const DEFAULT_SETTLE_SECONDS = 10;

export interface InboundPollOptions {
  /** Where the supplier drops its files. */
  inboundFolder: string;
  /** Where a fully processed file is moved. */
  archiveFolder: string;
  /** Where a file that could not be processed is moved, so it does not block the others. */
  errorFolder: string;
  /** Which files this poll takes (a reader may leave files of another kind for another reader). */
  accept?(file: TransportFile, transport: FileTransport): Promise<boolean> | boolean;
  /** A file is taken once its modification time is this long before `clock`'s now; 0 takes every file at once. */
  settleSeconds?: number;
  clock: Clock;
  log: ConnectorLog;
  signal?: AbortSignal;
}

/**
 * Why a file may still be being written, or undefined once it has settled. The server moves a file's
 * modification time with every write, so an unchanged time over the settle period also means an unchanged size:
 * a second, size-based check would need memory kept between polls (lost at a restart, not shared by two
 * instances) and would hold every file back a whole poll interval. A time in the future (the server's clock
 * ahead of ours) counts as just changed: the file waits rather than risk a half-read.
 */
function stillChanging(file: TransportFile, now: Date, settleSeconds: number): string | undefined {
  if (settleSeconds <= 0) return undefined;
  const ageMs = now.getTime() - file.modifiedAt.getTime();
  if (ageMs < 0) {
    return `its modification time is ${Math.ceil(-ageMs / 1000)} s ahead of our clock (is the server's clock ahead?), counted as just changed; read once unchanged for ${settleSeconds} s`;
  }
  if (ageMs < settleSeconds * 1000) {
    return `changed ${Math.floor(ageMs / 1000)} s ago, it may still be being written; read once unchanged for ${settleSeconds} s`;
  }
  return undefined;
}

/**
 * Reads every file of the inbound folder, oldest first, through `handle`, which yields what it finds in the
 * stream. Temporary upload names and files changed within the settle time are left in place for a later poll.
 * A file is archived only after `handle` finished it, so a crash or a consumer that stops early leaves it in
 * place to be read again (consumers must tolerate repeats: at least once). A file whose content is invalid
 * (`invalid_input`) is moved to the error folder with a warning and the poll goes on with the next file; any
 * other failure (connection lost) ends the poll and leaves the file for the next one.
 */
export async function* pollInboundFiles<T>(
  transport: FileTransport,
  options: InboundPollOptions,
  handle: (stream: NodeJS.ReadableStream, file: TransportFile) => AsyncIterable<T>,
): AsyncGenerator<T> {
  const settleSeconds = options.settleSeconds ?? DEFAULT_SETTLE_SECONDS;
  // Read before listing: ages are then never overestimated by the time the listing took.
  const now = options.clock.now();
  const files = await transport.list(options.inboundFolder);
  for (const file of files) {
    if (options.signal?.aborted) return;
    if (isTemporaryName(file.name)) continue;
    const changing = stillChanging(file, now, settleSeconds);
    if (changing !== undefined) {
      options.log.debug(`inbound file ${file.name} left for a later poll: ${changing}`);
      continue;
    }
    if (options.accept && !(await options.accept(file, transport))) continue;
    let failure: Error | undefined;
    try {
      const stream = await transport.openRead(options.inboundFolder, file.name);
      try {
        yield* handle(stream, file);
      } finally {
        // A stream left unread (the consumer stopped early) is closed; its late errors are of no interest.
        stream.on('error', () => undefined);
        (stream as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
      }
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    if (failure === undefined) {
      await transport.move(options.inboundFolder, file.name, options.archiveFolder);
      options.log.debug(`inbound file ${file.name} processed and archived`);
    } else if (!(failure instanceof DropshipError && failure.code === 'invalid_input')) {
      throw failure;
    } else {
      options.log.warn(`inbound file ${file.name} moved to ${options.errorFolder}: ${failure.message}`);
      await transport.move(options.inboundFolder, file.name, options.errorFolder);
    }
  }
}
