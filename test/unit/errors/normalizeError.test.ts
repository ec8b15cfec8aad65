import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { AxiosError, AxiosHeaders, CanceledError, type InternalAxiosRequestConfig } from 'axios';
import { BrokenCircuitError, IsolatedCircuitError, TaskCancelledError } from 'cockatiel';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  classifyStatus,
  isNotSentNetworkCode,
  PARTNER_CENTER_ERROR_KINDS,
} from '../../../src/errors/classify.js';
import {
  CORS_HINT,
  isCancelledError,
  isCircuitOpenError,
  isPartnerCenterError,
  isRetryableError,
  isThrottledError,
  normalizeError,
} from '../../../src/errors/normalizeError.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { MAX_DESCRIPTION_CHARS } from '../../../src/errors/redaction.js';
import { axiosLikeError, jwtCanary } from './helpers.js';

function systemError(code: string, message = `connect ${code} 10.0.0.1:443`): Error {
  return Object.assign(new Error(message), { code, errno: -1, syscall: 'connect' });
}

function axiosNetworkError(code: string, message: string, token: string): AxiosError {
  const config: InternalAxiosRequestConfig = {
    method: 'post',
    url: '/v1/customers',
    baseURL: 'https://api.partnercenter.microsoft.com',
    headers: new AxiosHeaders({ Authorization: `Bearer ${token}`, 'MS-RequestId': 'req-1' }),
  };
  return new AxiosError(message, code, config, {}, undefined);
}

describe('errors without a response', () => {
  it('ECONNRESET is a retryable network fault that may have been sent', () => {
    const error = normalizeError(systemError('ECONNRESET', 'socket hang up'));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(isNotSentNetworkCode('ECONNRESET')).toBe(false);
    expect((error.cause as { code?: unknown }).code).toBe('ECONNRESET');
  });

  it('ECONNREFUSED is a retryable network fault that proves the request was not sent', () => {
    const error = normalizeError(systemError('ECONNREFUSED'));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
    expect(isNotSentNetworkCode('ECONNREFUSED')).toBe(true);
  });

  it('ENOTFOUND is a network fault, not sent, and not retried (EAI_AGAIN is the transient DNS failure)', () => {
    const error = normalizeError(
      systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.partnercenter.microsoft.com'),
    );
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(false);
    expect(isNotSentNetworkCode('ENOTFOUND')).toBe(true);
    const again = normalizeError(
      systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN api.partnercenter.microsoft.com'),
    );
    expect(again.kind).toBe('network');
    expect(again.retryable).toBe(true);
    expect(isNotSentNetworkCode('EAI_AGAIN')).toBe(true);
  });

  it('EPIPE is retryable; ECONNABORTED without a timeout message is a network fault that is not', () => {
    expect(normalizeError(systemError('EPIPE')).retryable).toBe(true);
    const aborted = normalizeError(axiosLikeError({ code: 'ECONNABORTED', message: 'Request aborted' }));
    expect(aborted.kind).toBe('network');
    expect(aborted.retryable).toBe(false);
  });

  it('isNotSentNetworkCode is false for unknown and absent codes', () => {
    expect(isNotSentNetworkCode(undefined)).toBe(false);
    expect(isNotSentNetworkCode('ETIMEDOUT')).toBe(false);
    expect(isNotSentNetworkCode('ERR_NETWORK')).toBe(false);
  });

  it('ETIMEDOUT is a retryable timeout', () => {
    const error = normalizeError(systemError('ETIMEDOUT'));
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
  });

  it("axios's ECONNABORTED 'timeout of 100ms exceeded' is a timeout", () => {
    const token = jwtCanary();
    const error = normalizeError(axiosNetworkError('ECONNABORTED', 'timeout of 100ms exceeded', token));
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(error.method).toBe('POST');
    expect(error.url).toBe('https://api.partnercenter.microsoft.com/v1/customers');
    expect(error.requestId).toBe('req-1');
    expect(JSON.stringify(error)).not.toContain(token);
  });

  it('an undici connect timeout is a timeout, also when the code is on the cause', () => {
    const direct = normalizeError(systemError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'));
    expect(direct.kind).toBe('timeout');
    const fetchFailed = new TypeError('fetch failed', { cause: systemError('UND_ERR_CONNECT_TIMEOUT') });
    expect(normalizeError(fetchFailed).kind).toBe('timeout');
    const refused = new TypeError('fetch failed', { cause: systemError('ECONNREFUSED') });
    expect(normalizeError(refused).kind).toBe('network');
  });

  it('a caller abort is cancelled, never timeout', () => {
    const axiosCancel = axiosNetworkError('ERR_CANCELED', 'canceled', jwtCanary());
    const canceled = new CanceledError();
    const abort = new DOMException('This operation was aborted', 'AbortError');
    const nodeAbort = Object.assign(new Error('The operation was aborted'), {
      name: 'AbortError',
      code: 'ABORT_ERR',
    });
    const plain = axiosLikeError({ code: 'ERR_CANCELED', message: 'canceled' });
    for (const value of [axiosCancel, canceled, abort, nodeAbort, plain]) {
      const error = normalizeError(value);
      expect(error.kind, String(value)).toBe('cancelled');
      expect(error.retryable).toBe(false);
    }
  });

  it('a DOMException TimeoutError (AbortSignal.timeout) is a timeout', () => {
    const error = normalizeError(
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    );
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
  });

  it("cockatiel's BrokenCircuitError and IsolatedCircuitError give circuit-open", () => {
    for (const value of [new BrokenCircuitError(), new IsolatedCircuitError()]) {
      const error = normalizeError(value);
      expect(error.kind).toBe('circuit-open');
      expect(error.retryable).toBe(false);
      expect(error.reason).toBe('the circuit breaker is open');
    }
  });

  it("cockatiel's TaskCancelledError is a timeout when it timed out, else cancelled", () => {
    const timedOut = normalizeError(new TaskCancelledError('Operation timed out after 100ms'));
    expect(timedOut.kind).toBe('timeout');
    expect(timedOut.retryable).toBe(true);
    const cancelled = normalizeError(new TaskCancelledError());
    expect(cancelled.kind).toBe('cancelled');
    expect(cancelled.retryable).toBe(false);
  });

  it('ERR_INVALID_URL is a client fault that no retry can fix', () => {
    let thrown: unknown;
    try {
      new URL('http://[not-a-url');
    } catch (error: unknown) {
      thrown = error;
    }
    const error = normalizeError(thrown);
    expect((thrown as { code?: unknown }).code).toBe('ERR_INVALID_URL');
    expect(error.kind).toBe('client');
    expect(error.retryable).toBe(false);
    const axiosInvalid = axiosLikeError({ code: 'ERR_INVALID_URL', message: 'Invalid URL' });
    expect(normalizeError(axiosInvalid).kind).toBe('client');
  });

  it('ERR_NETWORK (browser network error) is a retryable network fault', () => {
    const error = normalizeError(axiosNetworkError('ERR_NETWORK', 'Network Error', jwtCanary()));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
  });

  it('an Error without code or known name is unknown', () => {
    const error = normalizeError(new RangeError('boom'));
    expect(error.kind).toBe('unknown');
    expect(error.retryable).toBe(false);
    expect(error.reason).toBe('unexpected failure: boom');
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).name).toBe('RangeError');
  });
});

describe('non-Error throws never make normalizeError throw', () => {
  const throwingGetter = Object.defineProperty({}, 'message', {
    get() {
      throw new Error('getter');
    },
    enumerable: true,
  });
  const allThrowing = new Proxy(
    {},
    {
      get() {
        throw new Error('get');
      },
      has() {
        throw new Error('has');
      },
      ownKeys() {
        throw new Error('ownKeys');
      },
      getOwnPropertyDescriptor() {
        throw new Error('getOwnPropertyDescriptor');
      },
      getPrototypeOf() {
        throw new Error('getPrototypeOf');
      },
      defineProperty() {
        throw new Error('defineProperty');
      },
      set() {
        throw new Error('set');
      },
      isExtensible() {
        throw new Error('isExtensible');
      },
      preventExtensions() {
        throw new Error('preventExtensions');
      },
      setPrototypeOf() {
        throw new Error('setPrototypeOf');
      },
      deleteProperty() {
        throw new Error('deleteProperty');
      },
    },
  );
  const cases: Array<[string, unknown]> = [
    ['a string', 'something broke'],
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['a symbol', Symbol('thrown')],
    ['a bigint', 10n],
    ['a function', () => 1],
    ['a plain object', { foo: 'bar', nested: { deep: [1, 2, 3] } }],
    ['an object with a throwing getter', throwingGetter],
    ['a Proxy that throws on every trap', allThrowing],
    [
      'an object with a throwing toString',
      {
        toString: () => {
          throw new Error('toString');
        },
      },
    ],
    ['an object with a null prototype', Object.create(null) as unknown],
    [
      'a circular object',
      (() => {
        const o: Record<string, unknown> = {};
        o['self'] = o;
        return o;
      })(),
    ],
  ];
  for (const [name, value] of cases) {
    it(`${name} gives a valid PartnerCenterError`, () => {
      const error = normalizeError(value, { scope: 'partner', attempts: 2 });
      expect(error).toBeInstanceOf(PartnerCenterError);
      expect(PARTNER_CENTER_ERROR_KINDS).toContain(error.kind);
      expect(error.kind).toBe('unknown');
      expect(error.retryable).toBe(false);
      expect(typeof error.message).toBe('string');
      expect(() => JSON.stringify(error)).not.toThrow();
      expect(() => String(error)).not.toThrow();
    });
  }

  it('a Proxy that throws on every trap keeps the context', () => {
    const error = normalizeError(allThrowing, { scope: 'partner', attempts: 2, requestId: 'r-1' });
    expect(error.scope).toBe('partner');
    expect(error.attempts).toBe(2);
    expect(error.requestId).toBe('r-1');
  });

  it('a thrown string is kept, scrubbed, on the cause', () => {
    const token = jwtCanary();
    const error = normalizeError(`failed with Bearer ${token}`);
    expect(error.reason).toBe('a non-Error value was thrown (string)');
    expect((error.cause as Error).name).toBe('NonErrorThrown');
    expect((error.cause as Error).message).toContain('failed with Bearer REDACTED');
    expect((error.cause as Error).message).not.toContain(token);
  });
});

// In a browser, axios reports a CORS block as ERR_NETWORK with no response, exactly as a lost connection:
// the reason says so there (the real browser test, test/browser/, sees it in Chromium).

function networkError(code: string): AxiosError {
  const config: InternalAxiosRequestConfig = {
    method: 'get',
    url: '/v1/customers',
    baseURL: 'https://api.partnercenter.microsoft.com',
    headers: new AxiosHeaders({ 'MS-RequestId': 'req-1' }),
  };
  return new AxiosError('Network Error', code, config, {}, undefined);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the CORS hint on a network fault without a response', () => {
  it('names a CORS block for ERR_NETWORK in a browser page (still a retryable network fault)', () => {
    vi.stubGlobal('document', {});
    const error = normalizeError(networkError('ERR_NETWORK'));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.reason).toBe(`network fault ERR_NETWORK: ${CORS_HINT}`);
    expect(CORS_HINT).toMatch(/lost connection, or a CORS block .*origin.*Authorization and MS-\* headers/);
  });

  it('names it in a worker too (no document, importScripts)', () => {
    vi.stubGlobal('importScripts', () => undefined);
    expect(normalizeError(networkError('ERR_NETWORK')).reason).toContain('CORS block');
  });

  it('stays a plain network fault in Node, and for other codes in a browser', () => {
    expect(normalizeError(networkError('ERR_NETWORK')).reason).toBe('network fault ERR_NETWORK');
    vi.stubGlobal('document', {});
    expect(normalizeError(networkError('ECONNRESET')).reason).toBe('network fault ECONNRESET');
  });
});

describe('normalizeError on an existing PartnerCenterError', () => {
  it('returns it as is when the context adds nothing', () => {
    const error = new PartnerCenterError({ kind: 'server', retryable: true, scope: 'partner' });
    expect(normalizeError(error)).toBe(error);
    expect(normalizeError(error, { scope: 'other' })).toBe(error);
  });

  it('fills missing context fields and always updates attempts', () => {
    const error = new PartnerCenterError({ kind: 'server', retryable: true, attempts: 1, scope: 'partner' });
    const filled = normalizeError(error, { attempts: 3, scope: 'customer:x', requestId: 'r-2' });
    expect(filled).not.toBe(error);
    expect(filled.attempts).toBe(3);
    expect(filled.scope).toBe('partner');
    expect(filled.requestId).toBe('r-2');
  });
});

/** What a built copy of the library exports, as far as these tests use it. */
interface LibraryCopy {
  readonly PartnerCenterError: typeof PartnerCenterError;
  readonly isPartnerCenterError: typeof isPartnerCenterError;
  readonly isThrottledError: typeof isThrottledError;
  readonly isRetryableError: typeof isRetryableError;
  readonly normalizeError: typeof normalizeError;
}

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('guards in this copy', () => {
  const throttled = new PartnerCenterError({ kind: 'throttled', retryable: true, status: 429 });
  const cancelled = new PartnerCenterError({ kind: 'cancelled', retryable: false });
  const open = new PartnerCenterError({ kind: 'circuit-open', retryable: false });

  it('recognise PartnerCenterErrors and check the kind', () => {
    expect(isPartnerCenterError(throttled)).toBe(true);
    expect(isPartnerCenterError(throttled, 'throttled')).toBe(true);
    expect(isPartnerCenterError(throttled, 'server')).toBe(false);
    expect(isThrottledError(throttled)).toBe(true);
    expect(isThrottledError(cancelled)).toBe(false);
    expect(isCancelledError(cancelled)).toBe(true);
    expect(isCircuitOpenError(open)).toBe(true);
    expect(isRetryableError(throttled)).toBe(true);
    expect(isRetryableError(cancelled)).toBe(false);
    expect(PartnerCenterError.is(open)).toBe(true);
  });

  it('reject look-alikes and hostile values without throwing', () => {
    const lookAlike = Object.assign(new Error('x'), {
      name: 'PartnerCenterError',
      kind: 'throttled',
      retryable: true,
    });
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
      },
    );
    for (const value of [
      lookAlike,
      { kind: 'throttled' },
      null,
      undefined,
      'PartnerCenterError',
      1,
      Symbol('x'),
    ]) {
      expect(isPartnerCenterError(value)).toBe(false);
      expect(isThrottledError(value)).toBe(false);
      expect(isRetryableError(value)).toBe(false);
    }
    expect(isPartnerCenterError(hostile)).toBe(false);
    expect(isRetryableError(hostile)).toBe(false);
  });

  it('keep the marker non-enumerable, so it is not printed or serialised', () => {
    expect(Object.keys(throttled)).not.toContain('partner-center-resilience.PartnerCenterError');
    expect(JSON.stringify(throttled)).not.toContain('partner-center-resilience');
  });
});

describe('guards across two installed copies', () => {
  const outDir = join(ROOT, 'node_modules', '.cache', `pcr-guards-${process.pid}`);
  let cjs: LibraryCopy;
  let esm: LibraryCopy;

  beforeAll(async () => {
    let dir = outDir;
    try {
      // A private build, so that another build cleaning dist/ at the same time cannot break this test.
      execFileSync(
        'npx',
        [
          '--no-install',
          'tsup',
          'src/index.ts',
          'src/advanced.ts',
          '--no-config',
          '--format',
          'esm,cjs',
          '--target',
          'node20',
          '--platform',
          'node',
          '--out-dir',
          outDir,
        ],
        { cwd: ROOT, timeout: 60_000, stdio: 'pipe' },
      );
      // Inside node_modules the package scope of the repository does not apply: say that .js is ESM.
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
    } catch (failure: unknown) {
      if (!existsSync(join(ROOT, 'dist', 'index.cjs'))) {
        execFileSync('npm', ['run', 'build'], { cwd: ROOT, timeout: 60_000, stdio: 'pipe' });
      }
      console.info(`private build failed (${String(failure).slice(0, 200)}); using dist/`);
      dir = join(ROOT, 'dist');
    }
    const require = createRequire(import.meta.url);
    // the narrower guards are in the advanced entry
    cjs = { ...require(join(dir, 'index.cjs')), ...require(join(dir, 'advanced.cjs')) } as LibraryCopy;
    esm = {
      ...(await import(pathToFileURL(join(dir, 'index.js')).href)),
      ...(await import(pathToFileURL(join(dir, 'advanced.js')).href)),
    } as LibraryCopy;
  }, 90_000);

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('loads three distinct classes', () => {
    expect(cjs.PartnerCenterError).not.toBe(PartnerCenterError);
    expect(esm.PartnerCenterError).not.toBe(PartnerCenterError);
    expect(esm.PartnerCenterError).not.toBe(cjs.PartnerCenterError);
  });

  it('an error built by the CJS copy passes the source guards, though instanceof is false', () => {
    const foreign = new cjs.PartnerCenterError({ kind: 'throttled', retryable: true, status: 429 });
    expect(foreign instanceof PartnerCenterError).toBe(false);
    expect(isPartnerCenterError(foreign)).toBe(true);
    expect(isPartnerCenterError(foreign, 'throttled')).toBe(true);
    expect(isThrottledError(foreign)).toBe(true);
    expect(isRetryableError(foreign)).toBe(true);
    expect(PartnerCenterError.is(foreign)).toBe(true);
  });

  it('an error built by the source passes the CJS and ESM guards, though instanceof is false', () => {
    const local = new PartnerCenterError({ kind: 'throttled', retryable: true, status: 429 });
    for (const copy of [cjs, esm]) {
      expect(local instanceof copy.PartnerCenterError).toBe(false);
      expect(copy.isPartnerCenterError(local)).toBe(true);
      expect(copy.isPartnerCenterError(local, 'throttled')).toBe(true);
      expect(copy.isPartnerCenterError(local, 'server')).toBe(false);
      expect(copy.isThrottledError(local)).toBe(true);
      expect(copy.isRetryableError(local)).toBe(true);
      expect(copy.PartnerCenterError.is(local)).toBe(true);
    }
  });

  it('an error built by the ESM copy passes the CJS guards and the source guards', () => {
    const foreign = new esm.PartnerCenterError({ kind: 'server', retryable: false, status: 500 });
    expect(foreign instanceof cjs.PartnerCenterError).toBe(false);
    expect(cjs.isPartnerCenterError(foreign, 'server')).toBe(true);
    expect(isPartnerCenterError(foreign, 'server')).toBe(true);
  });

  it('normalizeError keeps a foreign-copy error instead of wrapping it', () => {
    const foreign = cjs.normalizeError({
      isAxiosError: true,
      response: { status: 503, headers: {}, data: '' },
    });
    const same = normalizeError(foreign);
    expect(same).toBe(foreign);
    const filled = normalizeError(foreign, { scope: 'partner', attempts: 3 });
    expect(isPartnerCenterError(filled, 'server')).toBe(true);
    expect(filled.status).toBe(503);
    expect(filled.scope).toBe('partner');
    expect(filled.attempts).toBe(3);
    const back = cjs.normalizeError(
      normalizeError({ isAxiosError: true, response: { status: 429, headers: {} } }),
    );
    expect(cjs.isThrottledError(back)).toBe(true);
  });
});

const CANARY = jwtCanary();
/** 300 by default (about a second); FC_NUM_RUNS raises it for a longer local hunt. */
const NUM_RUNS = Number(process.env['FC_NUM_RUNS'] ?? 300);

/** A string that sometimes carries the canary, alone, after a scheme, or inside random text. */
const maybeCanary: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constant(CANARY) },
  { weight: 1, arbitrary: fc.constant(`Bearer ${CANARY}`) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.string(), fc.string()).map(([before, after]) => `${before}${CANARY}${after}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('?code=', '&refresh_token=', ' access_token: ', '"client_secret":"', ' ', '/', '=')
      .map((prefix) => `${prefix}${CANARY}`),
  },
);

const status = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, 400, 401, 403, 404, 408, 409, 412, 429, 500, 502, 503, 504, 999),
);

const headers = fc.oneof(
  fc.dictionary(fc.string(), maybeCanary),
  fc.record(
    {
      'retry-after': fc.oneof(
        fc.string(),
        fc.integer().map(String),
        fc.date().map((d) => d.toUTCString()),
      ),
      'retry-after-ms': fc.oneof(fc.string(), fc.nat().map(String)),
      'x-ms-retry-after-ms': fc.string(),
      'Retry-After': fc.string(),
      'ms-cv': maybeCanary,
      'MS-RequestId': maybeCanary,
      'content-type': fc.constantFrom('application/json', 'text/html', 'text/plain', ''),
      authorization: fc.constant(`Bearer ${CANARY}`),
    },
    { requiredKeys: [] },
  ),
);

const body: fc.Arbitrary<unknown> = fc.oneof(
  maybeCanary,
  fc.uint8Array(),
  maybeCanary.map((s) => new TextEncoder().encode(s)),
  fc.jsonValue(),
  fc.object(),
  fc.anything(),
  fc.record(
    {
      code: fc.oneof(fc.integer(), maybeCanary),
      description: maybeCanary,
      message: maybeCanary,
      data: fc.oneof(fc.jsonValue(), maybeCanary),
      source: maybeCanary,
      errorName: maybeCanary,
      isRetryable: fc.oneof(fc.boolean(), fc.string()),
      error: fc.record({ code: maybeCanary, message: maybeCanary }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue().map((v) => (JSON.stringify(v) ?? '').slice(0, -1)),
);

const axiosLike = fc
  .record({
    status,
    headers,
    body,
    message: maybeCanary,
    method: fc.oneof(fc.constantFrom('get', 'post', 'patch'), maybeCanary),
    url: fc.oneof(
      fc.webUrl(),
      maybeCanary,
      fc.webUrl().map((u) => `${u}?code=${CANARY}&size=1`),
    ),
    code: fc.oneof(fc.constantFrom('ERR_BAD_REQUEST', 'ERR_BAD_RESPONSE'), maybeCanary),
  })
  .map((r) => ({
    value: {
      isAxiosError: true,
      message: r.message,
      code: r.code,
      config: {
        method: r.method,
        url: r.url,
        headers: { Authorization: `Bearer ${CANARY}`, 'MS-RequestId': r.message },
      },
      response: { status: r.status, headers: r.headers, data: r.body },
    } as unknown,
    status: r.status,
  }));

const thrown: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  maybeCanary,
  maybeCanary.map((m) => new Error(m)),
  fc.tuple(maybeCanary, fc.string()).map(([m, code]) => Object.assign(new Error(m), { code })),
  fc.tuple(maybeCanary, maybeCanary).map(([m, inner]) => new Error(m, { cause: new Error(inner) })),
  fc.tuple(maybeCanary, fc.anything()).map(([m, cause]) => new TypeError(m, { cause })),
  fc
    .tuple(
      maybeCanary,
      fc.constantFrom('ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ERR_CANCELED', 'ENOTFOUND'),
    )
    .map(([m, code]) => ({
      isAxiosError: true,
      message: m,
      code,
      config: { headers: { Authorization: `Bearer ${CANARY}` } },
    })),
  fc.record({ status, data: body, headers }),
);

function expectValid(error: PartnerCenterError): void {
  expect(error).toBeInstanceOf(PartnerCenterError);
  expect(PARTNER_CENTER_ERROR_KINDS).toContain(error.kind);
  expect(typeof error.retryable).toBe('boolean');
  expect(error.description === undefined || error.description.length <= MAX_DESCRIPTION_CHARS).toBe(true);
  if (error.retryAfterMs !== undefined) {
    expect(Number.isFinite(error.retryAfterMs)).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(0);
  }
  const texts = [
    JSON.stringify(error),
    String(error),
    String(error.stack),
    inspect(error, { depth: 10, showHidden: true }),
    inspect(error, { depth: 10, customInspect: false }),
  ];
  for (const text of texts) {
    if (text.includes(CANARY)) throw new Error(`canary leaked: ${text.slice(0, 3000)}`);
  }
}

describe('normalizeError properties', () => {
  it('is total, valid and redacted for arbitrary axios-like failures', () => {
    fc.assert(
      fc.property(axiosLike, ({ value, status: s }) => {
        const error = normalizeError(value);
        expectValid(error);
        // A readable integer status is kept and classified as classifyStatus says.
        if (Number.isInteger(s)) {
          expect(error.status).toBe(s);
          expect(error.kind).toBe(classifyStatus(s).kind);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('is total, valid and redacted for arbitrary thrown values', () => {
    fc.assert(
      fc.property(thrown, (value) => {
        expectValid(normalizeError(value, { scope: 'partner', attempts: 1 }));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
