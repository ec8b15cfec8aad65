import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { assertSafeToSendToken, isSafeToSendToken } from '../../../src/auth/transportSecurity.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { attachResilience } from '../../../src/index.js';
import { scriptedAdapter } from '../../helpers/scriptedAdapter.js';
import { capture } from '../../helpers/settle.js';

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
  '//evil.example/x',
  '//localhost/x',
  ' //127.0.0.1/x',
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
    ['//evil.example/x', /protocol-relative/],
  ])('explains why %s is refused', (url, reason) => {
    expect(() => assertSafeToSendToken(url)).toThrow(reason);
  });
});

describe('the engine checks the URL axios sends to', () => {
  // axios sends a protocol-relative url as it is (Node: "Invalid URL"; a browser: to that host), never as a
  // path under the baseURL: the token check must not read it as http://127.0.0.1:8080/v1/evil.example/x.
  it.each(['http://127.0.0.1:8080/v1', 'https://api.partnercenter.microsoft.com/v1'])(
    'refuses //evil.example/x on a baseURL of %s before asking for a token or sending',
    async (baseURL) => {
      const scripted = scriptedAdapter([{ status: 200, data: {} }]);
      let asked = 0;
      const instance = axios.create({ adapter: scripted.adapter, baseURL });
      attachResilience(instance, {
        tokenProvider: {
          getToken: async () => {
            asked += 1;
            return { token: 'secret-token', expiresOnTimestamp: Date.now() + 3_600_000 };
          },
        },
      });
      const { error } = await capture(instance.get('//evil.example/x'));
      expect(error?.kind).toBe('client');
      expect(error?.reason).toMatch(/protocol-relative/);
      expect(scripted.hits).toHaveLength(0);
      expect(asked).toBe(0);
    },
  );

  it('refuses //evil.example/x after a call to the baseURL has been let through (the safe-origin cache)', async () => {
    const scripted = scriptedAdapter([{ status: 200, data: {} }]);
    const instance = axios.create({
      adapter: scripted.adapter,
      baseURL: 'https://api.partnercenter.microsoft.com/v1',
    });
    attachResilience(instance, {
      tokenProvider: { getToken: async () => ({ token: 'tok', expiresOnTimestamp: Date.now() + 3_600_000 }) },
    });
    expect((await capture(instance.get('/customers'))).value?.status).toBe(200);
    const { error } = await capture(instance.get('//evil.example/x'));
    expect(error?.reason).toMatch(/protocol-relative/);
    expect(scripted.hits).toHaveLength(1);
  });

  it('still sends a path under a loopback baseURL with its token', async () => {
    const scripted = scriptedAdapter([{ status: 200, data: {} }]);
    const instance = axios.create({ adapter: scripted.adapter, baseURL: 'http://127.0.0.1:8080/v1' });
    attachResilience(instance, {
      tokenProvider: { getToken: async () => ({ token: 'tok', expiresOnTimestamp: Date.now() + 3_600_000 }) },
    });
    const { value } = await capture(instance.get('/customers'));
    expect(value?.status).toBe(200);
    expect(scripted.hits.map((h) => [h.url, h.headers['authorization']])).toEqual([
      ['http://127.0.0.1:8080/v1/customers', 'Bearer tok'],
    ]);
  });
});
