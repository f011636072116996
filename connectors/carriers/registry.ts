import { DropshipError } from '../../core/errors';
import { CARRIER_CODES, type CarrierCode } from '../../core/tracking/carrier-detection';
import type { CarrierConnector } from '../../core/ports/carrier-connector';
import { dhlConnector } from './dhl';
import { fedexConnector } from './fedex';
import { upsConnector } from './ups';
import { uspsConnector } from './usps';

const CARRIER_CONNECTORS: Record<CarrierCode, CarrierConnector<never>> = {
  ups: upsConnector,
  fedex: fedexConnector,
  usps: uspsConnector,
  dhl: dhlConnector,
};

/** Every carrier tracking connector the package ships, one per carrier code of carrier-detection. */
export function carrierConnectors(): readonly CarrierConnector[] {
  return CARRIER_CODES.map((code) => CARRIER_CONNECTORS[code] as unknown as CarrierConnector);
}

export function carrierConnector(kind: string): CarrierConnector {
  const found = carrierConnectors().find((c) => c.kind === kind);
  if (!found) {
    throw new DropshipError(
      'configuration',
      `unknown carrier "${kind}" (known: ${CARRIER_CODES.join(', ')})`,
    );
  }
  return found;
}
