import { DropshipError } from '../errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/**
 * Counts the items of every JSON array and the members of every object as the bytes arrive, and refuses the
 * body the moment one holds more than `maxItems`: a hostile `[1,1,…]` of 330,000 items is stopped a few KB in,
 * before anything is parsed or allocated for it. It reads structure only (strings are skipped, numbers and
 * literals are not checked): whether the text is valid JSON is the parser's business afterwards.
 */
export class JsonItemLimit {
  /** Items seen so far in each open container, innermost last; -1 while the container is still empty. */
  private readonly counts: number[] = [];
  private inString = false;
  private escaped = false;

  constructor(readonly maxItems: number) {}

  /** Throws DropshipError('invalid_input') once a container in the bytes so far holds more than maxItems. */
  feed(chunk: Uint8Array): void {
    const counts = this.counts;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (isJsonWhitespace(byte)) continue;
      const depth = counts.length;
      if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
        counts.pop();
        continue;
      }
      if (byte === COMMA) {
        if (depth > 0 && ++counts[depth - 1]! > this.maxItems) this.refuse();
        continue;
      }
      if (byte === COLON) continue;
      // Anything else begins a value (or a key): the first one makes an empty container hold one item.
      if (depth > 0 && counts[depth - 1] === -1) counts[depth - 1] = 1;
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) counts.push(-1);
    }
  }

  private refuse(): never {
    throw new DropshipError(
      'invalid_input',
      `the body holds a list or object of more than ${this.maxItems} items, more than one request may carry`,
      [{ path: '', message: `has more than ${this.maxItems} items in one list or object` }],
    );
  }
}
