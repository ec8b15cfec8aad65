import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  attachResilience,
  isPartnerCenterError,
  type PartnerCenterError,
  type ResilienceOptions,
} from '../../src/index.js';
import type { RequestEvent, RetryEvent } from '../../src/observability/events.js';
import { cleanupAfterEach, closedLoopbackPort, rejectionOf, reply } from '../helpers/loopbackServer.js';

const FAST = { baseDelayMs: 1, maxDelayMs: 5 } as const;

const { defer, server } = cleanupAfterEach();

interface Setup {
  readonly instance: AxiosInstance;
  readonly requests: RequestEvent[];
  readonly retries: RetryEvent[];
}

function setup(baseURL: string, options: ResilienceOptions = {}): Setup {
  const agent = new http.Agent({ keepAlive: true });
  defer(() => agent.destroy());
  const instance = axios.create({ baseURL, httpAgent: agent });
  const requests: RequestEvent[] = [];
  const retries: RetryEvent[] = [];
  attachResilience(instance, {
    retry: FAST,
    ...options,
    hooks: { onRequest: (e) => requests.push(e), onRetry: (e) => retries.push(e) },
  });
  return { instance, requests, retries };
}

async function pcError(promise: Promise<unknown>): Promise<PartnerCenterError> {
  const error = await rejectionOf(promise);
  if (!isPartnerCenterError(error)) throw new Error(`expected a PartnerCenterError, got ${String(error)}`);
  return error;
}

function causeCode(error: PartnerCenterError): unknown {
  return (error as { cause?: { code?: unknown } }).cause?.code;
}

/** Rejects with a clear message if `promise` has not settled after `ms` (a hang guard, not a timing check). */
function guard<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

describe('network faults over real sockets', () => {
  it.each(['get', 'post'] as const)(
    'connection refused (nothing was sent) is retried for %s',
    async (method) => {
      const port = await closedLoopbackPort();
      const { instance, requests, retries } = setup(`http://127.0.0.1:${port}`);

      const error = await pcError(
        method === 'get' ? instance.get('/v1/customers') : instance.post('/v1/customers/c1/orders', { a: 1 }),
      );

      expect(error.kind).toBe('network');
      expect(causeCode(error)).toBe('ECONNREFUSED');
      expect(error.attempts).toBe(4);
      expect(requests.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
      expect(retries).toHaveLength(3);
      expect(error.outcomeUnknown).toBe(false);
      expect(error.method).toBe(method.toUpperCase());
    },
  );

  it('a socket destroyed after the request was read (ECONNRESET) is retried for GET', async () => {
    const pc = await server((_hit, index, req, res) => {
      if (index === 0) req.socket.destroy();
      else reply(res, 200, { items: [] });
    });
    const { instance, retries } = setup(pc.url);

    const response = await instance.get('/v1/customers');

    expect(response.status).toBe(200);
    expect(pc.hits).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.errorKind).toBe('network');
  });

  it('a socket destroyed after the request was read is NOT retried for POST (outcome unknown)', async () => {
    const pc = await server((_hit, _index, req) => {
      req.socket.destroy();
    });
    const { instance, retries } = setup(pc.url);

    const error = await pcError(instance.post('/v1/customers/c1/orders', { lineItems: [] }));

    expect(pc.hits).toHaveLength(1);
    expect(retries).toHaveLength(0);
    expect(error.kind).toBe('network');
    expect(causeCode(error)).toBe('ECONNRESET');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.attempts).toBe(1);
  });
});

describe('timeouts and cancellation over real sockets', () => {
  it('per-attempt timeout: the first attempt hangs, the second answers: success with 2 hits', async () => {
    const pc = await server((_hit, index, _req, res) => {
      if (index > 0) reply(res, 200, { ok: true });
      // index 0: never answered
    });
    const { instance, retries } = setup(pc.url, {
      retry: { ...FAST, maxRetryAfterMs: 1_000 },
      timeout: { attemptMs: 200, totalMs: 5_000 },
    });

    const response = await instance.get('/v1/customers');

    expect(response.status).toBe(200);
    expect(response.data).toEqual({ ok: true });
    expect(pc.hits).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.errorKind).toBe('timeout');
    expect(new Set(pc.hits.map((h) => h.headers['ms-requestid'])).size).toBe(1);
  });

  it("the caller's axios timeout is the total budget: a server that never answers gives kind 'timeout'", async () => {
    const pc = await server(() => undefined);
    const { instance } = setup(pc.url);

    const error = await pcError(guard(instance.get('/v1/customers', { timeout: 300 }), 10_000, 'the call'));

    expect(error.kind).toBe('timeout');
    expect(error.kind).not.toBe('cancelled');
    expect(pc.hits.length).toBeGreaterThanOrEqual(1);
    expect(error.outcomeUnknown).toBe(false);
  });

  it("the caller's AbortController.abort() mid-request gives kind 'cancelled', never 'timeout'", async () => {
    const controller = new AbortController();
    const pc = await server(() => {
      // The request has arrived and hangs: the caller gives up now.
      controller.abort();
    });
    const { instance, retries } = setup(pc.url);

    const error = await pcError(
      guard(instance.get('/v1/customers', { signal: controller.signal, timeout: 5_000 }), 10_000, 'the call'),
    );

    expect(error.kind).toBe('cancelled');
    expect(error.retryable).toBe(false);
    expect(pc.hits).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });

  it('a cancelled call still reports its context: scope, attempts, request ids', async () => {
    const controller = new AbortController();
    const pc = await server((_hit, index, _req, res) => {
      if (index === 0) reply(res, 503, { code: 3000, description: 'unavailable' });
      else controller.abort(); // the second attempt hangs and the caller gives up
    });
    const { instance } = setup(pc.url);

    const error = await pcError(
      guard(
        instance.get('/v1/customers/c1/subscriptions', { signal: controller.signal }),
        10_000,
        'the call',
      ),
    );

    expect(error.kind).toBe('cancelled');
    expect(pc.hits).toHaveLength(2);
    expect(error.requestId).toBe(pc.hits[0]?.headers['ms-requestid']);
    expect(error.correlationId).toBe(pc.hits[0]?.headers['ms-correlationid']);
    expect(error.scope).toBe('customer:c1');
    expect(error.attempts).toBe(2);
  });

  it("an abort during a Retry-After wait rejects at once with kind 'cancelled'", async () => {
    const controller = new AbortController();
    const pc = await server((_hit, _index, _req, res) =>
      reply(res, 429, { statusCode: 429, message: 'Rate limit is exceeded' }, { 'Retry-After': '60' }),
    );
    const agent = new http.Agent({ keepAlive: true });
    defer(() => agent.destroy());
    const instance = axios.create({ baseURL: pc.url, httpAgent: agent });
    attachResilience(instance, {
      retry: FAST,
      // The 60 s wait starts right after onRetry: abort 100 ms into it. A wait that ignored the caller's signal
      // would hang past the guard. (Were the machine so slow that the wait had not started yet, the abort would be
      // seen before it, and the test would still pass for the right reason.)
      hooks: {
        onRetry: () => {
          setTimeout(() => controller.abort(), 100);
        },
      },
    });

    const error = await pcError(
      guard(instance.get('/v1/customers', { signal: controller.signal }), 5_000, 'the aborted call'),
    );

    expect(error.kind).toBe('cancelled');
    expect(pc.hits).toHaveLength(1);
  });
});
