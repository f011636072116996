import { DropshipError } from '../../core/errors';
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
  type CarrierApiSettings,
  type CarrierScanInput,
} from './carrier-http';
import type { CarrierConnector, CarrierTrackingResult } from '../../core/ports/carrier-connector';

export type DhlSettings = CarrierApiSettings;

const PRODUCTION = 'https://api-eu.dhl.com';

function readShipment(trackingNumber: string, shipment: Record<string, unknown>): CarrierTrackingResult {
  const events = asArray(shipment.events).map(asRecord);
  // Some services report only the current status, without an event history.
  const history = events.length > 0 ? events : [asRecord(shipment.status)];
  const scans: CarrierScanInput[] = history.map((event) => ({
    code: text(event.statusCode),
    description: [text(event.status), text(event.description)]
      .filter((part, i, all) => part && all.indexOf(part) === i)
      .join(' - '),
    occurredAt: isoInstant(text(event.timestamp)),
    location: placeName(asRecord(asRecord(event.location).address).addressLocality),
  }));
  return trackingResult('dhl', trackingNumber, scans, isoInstant(text(shipment.estimatedTimeOfDelivery)));
}

/** DHL Shipment Tracking - Unified (API key): GET /track/shipments?trackingNumber=..., one number per call. */
export const dhlConnector: CarrierConnector<DhlSettings> = {
  kind: 'dhl',
  title: 'DHL Shipment Tracking - Unified',
  description:
    'Polls DHL parcel status (Express, Parcel, eCommerce) with the unified tracking API and an API key.',
  settingsSchema: carrierSettingsSchema(PRODUCTION),
  credentialFields: [{ name: 'apiKey', label: 'API key', type: 'password' }],

  testConnection(ctx) {
    return lookupTest('DHL', () => dhlConnector.track(['00340434161094042557'], ctx));
  },

  async track(trackingNumbers, ctx) {
    const { apiKey } = requireCredentials('DHL', ctx.credentials, ['apiKey']);
    const base = baseUrl(ctx.settings, PRODUCTION);
    const results: CarrierTrackingResult[] = [];
    for (const number of trackingNumbers) {
      const reply = await carrierRequest(
        'DHL',
        {
          method: 'GET',
          url: `${base}/track/shipments`,
          params: { trackingNumber: number },
          headers: { 'DHL-API-Key': apiKey, Accept: 'application/json' },
        },
        ctx,
      );
      if (reply.status === 401)
        throw new DropshipError('configuration', 'DHL refused the API key (HTTP 401)');
      const shipment = asArray(asRecord(reply.data).shipments).map(asRecord)[0];
      results.push(
        reply.status === 404 || !shipment
          ? notFound(number, carrierMessage(reply.data))
          : readShipment(number, shipment),
      );
    }
    return results;
  },
};
