import type { ShipmentEvent } from '../model/shipment';
import { carrierFromDeclaration, detectCarrier, trackingUrlFor } from './carrier-detection';

/**
 * An event with its carrier as the one code used everywhere (ups, fedex, usps, dhl) and a tracking link: EDI and
 * cXML carry SCACs (UPSN, FDEG), suppliers write names, and carrier polling finds parcels by that code. A carrier
 * the number does not contradict wins (see detectCarrier); a number that fails its check digit keeps the declared
 * carrier's code; a carrier we do not know is kept as written, lower case.
 */
export function withCarrierDetected(event: ShipmentEvent): ShipmentEvent {
  const match = detectCarrier(event.trackingNumber, event.carrier);
  const declared = carrierFromDeclaration(event.carrier);
  const carrier = match?.carrier ?? declared ?? event.carrier?.toLowerCase();
  const trackingUrl =
    event.trackingUrl ??
    match?.trackingUrl ??
    (declared ? trackingUrlFor(declared, event.trackingNumber) : undefined);
  return {
    ...event,
    ...(carrier ? { carrier } : {}),
    ...(trackingUrl ? { trackingUrl } : {}),
  };
}
