import { randomBytes } from 'node:crypto';
import {
  basicCredentials,
  bearer,
  startHttpFake,
  type FakeReply,
  type FakeRequest,
  type HttpFake,
} from './http-fake';

/**
 * Local stand-ins for the carriers' tracking APIs, answering in each carrier's published JSON shapes:
 * UPS Track API (developer.ups.com, Tracking.yaml), FedEx Track API v1, USPS Tracking 3.0 and DHL Shipment
 * Tracking - Unified. Each checks credentials the way its carrier does and issues expiring OAuth tokens.
 */

export interface FakeScan {
  /** Local time with its offset, e.g. "2026-11-20T09:15:00-05:00", as carriers record scans. */
  at: string;
  /** The carrier's status code (UPS status type, FedEx derived code, USPS event code, DHL statusCode). */
  code: string;
  description: string;
  city?: string;
  state?: string;
  country?: string;
}

export interface FakeParcel {
  trackingNumber: string;
  /** Oldest first; carriers answer newest first. */
  scans: FakeScan[];
  /** YYYY-MM-DD */
  estimatedDelivery?: string;
}

export interface FakeCarrier extends HttpFake {
  clientId: string;
  clientSecret: string;
  setParcel(parcel: FakeParcel): void;
  /** The next `count` tracking calls answer `status` (429, 503...) with these headers. */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** Invalidates every token issued so far, as when a carrier revokes them early. */
  revokeTokens(): void;
  trackingCalls(): FakeRequest[];
  tokenCalls(): FakeRequest[];
}

interface CarrierBehaviour {
  tokenPath: string;
  /** Credentials from the token request in the carrier's style, or undefined when they are not where it expects. */
  readCredentials(request: FakeRequest): { id: string; secret: string } | undefined;
  tokenReply(accessToken: string, clientId: string): unknown;
  badCredentials: FakeReply;
  isTrackingCall(request: FakeRequest): boolean;
  /** Validates the request and answers it; `authorised` tells whether its credentials are good. */
  track(request: FakeRequest, parcels: Map<string, FakeParcel>, authorised: boolean): FakeReply;
}

async function startFakeCarrier(behaviour: CarrierBehaviour): Promise<FakeCarrier> {
  const clientId = `client-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(12).toString('hex');
  const parcels = new Map<string, FakeParcel>();
  const validTokens = new Set<string>();
  const failures: { status: number; headers?: Record<string, string> }[] = [];

  const fake = await startHttpFake((request) => {
    if (request.method === 'POST' && request.path === behaviour.tokenPath) {
      const presented = behaviour.readCredentials(request);
      if (!presented || presented.id !== clientId || presented.secret !== clientSecret)
        return behaviour.badCredentials;
      const token = randomBytes(24).toString('base64url');
      validTokens.add(token);
      return { status: 200, body: behaviour.tokenReply(token, clientId) };
    }
    if (!behaviour.isTrackingCall(request))
      return { status: 404, body: { message: `no route ${request.path}` } };
    const failure = failures.shift();
    if (failure)
      return { status: failure.status, headers: failure.headers, body: { message: 'simulated outage' } };
    const token = bearer(request);
    const authorised = token !== undefined && validTokens.has(token);
    return behaviour.track(request, parcels, authorised);
  });

  return {
    ...fake,
    clientId,
    clientSecret,
    setParcel: (parcel) => parcels.set(parcel.trackingNumber, parcel),
    failNext: (count, status, headers) => {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    revokeTokens: () => validTokens.clear(),
    trackingCalls: () => fake.requests.filter((r) => behaviour.isTrackingCall(r)),
    tokenCalls: () => fake.requests.filter((r) => r.path === behaviour.tokenPath),
  };
}

/** "2026-11-20T09:15:00-05:00" -> its local date, time and offset, as carriers split them. */
function localParts(at: string): { date: string; time: string; offset: string; local: string } {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})$/.exec(at);
  if (!match) throw new Error(`fake scan time ${at} needs a date, a time and an offset`);
  const [, y, mo, d, h, mi, s, zone] = match;
  return {
    date: `${y}${mo}${d}`,
    time: `${h}${mi}${s}`,
    offset: zone === 'Z' ? '+00:00' : zone!,
    local: `${y}-${mo}-${d}T${h}:${mi}:${s}`,
  };
}

function newestFirst(parcel: FakeParcel): FakeScan[] {
  return [...parcel.scans].reverse();
}

function formField(request: FakeRequest, name: string): string | undefined {
  return new URLSearchParams(request.body).get(name) ?? undefined;
}

function isForm(request: FakeRequest): boolean {
  return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** UPS: token with HTTP Basic client credentials; GET /api/track/v1/details/{inquiryNumber} with transId. */
export function startFakeUps(): Promise<FakeCarrier> {
  const upsError = (status: number, code: string, message: string): FakeReply => ({
    status,
    body: { response: { errors: [{ code, message }] } },
  });
  return startFakeCarrier({
    tokenPath: '/security/v1/oauth/token',
    readCredentials: (request) => {
      const basic = basicCredentials(request);
      if (!basic || !isForm(request) || formField(request, 'grant_type') !== 'client_credentials')
        return undefined;
      return { id: basic.user, secret: basic.password };
    },
    tokenReply: (accessToken, clientId) => ({
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      client_id: clientId,
      access_token: accessToken,
      expires_in: '14399',
      status: 'approved',
    }),
    badCredentials: upsError(401, '10401', 'ClientId is Invalid'),
    isTrackingCall: (request) =>
      request.method === 'GET' && request.path.startsWith('/api/track/v1/details/'),
    track(request, parcels, authorised) {
      if (!authorised) return upsError(401, '250002', 'Invalid Authentication Information.');
      if (!request.headers.transid || !request.headers.transactionsrc) {
        return upsError(400, 'VSS000', 'Missing transId or transactionSrc header');
      }
      const number = request.path.slice('/api/track/v1/details/'.length);
      const parcel = parcels.get(number);
      if (!parcel) return upsError(404, '151044', 'Tracking Information Not Found');
      const activity = newestFirst(parcel).map((scan) => {
        const parts = localParts(scan.at);
        const utc = new Date(scan.at).toISOString();
        return {
          location: {
            address: {
              city: scan.city ?? '',
              stateProvince: scan.state ?? '',
              countryCode: scan.country ?? '',
              country: scan.country ?? '',
            },
            slic: '8566',
          },
          status: { type: scan.code, description: scan.description, code: 'XX', statusCode: '005' },
          date: parts.date,
          time: parts.time,
          gmtDate: utc.slice(0, 10).replace(/-/g, ''),
          gmtTime: utc.slice(11, 19),
          gmtOffset: parts.offset,
        };
      });
      return {
        status: 200,
        body: {
          trackResponse: {
            shipment: [
              {
                inquiryNumber: number,
                package: [
                  {
                    trackingNumber: number,
                    deliveryDate: parcel.estimatedDelivery
                      ? [{ type: 'SDD', date: parcel.estimatedDelivery.replace(/-/g, '') }]
                      : [],
                    activity,
                    currentStatus: activity[0]?.status,
                    packageCount: 1,
                  },
                ],
              },
            ],
          },
        },
      };
    },
  });
}

/** FedEx: token with form client_id/client_secret; POST /track/v1/trackingnumbers, at most 30 numbers. */
export function startFakeFedex(): Promise<FakeCarrier> {
  const fedexErrors = (status: number, code: string, message: string): FakeReply => ({
    status,
    body: { transactionId: randomBytes(8).toString('hex'), errors: [{ code, message }] },
  });
  return startFakeCarrier({
    tokenPath: '/oauth/token',
    readCredentials: (request) => {
      if (!isForm(request) || formField(request, 'grant_type') !== 'client_credentials') return undefined;
      const id = formField(request, 'client_id');
      const secret = formField(request, 'client_secret');
      return id && secret ? { id, secret } : undefined;
    },
    tokenReply: (accessToken) => ({
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: 3599,
      scope: 'CXS',
    }),
    badCredentials: fedexErrors(401, 'NOT.AUTHORIZED.ERROR', 'The given client credentials were not valid.'),
    isTrackingCall: (request) => request.method === 'POST' && request.path === '/track/v1/trackingnumbers',
    track(request, parcels, authorised) {
      if (!authorised) {
        return fedexErrors(
          401,
          'NOT.AUTHORIZED.ERROR',
          'Access token expired. Please modify your request and try again.',
        );
      }
      let body: {
        includeDetailedScans?: boolean;
        trackingInfo?: { trackingNumberInfo?: { trackingNumber?: string } }[];
      };
      try {
        body = JSON.parse(request.body) as typeof body;
      } catch {
        return fedexErrors(400, 'INVALID.INPUT.EXCEPTION', 'Invalid field value in the input');
      }
      const numbers = (body.trackingInfo ?? []).map((t) => t.trackingNumberInfo?.trackingNumber);
      if (numbers.length === 0 || numbers.some((n) => !n)) {
        return fedexErrors(400, 'TRACKING.TRACKINGNUMBER.EMPTY', 'Please provide tracking number.');
      }
      if (numbers.length > 30) {
        return fedexErrors(
          400,
          'TRACKING.TRACKINGNUMBER.LIMITEXCEEDED',
          'Maximum of 30 tracking numbers allowed.',
        );
      }
      const completeTrackResults = numbers.map((number) => {
        const parcel = parcels.get(number!);
        if (!parcel) {
          return {
            trackingNumber: number,
            trackResults: [
              {
                trackingNumberInfo: { trackingNumber: number, trackingNumberUniqueId: '', carrierCode: '' },
                error: {
                  code: 'TRACKING.TRACKINGNUMBER.NOTFOUND',
                  message:
                    'Tracking number cannot be found. Please correct the tracking number and try again.',
                },
              },
            ],
          };
        }
        const location = (scan: FakeScan) => ({
          city: scan.city,
          stateOrProvinceCode: scan.state,
          countryCode: scan.country,
          residential: false,
        });
        const scanEvents = newestFirst(parcel).map((scan) => ({
          date: scan.at,
          eventType: scan.code,
          eventDescription: scan.description,
          exceptionCode: '',
          exceptionDescription: '',
          scanLocation: location(scan),
          locationType: 'FEDEX_FACILITY',
          derivedStatusCode: scan.code,
          derivedStatus: scan.description,
        }));
        const latest = newestFirst(parcel)[0];
        return {
          trackingNumber: number,
          trackResults: [
            {
              trackingNumberInfo: {
                trackingNumber: number,
                trackingNumberUniqueId: `12029~${number}~FDEG`,
                carrierCode: 'FDXG',
              },
              latestStatusDetail: latest && {
                code: latest.code,
                derivedCode: latest.code,
                statusByLocale: latest.description,
                description: latest.description,
                scanLocation: location(latest),
              },
              dateAndTimes: parcel.estimatedDelivery
                ? [{ type: 'ESTIMATED_DELIVERY', dateTime: `${parcel.estimatedDelivery}T12:00:00-05:00` }]
                : [],
              scanEvents,
            },
          ],
        };
      });
      return {
        status: 200,
        body: { transactionId: randomBytes(8).toString('hex'), output: { completeTrackResults } },
      };
    },
  });
}

/** USPS: token with a JSON client-credentials body; GET /tracking/v3/tracking/{number}?expand=DETAIL. */
export function startFakeUsps(): Promise<FakeCarrier> {
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
  return startFakeCarrier({
    tokenPath: '/oauth2/v3/token',
    readCredentials: (request) => {
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return undefined;
      const body = JSON.parse(request.body) as {
        grant_type?: string;
        client_id?: string;
        client_secret?: string;
      };
      if (body.grant_type !== 'client_credentials' || !body.client_id || !body.client_secret)
        return undefined;
      return { id: body.client_id, secret: body.client_secret };
    },
    tokenReply: (accessToken, clientId) => ({
      access_token: accessToken,
      token_type: 'Bearer',
      issued_at: Date.now(),
      expires_in: 28799,
      status: 'approved',
      scope: 'tracking',
      issuer: 'api.usps.com',
      client_id: clientId,
    }),
    badCredentials: {
      status: 401,
      body: { error: 'invalid_client', error_description: 'Client authentication failed' },
    },
    isTrackingCall: (request) =>
      request.method === 'GET' && request.path.startsWith('/tracking/v3/tracking/'),
    track(request, parcels, authorised) {
      if (!authorised) return uspsError(401, 'Unauthorized');
      const number = request.path.slice('/tracking/v3/tracking/'.length);
      const parcel = parcels.get(number);
      if (!parcel)
        return uspsError(
          404,
          'The tracking number may be incorrect or the status update is not yet available.',
        );
      const detailed = request.query.get('expand') === 'DETAIL';
      const events = newestFirst(parcel).map((scan) => {
        const parts = localParts(scan.at);
        return {
          eventType: scan.description,
          eventTimestamp: parts.local,
          GMTTimestamp: new Date(scan.at).toISOString().replace('.000Z', 'Z'),
          GMTOffset: parts.offset,
          eventCountry: scan.country ?? '',
          eventCity: scan.city ?? '',
          eventState: scan.state ?? '',
          eventZIPCode: '',
          firm: '',
          name: '',
          authorizedAgent: false,
          eventCode: scan.code,
        };
      });
      const latest = events[0];
      return {
        status: 200,
        body: {
          trackingNumber: number,
          mailClass: 'Priority Mail',
          statusCategory: latest?.eventType ?? 'Pre-Shipment',
          status: latest?.eventType ?? '',
          statusSummary: latest ? `Your item: ${latest.eventType}` : '',
          trackingEvents: detailed ? events : events.slice(0, 1),
        },
      };
    },
  });
}

/** DHL: no OAuth, the DHL-API-Key header; GET /track/shipments?trackingNumber=... */
export async function startFakeDhl(): Promise<FakeCarrier> {
  const problem = (status: number, title: string, detail: string): FakeReply => ({
    status,
    headers: { 'Content-Type': 'application/problem+json' },
    body: { title, status, detail },
  });
  let apiKey = '';
  const fake = await startFakeCarrier({
    tokenPath: '/unused-token-path',
    readCredentials: () => undefined,
    tokenReply: () => ({}),
    badCredentials: problem(401, 'Unauthorized', 'Invalid API key'),
    isTrackingCall: (request) => request.method === 'GET' && request.path === '/track/shipments',
    track(request, parcels) {
      if (request.headers['dhl-api-key'] !== apiKey) return problem(401, 'Unauthorized', 'Invalid API key');
      const number = request.query.get('trackingNumber');
      if (!number) return problem(400, 'Bad Request', 'trackingNumber is required');
      const parcel = parcels.get(number);
      if (!parcel) return problem(404, 'No result found', 'No shipment with given tracking number found.');
      const events = newestFirst(parcel).map((scan) => ({
        timestamp: scan.at,
        location: { address: { addressLocality: [scan.city, scan.country].filter(Boolean).join(', ') } },
        statusCode: scan.code,
        status: scan.description,
        description: scan.description,
      }));
      return {
        status: 200,
        body: {
          shipments: [
            {
              id: number,
              service: 'express',
              origin: { address: { addressLocality: 'Leipzig, DE' } },
              destination: { address: { addressLocality: 'Portland, US' } },
              status: events[0],
              estimatedTimeOfDelivery: parcel.estimatedDelivery
                ? `${parcel.estimatedDelivery}T18:00:00Z`
                : undefined,
              details: { product: { productName: 'EXPRESS WORLDWIDE' } },
              events,
            },
          ],
        },
      };
    },
  });
  apiKey = fake.clientSecret;
  return fake;
}
