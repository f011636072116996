import {
  asArray,
  asRecord,
  baseUrl,
  carrierMessage,
  carrierRequest,
  carrierSettingsSchema,
  isoInstant,
  lookupTest,
  notFound,
  placeName,
  requireCredentials,
  text,
  trackingResult,
  withBearerToken,
  type CarrierApiSettings,
  type CarrierScanInput,
  type TokenRequest,
} from './carrier-http';
import type { CarrierConnector, CarrierTrackingResult } from '../../core/ports/carrier-connector';

export type UspsSettings = CarrierApiSettings;

export const USPS_PRODUCTION = 'https://apis.usps.com';
const PRODUCTION = USPS_PRODUCTION;

/**
 * The OAuth 2.0 client-credentials token request of every USPS API (POST /oauth2/v3/token with a JSON body), which
 * the tracking and the addresses APIs share.
 */
export function uspsTokenRequest(base: string, clientId: string, clientSecret: string): TokenRequest {
  return {
    carrier: 'USPS',
    cacheKey: `${base}/oauth2/v3/token ${clientId}`,
    request: {
      url: `${base}/oauth2/v3/token`,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      data: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
    },
  };
}

/** GMTTimestamp is the instant; otherwise the local eventTimestamp with the GMTOffset beside it. */
function eventInstant(event: Record<string, unknown>): string | undefined {
  const gmt = text(event.GMTTimestamp);
  if (gmt) return isoInstant(/[zZ]|[+-]\d{2}:\d{2}$/.test(gmt) ? gmt : `${gmt}Z`);
  const local = text(event.eventTimestamp);
  const offset = text(event.GMTOffset);
  if (!local) return undefined;
  if (/[zZ]|[+-]\d{2}:\d{2}$/.test(local)) return isoInstant(local);
  return isoInstant(`${local}${offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : 'Z'}`);
}

function readTracking(trackingNumber: string, body: Record<string, unknown>): CarrierTrackingResult {
  const scans: CarrierScanInput[] = asArray(body.trackingEvents).map((entry) => {
    const event = asRecord(entry);
    return {
      code: text(event.eventCode),
      description: text(event.eventType),
      occurredAt: eventInstant(event),
      location: placeName(event.eventCity, event.eventState, event.eventCountry),
    };
  });
  return trackingResult('usps', trackingNumber, scans, undefined);
}

/** USPS Tracking 3.0 (OAuth client credentials): GET /tracking/v3/tracking/{trackingNumber}?expand=DETAIL. */
export const uspsConnector: CarrierConnector<UspsSettings> = {
  kind: 'usps',
  title: 'USPS Tracking 3.0',
  description: 'Polls USPS parcel status with the Tracking 3.0 API (OAuth 2.0 client credentials).',
  settingsSchema: carrierSettingsSchema(PRODUCTION),
  credentialFields: [
    { name: 'clientId', label: 'Consumer key (client ID)', type: 'text' },
    { name: 'clientSecret', label: 'Consumer secret (client secret)', type: 'password' },
  ],

  testConnection(ctx) {
    return lookupTest('USPS', () => uspsConnector.track(['9400100000000000000000'], ctx));
  },

  async track(trackingNumbers, ctx) {
    const { clientId, clientSecret } = requireCredentials('USPS', ctx.credentials, [
      'clientId',
      'clientSecret',
    ]);
    const base = baseUrl(ctx.settings, PRODUCTION);
    const token = uspsTokenRequest(base, clientId, clientSecret);
    const results: CarrierTrackingResult[] = [];
    for (const number of trackingNumbers) {
      const reply = await withBearerToken(token, ctx, (accessToken) =>
        carrierRequest(
          'USPS',
          {
            method: 'GET',
            url: `${base}/tracking/v3/tracking/${encodeURIComponent(number)}`,
            params: { expand: 'DETAIL' },
            headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
          },
          ctx,
        ),
      );
      results.push(
        reply.status === 404
          ? notFound(number, carrierMessage(reply.data))
          : readTracking(number, asRecord(reply.data)),
      );
    }
    return results;
  },
};
