import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import {
  classifyStatus,
  createErrorCodeTable,
  DEFAULT_ERROR_CODES,
  lookupErrorCode,
} from '../../../src/errors/classify.js';
import { errorFromResponse } from '../../../src/errors/errorFromResponse.js';
import { normalizeError } from '../../../src/errors/normalizeError.js';
import {
  MAX_BODY_SNIPPET_CHARS,
  MAX_DATA_CHARS,
  MAX_DESCRIPTION_CHARS,
} from '../../../src/errors/redaction.js';
import { axiosLikeError, jwtCanary } from './helpers.js';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function respond(status: number, data: unknown, headers: Record<string, string> = JSON_HEADERS) {
  return normalizeError(axiosLikeError({ status, data, headers }));
}

describe('body drift', () => {
  it('reads numeric and string codes alike, as trimmed strings', () => {
    expect(respond(409, { code: 800064, description: 'busy' }).code).toBe('800064');
    expect(respond(409, { code: '800064', description: 'busy' }).code).toBe('800064');
    expect(respond(409, { code: ' 800064 ', description: 'busy' }).code).toBe('800064');
    expect(respond(409, { code: '800064' }).retryable).toBe(true);
    expect(respond(400, { code: 'InvalidInput', description: 'bad' }).code).toBe('InvalidInput');
  });

  it('treats a code of the wrong type as absent without losing the rest of the body', () => {
    const error = respond(400, { code: { nested: true }, description: 'still here', source: 'PartnerFD' });
    expect(error.code).toBeUndefined();
    expect(error.description).toBe('still here');
    expect(error.source).toBe('PartnerFD');
    expect(respond(400, { code: Number.NaN, description: 'x' }).code).toBeUndefined();
  });

  it('reads the gateway { statusCode, message } body', () => {
    const error = respond(
      429,
      { statusCode: 429, message: 'Rate limit is exceeded. Try again in 12 seconds.' },
      {},
    );
    expect(error.kind).toBe('throttled');
    expect(error.retryable).toBe(true);
    expect(error.description).toBe('Rate limit is exceeded. Try again in 12 seconds.');
    // No Retry-After header: the message is the only hint.
    expect(error.retryAfterMs).toBe(12_000);
    expect(error.retryAfterSource).toBe('body');
  });

  it('prefers the Retry-After header over the message hint', () => {
    const error = respond(
      429,
      { statusCode: 429, message: 'Try again in 12 seconds.' },
      { 'retry-after': '3' },
    );
    expect(error.retryAfterMs).toBe(3000);
    expect(error.retryAfterSource).toBe('retry-after');
    expect(error.headers['retry-after']).toBe('3');
  });

  it('does not read a message hint on statuses other than 429 and 503', () => {
    expect(respond(400, { message: 'Try again in 12 seconds.' }).retryAfterMs).toBeUndefined();
    expect(respond(503, { message: 'Try again in 2 seconds.' }).retryAfterMs).toBe(2000);
  });

  it('reads an Azure-style { error: { code, message } } body', () => {
    const error = respond(403, { error: { code: 'AuthorizationFailed', message: 'No access.' } });
    expect(error.kind).toBe('forbidden');
    expect(error.code).toBe('AuthorizationFailed');
    expect(error.description).toBe('No access.');
    expect(respond(400, { error: { code: 2000, description: 'nested description' } }).description).toBe(
      'nested description',
    );
  });

  it('prefers description over message', () => {
    expect(
      respond(400, { code: 1, description: 'the description', message: 'the message' }).description,
    ).toBe('the description');
  });

  it('reads an HTML page by its title, else its first heading', () => {
    const titled = respond(503, '<html><title>Service Unavailable</title></html>', {
      'content-type': 'text/html',
    });
    expect(titled.description).toBe('Service Unavailable');
    expect(titled.kind).toBe('server');
    expect(titled.retryable).toBe(true);
    const heading = respond(504, '<html><body><h1>Gateway\n  Timeout</h1></body></html>', {});
    expect(heading.description).toBe('Gateway Timeout');
    expect(heading.reason).toBe('the gateway answered with an HTML page');
    const bare = respond(502, '<html><body>oops</body></html>', { 'content-type': 'text/html' });
    expect(bare.description).toBeUndefined();
    expect(bare.body).toBe('<html><body>oops</body></html>');
  });

  it('reads a plain-text body by its first line', () => {
    const error = respond(500, 'upstream connect error\nreset reason: overflow', {
      'content-type': 'text/plain',
    });
    expect(error.description).toBe('upstream connect error');
    expect(error.body).toBe('upstream connect error\nreset reason: overflow');
    expect(error.kind).toBe('server');
    expect(error.retryable).toBe(false);
  });

  it('handles empty, null, undefined and whitespace bodies', () => {
    for (const data of ['', '   \n\t ', null, undefined, '\uFEFF', '\uFEFF  ']) {
      const error = respond(503, data, {});
      expect(error.kind, JSON.stringify(data)).toBe('server');
      expect(error.retryable).toBe(true);
      expect(error.code).toBeUndefined();
      expect(error.description).toBeUndefined();
      expect(error.body).toBeUndefined();
    }
  });

  it('salvages code and description from truncated JSON', () => {
    const error = respond(
      409,
      '{"code": 800064, "description": "Cart 7b2b is being processed by another requ',
    );
    expect(error.code).toBe('800064');
    expect(error.description).toBe('Cart 7b2b is being processed by another requ');
    expect(error.retryable).toBe(true);
    expect(error.codeClass).toBe('transient');
    expect(error.reason).toBe('the body is not valid JSON (truncated?)');
    expect(error.body).toContain('"code": 800064');
    const escaped = respond(400, '{"code":"2000","message":"Tenant \\"x\\" must be a GUID","data":[');
    expect(escaped.code).toBe('2000');
    expect(escaped.description).toBe('Tenant "x" must be a GUID');
  });

  it('scrubs a salvaged description whole, even when a secret sits near the salvage limit', () => {
    const token = jwtCanary();
    const text = `{"code":2000,"description":"${'x'.repeat(1000)} ${token} and more`;
    const error = respond(400, text);
    expect(error.description?.length).toBeLessThanOrEqual(MAX_DESCRIPTION_CHARS);
    expect(JSON.stringify(error)).not.toContain(token.slice(0, 16));
  });

  it('strips a UTF-8 byte order mark from string and byte bodies', () => {
    const json = '{"code":800064,"description":"busy"}';
    expect(respond(409, `\uFEFF${json}`).code).toBe('800064');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]);
    expect(respond(409, bytes).code).toBe('800064');
  });

  it('decodes Buffer, Uint8Array, ArrayBuffer and DataView bodies', () => {
    const json = '{"code":60012,"description":"no licenses","source":"PartnerFD"}';
    const buffer = Buffer.from(json);
    const u8 = new TextEncoder().encode(json);
    const arrayBuffer = u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength);
    const padded = new Uint8Array(u8.byteLength + 8);
    padded.set(u8, 4);
    const view = new DataView(padded.buffer, 4, u8.byteLength);
    for (const body of [buffer, u8, arrayBuffer, view, padded.subarray(4, 4 + u8.byteLength)]) {
      const error = respond(400, body);
      expect(error.code, body.constructor.name).toBe('60012');
      expect(error.description).toBe('no licenses');
      expect(error.source).toBe('PartnerFD');
    }
  });

  it('decodes invalid UTF-8 without throwing', () => {
    const error = respond(502, new Uint8Array([0xff, 0xfe, 0x80, 0x41]), {});
    expect(error.kind).toBe('server');
    expect(error.body).toBeDefined();
  });

  it('keeps a 5 MB body capped', () => {
    const huge = 'A'.repeat(5 * 1024 * 1024);
    const started = performance.now();
    const cases = [
      respond(500, huge, { 'content-type': 'text/plain' }),
      respond(500, `{"code":500,"description":"${huge}"}`),
      respond(500, `{"code":500,"description":"${huge}`),
      respond(500, { code: 500, description: huge, data: { blob: huge } }),
      respond(500, Buffer.from(`{"code":500,"description":"${huge}"}`)),
      respond(500, `<html><title>${huge}</title></html>`, { 'content-type': 'text/html' }),
    ];
    for (const error of cases) {
      expect(error.description?.length ?? 0).toBeLessThanOrEqual(MAX_DESCRIPTION_CHARS);
      expect(error.body?.length ?? 0).toBeLessThanOrEqual(MAX_BODY_SNIPPET_CHARS);
      expect(JSON.stringify(error.data ?? null).length).toBeLessThanOrEqual(MAX_DATA_CHARS + 64);
      expect(error.message.length).toBeLessThanOrEqual(MAX_DESCRIPTION_CHARS + 512);
      expect(JSON.stringify(error).length).toBeLessThan(32 * 1024);
    }
    expect(cases[3]?.data).toEqual(expect.stringContaining('… [truncated]'));
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('does not read a stream body', () => {
    const stream = { pipe: () => undefined, on: () => undefined };
    const error = respond(502, stream, {});
    expect(error.kind).toBe('server');
    expect(error.reason).toBe('the body is a stream and was not read');
    expect(error.body).toBeUndefined();
  });

  it('honours isRetryable as a boolean or a string, over the status and the code table', () => {
    expect(respond(400, { code: 1, isRetryable: true }).retryable).toBe(true);
    expect(respond(400, { code: 1, isRetryable: 'true' }).retryable).toBe(true);
    expect(respond(400, { code: 1, isRetryable: 'True' }).retryable).toBe(true);
    expect(respond(503, { code: 1, isRetryable: false }).retryable).toBe(false);
    expect(respond(503, { code: 1, isRetryable: 'false' }).retryable).toBe(false);
    expect(respond(409, { code: 800064, isRetryable: false }).retryable).toBe(false);
    // An unreadable isRetryable is ignored.
    expect(respond(503, { code: 1, isRetryable: 'maybe' }).retryable).toBe(true);
    expect(respond(400, { code: 1, isRetryable: 1 }).retryable).toBe(false);
  });

  it('never retries a 401, whatever the body says', () => {
    expect(respond(401, { code: 800064, isRetryable: true }).retryable).toBe(false);
  });

  it('keeps a non-Partner-Center JSON array body as a snippet', () => {
    const error = respond(400, ['a', 'b']);
    expect(error.body).toBe('["a","b"]');
    expect(error.code).toBeUndefined();
  });

  it('keeps MS-CV, MS-ServerId and the response MS-RequestId, drops headers outside the allow-list', () => {
    const error = respond(
      500,
      { code: 1 },
      {
        'MS-CV': 'abc.1',
        'MS-ServerId': 'srv-1',
        'MS-RequestId': 'resp-req',
        'Set-Cookie': 'session=secret',
        'X-Custom': 'x',
      },
    );
    expect(error.cv).toBe('abc.1');
    expect(error.serverId).toBe('srv-1');
    expect(error.requestId).toBe('resp-req');
    expect(error.headers).toEqual({ 'ms-cv': 'abc.1', 'ms-serverid': 'srv-1', 'ms-requestid': 'resp-req' });
  });
});

describe('status classification', () => {
  it('maps every documented status', () => {
    const table: Array<[number, string, boolean]> = [
      [400, 'client', false],
      [401, 'unauthorized', false],
      [403, 'forbidden', false],
      [404, 'not-found', false],
      [405, 'client', false],
      [406, 'client', false],
      [408, 'timeout', true],
      [409, 'conflict', false],
      [412, 'conflict', false],
      [429, 'throttled', true],
      [500, 'server', false],
      [501, 'server', false],
      [502, 'server', true],
      [503, 'server', true],
      [504, 'server', true],
    ];
    for (const [status, kind, retryable] of table) {
      expect(classifyStatus(status), String(status)).toEqual({ kind, retryable });
      const error = respond(status, undefined, {});
      expect(error.kind).toBe(kind);
      expect(error.retryable).toBe(retryable);
    }
  });

  it('classifies out-of-range statuses without throwing', () => {
    expect(classifyStatus(0)).toEqual({ kind: 'client', retryable: false });
    expect(classifyStatus(-1)).toEqual({ kind: 'client', retryable: false });
    expect(classifyStatus(999)).toEqual({ kind: 'server', retryable: false });
    expect(errorFromResponse({ status: Number.NaN }).status).toBe(0);
    expect(errorFromResponse({ status: 1.5 }).status).toBe(0);
  });
});

describe('error code table', () => {
  it('classes the documented codes', () => {
    for (const code of ['800064', '800082', '900130', '900135', '900101', '900104', '900109', '900113']) {
      expect(lookupErrorCode(DEFAULT_ERROR_CODES, code)?.class, code).toBe('transient');
      expect(respond(400, { code: Number(code) }).retryable, code).toBe(true);
    }
  });

  it('900421 fails with a reason about multi-factor authentication', () => {
    const error = respond(401, { code: 900421, description: 'MFA required' });
    expect(error.kind).toBe('unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.codeClass).toBe('mfa-required');
    expect(error.reason).toMatch(/multi-factor authentication/i);
    const forbidden = respond(403, { code: '900421' });
    expect(forbidden.reason).toMatch(/multi-factor authentication/i);
  });

  it('800060 (order in progress) is not retryable and asks to reconcile', () => {
    const error = respond(409, { code: 800060, description: 'Order in progress' });
    expect(error.retryable).toBe(false);
    expect(error.codeClass).toBe('reconcile');
    expect(error.reason).toMatch(/reconcile/);
    expect(respond(503, { code: 800060 }).retryable).toBe(false);
  });

  it('2055 and 400019 ask for a fresh GET', () => {
    for (const code of [2055, 400019]) {
      const error = respond(412, { code, description: 'stale' });
      expect(error.codeClass).toBe('refetch');
      expect(error.retryable).toBe(false);
      expect(error.reason).toMatch(/GET/);
    }
  });

  it('a permanent code keeps the status decision', () => {
    expect(respond(503, { code: 2000 }).retryable).toBe(true);
    expect(respond(400, { code: 2000 }).retryable).toBe(false);
  });

  it('unknown codes keep the status decision and have no codeClass', () => {
    const error = respond(409, { code: 123456 });
    expect(error.codeClass).toBeUndefined();
    expect(error.retryable).toBe(false);
  });

  it('createErrorCodeTable lets a user mark a code transient or override a default', () => {
    const codes = createErrorCodeTable(
      { '123456': { meaning: 'Our tenant is warming up.', class: 'transient' } },
      { '800064': { meaning: 'We never retry this one.', class: 'permanent' } },
      { '2000': { meaning: 'Retry, we fix the tenant id upstream.', class: 'transient' } },
    );
    const custom = normalizeError(axiosLikeError({ status: 409, data: { code: 123456 } }), { codes });
    expect(custom.retryable).toBe(true);
    expect(custom.codeClass).toBe('transient');
    const overridden = normalizeError(axiosLikeError({ status: 409, data: { code: 800064 } }), { codes });
    expect(overridden.retryable).toBe(false);
    expect(overridden.codeClass).toBe('permanent');
    expect(overridden.reason).toBe('We never retry this one.');
    expect(normalizeError(axiosLikeError({ status: 400, data: { code: 2000 } }), { codes }).retryable).toBe(
      true,
    );
    // The defaults are untouched.
    expect(DEFAULT_ERROR_CODES['800064']?.class).toBe('transient');
    expect(Object.isFrozen(DEFAULT_ERROR_CODES)).toBe(true);
    expect(Object.isFrozen(codes)).toBe(true);
    expect(codes['900421']?.class).toBe('mfa-required');
  });

  it('a later override wins over an earlier one', () => {
    const codes = createErrorCodeTable(
      { '42': { meaning: 'first', class: 'permanent' } },
      { '42': { meaning: 'second', class: 'transient' } },
    );
    expect(codes['42']).toEqual({ meaning: 'second', class: 'transient' });
  });

  it('looks codes up as own keys only', () => {
    expect(lookupErrorCode(DEFAULT_ERROR_CODES, 'toString')).toBeUndefined();
    expect(lookupErrorCode(DEFAULT_ERROR_CODES, '__proto__')).toBeUndefined();
    expect(lookupErrorCode(DEFAULT_ERROR_CODES, undefined)).toBeUndefined();
    expect(respond(400, { code: 'constructor' }).codeClass).toBeUndefined();
  });
});
