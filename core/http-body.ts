import { DropshipError } from './errors';

/** Deeper nesting than any storefront sends: refused before it can cost anything. */
const MAX_DEPTH = 32;

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const child of Object.values(value as Record<string, unknown>)) {
    max = Math.max(max, depthOf(child, depth + 1));
    if (max > MAX_DEPTH) break;
  }
  return max;
}

/** Far above a 500-line storefront order (the schema's limit), far below what parsing could cost a process. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The JSON text with every integer beyond 2^53 written as a string: JSON.parse would round it, and storefronts
 * send ids that large as bare numbers (Shopify's order and line item ids in refunds and order edits).
 */
function quoteLargeIntegers(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      // Skip the string, escapes included.
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c !== '-' && (c < '0' || c > '9')) continue;
    let end = i + 1;
    while (end < text.length && /[0-9.eE+-]/.test(text[end]!)) end++;
    const token = text.slice(i, end);
    if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
      out += `${text.slice(copied, i)}"${token}"`;
      copied = end;
    }
    i = end - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Parses a webhook body as JSON, bounded in size and depth, with errors that say what is wrong with it. With
 * `exactIntegers`, integers beyond 2^53 come back as strings of their digits instead of rounded numbers.
 */
export function parseJsonBody(rawBody: Buffer, options: { exactIntegers?: boolean } = {}): unknown {
  if (rawBody.length === 0)
    throw new DropshipError('invalid_input', 'the body is empty', [{ path: '', message: 'is empty' }]);
  if (rawBody.length > MAX_BODY_BYTES) {
    throw new DropshipError(
      'invalid_input',
      `the body is ${rawBody.length} bytes, more than the ${MAX_BODY_BYTES} an order may take`,
      [{ path: '', message: `is larger than ${MAX_BODY_BYTES} bytes` }],
    );
  }
  let parsed: unknown;
  try {
    const text = rawBody.toString('utf8');
    parsed = JSON.parse(options.exactIntegers ? quoteLargeIntegers(text) : text);
  } catch (err) {
    throw new DropshipError('invalid_input', `the body is not JSON: ${(err as Error).message}`, [
      { path: '', message: 'is not JSON' },
    ]);
  }
  if (depthOf(parsed) > MAX_DEPTH) {
    throw new DropshipError('invalid_input', `the body nests deeper than ${MAX_DEPTH} levels`, [
      { path: '', message: 'nests too deep' },
    ]);
  }
  return parsed;
}
