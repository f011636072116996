import { X12Tokenizer } from './tokenizer';

/** How much of a file we read to find its first GS: an ISA is 106 characters, a GS rarely more than 100. */
const PEEK_LIMIT = 16 * 1024;

/**
 * The GS01 functional id of the first group of an X12 stream (PR, SH, IB, IN, FA...), read from its first few
 * kilobytes only; undefined when the input is not X12 or has no GS there. The stream is destroyed afterwards.
 */
export async function peekFunctionalId(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  let found: string | undefined;
  let stop = false;
  const tokenizer = new X12Tokenizer({
    segment: (segment) => {
      if (segment[0] === 'GS') found ??= segment[1] ?? '';
      if (segment[0] !== 'ISA') stop = true;
    },
    fatal: () => {
      stop = true;
    },
  });
  let read = 0;
  try {
    for await (const chunk of stream) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
      tokenizer.write(text);
      read += text.length;
      if (stop || read >= PEEK_LIMIT) break;
    }
    if (!stop) tokenizer.end();
  } finally {
    stream.on('error', () => undefined);
    (stream as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
  }
  return found;
}
