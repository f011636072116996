import type { Clock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import type { ConnectorLog } from '../../core/ports/connector';
import { ChannelDeliveryError, channelUnavailable } from './delivery-error';
import { httpExchange } from './http-exchange';

export interface TwilioSmsSettings {
  /** Twilio's API host by default; another provider speaking the same Messages API, or a local fake in tests. */
  baseUrl?: string;
  /** Sender phone number (E.164) or alphanumeric sender id; or use a messaging service. */
  from?: string;
  messagingServiceSid?: string;
  /** Where Twilio reports delivery status (optional). */
  statusCallbackUrl?: string;
  timeoutMs?: number;
}

export const twilioSmsSettingsSchema = {
  type: 'object',
  properties: {
    baseUrl: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      default: 'https://api.twilio.com',
      title: 'API base URL',
    },
    from: { type: 'string', minLength: 1, maxLength: 32, title: 'From (number or sender id)' },
    messagingServiceSid: { type: 'string', pattern: '^MG[0-9a-fA-F]{32}$', title: 'Messaging service SID' },
    statusCallbackUrl: { type: 'string', format: 'uri', title: 'Status callback URL' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, default: 15000, title: 'Timeout (ms)' },
  },
  // A sender is needed: a number or sender id, or a messaging service (ajv's strict mode wants each branch to
  // declare the property it requires).
  anyOf: [
    { properties: { from: { type: 'string' } }, required: ['from'] },
    { properties: { messagingServiceSid: { type: 'string' } }, required: ['messagingServiceSid'] },
  ],
  additionalProperties: false,
} as const;

export const twilioSmsCredentialFields = [
  { name: 'accountSid', label: 'Account SID' },
  { name: 'authToken', label: 'Auth token' },
];

export interface SmsContext {
  settings: TwilioSmsSettings;
  credentials: Record<string, string | undefined>;
  clock: Clock;
  log: ConnectorLog;
  signal?: AbortSignal;
}

export interface SmsMessage {
  /** E.164 phone number, e.g. +15035550123. */
  to: string;
  body: string;
}

export interface SmsReceipt {
  /** Twilio's message SID (SM...), for the outbox record. */
  sid: string;
  /** queued, accepted, sending, sent... as Twilio reports it. */
  status: string;
  segments?: number;
}

const E164 = /^\+[1-9]\d{6,14}$/;

function twilioError(data: unknown): { code?: number; message?: string } {
  const body = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  return {
    code: typeof body.code === 'number' ? body.code : undefined,
    // Twilio quotes the recipient's number in its messages; it must not reach the logs.
    message:
      typeof body.message === 'string'
        ? body.message.replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]')
        : undefined,
  };
}

/**
 * Sends one SMS through Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded,
 * HTTP Basic auth with the account SID and auth token. Resolves when Twilio accepted (queued) the message.
 * Throws ChannelDeliveryError: retryable for outages and throttling (429, 5xx), final for what Twilio refuses.
 * The recipient's number is never logged.
 */
export async function sendTwilioSms(message: SmsMessage, ctx: SmsContext): Promise<SmsReceipt> {
  const { accountSid, authToken } = ctx.credentials;
  if (!accountSid || !authToken) {
    throw new DropshipError('configuration', 'Twilio credentials missing', [
      ...(accountSid ? [] : [{ path: '/credentials/accountSid', message: 'is required' }]),
      ...(authToken ? [] : [{ path: '/credentials/authToken', message: 'is required' }]),
    ]);
  }
  if (!E164.test(message.to)) {
    throw new ChannelDeliveryError('SMS recipient is not an E.164 phone number (+ and country code)', false);
  }
  if (message.body.trim() === '') throw new ChannelDeliveryError('SMS body is empty', false);
  const { settings } = ctx;
  const form = new URLSearchParams({ To: message.to, Body: message.body });
  if (settings.messagingServiceSid) form.set('MessagingServiceSid', settings.messagingServiceSid);
  else if (settings.from) form.set('From', settings.from);
  else throw new DropshipError('configuration', 'Twilio SMS needs a sender: from or messagingServiceSid');
  if (settings.statusCallbackUrl) form.set('StatusCallback', settings.statusCallbackUrl);

  const base = (settings.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
  const reply = await httpExchange(
    'Twilio',
    {
      method: 'POST',
      url: `${base}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`,
      auth: { username: accountSid, password: authToken },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      data: form.toString(),
    },
    {
      timeoutMs: settings.timeoutMs,
      signal: ctx.signal,
      now: ctx.clock.now(),
      unavailable: channelUnavailable,
    },
  );
  if (reply.status === 201 || reply.status === 200) {
    const body = reply.data as Record<string, unknown>;
    if (typeof body.sid !== 'string')
      throw new ChannelDeliveryError('Twilio accepted the SMS but returned no sid', false);
    const status = typeof body.status === 'string' ? body.status : 'queued';
    ctx.log.debug(`SMS ${body.sid} ${status}`);
    const segments = Number(body.num_segments);
    return {
      sid: body.sid,
      status,
      segments: Number.isFinite(segments) ? segments : undefined,
    };
  }
  const { code, message: reason } = twilioError(reply.data);
  const summary = `Twilio refused the SMS (HTTP ${reply.status}${code ? `, error ${code}` : ''}): ${reason ?? 'no message'}`;
  if (reply.status === 401 || reply.status === 403) throw new DropshipError('configuration', summary);
  // Any other 4xx (invalid or opted-out number, bad sender) is final: sending it again gets the same answer.
  throw new ChannelDeliveryError(summary, false);
}
