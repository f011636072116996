import { randomUUID } from 'node:crypto';
import {
  asArray,
  asRecord,
  baseUrl,
  carrierMessage,
  carrierRequest,
  carrierSettingsSchema,
  dateOnlyAsInstant,
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

export interface UpsSettings extends CarrierApiSettings {
  /** Sent as the transactionSrc header UPS requires, naming the calling application. */
  transactionSource?: string;
}

const PRODUCTION = 'https://onlinetools.ups.com';

/** "20261121" + "143005" + "-05:00" -> the instant; UPS gives local date and time with the offset beside them. */
function activityInstant(activity: Record<string, unknown>): string | undefined {
  const date = text(activity.date);
  const time = text(activity.time)?.padStart(6, '0');
  if (!date || !time || !/^\d{8}$/.test(date) || !/^\d{6}$/.test(time)) return undefined;
  const offset = text(activity.gmtOffset);
  const local = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}`;
  return isoInstant(`${local}${offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : 'Z'}`);
}

/** Reads one package of a Track API reply (trackResponse.shipment[].package[]). */
function readPackage(trackingNumber: string, pkg: Record<string, unknown>): CarrierTrackingResult {
  const scans: CarrierScanInput[] = asArray(pkg.activity).map((entry) => {
    const activity = asRecord(entry);
    const status = asRecord(activity.status);
    const address = asRecord(asRecord(activity.location).address);
    return {
      code: text(status.type),
      description: text(status.description) ?? text(status.simplifiedTextDescription),
      occurredAt: activityInstant(activity),
      location: placeName(address.city, address.stateProvince, address.countryCode ?? address.country),
    };
  });
  // SDD scheduled, RDD rescheduled (the later word wins); DEL is the delivery itself, not an estimate.
  const dates = asArray(pkg.deliveryDate).map(asRecord);
  const estimate = dates.find((d) => d.type === 'RDD') ?? dates.find((d) => d.type === 'SDD');
  return trackingResult('ups', trackingNumber, scans, dateOnlyAsInstant(text(estimate?.date)));
}

/** UPS Track API (OAuth client credentials): GET /api/track/v1/details/{inquiryNumber}, one number per call. */
export const upsConnector: CarrierConnector<UpsSettings> = {
  kind: 'ups',
  title: 'UPS Track API',
  description: 'Polls UPS parcel status with the Track API (OAuth 2.0 client credentials).',
  settingsSchema: carrierSettingsSchema(PRODUCTION, {
    transactionSource: {
      type: 'string',
      maxLength: 64,
      default: 'node-red-contrib-dropship',
      title: 'Transaction source',
    },
  }),
  credentialFields: [
    { name: 'clientId', label: 'Client ID', type: 'text' },
    { name: 'clientSecret', label: 'Client secret', type: 'password' },
  ],

  testConnection(ctx) {
    return lookupTest('UPS', () => upsConnector.track(['1Z999AA10123456784'], ctx));
  },

  async track(trackingNumbers, ctx) {
    const { clientId, clientSecret } = requireCredentials('UPS', ctx.credentials, [
      'clientId',
      'clientSecret',
    ]);
    const base = baseUrl(ctx.settings, PRODUCTION);
    const token = {
      carrier: 'UPS',
      cacheKey: `${base}/security/v1/oauth/token ${clientId}`,
      request: {
        url: `${base}/security/v1/oauth/token`,
        auth: { username: clientId, password: clientSecret },
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        data: 'grant_type=client_credentials',
      },
    };
    const results: CarrierTrackingResult[] = [];
    for (const number of trackingNumbers) {
      const reply = await withBearerToken(token, ctx, (accessToken) =>
        carrierRequest(
          'UPS',
          {
            method: 'GET',
            url: `${base}/api/track/v1/details/${encodeURIComponent(number)}`,
            params: { locale: 'en_US', returnSignature: 'false' },
            headers: {
              Authorization: `Bearer ${accessToken}`,
              Accept: 'application/json',
              transId: randomUUID().replace(/-/g, '').slice(0, 32),
              transactionSrc: ctx.settings.transactionSource ?? 'node-red-contrib-dropship',
            },
          },
          ctx,
        ),
      );
      if (reply.status === 404) {
        results.push(notFound(number, carrierMessage(reply.data)));
        continue;
      }
      const shipment = asRecord(asArray(asRecord(asRecord(reply.data).trackResponse).shipment)[0]);
      const pkg = asArray(shipment.package).map(asRecord)[0];
      results.push(
        pkg ? readPackage(number, pkg) : notFound(number, carrierMessage({ errors: shipment.warnings })),
      );
    }
    return results;
  },
};
