import { Readable } from 'node:stream';
import axios, { AxiosHeaders } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callInfoOf as callInfo } from '../../../src/observability/callInfo.js';
import { writeHeader } from '../../../src/policies/call.js';
import { makeCall } from '../../helpers/roomCall.js';

const START = Date.parse('2026-11-25T12:00:00Z');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

async function microtasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('Call ids', () => {
  it('generates GUID MS-RequestId and MS-CorrelationId and writes them to the headers', () => {
    const call = makeCall();
    expect(call.requestId).toMatch(GUID);
    expect(call.correlationId).toMatch(GUID);
    expect(call.requestId).not.toBe(call.correlationId);
    expect(call.config.headers.get('MS-RequestId')).toBe(call.requestId);
    expect(call.config.headers.get('MS-CorrelationId')).toBe(call.correlationId);
    // Written under the canonical names, as AxiosHeaders.set writes them.
    expect(Object.keys(call.config.headers)).toEqual(['MS-RequestId', 'MS-CorrelationId']);
  });

  it('generates new ids for every call', () => {
    const a = makeCall();
    const b = makeCall();
    expect(a.requestId).not.toBe(b.requestId);
    expect(a.correlationId).not.toBe(b.correlationId);
  });

  it.each([
    ['ms-requestid', 'MS-CORRELATIONID'],
    ['MS-RequestId', 'ms-correlationid'],
    ['Ms-RequestID', 'mS-cOrReLaTiOnId'],
  ])("keeps the caller's ids whatever the header-name case (%s, %s)", (requestName, correlationName) => {
    const headers = new AxiosHeaders({ [requestName]: 'caller-request', [correlationName]: 'caller-corr' });
    const call = makeCall({ config: { headers } });
    expect(call.requestId).toBe('caller-request');
    expect(call.correlationId).toBe('caller-corr');
    // No second header under another case.
    expect(Object.keys(call.config.headers).sort()).toEqual([correlationName, requestName].sort());
    expect(call.config.headers.get(requestName)).toBe('caller-request');
  });

  it('keeps a caller correlation id and generates only the missing request id', () => {
    const headers = new AxiosHeaders({ 'ms-correlationid': 'batch-7' });
    const call = makeCall({ config: { headers } });
    expect(call.correlationId).toBe('batch-7');
    expect(call.requestId).toMatch(GUID);
    expect(call.config.headers.get('ms-requestid')).toBe(call.requestId);
  });

  it('replaces an empty caller id with a generated one', () => {
    const headers = new AxiosHeaders({ 'MS-RequestId': '' });
    const call = makeCall({ config: { headers } });
    expect(call.requestId).toMatch(GUID);
    expect(call.config.headers.get('MS-RequestId')).toBe(call.requestId);
  });
});

describe('writeHeader', () => {
  it('stores a new header under the given name, readable in any case', () => {
    const call = makeCall();
    writeHeader(call.config, 'Authorization', 'Bearer a');
    expect(Object.keys(call.config.headers)).toContain('Authorization');
    expect(call.config.headers.get('authorization')).toBe('Bearer a');
  });

  it("replaces a caller's value under the caller's spelling: never two cases of one name", () => {
    const call = makeCall({ config: { headers: new AxiosHeaders({ authorization: 'Bearer old' }) } });
    writeHeader(call.config, 'Authorization', 'Bearer new');
    const names = Object.keys(call.config.headers).filter((k) => k.toLowerCase() === 'authorization');
    expect(names).toEqual(['authorization']);
    expect(call.config.headers.get('Authorization')).toBe('Bearer new');
    expect(call.config.headers.toJSON()).toMatchObject({ authorization: 'Bearer new' });
  });

  it('overwrites its own earlier value (a second attempt)', () => {
    const call = makeCall();
    writeHeader(call.config, 'Authorization', 'Bearer a');
    writeHeader(call.config, 'Authorization', 'Bearer b');
    expect(Object.keys(call.config.headers).filter((k) => k.toLowerCase() === 'authorization')).toHaveLength(
      1,
    );
    expect(call.config.headers.get('Authorization')).toBe('Bearer b');
  });

  it("writes the generated id under the caller's spelling when the caller sent it empty in another case", () => {
    const call = makeCall({ config: { headers: new AxiosHeaders({ 'ms-requestid': '' }) } });
    expect(Object.keys(call.config.headers).filter((k) => k.toLowerCase() === 'ms-requestid')).toEqual([
      'ms-requestid',
    ]);
    expect(call.config.headers.get('MS-RequestId')).toBe(call.requestId);
  });
});

describe('Call attempts', () => {
  it('uses the policy maxAttempts by default', () => {
    const call = makeCall({ options: { retry: { maxAttempts: 6 } } });
    expect(call.maxAttempts).toBe(6);
    expect(call.singleAttemptReason).toBeUndefined();
  });

  it('request.retry false gives one attempt with the reason', () => {
    const call = makeCall({ request: { retry: false } });
    expect(call.maxAttempts).toBe(1);
    expect(call.singleAttemptReason).toBe('retries are off for this request');
  });

  it('a stream body gives one attempt with the reason', () => {
    const call = makeCall({ config: { method: 'put', data: Readable.from(['a', 'b']) } });
    expect(call.maxAttempts).toBe(1);
    expect(call.singleAttemptReason).toBe('the request body is a stream and cannot be replayed');
  });

  it('a plain object body with a non-function pipe field is not a stream', () => {
    const call = makeCall({ config: { method: 'put', data: { pipe: 'not a function' } } });
    expect(call.maxAttempts).toBe(4);
  });
});

describe('Call budget', () => {
  it("takes the deadline from the request's axios timeout first", () => {
    const call = makeCall({ config: { timeout: 5_000 }, options: { timeout: { totalMs: 60_000 } } });
    expect(call.startedAt).toBe(START);
    expect(call.totalMs).toBe(5_000);
    expect(call.deadline).toBe(START + 5_000);
  });

  it('then from timeout.totalMs (an axios timeout of 0 means none)', () => {
    const call = makeCall({ config: { timeout: 0 }, options: { timeout: { totalMs: 60_000 } } });
    expect(call.totalMs).toBe(60_000);
    expect(call.deadline).toBe(START + 60_000);
  });

  it('uses the default totalMs of 180 s when nothing is set', () => {
    const call = makeCall();
    expect(call.totalMs).toBe(180_000);
    expect(call.deadline).toBe(START + 180_000);
  });

  it('has an Infinity deadline when totalMs is 0', () => {
    const call = makeCall({ options: { timeout: { totalMs: 0 } } });
    expect(call.totalMs).toBe(0);
    expect(call.deadline).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('Call method safety', () => {
  it.each([
    ['get', false],
    ['put', false],
    ['delete', false],
    ['post', true],
    ['patch', true],
  ])('%s: unsafe %s', (method, unsafe) => {
    const call = makeCall({ config: { method } });
    expect(call.method).toBe(method.toUpperCase());
    expect(call.unsafe).toBe(unsafe);
    expect(call.idempotent).toBe(!unsafe);
  });

  it('reads a missing method as GET', () => {
    const call = makeCall({ config: { method: undefined } });
    expect(call.method).toBe('GET');
    expect(call.unsafe).toBe(false);
  });

  it('POST with idempotent: true is neither unsafe nor refused a retry', () => {
    const call = makeCall({ config: { method: 'post' }, request: { idempotent: true } });
    expect(call.unsafe).toBe(false);
    expect(call.idempotent).toBe(true);
  });

  it('retryUnsafeMethods makes a POST retryable but still unsafe (an unknown outcome is reported)', () => {
    const call = makeCall({ config: { method: 'post' }, options: { retry: { retryUnsafeMethods: true } } });
    expect(call.unsafe).toBe(true);
    expect(call.idempotent).toBe(true);
  });
});

describe('Call abort', () => {
  it('creates no abort without a caller signal or cancel token', () => {
    const call = makeCall();
    expect(call.abort).toBeUndefined();
    const abort = call.ensureAbort();
    expect(call.ensureAbort()).toBe(abort);
    expect(abort.aborted).toBe(false);
  });

  it("is aborted at once when the caller's signal already is", () => {
    const controller = new AbortController();
    controller.abort();
    const call = makeCall({ config: { signal: controller.signal } });
    expect(call.abort?.aborted).toBe(true);
    expect(call.abort?.cause).toBe('caller');
  });

  it("follows the caller's signal, until close() stops listening", () => {
    const first = new AbortController();
    const listening = makeCall({ config: { signal: first.signal } });
    expect(listening.abort?.aborted).toBe(false);
    first.abort();
    expect(listening.abort?.aborted).toBe(true);
    expect(listening.abort?.cause).toBe('caller');

    const second = new AbortController();
    const closed = makeCall({ config: { signal: second.signal } });
    closed.close();
    second.abort();
    expect(closed.abort?.aborted).toBe(false);
    expect(closed.abort?.cause).toBeUndefined();
  });

  it("follows the caller's cancel token, until close() stops listening", async () => {
    const source = axios.CancelToken.source();
    const call = makeCall({ config: { cancelToken: source.token } });
    expect(call.abort?.aborted).toBe(false);
    source.cancel('stop');
    // CancelToken notifies its listeners from a promise callback.
    await microtasks();
    expect(call.abort?.aborted).toBe(true);
    expect(call.abort?.cause).toBe('caller');

    const other = axios.CancelToken.source();
    const closed = makeCall({ config: { cancelToken: other.token } });
    closed.close();
    other.cancel('stop');
    await microtasks();
    expect(closed.abort?.aborted).toBe(false);
  });

  it('is aborted at once for an already cancelled token', () => {
    const source = axios.CancelToken.source();
    source.cancel('before');
    const call = makeCall({ config: { cancelToken: source.token } });
    expect(call.abort?.aborted).toBe(true);
  });
});

describe('callInfo', () => {
  it('reports the ids, scope, method and the redacted url', () => {
    const call = makeCall({
      scope: 'customer:c-1',
      config: {
        method: 'delete',
        url: 'https://user:pw@api.partnercenter.microsoft.com/v1/customers/c-1?token=t0ps3cret',
      },
    });
    const info = callInfo(call);
    expect(info).toMatchObject({
      requestId: call.requestId,
      correlationId: call.correlationId,
      scope: 'customer:c-1',
      method: 'DELETE',
    });
    expect(info.url).toContain('api.partnercenter.microsoft.com/v1/customers/c-1');
    expect(info.url).not.toContain('t0ps3cret');
    expect(info.url).not.toContain('pw@');
  });
});
