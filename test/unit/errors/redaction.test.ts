import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { errorFromResponse } from '../../../src/errors/errorFromResponse.js';
import { normalizeError } from '../../../src/errors/normalizeError.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { withRequestSecrets } from '../../../src/errors/redaction.js';
import { defaultSanitizer } from '../../../src/observability/sanitizer.js';
import { jwtCanary, randomToken } from './helpers.js';

interface Canaries {
  readonly bearer: string;
  readonly secret: string;
  readonly refresh: string;
}

function canaries(): Canaries {
  return { bearer: jwtCanary(), secret: `cs~${randomToken(30)}`, refresh: `0.AR${randomToken(60)}` };
}

function allText(error: unknown): string[] {
  const texts = [
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    inspect(error, { depth: 10, showHidden: true, customInspect: false }),
    String(error),
    String((error as Error).stack),
    String((error as Error).message),
  ];
  let cause = (error as { cause?: unknown }).cause;
  for (let depth = 0; cause !== undefined && depth < 20; depth += 1) {
    texts.push(
      inspect(cause, { depth: 10, showHidden: true }),
      inspect(cause, { depth: 10, showHidden: true, customInspect: false }),
      String(cause),
      String((cause as Error).stack),
      JSON.stringify(cause) ?? '',
    );
    cause = (cause as { cause?: unknown }).cause;
  }
  return texts;
}

function expectNoCanary(error: unknown, secrets: Canaries): void {
  for (const text of allText(error)) {
    for (const [name, value] of Object.entries(secrets)) {
      expect(text.includes(value), `${name} leaked in:\n${text.slice(0, 2000)}`).toBe(false);
    }
  }
}

function axiosErrorWithEverything(c: Canaries, data: unknown, status = 400): Error {
  const config = {
    method: 'post',
    baseURL: 'https://api.partnercenter.microsoft.com',
    url: `/v1/customers?client_secret=${c.secret}&size=10&code=${c.refresh}`,
    headers: {
      Authorization: `Bearer ${c.bearer}`,
      'MS-RequestId': 'req-1',
      'X-Client-Secret': c.secret,
    },
    data: JSON.stringify({ client_secret: c.secret, refresh_token: c.refresh }),
    auth: { username: 'app', password: c.secret },
  };
  const inner = Object.assign(new Error(`token endpoint said: refresh_token=${c.refresh}`), {
    config,
    code: 'EINNER',
  });
  const middle = new Error(`retry with Authorization: Bearer ${c.bearer}`, { cause: inner });
  const error = Object.assign(
    new Error(
      `Request failed for https://user:${c.secret}@api.partnercenter.microsoft.com/v1/customers?code=${c.refresh}&size=10 ` +
        `with client_secret=${c.secret} and Bearer ${c.bearer}`,
      { cause: middle },
    ),
    {
      isAxiosError: true,
      name: 'AxiosError',
      code: 'ERR_BAD_REQUEST',
      config,
      request: { _header: `POST /v1/customers HTTP/1.1\r\nAuthorization: Bearer ${c.bearer}\r\n` },
      response: {
        status,
        headers: {
          'content-type': 'application/json',
          'set-cookie': `session=${c.secret}`,
          'x-ms-ratelimit-remaining': '10',
          'ms-requestid': `Bearer ${c.bearer}`,
        },
        data,
        config,
      },
    },
  );
  return error;
}

describe('redaction with canaries', () => {
  it('keeps no canary from config, URL, message, body, cause chain, request or response headers', () => {
    const c = canaries();
    const bodies: unknown[] = [
      `{"access_token":"${c.bearer}","refresh_token":"${c.refresh}","client_secret":"${c.secret}"}`,
      { access_token: c.bearer, refresh_token: c.refresh, client_secret: c.secret },
      {
        code: 2000,
        description: `bad refresh_token=${c.refresh}`,
        data: { access_token: c.bearer, client_secret: c.secret },
      },
      `{"code":2000,"description":"client_secret=${c.secret} Bearer ${c.bearer}","data":{"refresh_token":"${c.refresh}`,
      `<html><title>Bearer ${c.bearer}</title><body>client_secret=${c.secret}&refresh_token=${c.refresh}</body></html>`,
      Buffer.from(
        `{"access_token":"${c.bearer}","refresh_token":"${c.refresh}","client_secret":"${c.secret}"`,
      ),
      [`client_secret=${c.secret}`, `refresh_token=${c.refresh}`, c.bearer],
      `upstream said Authorization: Bearer ${c.bearer} client_secret: ${c.secret}; refresh_token: ${c.refresh}`,
    ];
    for (const body of bodies) {
      for (const status of [400, 429, 502]) {
        const error = normalizeError(axiosErrorWithEverything(c, body, status));
        expect(error).toBeInstanceOf(PartnerCenterError);
        expectNoCanary(error, c);
      }
    }
  });

  it('keeps allow-listed query values and replaces the others with REDACTED', () => {
    const c = canaries();
    const error = normalizeError(axiosErrorWithEverything(c, { code: 2000 }));
    expect(error.url).toBe(
      'https://api.partnercenter.microsoft.com/v1/customers?client_secret=REDACTED&size=10&code=REDACTED',
    );
    expect(error.message).toContain('size=10');
    expect(error.message).toContain('REDACTED');
  });

  it('redacts secrets in axios params and strips userinfo', () => {
    const c = canaries();
    const error = normalizeError({
      isAxiosError: true,
      message: 'Request failed with status code 400',
      config: {
        method: 'get',
        url: `https://app:${c.secret}@api.partnercenter.microsoft.com/v1/invoices#frag-${c.refresh}`,
        params: { client_secret: c.secret, size: 10, $filter: "status eq 'open'" },
        headers: { Authorization: `Bearer ${c.bearer}` },
      },
      response: { status: 400, headers: {}, data: '' },
    });
    expect(error.url).toBe(
      "https://api.partnercenter.microsoft.com/v1/invoices?client_secret=REDACTED&size=10&%24filter=status%20eq%20'open'",
    );
    expectNoCanary(error, c);
  });

  it('keeps no canary from a failure without a response', () => {
    const c = canaries();
    const error = Object.assign(new Error(`connect ECONNREFUSED while sending client_secret=${c.secret}`), {
      code: 'ECONNREFUSED',
      config: {
        url: `https://api.partnercenter.microsoft.com/v1/customers?code=${c.refresh}`,
        headers: { Authorization: `Bearer ${c.bearer}` },
      },
    });
    const normalized = normalizeError(error);
    expect(normalized.kind).toBe('network');
    expectNoCanary(normalized, c);
  });

  it('keeps no canary from non-Error throws', () => {
    const c = canaries();
    const thrown: unknown[] = [
      `Bearer ${c.bearer}`,
      c.bearer,
      { headers: { Authorization: `Bearer ${c.bearer}` }, client_secret: c.secret, refresh_token: c.refresh },
      { message: `client_secret=${c.secret}`, stack: `at refresh_token=${c.refresh} Bearer ${c.bearer}` },
      [c.bearer, { access_token: c.bearer }],
    ];
    for (const value of thrown) {
      expectNoCanary(normalizeError(value), c);
    }
  });

  it('keeps no canary when the library builds an error directly', () => {
    const c = canaries();
    const error = new PartnerCenterError({
      kind: 'unauthorized',
      retryable: false,
      reason: `refresh failed: refresh_token=${c.refresh}`,
      description: `Bearer ${c.bearer}`,
      url: `https://api.partnercenter.microsoft.com/v1/customers?client_secret=${c.secret}`,
      cause: new Error(`client_secret=${c.secret}`, { cause: `Bearer ${c.bearer}` }),
    });
    expect(JSON.stringify(error)).not.toContain(c.secret);
    expect(String(error)).not.toContain(c.refresh);
    expect(error.message).not.toContain(c.bearer);
    expect(error.description).toBe('Bearer REDACTED');
    expect(error.reason).toBe('refresh failed: refresh_token=REDACTED');
    expect(error.url).not.toContain(c.secret);
    expectNoCanary(error, c);
  });

  it('keeps no canary through errorFromResponse and PartnerCenterError.with', () => {
    const c = canaries();
    const error = errorFromResponse(
      { status: 429, headers: { 'retry-after': '5' }, data: { message: `client_secret=${c.secret}` } },
      { url: `https://api.partnercenter.microsoft.com/v1/customers?code=${c.refresh}`, method: 'get' },
      new Error(`Bearer ${c.bearer}`),
    );
    expectNoCanary(error, c);
    expectNoCanary(error.with({ attempts: 3, scope: 'partner' }), c);
  });

  it('caps the depth of the cause chain', () => {
    let cause: unknown = new Error('root');
    for (let i = 0; i < 50; i += 1) cause = new Error(`level ${i}`, { cause });
    const error = normalizeError(cause);
    let depth = 0;
    let current = (error as { cause?: unknown }).cause;
    while (current !== undefined) {
      depth += 1;
      current = (current as { cause?: unknown }).cause;
    }
    expect(depth).toBeGreaterThan(0);
    expect(depth).toBeLessThanOrEqual(6);
  });

  it('survives a cyclic cause chain', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    const error = normalizeError(a);
    expect(error.kind).toBe('unknown');
    expect(() => inspect(error, { depth: 10, showHidden: true })).not.toThrow();
  });
});

describe("a request URL's secret-named query values are known secrets of its errors", () => {
  const config = {
    baseURL: 'https://storage.example',
    url: '/ops/1?sv=2024-11-04&sig=Zm9vYmFyYmF6cXV4%3D%3D&size=123456789&code=auth-code-0123',
    headers: {},
  };

  it('removes a SAS signature quoted bare, with or without its padding, and an OAuth code', () => {
    const sanitizer = withRequestSecrets(config, defaultSanitizer);
    expect(sanitizer.scrubText('signature Zm9vYmFyYmF6cXV4== expired; Zm9vYmFyYmF6cXV4 too')).toBe(
      'signature REDACTED expired; REDACTED too',
    );
    expect(sanitizer.scrubText('code auth-code-0123 used twice')).toBe('code REDACTED used twice');
  });

  it('leaves the values of other parameters alone, and short values', () => {
    const sanitizer = withRequestSecrets(
      { url: 'https://storage.example/x?size=123456789&sig=short', headers: {} },
      defaultSanitizer,
    );
    expect(sanitizer.scrubText('page 123456789, sig short')).toBe('page 123456789, sig short');
  });

  it('is the sanitizer itself for a request with neither Authorization nor secret query values', () => {
    expect(withRequestSecrets({ url: '/v1/customers?size=10', headers: {} }, defaultSanitizer)).toBe(
      defaultSanitizer,
    );
  });
});
