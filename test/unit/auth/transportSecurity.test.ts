import { describe, expect, it } from 'vitest';
import { assertSafeToSendToken, isSafeToSendToken } from '../../../src/auth/transportSecurity.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';

const SAFE = [
  'https://api.partnercenter.microsoft.com/v1/customers',
  'HTTPS://API.PARTNERCENTER.MICROSOFT.COM/v1',
  'https://example.com:8443/x?y=1',
  'http://localhost:3000/v1/customers',
  'http://LOCALHOST/',
  'http://127.0.0.1:8080/',
  'http://127.255.10.1/',
  'http://127.1/', // normalised to 127.0.0.1 by the URL parser
  'http://[::1]:4000/',
  'http://[0:0:0:0:0:0:0:1]/',
];

const UNSAFE = [
  'http://api.partnercenter.microsoft.com/v1/customers',
  'http://10.0.0.1/',
  'http://128.0.0.1/',
  'http://localhost.evil.com/',
  'http://127.0.0.1.evil.com/',
  'http://localhost./',
  'http://[::2]/',
  'http://0.0.0.0/',
  'ftp://localhost/',
  'ws://localhost/',
  'file:///etc/passwd',
  '/v1/customers',
  'api.partnercenter.microsoft.com/v1',
  '',
  'not a url',
];

describe('isSafeToSendToken', () => {
  it.each(SAFE)('allows %s', (url) => expect(isSafeToSendToken(url)).toBe(true));
  it.each(UNSAFE)('refuses %j', (url) => expect(isSafeToSendToken(url)).toBe(false));
});

describe('assertSafeToSendToken', () => {
  it.each(SAFE)('passes %s', (url) => expect(() => assertSafeToSendToken(url)).not.toThrow());

  it('throws a non-retryable client error with a clear reason and a redacted URL', () => {
    const url = 'http://user:pa55word@api.example.com/v1/customers?secret=hunter2&size=10';
    let error: unknown;
    try {
      assertSafeToSendToken(url);
    } catch (e) {
      error = e;
    }
    expect(PartnerCenterError.is(error)).toBe(true);
    const pc = error as PartnerCenterError;
    expect(pc).toMatchObject({ kind: 'client', retryable: false });
    expect(pc.reason).toMatch(/plain http to a non-loopback host; use https/);
    expect(JSON.stringify(pc)).not.toMatch(/pa55word|hunter2/);
    expect(pc.message).not.toMatch(/pa55word|hunter2/);
  });

  it.each([
    ['/relative', /not absolute/],
    ['ftp://localhost/', /over ftp/],
  ])('explains why %s is refused', (url, reason) => {
    expect(() => assertSafeToSendToken(url)).toThrow(reason);
  });
});
