import { AxiosError, AxiosHeaders, CanceledError, type InternalAxiosRequestConfig } from 'axios';
import { BrokenCircuitError, IsolatedCircuitError, TaskCancelledError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { isNotSentNetworkCode, PARTNER_CENTER_ERROR_KINDS } from '../../../src/errors/classify.js';
import { normalizeError } from '../../../src/errors/normalizeError.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
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
