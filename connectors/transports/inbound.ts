import { DropshipError } from '../../core/errors';
import type { ConnectorLog, FileTransport, TransportFile } from '../contract';
import { isTemporaryName } from './safe-path';

export interface InboundPollOptions {
  /** Where the supplier drops its files. */
  inboundFolder: string;
  /** Where a fully processed file is moved. */
  archiveFolder: string;
  /** Where a file that could not be processed is moved, so it does not block the others. */
  errorFolder: string;
  /** Which files this poll takes (a reader may leave files of another kind for another reader). */
  accept?(file: TransportFile, transport: FileTransport): Promise<boolean> | boolean;
  log: ConnectorLog;
  signal?: AbortSignal;
}

/**
 * Reads every file of the inbound folder, oldest first, through `handle`, which yields what it finds in the
 * stream. A file is archived only after `handle` finished it, so a crash or a consumer that stops early leaves
 * it in place to be read again (consumers must tolerate repeats: at least once). A file whose content is
 * invalid (`invalid_input`) is moved to the error folder with a warning and the poll goes on with the next
 * file; any other failure (connection lost) ends the poll and leaves the file for the next one.
 */
export async function* pollInboundFiles<T>(
  transport: FileTransport,
  options: InboundPollOptions,
  handle: (stream: NodeJS.ReadableStream, file: TransportFile) => AsyncIterable<T>,
): AsyncGenerator<T> {
  const files = await transport.list(options.inboundFolder);
  for (const file of files) {
    if (options.signal?.aborted) return;
    if (isTemporaryName(file.name)) continue;
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
