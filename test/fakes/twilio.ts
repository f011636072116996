import { randomBytes } from 'node:crypto';
import { basicCredentials, startHttpFake, type FakeReply, type HttpFake } from './http-fake';

/** Twilio's Programmable Messaging API, as documented: the Message resource and Twilio's error body. */
export interface FakeTwilio extends HttpFake {
  accountSid: string;
  authToken: string;
  /** Messages accepted, as Twilio stores them. */
  messages: { sid: string; to: string; from?: string; messagingServiceSid?: string; body: string }[];
  failNext(count: number, status: number, headers?: Record<string, string>): void;
}

function twilioError(status: number, code: number, message: string): FakeReply {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const messages: FakeTwilio['messages'] = [];
  const failures: { status: number; headers?: Record<string, string> }[] = [];
  const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;

  const fake = await startHttpFake((request) => {
    const failure = failures.shift();
    if (failure)
      return { ...twilioError(failure.status, 20429, 'Too Many Requests'), headers: failure.headers };
    const credentials = basicCredentials(request);
    if (!credentials || credentials.user !== accountSid || credentials.password !== authToken) {
      return twilioError(401, 20003, 'Authenticate');
    }
    if (request.method !== 'POST' || request.path !== path) {
      return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return twilioError(400, 21620, 'Invalid media type');
    }
    const form = new URLSearchParams(request.body);
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? undefined;
    const messagingServiceSid = form.get('MessagingServiceSid') ?? undefined;
    const body = form.get('Body') ?? '';
    if (!/^\+[1-9]\d{6,14}$/.test(to))
      return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from && !messagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (body === '') return twilioError(400, 21602, 'Message body is required.');
    if (to === '+15005550009')
      return twilioError(400, 21614, `'To' number ${to} is not a valid mobile number`);
    const sid = `SM${randomBytes(16).toString('hex')}`;
    messages.push({ sid, to, from, messagingServiceSid, body });
    const now = new Date().toUTCString();
    return {
      status: 201,
      body: {
        account_sid: accountSid,
        api_version: '2010-04-01',
        body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: from ?? null,
        messaging_service_sid: messagingServiceSid ?? null,
        num_media: '0',
        num_segments: String(Math.ceil(body.length / 153) || 1),
        price: null,
        price_unit: 'USD',
        sid,
        status: messagingServiceSid ? 'accepted' : 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      },
    };
  });
  return {
    ...fake,
    accountSid,
    authToken,
    messages,
    failNext: (count, status, headers) => {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
  };
}
