import http, { type ClientRequestArgs } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import axios, {
  type AxiosAdapter,
  AxiosHeaders,
  type AxiosInstance,
  type AxiosRequestTransformer,
  type InternalAxiosRequestConfig,
} from 'axios';
import { describe, expect, it } from 'vitest';
import {
  attachResilience,
  isPartnerCenterError,
  PartnerCenterError,
  type ResilienceOptions,
} from '../../src/index.js';
import {
  cleanupAfterEach,
  GUID,
  type LoopbackHandler,
  rejectionOf,
  reply,
} from '../helpers/loopbackServer.js';

/** Tiny backoff so that real-time retries take milliseconds. */
const FAST: ResilienceOptions = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

const { defer, server } = cleanupAfterEach();

function agent(options: http.AgentOptions = { keepAlive: true }): http.Agent {
  const created = new http.Agent(options);
  defer(() => created.destroy());
  return created;
}

/** 503 for the first `failures` hits, then 200 with `{ ok: true, hit }`. */
function failThenSucceed(failures: number): LoopbackHandler {
  return (_hit, index, _req, res) =>
    index < failures
      ? reply(res, 503, { code: 3000, description: 'Service unavailable, try again' })
      : reply(res, 200, { ok: true, hit: index + 1 });
}

describe('attachResilience over real http (loopback)', () => {
  it('503, 503, 200: three hits share one GUID MS-RequestId and one MS-CorrelationId; the caller gets the 200', async () => {
    const pc = await server(failThenSucceed(2));
    const instance = axios.create({ baseURL: pc.url, httpAgent: agent() });
    attachResilience(instance, FAST);

    const response = await instance.get('/v1/customers?size=5');

    expect(response.status).toBe(200);
    expect(response.data).toEqual({ ok: true, hit: 3 });
    expect(pc.hits).toHaveLength(3);
    const requestIds = new Set(pc.hits.map((h) => h.headers['ms-requestid']));
    const correlationIds = new Set(pc.hits.map((h) => h.headers['ms-correlationid']));
    expect(requestIds.size).toBe(1);
    expect(correlationIds.size).toBe(1);
    const [requestId] = requestIds;
    const [correlationId] = correlationIds;
    expect(requestId).toMatch(GUID);
    expect(correlationId).toMatch(GUID);
    expect(correlationId).not.toBe(requestId);
    for (const hit of pc.hits) expect(hit.url).toBe('/v1/customers?size=5');

    // The next logical call gets fresh ids.
    await instance.get('/v1/customers');
    const next = pc.hits[3];
    expect(next?.headers['ms-requestid']).toMatch(GUID);
    expect(next?.headers['ms-requestid']).not.toBe(requestId);
    expect(next?.headers['ms-correlationid']).not.toBe(correlationId);
  });

  it('sends a caller-set MS-RequestId and MS-CorrelationId unchanged on every attempt', async () => {
    const pc = await server(failThenSucceed(2));
    const instance = axios.create({ baseURL: pc.url, httpAgent: agent() });
    attachResilience(instance, FAST);
    const requestId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const correlationId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

    const response = await instance.get('/v1/customers', {
      // Header names are case-insensitive: the caller's own spelling must be recognised.
      headers: { 'MS-RequestId': requestId, 'ms-correlationid': correlationId },
    });

    expect(response.status).toBe(200);
    expect(pc.hits).toHaveLength(3);
    for (const hit of pc.hits) {
      expect(hit.headers['ms-requestid']).toBe(requestId);
      expect(hit.headers['ms-correlationid']).toBe(correlationId);
    }
  });

  it('runs the instance interceptors and transformRequest once per call; the JSON body is identical on every attempt', async () => {
    const pc = await server(failThenSucceed(2));
    const defaultTransforms = ([] as AxiosRequestTransformer[]).concat(axios.defaults.transformRequest ?? []);
    let transformRuns = 0;
    const instance = axios.create({
      baseURL: pc.url,
      httpAgent: agent(),
      transformRequest: [
        (data: unknown) => {
          transformRuns += 1;
          return data;
        },
        ...defaultTransforms,
      ],
    });
    // One interceptor of each kind added before attaching, one after: all must keep running once per call.
    let earlyRequestRuns = 0;
    let lateRequestRuns = 0;
    instance.interceptors.request.use(async (config: InternalAxiosRequestConfig) => {
      earlyRequestRuns += 1;
      config.headers.set('X-Early-Interceptor-Run', String(earlyRequestRuns));
      return config;
    });
    const earlyResponses: number[] = [];
    instance.interceptors.response.use((response) => {
      earlyResponses.push(response.status);
      return response;
    });
    attachResilience(instance, FAST);
    instance.interceptors.request.use((config: InternalAxiosRequestConfig) => {
      lateRequestRuns += 1;
      config.headers.set('X-Late-Interceptor-Run', String(lateRequestRuns));
      return config;
    });
    const lateResponses: Array<{ status: number; data: unknown }> = [];
    instance.interceptors.response.use((response) => {
      lateResponses.push({ status: response.status, data: response.data });
      return response;
    });

    const payload = {
      name: 'Contoso "Ltd"',
      tags: ['a', 'b'],
      nested: { unicode: 'café ✓', empty: {}, n: 1.5 },
    };
    const before = JSON.stringify(payload);
    const response = await instance.put('/v1/customers/1234/profiles/billing', payload);

    expect(response.status).toBe(200);
    expect(response.data).toEqual({ ok: true, hit: 3 });
    expect(pc.hits).toHaveLength(3);
    expect(transformRuns).toBe(1);
    expect(earlyRequestRuns).toBe(1);
    expect(lateRequestRuns).toBe(1);
    expect(earlyResponses).toEqual([200]);
    expect(lateResponses).toEqual([{ status: 200, data: { ok: true, hit: 3 } }]);
    expect(JSON.stringify(payload)).toBe(before);
    for (const hit of pc.hits) {
      expect(hit.method).toBe('PUT');
      expect(hit.body).toBe(before);
      expect(JSON.parse(hit.body)).toEqual(payload);
      expect(hit.headers['content-type']).toMatch(/^application\/json/);
      expect(hit.headers['content-length']).toBe(String(Buffer.byteLength(before)));
      expect(hit.headers['x-early-interceptor-run']).toBe('1');
      expect(hit.headers['x-late-interceptor-run']).toBe('1');
    }
  });

  it("keeps the instance's custom adapter working: every attempt goes through it", async () => {
    const pc = await server(failThenSucceed(1));
    const httpAdapter = axios.getAdapter('http');
    const seen: string[] = [];
    const myAdapter: AxiosAdapter = (config) => {
      seen.push(String(config.headers.get('MS-RequestId')));
      config.headers.set('X-Custom-Adapter', 'yes');
      return httpAdapter(config);
    };
    const instance = axios.create({ baseURL: pc.url, adapter: myAdapter, httpAgent: agent() });
    attachResilience(instance, FAST);

    const response = await instance.get('/v1/customers');

    expect(response.status).toBe(200);
    expect(pc.hits).toHaveLength(2);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(GUID);
    expect(seen[1]).toBe(seen[0]);
    for (const hit of pc.hits) expect(hit.headers['x-custom-adapter']).toBe('yes');
  });

  it("keeps the instance's custom httpAgent working: every attempt uses a connection it created", async () => {
    const pc = await server(failThenSucceed(1));
    const localPorts = new Set<number>();
    let connections = 0;
    class CountingAgent extends http.Agent {
      override createConnection(
        options: ClientRequestArgs,
        callback?: (err: Error | null, stream: Duplex) => void,
      ): Duplex {
        connections += 1;
        const socket = super.createConnection(options, callback);
        if (socket instanceof net.Socket) {
          socket.once('connect', () => {
            if (socket.localPort !== undefined) localPorts.add(socket.localPort);
          });
        }
        return socket;
      }
    }
    const counting = new CountingAgent({ keepAlive: true, maxSockets: 1 });
    defer(() => counting.destroy());
    const instance = axios.create({ baseURL: pc.url, httpAgent: counting });
    attachResilience(instance, FAST);

    const response = await instance.get('/v1/customers');

    expect(response.status).toBe(200);
    expect(pc.hits).toHaveLength(2);
    expect(connections).toBeGreaterThanOrEqual(1);
    for (const hit of pc.hits) {
      expect(hit.remotePort).toBeDefined();
      expect(localPorts.has(hit.remotePort ?? -1)).toBe(true);
    }
  });

  it('detach() restores the instance exactly: defaults deep-equal, a 503 is one hit and a plain AxiosError', async () => {
    const pc = await server((_hit, _index, _req, res) =>
      reply(res, 503, { code: 3000, description: 'down' }),
    );
    const instance: AxiosInstance = axios.create({
      baseURL: pc.url,
      httpAgent: agent(),
      timeout: 2_000,
      headers: { 'X-App': 'test' },
    });
    const defaultsBefore = snapshot(instance.defaults);
    const keysBefore = Object.keys(instance.defaults).sort();
    const handlersBefore = activeHandlers(instance);

    const handle = attachResilience(instance, FAST);
    expect(activeHandlers(instance)).toEqual({
      request: handlersBefore.request + 1,
      response: handlersBefore.response + 1,
    });
    // While attached: retried, typed error.
    const attached = await rejectionOf(instance.get('/v1/customers'));
    expect(isPartnerCenterError(attached)).toBe(true);
    expect(pc.hits).toHaveLength(4);

    handle.detach();
    handle.detach();

    expect(Object.keys(instance.defaults).sort()).toEqual(keysBefore);
    expect(snapshot(instance.defaults)).toStrictEqual(defaultsBefore);
    expect(activeHandlers(instance)).toEqual(handlersBefore);

    const error = await rejectionOf(instance.get('/v1/customers'));
    expect(pc.hits).toHaveLength(5);
    expect(axios.isAxiosError(error)).toBe(true);
    expect(error).not.toBeInstanceOf(PartnerCenterError);
    expect(isPartnerCenterError(error)).toBe(false);
    expect(axios.isAxiosError(error) ? error.response?.status : undefined).toBe(503);
    expect(pc.hits[4]?.headers['ms-requestid']).toBeUndefined();
    expect(pc.hits[4]?.headers['ms-correlationid']).toBeUndefined();
  });
});

describe('detach() with a call in flight', () => {
  it('lets the call in flight finish with its retries; the next call is plain axios', async () => {
    const pc = await server(failThenSucceed(2));
    const instance = axios.create({ baseURL: pc.url, httpAgent: agent() });
    let detachedAtRetry = 0;
    const handle = attachResilience(instance, {
      ...FAST,
      hooks: {
        onRetry: () => {
          detachedAtRetry += 1;
          handle.detach();
        },
      },
    });

    const response = await instance.get('/v1/customers');

    expect(detachedAtRetry).toBe(2);
    expect(response.status).toBe(200);
    expect(pc.hits).toHaveLength(3);
    await instance.get('/v1/customers');
    expect(pc.hits).toHaveLength(4);
    expect(pc.hits[3]?.headers['ms-requestid']).toBeUndefined();
  });
});

/** Number of live (not ejected) interceptors. */
function activeHandlers(instance: AxiosInstance): { request: number; response: number } {
  const count = (manager: unknown) =>
    ((manager as { handlers?: unknown[] }).handlers ?? []).filter((h) => h !== null && h !== undefined)
      .length;
  return { request: count(instance.interceptors.request), response: count(instance.interceptors.response) };
}

/** A deep copy of plain objects, arrays and AxiosHeaders; functions and other instances are kept by reference. */
function snapshot(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snapshot);
  if (value !== null && typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (value instanceof AxiosHeaders) return { __class: 'AxiosHeaders', ...copyOwn(value) };
    // Agents and other live objects change as they work: compare them by identity.
    if (proto !== Object.prototype && proto !== null) return value;
    return copyOwn(value);
  }
  return value;
}

function copyOwn(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = snapshot(inner);
  return out;
}
