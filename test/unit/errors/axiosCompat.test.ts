import { AxiosHeaders } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  axiosCodeOf,
  configSnapshot,
  configView,
  fromExchange,
  type PartnerCenterErrorExchange,
  REQUEST_HEADERS,
  redactExchange,
  responseView,
} from '../../../src/errors/axiosCompat.js';
import { defaultSanitizer } from '../../../src/observability/sanitizer.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl';

/** The error fields the views read; every one absent unless given. */
function fields(given: Partial<Parameters<typeof responseView>[0]> = {}): Parameters<typeof responseView>[0] {
  return {
    kind: 'client',
    status: undefined,
    method: undefined,
    url: undefined,
    requestId: undefined,
    correlationId: undefined,
    code: undefined,
    description: undefined,
    data: undefined,
    source: undefined,
    body: undefined,
    headers: {},
    ...given,
  };
}

describe('configSnapshot', () => {
  it('keeps the allow-listed request headers only, never Authorization', () => {
    const snapshot = configSnapshot({
      method: 'POST',
      url: '/v1/customers',
      baseURL: 'https://api.partnercenter.microsoft.com',
      headers: new AxiosHeaders({
        Authorization: `Bearer ${JWT}`,
        'MS-RequestId': 'req-1',
        'X-Custom': 'dropped',
        Accept: 'application/json',
      }),
    });
    expect(snapshot).toEqual({
      method: 'post',
      url: '/v1/customers',
      baseURL: 'https://api.partnercenter.microsoft.com',
      headers: { accept: 'application/json', 'ms-requestid': 'req-1' },
    });
    expect(REQUEST_HEADERS).not.toContain('authorization');
  });

  it('drops a method that is no HTTP token, and is undefined for a value that is no object', () => {
    expect(configSnapshot({ method: 'GET /evil' })?.method).toBeUndefined();
    expect(configSnapshot('GET')).toBeUndefined();
    expect(configSnapshot(null)).toBeUndefined();
  });
});

describe('redactExchange', () => {
  const exchange: PartnerCenterErrorExchange = {
    statusText: `Bearer ${JWT}`,
    data: { description: 'fine', accessToken: 'abc', nested: { clientSecret: 'xyz' } },
    axiosCode: 'ERR_BAD_REQUEST',
    config: {
      method: 'GET',
      url: '/v1/files?sig=s3cr3tSignatureValue&size=10',
      baseURL: 'https://user:pass@api.partnercenter.microsoft.com',
      headers: { 'ms-requestid': `Bearer ${JWT}` },
    },
  };

  it('scrubs every text, redacts secret-named keys and secret query values', () => {
    const redacted = redactExchange(exchange, defaultSanitizer);
    const text = JSON.stringify(redacted);
    expect(text).not.toContain(JWT);
    expect(text).not.toContain('s3cr3tSignatureValue');
    expect(text).not.toContain('user:pass');
    expect(redacted?.data).toEqual({
      description: 'fine',
      accessToken: 'REDACTED',
      nested: { clientSecret: 'REDACTED' },
    });
    expect(redacted?.config?.method).toBe('get');
    expect(redacted?.axiosCode).toBe('ERR_BAD_REQUEST');
    expect(Object.isFrozen(redacted)).toBe(true);
  });

  it('is idempotent, and undefined for no exchange', () => {
    const once = redactExchange(exchange, defaultSanitizer);
    expect(redactExchange(once, defaultSanitizer)).toEqual(once);
    expect(redactExchange(undefined, defaultSanitizer)).toBeUndefined();
  });
});

describe('the views of an error', () => {
  it('an error is of an exchange when it knows its status, method or URL', () => {
    expect(fromExchange(fields())).toBe(false);
    expect(fromExchange(fields({ status: 0 }))).toBe(true);
    expect(fromExchange(fields({ method: 'GET' }))).toBe(true);
    expect(fromExchange(fields({ url: '/v1' }))).toBe(true);
  });

  it('config: undefined for no exchange, else built from the snapshot, then from the fields', () => {
    expect(configView(fields(), undefined)).toBeUndefined();
    const fromFields = configView(
      fields({ method: 'PATCH', url: '/v1/x', requestId: 'r', correlationId: 'c' }),
      {},
    );
    expect(fromFields?.method).toBe('patch');
    expect(fromFields?.url).toBe('/v1/x');
    expect(fromFields?.headers.toJSON()).toEqual({ 'ms-requestid': 'r', 'ms-correlationid': 'c' });
    const fromSnapshot = configView(fields({ method: 'PATCH', requestId: 'r' }), {
      config: { method: 'get', url: '/v1/y', baseURL: 'https://b', headers: { 'ms-requestid': 'own' } },
    });
    expect(fromSnapshot?.method).toBe('get');
    expect(fromSnapshot?.url).toBe('/v1/y');
    expect(fromSnapshot?.baseURL).toBe('https://b');
    expect(fromSnapshot?.headers.toJSON()).toEqual({ 'ms-requestid': 'own' });
  });

  it('response: undefined without a status; a new copy of the data on each read', () => {
    expect(responseView(fields({ method: 'GET' }), undefined, undefined)).toBeUndefined();
    const exchange = { statusText: 'Too Many Requests', data: { code: '1', list: [1] } };
    const view = fields({ status: 429, headers: { 'retry-after': '1' } });
    const first = responseView(view, exchange, undefined);
    expect(first).toMatchObject({
      status: 429,
      statusText: 'Too Many Requests',
      headers: { 'retry-after': '1' },
    });
    const data = first?.data as { list: number[] };
    data.list.push(2);
    expect(responseView(view, exchange, undefined)?.data).toEqual({ code: '1', list: [1] });
    expect(exchange.data.list).toEqual([1]);
  });

  it('response data: the body snippet, else the fields of the body, else nothing', () => {
    expect(responseView(fields({ status: 502, body: '<html>' }), undefined, undefined)?.data).toBe('<html>');
    expect(
      responseView(fields({ status: 400, code: '2000', source: 'PC' }), undefined, undefined)?.data,
    ).toEqual({
      code: '2000',
      description: undefined,
      data: undefined,
      source: 'PC',
    });
    const bare = responseView(fields({ status: 500 }), undefined, undefined);
    expect(bare?.data).toBeUndefined();
    expect(bare?.statusText).toBe('');
    expect(bare?.config.headers).toBeInstanceOf(AxiosHeaders);
  });

  it('axios code: the failure’s own, else the one axios would have used', () => {
    expect(axiosCodeOf(fields({ status: 500 }), { axiosCode: 'ECONNRESET' })).toBe('ECONNRESET');
    expect(axiosCodeOf(fields({ kind: 'cancelled' }), undefined)).toBe('ERR_CANCELED');
    expect(axiosCodeOf(fields({ kind: 'timeout' }), undefined)).toBe('ECONNABORTED');
    expect(axiosCodeOf(fields({ kind: 'timeout', status: 408 }), undefined)).toBe('ERR_BAD_REQUEST');
    expect(axiosCodeOf(fields({ kind: 'server', status: 500 }), undefined)).toBe('ERR_BAD_RESPONSE');
    expect(axiosCodeOf(fields({ kind: 'client', status: 499 }), undefined)).toBe('ERR_BAD_REQUEST');
    expect(axiosCodeOf(fields({ kind: 'network' }), undefined)).toBe('ERR_NETWORK');
    expect(axiosCodeOf(fields({ kind: 'unknown' }), undefined)).toBeUndefined();
  });
});
