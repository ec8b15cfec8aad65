import { inspect } from 'node:util';
import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AccessToken,
  attachResilience,
  type PartnerCenterError,
  type ResilienceOptions,
  type TokenRequest,
} from '../../src/index.js';
import { noSlowStart } from '../helpers/noSlowStart.js';
import { type Hit, type Step, scriptedAdapter } from '../helpers/scriptedAdapter.js';
import { settle } from '../helpers/settle.js';

const REALM = 'urn:cpsvc:cpid:00000000-0000-0000-0000-000000000001';
const CHALLENGE = { 'www-authenticate': `OAuth realm=${REALM}` };
const HOUR = 3_600_000;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

/** A provider that hands out tok-1, tok-2, ... and records every request. */
function countingProvider(lifetimeMs = HOUR) {
  const requests: TokenRequest[] = [];
  let n = 0;
  return {
    requests,
    provider: {
      async getToken(request: TokenRequest): Promise<AccessToken> {
        requests.push(request);
        n += 1;
        return { token: `tok-${n}`, expiresOnTimestamp: Date.now() + lifetimeMs };
      },
    },
  };
}

function setup(
  steps: Step[] | ((hit: Hit, i: number) => Step),
  options: ResilienceOptions,
  baseURL = 'https://api.partnercenter.microsoft.com',
) {
  const scripted = scriptedAdapter(steps);
  const instance = axios.create({ adapter: scripted.adapter, baseURL });
  // Tokens and 401s, not the limiter's first contact: no slow start (1,000 calls at once are not paced).
  const handle = attachResilience(instance, noSlowStart(options));
  return { ...scripted, instance, handle };
}

/** 401 unless the request carries one of the accepted tokens. */
function acceptOnly(...tokens: string[]) {
  return (hit: Hit): Step =>
    tokens.some((t) => hit.headers['authorization'] === `Bearer ${t}`)
      ? { status: 200, data: { ok: true } }
      : {
          status: 401,
          headers: CHALLENGE,
          data: { code: 800001, description: 'Partner Token missing in request context' },
        };
}

describe('token provider on every attempt', () => {
  it('sets Authorization from the provider, fetched once and cached', async () => {
    const { provider, requests } = countingProvider();
    const { instance, hits } = setup([{ status: 200 }], { tokenProvider: provider });
    await settle(instance.get('/v1/customers'));
    await settle(instance.get('/v1/customers/c1/orders'));
    await settle(instance.get('/v1/customers'));
    // Customer calls use the partner's token: one provider call for every scope.
    expect(hits.map((h) => h.headers['authorization'])).toEqual([
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-1',
    ]);
    expect(requests.map((r) => r.scope)).toEqual(['partner']);
    expect(requests[0]?.scopes).toEqual(['https://api.partnercenter.microsoft.com/.default']);
    expect(requests[0]?.forceRefresh).toBe(false);
  });

  it('token.scopeOf gives scopes tokens of their own (several partners behind one instance)', async () => {
    const { provider, requests } = countingProvider();
    const { instance, hits } = setup([{ status: 200 }], {
      tokenProvider: provider,
      token: { scopeOf: (scope) => (scope.startsWith('customer:') ? `partner-of-${scope.slice(9)}` : scope) },
    });
    await settle(instance.get('/v1/customers/c1/orders'));
    await settle(instance.get('/v1/customers/c2/orders'));
    await settle(instance.get('/v1/customers/c1/orders'));
    expect(hits.map((h) => h.headers['authorization'])).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
      'Bearer tok-1',
    ]);
    expect(requests.map((r) => r.scope)).toEqual(['partner-of-c1', 'partner-of-c2']);
  });

  it('sends a token with control characters the way axios sanitises any header value', async () => {
    const provider = {
      getToken: async () => ({ token: 'tok\u0007en\n', expiresOnTimestamp: Date.now() + HOUR }),
    };
    const { instance, hits } = setup([{ status: 200 }], { tokenProvider: provider });
    await settle(instance.get('/v1/customers'));
    expect(hits[0]?.headers['authorization']).toBe('Bearer token');
  });

  it("replaces a caller's lowercase authorization header with the provider's token, not beside it", async () => {
    const names: string[][] = [];
    const values: unknown[] = [];
    const instance = axios.create({
      baseURL: 'https://api.partnercenter.microsoft.com',
      adapter: async (config) => {
        names.push(Object.keys(config.headers).filter((k) => k.toLowerCase() === 'authorization'));
        values.push(config.headers.get('Authorization'));
        return { status: 200, statusText: 'OK', headers: {}, data: {}, config, request: {} };
      },
    });
    attachResilience(instance, { tokenProvider: countingProvider().provider });
    await settle(instance.get('/v1/customers', { headers: { authorization: 'Bearer stale' } }));
    expect(names).toEqual([['authorization']]);
    expect(values).toEqual(['Bearer tok-1']);
  });

  it('leaves a caller-set Authorization alone without a provider', async () => {
    const { instance, hits } = setup([{ status: 200 }], {});
    await settle(instance.get('/v1/customers', { headers: { Authorization: 'Bearer mine' } }));
    expect(hits[0]?.headers['authorization']).toBe('Bearer mine');
  });

  it('accepts an @azure/identity-style TokenCredential structurally', async () => {
    const calls: Array<{ scopes: unknown; options: unknown }> = [];
    class FakeClientSecretCredential {
      async getToken(scopes: string | string[], options: { abortSignal?: unknown } = {}) {
        calls.push({ scopes, options });
        return { token: 'cred-token', expiresOnTimestamp: Date.now() + HOUR };
      }
    }
    const { instance, hits } = setup([{ status: 200 }], { tokenProvider: new FakeClientSecretCredential() });
    await settle(instance.get('/v1/customers'));
    expect(hits[0]?.headers['authorization']).toBe('Bearer cred-token');
    expect(calls[0]?.scopes).toEqual(['https://api.partnercenter.microsoft.com/.default']);
  });

  it('refreshes in the background inside the refresh window, without blocking', async () => {
    const { provider, requests } = countingProvider(10 * 60_000);
    const { instance, hits } = setup([{ status: 200 }], { tokenProvider: provider });
    await settle(instance.get('/v1/customers'));
    vi.setSystemTime(Date.now() + 8.5 * 60_000); // 1.5 min before expiry: inside the 2 min window
    await settle(instance.get('/v1/customers'));
    expect(hits[1]?.headers['authorization']).toBe('Bearer tok-1');
    await settle(instance.get('/v1/customers'));
    expect(hits[2]?.headers['authorization']).toBe('Bearer tok-2');
    expect(requests).toHaveLength(2);
  });

  it('never sends a token over plain http except to loopback', async () => {
    const { provider } = countingProvider();
    const remote = setup([{ status: 200 }], { tokenProvider: provider }, 'http://api.example.test');
    const { error } = await settle(remote.instance.get('/v1/customers'));
    expect(error?.kind).toBe('client');
    expect(error?.reason).toContain('plain http');
    expect(remote.hits).toHaveLength(0);
    const local = setup([{ status: 200 }], { tokenProvider: provider }, 'http://127.0.0.1:8080');
    expect((await settle(local.instance.get('/v1/customers'))).value?.status).toBe(200);
  });
});

describe('401 handling', () => {
  it('refreshes with the challenge realm and replays once; the replay is not a retry', async () => {
    const { provider, requests } = countingProvider();
    const refreshes: string[] = [];
    const { instance, hits } = setup(acceptOnly('tok-2'), {
      tokenProvider: provider,
      hooks: {
        onTokenRefresh: (e) =>
          void refreshes.push(`${e.reason}:${e.outcome}:${e.realm}:${e.requestId !== ''}`),
      },
    });
    const { value } = await settle(instance.get('/v1/customers'));
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(2);
    expect(hits[0]?.headers['ms-requestid']).toBe(hits[1]?.headers['ms-requestid']);
    expect(requests[1]).toMatchObject({ forceRefresh: true, realm: REALM, scope: 'partner' });
    expect(requests[1]?.challenge?.scheme.toLowerCase()).toBe('oauth');
    expect(refreshes).toEqual(['initial:success:undefined:true', `forced:success:${REALM}:true`]);
  });

  it('a second 401 fails: a refresh never loops', async () => {
    const { provider, requests } = countingProvider();
    const { instance, hits } = setup(acceptOnly(), { tokenProvider: provider });
    const { error } = await settle(instance.get('/v1/customers'));
    expect(error?.kind).toBe('unauthorized');
    expect(error?.status).toBe(401);
    expect(hits).toHaveLength(2);
    expect(requests).toHaveLength(2);
  });

  it('1,000 concurrent 401s cause one refresh', async () => {
    const { provider, requests } = countingProvider();
    const { instance } = setup(acceptOnly('tok-2'), {
      tokenProvider: provider,
      circuitBreaker: { enabled: false },
    });
    const calls = Array.from({ length: 1_000 }, (_, i) =>
      settle(instance.get(`/v1/customers/c${i % 10}/orders`, { partnerCenter: { scope: 'partner' } })),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => r.value?.status === 200)).toBe(true);
    expect(requests.filter((r) => r.forceRefresh)).toHaveLength(1);
    expect(requests).toHaveLength(2);
  });

  it('a forced refresh that hangs is bounded by the call budget: timeout, not a hang', async () => {
    let calls = 0;
    const provider = {
      getToken(request: TokenRequest): Promise<AccessToken> {
        calls += 1;
        if (!request.forceRefresh)
          return Promise.resolve({ token: 'tok-1', expiresOnTimestamp: Date.now() + HOUR });
        return new Promise<AccessToken>(() => undefined);
      },
    };
    const { instance, hits } = setup(acceptOnly('tok-2'), { tokenProvider: provider });
    const pending = instance.get('/v1/customers', { timeout: 5_000 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5_000);
    const error = (await pending) as PartnerCenterError;
    expect(hits).toHaveLength(1);
    expect(calls).toBe(2);
    expect(error.kind).toBe('timeout');
    expect(error.reason).toContain('5000 ms');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a 401 with code 900421 (MFA required) is not refreshed and says why', async () => {
    const { provider, requests } = countingProvider();
    const { instance, hits } = setup(
      [{ status: 401, headers: CHALLENGE, data: { code: 900421, description: 'MFA required' } }],
      { tokenProvider: provider },
    );
    const { error } = await settle(instance.get('/v1/customers'));
    expect(hits).toHaveLength(1);
    expect(requests).toHaveLength(1);
    expect(error?.reason).toMatch(/multi-factor/i);
  });

  it('a failed refresh rejects every waiter with a clear unauthorized error', async () => {
    let calls = 0;
    const provider = {
      async getToken(): Promise<AccessToken> {
        calls += 1;
        throw new Error('AADSTS7000215: Invalid client secret provided. client_secret=s3cr3t-canary');
      },
    };
    const { instance, hits } = setup([{ status: 200 }], { tokenProvider: provider });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => settle(instance.get('/v1/customers'))),
    );
    expect(calls).toBe(1);
    expect(hits).toHaveLength(0);
    for (const r of results) {
      expect(r.error?.kind).toBe('unauthorized');
      expect(r.error?.message).toMatch(/token refresh failed/);
      expect(JSON.stringify(r.error)).not.toContain('s3cr3t-canary');
      expect(inspect(r.error, { depth: 10, showHidden: true })).not.toContain('s3cr3t-canary');
    }
  });

  it('auth replays never trip the breaker', async () => {
    const { provider } = countingProvider();
    const { instance, handle } = setup(acceptOnly(), {
      tokenProvider: provider,
      circuitBreaker: { strategy: { type: 'consecutive', threshold: 2 } },
    });
    for (let i = 0; i < 5; i++) await settle(instance.get('/v1/customers'));
    expect(handle.breakerState('partner')).toBe('closed');
  });

  it('tokens never appear in errors, events or logs', async () => {
    const canary = `eyJhbGciOiJSUzI1NiJ9.${'c'.repeat(40)}.${'d'.repeat(40)}`;
    const provider = {
      async getToken(): Promise<AccessToken> {
        return { token: canary, expiresOnTimestamp: Date.now() + HOUR };
      },
    };
    const seen: string[] = [];
    const lines: string[] = [];
    const collect = (e: unknown) => void seen.push(JSON.stringify(e));
    const { instance } = setup(
      [{ status: 401, headers: CHALLENGE, data: { code: 800001 } }, { status: 503 }],
      {
        tokenProvider: provider,
        retry: { baseDelayMs: 1, maxDelayMs: 1 },
        hooks: { onRequest: collect, onRetry: collect, onGiveUp: collect, onTokenRefresh: collect },
        logger: {
          debug: (m, f) => void lines.push(m + JSON.stringify(f)),
          warn: (m, f) => void lines.push(m + JSON.stringify(f)),
          info: (m, f) => void lines.push(m + JSON.stringify(f)),
          level: 'debug',
        },
      },
    );
    const { error } = await settle(instance.get('/v1/customers'));
    expect(error).toBeDefined();
    const everything = [
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      String(error),
      error?.stack,
      ...seen,
      ...lines,
    ].join('\n');
    expect(seen.length).toBeGreaterThan(2);
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(canary);
    expect(everything).not.toContain('c'.repeat(40));
  });
});

describe('short-lived tokens', () => {
  it('a 60 s token is fetched once for 46 calls, and the scaled windows are logged once', async () => {
    const { provider, requests } = countingProvider(60_000);
    const lines: string[] = [];
    const logger = { info: (message: string) => void lines.push(message) };
    const { instance } = setup(() => ({ status: 200, data: { ok: true } }), {
      tokenProvider: provider,
      logger,
    });
    for (let i = 0; i < 46; i++) {
      expect((await settle(instance.get('/v1/customers'))).value?.status).toBe(200);
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(requests).toHaveLength(1);
    expect(lines.filter((l) => l.includes('tokens live 60 s'))).toEqual([
      expect.stringContaining('refreshing 30 s and blocking 6 s before expiry instead'),
    ]);
  });
});
