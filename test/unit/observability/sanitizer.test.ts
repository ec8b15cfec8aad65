import { AxiosHeaders } from 'axios';
import { describe, expect, it } from 'vitest';
import { normalizeError } from '../../../src/errors/normalizeError.js';
import { PartnerCenterError, partnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import {
  createSanitizer,
  DEFAULT_ALLOWED_HEADERS,
  DEFAULT_ALLOWED_QUERY_PARAMETERS,
  defaultSanitizer,
  REDACTED,
} from '../../../src/observability/sanitizer.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl';

describe('sanitizeUrl', () => {
  const { sanitizeUrl } = defaultSanitizer;

  it('strips userinfo', () => {
    expect(sanitizeUrl('https://app:s3cret@api.partnercenter.microsoft.com/v1/customers')).toBe(
      'https://api.partnercenter.microsoft.com/v1/customers',
    );
    expect(sanitizeUrl('https://token@api.partnercenter.microsoft.com/')).toBe(
      'https://api.partnercenter.microsoft.com/',
    );
  });

  it('drops fragments', () => {
    expect(sanitizeUrl('https://api.partnercenter.microsoft.com/v1/x?size=5#access_token=abc')).toBe(
      'https://api.partnercenter.microsoft.com/v1/x?size=5',
    );
    expect(sanitizeUrl('/v1/x#frag')).toBe('/v1/x');
  });

  it('keeps allow-listed query values and redacts the others', () => {
    expect(sanitizeUrl('https://h/v1/customers?size=10&client_secret=abc&code=xyz&offset=20')).toBe(
      `https://h/v1/customers?size=10&client_secret=${REDACTED}&code=${REDACTED}&offset=20`,
    );
    expect(sanitizeUrl('https://h/v1/x?size=')).toBe('https://h/v1/x?size=');
    expect(sanitizeUrl('https://h/v1/x?flag')).toBe(`https://h/v1/x?flag=${REDACTED}`);
  });

  it('is case sensitive on query names: only the documented spelling is allowed', () => {
    expect(sanitizeUrl('https://h/v1/x?SIZE=10')).toBe(`https://h/v1/x?SIZE=${REDACTED}`);
  });

  it('handles relative URLs', () => {
    expect(sanitizeUrl('/v1/customers?size=10&client_secret=abc')).toBe(
      `/v1/customers?size=10&client_secret=${REDACTED}`,
    );
    expect(sanitizeUrl('v1/customers?size=10')).toBe('/v1/customers?size=10');
    expect(sanitizeUrl('')).toBe('');
  });

  it('handles unparsable URLs without keeping the query or userinfo', () => {
    const out = sanitizeUrl('http://user:pa55@[bad-host/path?client_secret=abc#x');
    expect(out).not.toContain('pa55');
    expect(out).not.toContain('client_secret=abc');
    expect(out).not.toContain('#x');
  });

  it('redacts a query name that is itself a credential', () => {
    expect(sanitizeUrl(`https://h/v1/x?${JWT}`)).toBe(`https://h/v1/x?${REDACTED}=${REDACTED}`);
    expect(sanitizeUrl(`https://h/v1/x?${'k'.repeat(65)}=1&size=1`)).toBe(
      `https://h/v1/x?${REDACTED}=${REDACTED}&size=1`,
    );
  });

  it('scrubs a token in the path', () => {
    expect(sanitizeUrl(`https://h/v1/tokens/${JWT}/x`)).toBe(`https://h/v1/tokens/${REDACTED}/x`);
  });

  it('honours extra allowed query parameters, never removing the defaults', () => {
    const sanitizer = createSanitizer({ allowedQueryParameters: ['customerId'] });
    expect(sanitizer.sanitizeUrl('https://h/x?customerId=c1&size=2&client_secret=s')).toBe(
      `https://h/x?customerId=c1&size=2&client_secret=${REDACTED}`,
    );
    expect(defaultSanitizer.sanitizeUrl('https://h/x?customerId=c1')).toBe(
      `https://h/x?customerId=${REDACTED}`,
    );
  });
});

describe('sanitizeHeaders', () => {
  it('keeps only allow-listed headers, lower-cased, as strings', () => {
    const out = defaultSanitizer.sanitizeHeaders({
      'MS-RequestId': 'r1',
      'Retry-After': 5,
      'Content-Type': 'application/json',
      Authorization: `Bearer ${JWT}`,
      'Set-Cookie': ['a=1', 'b=2'],
      'X-Other': 'x',
      Vary: ['Accept', 'Origin'],
    });
    expect(out).toEqual({ 'ms-requestid': 'r1', 'retry-after': '5', 'content-type': 'application/json' });
  });

  it('can never allow authorization, proxy-authorization, cookies or a client secret header', () => {
    const sanitizer = createSanitizer({
      allowedHeaders: [
        'Authorization',
        'proxy-authorization',
        'Cookie',
        'set-cookie',
        'X-MS-Client-Secret',
        'X-Trace',
      ],
    });
    const out = sanitizer.sanitizeHeaders({
      authorization: `Bearer ${JWT}`,
      'Proxy-Authorization': 'Basic dXNlcjpwYXNz',
      cookie: 'session=1',
      'set-cookie': 'session=1',
      'x-ms-client-secret': 'secret',
      'X-Trace': 't-1',
    });
    expect(out).toEqual({ 'x-trace': 't-1' });
  });

  it('reads AxiosHeaders, Fetch Headers and Maps, and joins arrays', () => {
    const sanitizer = createSanitizer({ allowedHeaders: ['vary'] });
    expect(sanitizer.sanitizeHeaders(new AxiosHeaders({ 'MS-CV': 'cv.1', Authorization: 'x' }))).toEqual({
      'ms-cv': 'cv.1',
    });
    expect(sanitizer.sanitizeHeaders(new Headers({ 'MS-ServerId': 's1', Authorization: 'x' }))).toEqual({
      'ms-serverid': 's1',
    });
    expect(sanitizer.sanitizeHeaders(new Map([['Date', 'today']]))).toEqual({ date: 'today' });
    expect(sanitizer.sanitizeHeaders({ Vary: ['Accept', 'Origin'] })).toEqual({ vary: 'Accept, Origin' });
  });

  it('scrubs and caps allowed header values', () => {
    const out = defaultSanitizer.sanitizeHeaders({ 'ms-cv': `Bearer ${JWT}`, date: 'x'.repeat(2000) });
    expect(out['ms-cv']).toBe(`Bearer ${REDACTED}`);
    expect(out['date']?.length).toBe(512);
  });

  it('returns nothing for non-objects and skips null values', () => {
    expect(defaultSanitizer.sanitizeHeaders(undefined)).toEqual({});
    expect(defaultSanitizer.sanitizeHeaders('retry-after: 5')).toEqual({});
    expect(defaultSanitizer.sanitizeHeaders({ 'retry-after': null, date: undefined })).toEqual({});
  });

  it('exposes the default allow-lists', () => {
    expect(DEFAULT_ALLOWED_HEADERS).toContain('ms-requestid');
    expect(DEFAULT_ALLOWED_HEADERS).not.toContain('authorization');
    expect(DEFAULT_ALLOWED_QUERY_PARAMETERS).toContain('size');
  });
});

describe('scrubText', () => {
  const { scrubText } = defaultSanitizer;

  it('removes JWTs and bearer, basic and PoP credentials', () => {
    expect(scrubText(`token ${JWT} end`)).toBe(`token ${REDACTED} end`);
    expect(scrubText('Authorization: Bearer abcdefghijkl')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(scrubText('Basic dXNlcjpwYXNzd29yZA==')).toBe(`Basic ${REDACTED}`);
    expect(scrubText('pop PoP abcdefghij')).toBe(`pop PoP ${REDACTED}`);
  });

  it('removes values of secret-named keys in key=value and JSON forms', () => {
    expect(scrubText('client_secret=abc123&size=10')).toBe(`client_secret=${REDACTED}&size=10`);
    expect(scrubText('{"access_token":"abc","refresh_token": "def","x":1}')).toBe(
      `{"access_token":"${REDACTED}","refresh_token": "${REDACTED}","x":1}`,
    );
    expect(scrubText('password: hunter2; next')).toBe(`password: ${REDACTED}; next`);
    expect(scrubText("clientSecret='abc'")).toBe(`clientSecret='${REDACTED}'`);
  });

  it('sanitizes absolute URLs and query pairs inside text', () => {
    expect(scrubText('GET https://u:p@h/v1/x?code=abc&size=2#frag failed')).toBe(
      `GET https://h/v1/x?code=${REDACTED}&size=2 failed`,
    );
    expect(scrubText('GET /v1/x?code=abc&size=2 failed')).toBe(`GET /v1/x?code=${REDACTED}&size=2 failed`);
  });

  it('leaves ordinary Partner Center text alone', () => {
    const text =
      "We&#39;re sorry, it looks like you've run out of licenses. Code 800064; partner_id 9999999.";
    expect(scrubText(text)).toBe(text);
    expect(scrubText('{"code":800064,"description":"busy"}')).toBe('{"code":800064,"description":"busy"}');
  });

  it('uses the extra allowed query parameters too', () => {
    const sanitizer = createSanitizer({ allowedQueryParameters: ['customerId'] });
    expect(sanitizer.scrubText('GET /v1/x?customerId=c1&code=abc')).toBe(
      `GET /v1/x?customerId=c1&code=${REDACTED}`,
    );
  });
});

describe('the sanitizer of a call reaches its errors', () => {
  it('extra allowed query parameters survive on the error url and message, also after with()', () => {
    const sanitizer = createSanitizer({ allowedQueryParameters: ['customerId'] });
    const error = normalizeError(
      {
        isAxiosError: true,
        message: 'Request failed with status code 404',
        config: { method: 'get', url: 'https://h/v1/x?customerId=c1&client_secret=s' },
        response: { status: 404, headers: {}, data: { code: 3000, description: 'not found' } },
      },
      { sanitizer },
    );
    expect(error.url).toBe(`https://h/v1/x?customerId=c1&client_secret=${REDACTED}`);
    expect(error.message).toContain('customerId=c1');
    const later = error.with({ attempts: 3 });
    expect(later.url).toBe(error.url);
    expect(later.attempts).toBe(3);

    const direct = partnerCenterError({
      kind: 'timeout',
      retryable: false,
      url: 'https://h/v1/x?customerId=c1&code=x',
      sanitizer,
    });
    expect(direct.url).toBe(`https://h/v1/x?customerId=c1&code=${REDACTED}`);
    expect(JSON.stringify(direct)).not.toContain('sanitizer');
  });
});

describe('scrubText keeps the sentence around a URL', () => {
  it('leaves trailing punctuation outside the URL', () => {
    expect(
      defaultSanitizer.scrubText('see https://h/x?code=1, then https://h/y?size=2. Or (https://h/z).'),
    ).toBe(`see https://h/x?code=${REDACTED}, then https://h/y?size=2. Or (https://h/z).`);
  });
});

describe('authentication challenges', () => {
  it('keeps the realm and claims of a WWW-Authenticate challenge, still removing JWTs', () => {
    const claims = 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ==';
    const challenge = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${claims}"`;
    const out = defaultSanitizer.sanitizeHeaders({ 'WWW-Authenticate': challenge });
    expect(out['www-authenticate']).toBe(challenge);
    const partnerCenter = 'OAuth realm=urn:cpsvc:cpid:00000000-0000-0000-0000-000000000001';
    expect(defaultSanitizer.sanitizeHeaders({ 'www-authenticate': partnerCenter })).toEqual({
      'www-authenticate': partnerCenter,
    });
    expect(
      defaultSanitizer.sanitizeHeaders({ 'www-authenticate': `Bearer error="x", token="${JWT}"` }),
    ).toEqual({
      'www-authenticate': `Bearer error="x", token="${REDACTED}"`,
    });
  });

  it('still removes a credential after a scheme everywhere else', () => {
    expect(defaultSanitizer.sanitizeHeaders({ 'ms-cv': 'Bearer abcdefghij' })).toEqual({
      'ms-cv': `Bearer ${REDACTED}`,
    });
  });
});

/** An Azure Storage account key as a connection string carries it (base64, with `+`, `/` and `=`). */
const ACCOUNT_KEY = 'Zm9vYmFyYmF6cXV4+/Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9v==';
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=partnerexports;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`;

describe('scrubText: names ending in "key"', () => {
  const { scrubText } = defaultSanitizer;

  it('removes the AccountKey of a storage connection string, keeping the rest', () => {
    expect(scrubText(CONNECTION_STRING)).toBe(
      `DefaultEndpointsProtocol=https;AccountName=partnerexports;AccountKey=${REDACTED};EndpointSuffix=core.windows.net`,
    );
  });

  it.each([
    [`SharedAccessKey=${ACCOUNT_KEY}`, `SharedAccessKey=${REDACTED}`],
    [`{"primaryKey": "${ACCOUNT_KEY}"}`, `{"primaryKey": "${REDACTED}"}`],
    [`key='${ACCOUNT_KEY}'`, `key='${REDACTED}'`],
  ])('%s', (text, expected) => {
    expect(scrubText(text)).toBe(expected);
  });

  it('keeps a connection string out of an error message, its JSON and its reason', () => {
    const error = new PartnerCenterError({
      kind: 'server',
      retryable: false,
      reason: `export failed for ${CONNECTION_STRING}`,
      description: `could not open ${CONNECTION_STRING}`,
    });
    for (const text of [error.message, JSON.stringify(error), String(error.reason)]) {
      expect(text).not.toContain(ACCOUNT_KEY);
      expect(text).toContain(`AccountKey=${REDACTED}`);
    }
  });
});

describe('the shared defaults', () => {
  it('are frozen: no module can widen the allow-lists or swap a method of the default sanitizer', () => {
    for (const value of [DEFAULT_ALLOWED_HEADERS, DEFAULT_ALLOWED_QUERY_PARAMETERS, defaultSanitizer]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => (DEFAULT_ALLOWED_HEADERS as string[]).push('authorization')).toThrow(TypeError);
    expect(createSanitizer().sanitizeHeaders({ authorization: 'x', date: 'd' })).toEqual({ date: 'd' });
  });
});
