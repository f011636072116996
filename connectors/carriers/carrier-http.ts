import { createHash } from 'node:crypto';
import type { AxiosRequestConfig } from 'axios';
import { AccessTokenCache } from '../oauth-token-cache';
import { DropshipError } from '../../core/errors';
import type { ShipmentEvent } from '../../core/model/shipment';
import { trackingUrlFor, type CarrierCode } from '../../core/tracking/carrier-detection';
import { normaliseCarrierStatus } from '../../core/tracking/status-vocabulary';
import { httpExchange } from '../messaging/http-exchange';
import {
  CarrierUnavailableError,
  carrierSource,
  type CarrierContext,
  type CarrierTrackingResult,
} from '../../core/ports/carrier-connector';

export interface CarrierReply {
  status: number;
  data: unknown;
}

/**
 * One HTTP exchange with a carrier. Replies the caller must read (2xx, 404 "not found", 401 "token expired") come
 * back; outages become CarrierUnavailableError; anything else the carrier refused becomes a DropshipError that
 * names the carrier and its message.
 */
export async function carrierRequest(
  carrier: string,
  config: AxiosRequestConfig,
  ctx: CarrierContext<{ timeoutMs?: number }>,
): Promise<CarrierReply> {
  const { status, data } = await httpExchange(carrier, config, {
    timeoutMs: ctx.settings.timeoutMs,
    signal: ctx.signal,
    now: ctx.clock.now(),
    unavailable: (message, retryAfterMs, cause) =>
      new CarrierUnavailableError(message, retryAfterMs, { cause }),
  });
  if (status >= 400 && status !== 401 && status !== 404) {
    throw new DropshipError(
      status === 403 ? 'configuration' : 'invalid_input',
      `${carrier} refused the request with HTTP ${status}: ${carrierMessage(data) ?? 'no message'}`,
    );
  }
  return { status, data };
}

/** The first human message in the error shapes carriers use (UPS response.errors, FedEx errors, DHL problem+json). */
export function carrierMessage(data: unknown): string | undefined {
  const body = asRecord(data);
  const candidates = [
    asRecord(asRecord(body.response).errors ? asArray(asRecord(body.response).errors)[0] : undefined).message,
    asRecord(asArray(body.errors)[0]).message,
    body.detail,
    body.error_description,
    body.message,
    asRecord(body.error).message,
    body.title,
  ];
  const found = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  return found?.slice(0, 300);
}

const tokens = new AccessTokenCache();

export interface TokenRequest {
  carrier: string;
  /** Identifies the cache entry: token URL and client id. */
  cacheKey: string;
  request: AxiosRequestConfig;
}

/**
 * The cache entry of a token: the connector's key plus a digest of the secret it was fetched with, so a changed
 * secret (a connection test of a new one, a rotation) fetches its own token instead of reusing the old one's.
 */
function cacheKeyOf(token: TokenRequest): string {
  const secret = JSON.stringify([token.request.auth ?? null, token.request.data ?? null]);
  return `${token.cacheKey} ${createHash('sha256').update(secret).digest('base64url').slice(0, 16)}`;
}

async function bearerToken(
  token: TokenRequest,
  ctx: CarrierContext<{ timeoutMs?: number }>,
): Promise<string> {
  return tokens.token(
    cacheKeyOf(token),
    ctx.clock.now(),
    async () => {
      const reply = await carrierRequest(token.carrier, { method: 'POST', ...token.request }, ctx);
      if (reply.status !== 200) {
        throw new DropshipError(
          'configuration',
          `${token.carrier} refused the API credentials (HTTP ${reply.status}: ${carrierMessage(reply.data) ?? 'no message'})`,
        );
      }
      ctx.log.debug(`${token.carrier}: new access token`);
      return reply.data;
    },
    (reason) => new DropshipError('configuration', `${token.carrier}: ${reason}`),
  );
}

/**
 * Calls a carrier API with an OAuth client-credentials bearer token, cached until shortly before it expires. A
 * 401 means the carrier revoked the token early: fetch a new one and try once more.
 */
export async function withBearerToken(
  token: TokenRequest,
  ctx: CarrierContext<{ timeoutMs?: number }>,
  call: (accessToken: string) => Promise<CarrierReply>,
): Promise<CarrierReply> {
  const first = await call(await bearerToken(token, ctx));
  if (first.status !== 401) return first;
  tokens.forget(cacheKeyOf(token));
  const second = await call(await bearerToken(token, ctx));
  if (second.status === 401) {
    throw new DropshipError('configuration', `${token.carrier} refused a fresh access token (HTTP 401)`);
  }
  return second;
}

/**
 * A carrier account's connection test: one tracking lookup (after the token fetch for OAuth carriers). Any
 * answer, "not found" included, shows the address and the credentials work; a refusal throws.
 */
export async function lookupTest(
  carrier: string,
  track: () => Promise<CarrierTrackingResult[]>,
): Promise<string> {
  const [result] = await track();
  return `${carrier} accepted the credentials and answered a tracking lookup${result?.found ? '' : ' (the test number is unknown to it, as expected)'}.`;
}

export function requireCredentials<Name extends string>(
  carrier: string,
  credentials: Record<string, string | undefined>,
  names: Name[],
): Record<Name, string> {
  const missing = names.filter((n) => !credentials[n]);
  if (missing.length > 0) {
    throw new DropshipError(
      'configuration',
      `${carrier} credentials missing: ${missing.join(', ')}`,
      missing.map((n) => ({ path: `/credentials/${n}`, message: 'is required' })),
    );
  }
  return Object.fromEntries(names.map((n) => [n, credentials[n] as string])) as Record<Name, string>;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** "Louisville, KY, US" from whichever parts a carrier gives. */
export function placeName(...parts: unknown[]): string | undefined {
  const joined = parts
    .map(text)
    .filter((p): p is string => p !== undefined)
    .join(', ');
  return joined === '' ? undefined : joined.slice(0, 200);
}

/** An ISO instant from a carrier's timestamp, or undefined when it is not one. */
export function isoInstant(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * A delivery date without a time as an instant at noon UTC: the same calendar day in every timezone from UTC-11
 * to UTC+11, so a customer never sees the day before or after the carrier's estimate.
 */
export function dateOnlyAsInstant(yyyyMmDd: string | undefined): string | undefined {
  const match = yyyyMmDd ? /^(\d{4})-?(\d{2})-?(\d{2})/.exec(yyyyMmDd) : null;
  return match ? isoInstant(`${match[1]}-${match[2]}-${match[3]}T12:00:00Z`) : undefined;
}

export interface CarrierScanInput {
  code?: string;
  description?: string;
  occurredAt?: string;
  location?: string;
}

/**
 * Builds the result for one number from the carrier's scans: each scan normalised (code sharpened by its words),
 * the carrier's words kept, oldest first; scans without a usable time or status are reported, not invented.
 */
export function trackingResult(
  carrier: CarrierCode,
  trackingNumber: string,
  scans: CarrierScanInput[],
  estimatedDelivery: string | undefined,
): CarrierTrackingResult {
  const events: ShipmentEvent[] = [];
  const unrecognisedStatuses: string[] = [];
  const trackingUrl = trackingUrlFor(carrier, trackingNumber);
  for (const scan of scans) {
    const rawStatus = [scan.code, scan.description].filter(Boolean).join(': ').slice(0, 200);
    const status = normaliseCarrierStatus(scan.code, scan.description, carrier);
    if (!status || !scan.occurredAt) {
      unrecognisedStatuses.push(rawStatus || '(empty scan)');
      continue;
    }
    events.push({
      carrier,
      trackingNumber,
      trackingUrl,
      status,
      rawStatus,
      occurredAt: scan.occurredAt,
      location: scan.location,
      estimatedDelivery,
      source: carrierSource(carrier),
    });
  }
  events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  return { trackingNumber, found: true, events, estimatedDelivery, unrecognisedStatuses };
}

export function notFound(trackingNumber: string, message: string | undefined): CarrierTrackingResult {
  return { trackingNumber, found: false, events: [], unrecognisedStatuses: [], message };
}

/** Splits numbers into the batches an API accepts per call. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Settings every carrier connector shares. */
export interface CarrierApiSettings {
  /** API host; the carrier's production host by default, its sandbox or a local fake in tests. */
  baseUrl?: string;
  timeoutMs?: number;
}

export function carrierSettingsSchema(
  defaultBaseUrl: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      baseUrl: {
        type: 'string',
        format: 'uri',
        pattern: '^https?://',
        default: defaultBaseUrl,
        title: 'API base URL',
      },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, default: 15000, title: 'Timeout (ms)' },
      ...extra,
    },
    additionalProperties: false,
  };
}

export function baseUrl(settings: CarrierApiSettings, fallback: string): string {
  return (settings.baseUrl ?? fallback).replace(/\/+$/, '');
}
