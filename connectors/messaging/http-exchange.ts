import axios, { AxiosError, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { parseRetryAfter } from '../suppliers/rest-json/rest-json';

export interface HttpExchangeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  now: Date;
  /** The error to throw when the partner cannot answer now: no connection, 429 or 5xx. */
  unavailable: (message: string, retryAfterMs: number | undefined, cause?: unknown) => Error;
}

export interface HttpReply {
  status: number;
  data: unknown;
  headers: AxiosResponse['headers'];
}

/**
 * One HTTP exchange with a third party (carrier, SMS gateway, storefront). Outages (no connection, 429, 5xx)
 * become the caller's "unavailable" error with the Retry-After wait; every other reply comes back for the caller
 * to read, because what a 401, 404 or 422 means differs between APIs.
 */
export async function httpExchange(
  partner: string,
  config: AxiosRequestConfig,
  options: HttpExchangeOptions,
): Promise<HttpReply> {
  let reply: AxiosResponse<unknown>;
  try {
    reply = await axios.request<unknown>({
      timeout: options.timeoutMs ?? 15_000,
      signal: options.signal,
      maxRedirects: 0,
      validateStatus: () => true,
      ...config,
    });
  } catch (err) {
    const code = err instanceof AxiosError ? (err.code ?? err.message) : String(err);
    throw options.unavailable(`${partner} did not answer (${code})`, undefined, err);
  }
  if (reply.status === 429 || reply.status >= 500) {
    throw options.unavailable(
      `${partner} answered HTTP ${reply.status}`,
      parseRetryAfter(reply.headers['retry-after'], options.now),
    );
  }
  return { status: reply.status, data: reply.data, headers: reply.headers };
}
