import { invalidInput } from '../errors';
import type { ShipmentEvent } from '../model/shipment';
import {
  carrierFromDeclaration,
  detectCarrier,
  trackingNumberFault,
  trackingUrlFor,
} from './carrier-detection';

/**
 * What to do with a tracking number whose check digit fails: refuse it (invalid_input naming /trackingNumber),
 * or keep it as unverified, without a carrier or a link, so no customer is sent a link that leads nowhere.
 */
export type InvalidTrackingPolicy = 'refuse' | 'unverified';

/**
 * The event as it may be recorded under the policy: unchanged when its number is not proven wrong; refused or
 * stripped of carrier and link (with the reason in `unverified`) when its check digit fails.
 */
export function withTrackingNumberChecked(
  event: ShipmentEvent,
  policy: InvalidTrackingPolicy,
): ShipmentEvent {
  const fault = trackingNumberFault(event.trackingNumber, event.carrier);
  if (!fault) return event;
  if (policy === 'refuse')
    throw invalidInput('shipment event', [{ path: '/trackingNumber', message: fault }]);
  const unverified: ShipmentEvent = { ...event, unverified: fault };
  delete unverified.carrier;
  delete unverified.trackingUrl;
  return unverified;
}

/**
 * An event with its carrier as the one code used everywhere (ups, fedex, usps, dhl) and a tracking link: EDI and
 * cXML carry SCACs (UPSN, FDEG), suppliers write names, and carrier polling finds parcels by that code. A carrier
 * the number does not contradict wins (see detectCarrier); a number that fails its check digit keeps the declared
 * carrier's code; a carrier we do not know is kept as written, lower case.
 */
export function withCarrierDetected(event: ShipmentEvent): ShipmentEvent {
  if (event.unverified) return event;
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
