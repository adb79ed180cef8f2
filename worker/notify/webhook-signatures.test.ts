import { describe, expect, it } from 'vitest';
import { twilioSignature, verifySvixSignature, verifyTwilioSignature } from './webhook-signatures';

describe('twilioSignature', () => {
  // The worked example from Twilio's webhook-security documentation.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = new URLSearchParams({
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  });

  it('matches Twilio’s documented example signature', async () => {
    expect(await twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('accepts the right header and refuses a missing, wrong or other-URL one', async () => {
    expect(await verifyTwilioSignature('12345', url, params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(true);
    expect(await verifyTwilioSignature('12345', url, params, undefined)).toBe(false);
    expect(await verifyTwilioSignature('12345', url, params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ')).toBe(false);
    expect(
      await verifyTwilioSignature('12345', 'https://mycompany.com/myapp.php', params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ='),
    ).toBe(false);
    expect(await verifyTwilioSignature('', url, params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(false);
  });
});

describe('verifySvixSignature', () => {
  // The example from Svix's "verifying payloads manually" documentation.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const headers = {
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: '1614265330',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const body = '{"test": 2432232314}';

  it('accepts Svix’s documented example within the time tolerance', async () => {
    expect(await verifySvixSignature(secret, headers, body, 1614265330 + 60)).toBe(true);
    expect(
      await verifySvixSignature(
        secret,
        { ...headers, signature: `v1,aW52YWxpZA== ${headers.signature}` },
        body,
        1614265330,
      ),
    ).toBe(true);
  });

  it('refuses a replay outside the tolerance, a changed body and a wrong secret', async () => {
    expect(await verifySvixSignature(secret, headers, body, 1614265330 + 3600)).toBe(false);
    expect(await verifySvixSignature(secret, headers, `${body} `, 1614265330)).toBe(false);
    expect(await verifySvixSignature('whsec_AAAAAAAAAAAAAAAAAAAAAAAA', headers, body, 1614265330)).toBe(false);
    expect(await verifySvixSignature(secret, { ...headers, signature: undefined }, body, 1614265330)).toBe(false);
  });
});
