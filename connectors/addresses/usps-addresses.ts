import type { Address } from '../../core/model/order';
import type { AddressValidator, AddressVerdict } from '../../core/ports/address-validator';
import type { CarrierContext } from '../../core/ports/carrier-connector';
import {
  asArray,
  asRecord,
  baseUrl,
  carrierMessage,
  carrierRequest,
  requireCredentials,
  text,
  withBearerToken,
  type CarrierApiSettings,
} from '../carriers/carrier-http';
import { USPS_PRODUCTION, uspsTokenRequest } from '../carriers/usps';

/** USPS Addresses 3.0 settings: the API host (production, the test environment or a local fake) and a timeout. */
export type UspsAddressSettings = CarrierApiSettings;

/** DPV confirmation codes (Delivery Point Validation) and what they mean for a parcel. */
const DPV_WORDS: Record<string, string | undefined> = {
  Y: undefined,
  D: 'the building is known but the apartment or suite number is missing',
  S: 'the building is known but the apartment or suite number is not',
  N: 'USPS cannot deliver to this address',
};

/** The ZIP code as USPS takes it: five digits (a ZIP+4 is cut to its first five). */
function zip5(postalCode: string | undefined): string | undefined {
  const digits = /^(\d{5})/.exec(postalCode?.trim() ?? '');
  return digits?.[1];
}

/**
 * USPS Addresses 3.0 (`GET /addresses/v3/address`, OAuth 2.0 client credentials from `/oauth2/v3/token`, the
 * token cached until shortly before it expires): standardises a US address and says whether it is a delivery
 * point (`additionalInfo.DPVConfirmation` Y; D and S: the unit is missing or unknown; N: not deliverable). An
 * address USPS cannot find (404) is not deliverable; outages and refused credentials throw.
 */
export function uspsAddressValidator(ctx: CarrierContext<UspsAddressSettings>): AddressValidator {
  return {
    name: 'USPS',
    countries: ['US', 'PR', 'VI', 'GU', 'AS', 'MP'],
    async verify(address: Address, signal?: AbortSignal): Promise<AddressVerdict> {
      const { clientId, clientSecret } = requireCredentials('USPS', ctx.credentials, [
        'clientId',
        'clientSecret',
      ]);
      const base = baseUrl(ctx.settings, USPS_PRODUCTION);
      const call = { ...ctx, signal: signal ?? ctx.signal };
      const params: Record<string, string> = { streetAddress: address.line1 };
      if (address.line2) params.secondaryAddress = address.line2;
      if (address.city) params.city = address.city;
      if (address.region) params.state = address.region.toUpperCase();
      const zip = zip5(address.postalCode);
      if (zip) params.ZIPCode = zip;
      const reply = await withBearerToken(
        uspsTokenRequest(base, clientId, clientSecret),
        call,
        (accessToken) =>
          carrierRequest(
            'USPS',
            {
              method: 'GET',
              url: `${base}/addresses/v3/address`,
              params,
              headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
            },
            call,
          ),
      );
      if (reply.status === 404)
        return { deliverable: false, reason: carrierMessage(reply.data) ?? 'USPS does not know the address' };
      const body = asRecord(reply.data);
      const dpv = text(asRecord(body.additionalInfo).DPVConfirmation);
      if (dpv === 'Y') return { deliverable: true };
      const correction = text(asRecord(asArray(body.corrections)[0]).text);
      return {
        deliverable: false,
        reason: (dpv ? DPV_WORDS[dpv] : undefined) ?? correction ?? 'USPS did not confirm a delivery point',
      };
    },
  };
}
