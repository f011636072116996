import { createHmac } from 'node:crypto';

/** A JSON body signed as the inbound routes expect by default: base64 HMAC-SHA256 in X-Dropship-Signature. */
export function signedJson(
  payload: unknown,
  secret: string,
  header = 'X-Dropship-Signature',
): { body: string; headers: Record<string, string> } {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      [header]: createHmac('sha256', secret).update(body).digest('base64'),
    },
  };
}
