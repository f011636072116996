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

/** Parses a webhook body as JSON, bounded in size and depth, with errors that say what is wrong with it. */
export function parseJsonBody(rawBody: Buffer): unknown {
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
    parsed = JSON.parse(rawBody.toString('utf8'));
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
