import assert from 'node:assert/strict';
import { fixedClock } from '../../core/clock';
import { DropshipError } from '../../core/errors';
import { ChannelDeliveryError } from '../../connectors/messaging/delivery-error';
import {
  sendTwilioSms,
  type SmsContext,
  type TwilioSmsSettings,
} from '../../connectors/messaging/twilio-sms';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio';

describe('SMS through the Twilio Messages API', () => {
  let twilio: FakeTwilio;
  const logged: string[] = [];
  const context = (
    settings: Partial<TwilioSmsSettings> = {},
    credentials?: Record<string, string>,
  ): SmsContext => ({
    settings: { baseUrl: twilio.url, from: '+15005550006', ...settings },
    credentials: credentials ?? { accountSid: twilio.accountSid, authToken: twilio.authToken },
    clock: fixedClock('2026-11-24T12:00:00Z'),
    log: { debug: (m) => logged.push(m), info: (m) => logged.push(m), warn: (m) => logged.push(m) },
  });

  beforeEach(async () => {
    twilio = await startFakeTwilio();
    logged.length = 0;
  });
  afterEach(() => twilio.close());

  it('posts a form-encoded message with basic auth and returns the message sid', async () => {
    const receipt = await sendTwilioSms(
      { to: '+15035550123', body: 'Your order 1001 has shipped: https://t.example/abc' },
      context(),
    );
    assert.match(receipt.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(receipt.status, 'queued');
    assert.deepEqual(twilio.messages, [
      {
        sid: receipt.sid,
        to: '+15035550123',
        from: '+15005550006',
        messagingServiceSid: undefined,
        body: 'Your order 1001 has shipped: https://t.example/abc',
      },
    ]);
    assert.ok(
      logged.every((line) => !line.includes('5035550123')),
      'the phone number is not logged',
    );
  });

  it('sends through a messaging service when one is configured', async () => {
    const sid = `MG${'a'.repeat(32)}`;
    const receipt = await sendTwilioSms(
      { to: '+15035550123', body: 'Delivered' },
      context({ from: undefined, messagingServiceSid: sid }),
    );
    assert.equal(receipt.status, 'accepted');
    assert.equal(twilio.messages[0]?.messagingServiceSid, sid);
  });

  it('marks throttling as retryable with the wait Twilio asks for', async () => {
    twilio.failNext(1, 429, { 'Retry-After': '5' });
    await assert.rejects(sendTwilioSms({ to: '+15035550123', body: 'x' }, context()), (err: unknown) => {
      assert.ok(err instanceof ChannelDeliveryError);
      assert.equal(err.retryable, true);
      assert.equal(err.retryAfterMs, 5000);
      return true;
    });
  });

  it('marks a number Twilio refuses as final, without the number in the message', async () => {
    await assert.rejects(sendTwilioSms({ to: '+15005550009', body: 'x' }, context()), (err: unknown) => {
      assert.ok(err instanceof ChannelDeliveryError);
      assert.equal(err.retryable, false);
      assert.match(err.message, /error 21614/);
      assert.ok(!err.message.includes('5005550009'));
      return true;
    });
    assert.equal(twilio.messages.length, 0);
  });

  it('refuses a recipient that is not E.164 before calling Twilio', async () => {
    await assert.rejects(sendTwilioSms({ to: '503 555 0123', body: 'x' }, context()), ChannelDeliveryError);
    assert.equal(twilio.requests.length, 0);
  });

  it('reports refused credentials as a configuration problem', async () => {
    await assert.rejects(
      sendTwilioSms(
        { to: '+15035550123', body: 'x' },
        context({}, { accountSid: twilio.accountSid, authToken: 'wrong' }),
      ),
      (err: unknown) => err instanceof DropshipError && err.code === 'configuration',
    );
  });
});
