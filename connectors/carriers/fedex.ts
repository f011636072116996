import {
  asArray,
  asRecord,
  baseUrl,
  carrierRequest,
  carrierSettingsSchema,
  chunks,
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
} from './carrier-http';
import type { CarrierConnector, CarrierTrackingResult } from '../../core/ports/carrier-connector';

export type FedexSettings = CarrierApiSettings;

const PRODUCTION = 'https://apis.fedex.com';
/** The Track API accepts up to 30 tracking numbers per request. */
const NUMBERS_PER_REQUEST = 30;

/** Reads one output.completeTrackResults[].trackResults[] entry. */
function readTrackResult(trackingNumber: string, result: Record<string, unknown>): CarrierTrackingResult {
  const error = asRecord(result.error);
  if (text(error.code)) return notFound(trackingNumber, text(error.message) ?? text(error.code));
  const scans: CarrierScanInput[] = asArray(result.scanEvents).map((entry) => {
    const scan = asRecord(entry);
    const where = asRecord(scan.scanLocation);
    return {
      code: text(scan.derivedStatusCode) ?? text(scan.eventType),
      description: [text(scan.eventDescription), text(scan.exceptionDescription)].filter(Boolean).join(' - '),
      occurredAt: isoInstant(text(scan.date)),
      location: placeName(where.city, where.stateOrProvinceCode, where.countryCode),
    };
  });
  const dates = asArray(result.dateAndTimes).map(asRecord);
  const estimate =
    text(dates.find((d) => d.type === 'ESTIMATED_DELIVERY')?.dateTime) ??
    text(asRecord(asRecord(result.estimatedDeliveryTimeWindow).window).ends);
  return trackingResult('fedex', trackingNumber, scans, isoInstant(estimate));
}

/** FedEx Track API (OAuth client credentials): POST /track/v1/trackingnumbers with detailed scans. */
export const fedexConnector: CarrierConnector<FedexSettings> = {
  kind: 'fedex',
  title: 'FedEx Track API',
  description:
    'Polls FedEx parcel status with the Track API (OAuth 2.0 client credentials), 30 numbers per call.',
  settingsSchema: carrierSettingsSchema(PRODUCTION),
  credentialFields: [
    { name: 'clientId', label: 'API key (client ID)', type: 'text' },
    { name: 'clientSecret', label: 'Secret key (client secret)', type: 'password' },
  ],

  testConnection(ctx) {
    return lookupTest('FedEx', () => fedexConnector.track(['123456789012'], ctx));
  },

  async track(trackingNumbers, ctx) {
    const { clientId, clientSecret } = requireCredentials('FedEx', ctx.credentials, [
      'clientId',
      'clientSecret',
    ]);
    const base = baseUrl(ctx.settings, PRODUCTION);
    const token = {
      carrier: 'FedEx',
      cacheKey: `${base}/oauth/token ${clientId}`,
      request: {
        url: `${base}/oauth/token`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        data: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }).toString(),
      },
    };
    const results: CarrierTrackingResult[] = [];
    for (const batch of chunks(trackingNumbers, NUMBERS_PER_REQUEST)) {
      const reply = await withBearerToken(token, ctx, (accessToken) =>
        carrierRequest(
          'FedEx',
          {
            method: 'POST',
            url: `${base}/track/v1/trackingnumbers`,
            headers: {
              Authorization: `Bearer ${accessToken}`,
              'Content-Type': 'application/json',
              Accept: 'application/json',
              'X-locale': 'en_US',
            },
            data: {
              includeDetailedScans: true,
              trackingInfo: batch.map((trackingNumber) => ({ trackingNumberInfo: { trackingNumber } })),
            },
          },
          ctx,
        ),
      );
      const complete = asArray(asRecord(asRecord(reply.data).output).completeTrackResults).map(asRecord);
      for (const number of batch) {
        const entry = complete.find((c) => c.trackingNumber === number);
        // With several results per number (a reused number), the first is the current parcel.
        const first = asArray(entry?.trackResults).map(asRecord)[0];
        results.push(
          first ? readTrackResult(number, first) : notFound(number, 'FedEx returned no result for it'),
        );
      }
    }
    return results;
  },
};
