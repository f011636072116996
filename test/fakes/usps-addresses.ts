import { randomBytes } from 'node:crypto';
import { bearer, startHttpFake, type FakeReply, type HttpFake } from './http-fake';

/** A delivery point the fake USPS knows, as its Addresses 3.0 API standardises it. */
export interface FakeUspsAddress {
  streetAddress: string;
  secondaryAddress?: string;
  city: string;
  state: string;
  ZIPCode: string;
  ZIPPlus4: string;
  /** Y (deliverable), D (unit missing), S (unit unknown), N (not deliverable). */
  DPVConfirmation: 'Y' | 'D' | 'S' | 'N';
}

export interface FakeUspsAddresses extends HttpFake {
  clientId: string;
  clientSecret: string;
  addAddress(address: FakeUspsAddress): void;
  tokenCalls(): number;
}

const normal = (text: string | null | undefined): string =>
  (text ?? '').toUpperCase().replace(/\s+/g, ' ').trim();

/**
 * USPS Addresses 3.0 on 127.0.0.1: POST /oauth2/v3/token (client credentials in a JSON body, answered as USPS
 * does, `expires_in` 28799) and GET /addresses/v3/address?streetAddress=…&state=…[&city=…&ZIPCode=…] with a
 * bearer token. `streetAddress` and `state` are required (400 otherwise); an address it does not know is a 404 with
 * USPS's error body; a known one is answered with `address`, `additionalInfo.DPVConfirmation`, `corrections` and
 * `matches`.
 */
export async function startFakeUspsAddresses(): Promise<FakeUspsAddresses> {
  const clientId = `client-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(12).toString('hex');
  const tokens = new Set<string>();
  const known: FakeUspsAddress[] = [];
  let tokenCalls = 0;
  const uspsError = (status: number, message: string): FakeReply => ({
    status,
    body: {
      apiVersion: 'v3',
      error: {
        code: String(status),
        message,
        errors: [{ status: String(status), code: String(status), title: message }],
      },
    },
  });

  const fake = await startHttpFake((request) => {
    if (request.method === 'POST' && request.path === '/oauth2/v3/token') {
      tokenCalls += 1;
      const body = JSON.parse(request.body || '{}') as Record<string, string | undefined>;
      if (
        body.grant_type !== 'client_credentials' ||
        body.client_id !== clientId ||
        body.client_secret !== clientSecret
      )
        return {
          status: 401,
          body: { error: 'invalid_client', error_description: 'Client authentication failed' },
        };
      const token = randomBytes(24).toString('base64url');
      tokens.add(token);
      return {
        status: 200,
        body: {
          access_token: token,
          token_type: 'Bearer',
          issued_at: Date.now(),
          expires_in: 28799,
          status: 'approved',
          scope: 'addresses',
          issuer: 'api.usps.com',
          client_id: clientId,
        },
      };
    }
    if (request.method !== 'GET' || request.path !== '/addresses/v3/address')
      return uspsError(404, `no route ${request.path}`);
    const token = bearer(request);
    if (!token || !tokens.has(token)) return uspsError(401, 'Unauthorized');
    const street = normal(request.query.get('streetAddress'));
    const state = normal(request.query.get('state'));
    if (!street || !state) return uspsError(400, `${street ? 'state' : 'streetAddress'} is required`);
    const zip = normal(request.query.get('ZIPCode'));
    const city = normal(request.query.get('city'));
    const match = known.find(
      (a) =>
        normal(a.streetAddress) === street &&
        normal(a.state) === state &&
        (!zip || a.ZIPCode === zip) &&
        (!city || normal(a.city) === city),
    );
    if (!match) return uspsError(404, 'Address Not Found.');
    const secondary = normal(request.query.get('secondaryAddress'));
    const unitMissing = match.secondaryAddress !== undefined && secondary === '';
    const confirmation = unitMissing ? 'D' : match.DPVConfirmation;
    return {
      status: 200,
      body: {
        firm: '',
        address: {
          streetAddress: normal(match.streetAddress),
          streetAddressAbbreviation: '',
          secondaryAddress: secondary,
          cityAbbreviation: '',
          city: normal(match.city),
          state: match.state,
          ZIPCode: match.ZIPCode,
          ZIPPlus4: match.ZIPPlus4,
          urbanization: '',
        },
        additionalInfo: {
          deliveryPoint: '99',
          carrierRoute: 'C001',
          DPVConfirmation: confirmation,
          DPVCMRA: 'N',
          business: 'N',
          centralDeliveryPoint: 'N',
          vacant: 'N',
        },
        corrections: unitMissing
          ? [
              {
                code: '32',
                text: 'Default address: The address you entered was found but more information is needed (such as an apartment, suite, or box number) to match to a specific address.',
              },
            ]
          : [{ code: '', text: '' }],
        matches: [
          {
            code: confirmation === 'Y' ? '31' : '32',
            text: confirmation === 'Y' ? 'Single Response - exact match' : 'Default address',
          },
        ],
      },
    };
  });
  return {
    ...fake,
    clientId,
    clientSecret,
    addAddress: (address) => known.push(address),
    tokenCalls: () => tokenCalls,
  };
}
