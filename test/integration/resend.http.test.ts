import { inspect } from 'node:util';
import axios, { type AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import axiosRetry from 'axios-retry';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError, type ResilienceOptions } from '../../src/index.js';
import { cleanupAfterEach, type LoopbackServer, rejectionOf, reply } from '../helpers/loopbackServer.js';

// Issue 25: beside axios-retry and "retry once" interceptors, a call stays one bounded call. Re-sending
// `error.config` (what axios-retry and refresh interceptors do) continues the call it came from.

const { server } = cleanupAfterEach();

/** Retries in milliseconds; the library's own bound stays the default 4 attempts. */
const FAST: ResilienceOptions = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

/**
 * Answers `status` for the first 40 hits, then 200: a client that loops (the bug) ends with a success after
 * 41 hits instead of hanging the test, and the hit count tells it apart from a bounded call.
 */
function failing(status: number, headers: Record<string, string> = {}) {
  return server((_hit, index, _req, res) =>
    index < 40
      ? reply(res, status, { code: status * 10, description: `always ${status}` }, headers)
      : reply(res, 200, { items: [] }),
  );
}

/** The common "retry once" response interceptor, as written for plain axios. */
function retryOnce(api: AxiosInstance, when: (status: number | undefined) => boolean, replays: string[]) {
  api.interceptors.response.use(undefined, (error: AxiosError) => {
    const config = error.config as (InternalAxiosRequestConfig & { _retry?: boolean }) | undefined;
    if (config !== undefined && !config._retry && when(error.response?.status)) {
      config._retry = true;
      replays.push(String(config.headers['ms-requestid']));
      return api(config);
    }
    return Promise.reject(error);
  });
}

function warnings() {
  const seen: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => seen.push(m), error() {} };
  return { seen, logger };
}

function requestIds(pc: LoopbackServer): string[] {
  return pc.hits.map((hit) => String(hit.headers['ms-requestid']));
}

describe('axios-retry beside the library', () => {
  it.each(['before', 'after'] as const)(
    'attached %s it: one bounded call, axios-retry counts 1, 2, 3, one warning',
    async (order) => {
      const pc = await failing(503);
      const api = axios.create({ baseURL: pc.url });
      const { seen, logger } = warnings();
      const counts: number[] = [];
      const retry = () => axiosRetry(api, { retries: 3, onRetry: (n) => void counts.push(n) });
      if (order === 'before') retry();
      attachResilience(api, { ...FAST, logger });
      if (order === 'after') retry();

      const error = await rejectionOf(api.get('/v1/customers', { signal: AbortSignal.timeout(60_000) }));
      expect(isPartnerCenterError(error) && error.status).toBe(503);
      // The library's own bound: 4 attempts, whatever axios-retry re-sends.
      expect(pc.hits).toHaveLength(4);
      expect(new Set(requestIds(pc)).size).toBe(1);
      // axios-retry's state survived in error.config: it counted up and stopped.
      expect(counts).toEqual([1, 2, 3]);
      expect(seen.filter((m) => m.includes('axios-retry'))).toHaveLength(1);
      // A second call warns no more.
      await rejectionOf(api.get('/v1/customers'));
      expect(seen.filter((m) => m.includes('axios-retry'))).toHaveLength(1);
    },
  );

  it('a call through axios-retry and the library settles by the caller signal (no loop after the abort)', async () => {
    // Always 503 with a Retry-After of 1 s: the library waits, the caller's signal ends the call first.
    const pc = await server((_hit, _i, _req, res) => reply(res, 503, { code: 1 }, { 'Retry-After': '1' }));
    const api = axios.create({ baseURL: pc.url });
    axiosRetry(api, { retries: 3 });
    attachResilience(api, { ...FAST, logger: warnings().logger });
    const controller = new AbortController();
    const pending = rejectionOf(api.get('/v1/customers', { signal: controller.signal }));
    while (pc.hits.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const error = await pending;
    expect(isPartnerCenterError(error) && error.kind).toBe('cancelled');
    expect(pc.hits).toHaveLength(1);
  });

  it('through nock: axios-retry re-sends, the server sees at most the library bound', async () => {
    const base = 'http://partnercenter.nock.test';
    let hits = 0;
    const ids = new Set<string>();
    nock(base)
      .get('/v1/customers')
      .times(50)
      .reply((request: Request) => {
        hits += 1;
        ids.add(String(request.headers.get('ms-requestid')));
        return [503, { code: 5030, description: 'unavailable' }];
      });
    const api = axios.create({ baseURL: base });
    attachResilience(api, { ...FAST, logger: warnings().logger });
    axiosRetry(api, { retries: 5 });
    const error = await rejectionOf(api.get('/v1/customers'));
    expect(isPartnerCenterError(error) && error.status).toBe(503);
    expect(hits).toBe(4);
    expect(ids.size).toBe(1);
  });
});

describe('the "retry once" interceptor', () => {
  it('against always-401: exactly one replay under the same MS-RequestId', async () => {
    const pc = await failing(401);
    const api = axios.create({ baseURL: pc.url });
    attachResilience(api, FAST);
    const replays: string[] = [];
    retryOnce(api, (status) => status === 401, replays);
    const error = await rejectionOf(api.get('/v1/customers'));
    expect(isPartnerCenterError(error) && error.status).toBe(401);
    expect(replays).toHaveLength(1);
    expect(pc.hits).toHaveLength(2);
    expect(new Set(requestIds(pc))).toEqual(new Set(replays));
    expect((error as { config?: { _retry?: boolean } }).config?._retry).toBe(true);
  });

  it('registered before attach, against always-401: exactly one replay', async () => {
    const pc = await failing(401);
    const api = axios.create({ baseURL: pc.url });
    const replays: string[] = [];
    retryOnce(api, (status) => status === 401, replays);
    attachResilience(api, FAST);
    await rejectionOf(api.get('/v1/customers'));
    expect(replays).toHaveLength(1);
    expect(pc.hits).toHaveLength(2);
  });

  it('against always-503: the replay ends at once, the server sees the library bound', async () => {
    const pc = await failing(503);
    const api = axios.create({ baseURL: pc.url });
    attachResilience(api, FAST);
    const replays: string[] = [];
    retryOnce(api, () => true, replays);
    const error = await rejectionOf(api.get('/v1/customers'));
    expect(replays).toHaveLength(1);
    expect(pc.hits).toHaveLength(4);
    expect(isPartnerCenterError(error) && error.attempts).toBe(4);
    expect(isPartnerCenterError(error) && error.reason).toMatch(
      /4 attempts are spent: the re-sent request was not sent/,
    );
  });

  it("a refresh interceptor's new Authorization is what the replay sends", async () => {
    const pc = await server((hit, _i, _req, res) =>
      hit.headers['authorization'] === 'Bearer fresh-token-0123456789'
        ? reply(res, 200, { ok: true })
        : reply(res, 401, { code: 401 }),
    );
    const api = axios.create({
      baseURL: pc.url,
      headers: { Authorization: 'Bearer stale-token-0123456789' },
    });
    attachResilience(api, FAST);
    api.interceptors.response.use(undefined, (error: AxiosError) => {
      const config = error.config as InternalAxiosRequestConfig & { _retry?: boolean };
      if (config._retry) return Promise.reject(error);
      config._retry = true;
      config.headers.Authorization = 'Bearer fresh-token-0123456789';
      return api(config);
    });
    const response = await api.get('/v1/customers');
    expect(response.data).toEqual({ ok: true });
    expect(pc.hits.map((hit) => hit.headers['authorization'])).toEqual([
      'Bearer stale-token-0123456789',
      'Bearer fresh-token-0123456789',
    ]);
  });
});

describe("error.config is the caller's config", () => {
  it('keeps signal, timeout and keys of the caller own; no secret in it; a re-send carries them back', async () => {
    const pc = await server((hit, _i, _req, res) =>
      hit.headers['x-pass'] === 'again' ? reply(res, 201, { id: 'o1' }) : reply(res, 400, { code: 1000 }),
    );
    const api = axios.create({ baseURL: pc.url, headers: { 'X-Api-Key': 'k-0123456789abcdef' } });
    attachResilience(api, FAST);
    const controller = new AbortController();
    const error = await rejectionOf(
      api.post(
        '/v1/customers/c1/orders?sig=s3cr3t-sig-0123456789',
        { secret: 'body-secret-0123456789' },
        {
          signal: controller.signal,
          timeout: 30_000,
          headers: { Authorization: 'Bearer caller-token-0123456789' },
          partnerCenter: { tenant: 'c1' },
          ...{ mine: 'kept' },
        },
      ),
    );
    if (!isPartnerCenterError(error)) throw new Error('expected a PartnerCenterError');
    const config = error.config as InternalAxiosRequestConfig & { mine?: string; pass?: string };
    expect(config.signal).toBe(controller.signal);
    expect(config.timeout).toBe(30_000);
    expect(config.partnerCenter).toEqual({ tenant: 'c1' });
    expect(config.mine).toBe('kept');
    expect(config.method).toBe('post');
    expect(config.headers['ms-requestid']).toBe(error.requestId);
    expect(config.headers['x-api-key']).toBe('REDACTED');
    expect(config.headers.has('authorization')).toBe(false);
    expect(config.data).toBeUndefined();
    // The same object on every read: a key set on it is there for the re-send.
    expect(error.config).toBe(config);
    for (const text of [JSON.stringify(config), inspect(config, { depth: 6 }), JSON.stringify(error)]) {
      expect(text).not.toMatch(/caller-token|k-0123456789abcdef|body-secret|s3cr3t-sig/);
    }

    config.headers['x-pass'] = 'again';
    const response = await api.request(config);
    expect(response.status).toBe(201);
    const [first, second] = pc.hits;
    expect(second?.headers['authorization']).toBe('Bearer caller-token-0123456789');
    expect(second?.headers['x-api-key']).toBe('k-0123456789abcdef');
    expect(second?.headers['ms-requestid']).toBe(first?.headers['ms-requestid']);
    expect(second?.url).toBe('/v1/customers/c1/orders?sig=s3cr3t-sig-0123456789');
    expect(second?.body).toBe(JSON.stringify({ secret: 'body-secret-0123456789' }));
  });

  it('shows params outside the query allow-list as REDACTED, and a re-send sends the real values', async () => {
    const pc = await server((_hit, index, _req, res) =>
      index === 0 ? reply(res, 400, { code: 1000 }) : reply(res, 200, { items: [] }),
    );
    const api = axios.create({ baseURL: pc.url });
    attachResilience(api, FAST);
    const error = await rejectionOf(
      api.get('/v1/customers', { params: { client_secret: 'cs~0123456789abcdef', size: 5 } }),
    );
    const config = (error as AxiosError).config as InternalAxiosRequestConfig;
    expect(config.params).toEqual({ client_secret: 'REDACTED', size: 5 });
    expect(inspect(config, { depth: 6 })).not.toContain('cs~0123456789abcdef');
    await api.request(config);
    expect(pc.hits[1]?.url).toBe('/v1/customers?client_secret=cs~0123456789abcdef&size=5');
  });

  it('a re-send pointed at another origin gets none of the redacted secrets back', async () => {
    const first = await server((_hit, _i, _req, res) => reply(res, 404, { code: 3000 }));
    const other = await server((_hit, _i, _req, res) => reply(res, 200, {}));
    const api = axios.create({ baseURL: first.url });
    attachResilience(api, FAST);
    const error = await rejectionOf(
      api.put(
        '/v1/x',
        { secret: 'body-secret-0123456789' },
        { headers: { Authorization: 'Bearer caller-token-0123' } },
      ),
    );
    const config = (error as AxiosError).config as InternalAxiosRequestConfig;
    config.url = `${other.url}/v1/x`;
    await api.request(config);
    expect(other.hits[0]?.headers['authorization']).toBeUndefined();
    expect(other.hits[0]?.body).toBe('');
  });
});

describe('errors the library did not make stay as they were', () => {
  it("a user interceptor's Error reaches the caller unchanged, registered before or after attach", async () => {
    const pc = await failing(404);
    for (const order of ['before', 'after'] as const) {
      const api = axios.create({ baseURL: pc.url });
      const mine = new TypeError('my own handler failed');
      const throwing = () => api.interceptors.response.use(undefined, () => Promise.reject(mine));
      if (order === 'before') throwing();
      attachResilience(api, FAST);
      if (order === 'after') throwing();
      expect(await rejectionOf(api.get('/v1/customers'))).toBe(mine);
    }
  });

  it("a transformResponse's Error reaches the caller unchanged", async () => {
    const pc = await server((_hit, _i, _req, res) => reply(res, 200, { items: [] }));
    const api = axios.create({ baseURL: pc.url });
    attachResilience(api, FAST);
    const mine = new RangeError('cannot map this page');
    const error = await rejectionOf(
      api.get('/v1/customers', {
        transformResponse: [
          () => {
            throw mine;
          },
        ],
      }),
    );
    expect(error).toBe(mine);
  });

  it("an adapter's own Error reaches the caller unchanged, after one attempt", async () => {
    let calls = 0;
    const mine = new Error('adapter bug');
    const api = axios.create({
      baseURL: 'https://api.partnercenter.microsoft.com',
      adapter: () => {
        calls += 1;
        return Promise.reject(mine);
      },
    });
    attachResilience(api, FAST);
    expect(await rejectionOf(api.get('/v1/customers'))).toBe(mine);
    expect(calls).toBe(1);
  });

  it("axios's own failure outside the engine still becomes a PartnerCenterError (a cancel before dispatch)", async () => {
    const pc = await failing(404);
    const api = axios.create({ baseURL: pc.url });
    attachResilience(api, FAST);
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(api.get('/v1/customers', { signal: controller.signal }));
    expect(isPartnerCenterError(error) && error.kind).toBe('cancelled');
    expect(pc.hits).toHaveLength(0);
  });
});

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
