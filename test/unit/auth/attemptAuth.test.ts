import { inspect } from 'node:util';
import type { InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import { type AuthCall, createAttemptAuth } from '../../../src/auth/attemptAuth.js';
import type { AccessToken, TokenProvider, TokenRequest } from '../../../src/auth/TokenProvider.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { EventHub } from '../../../src/observability/EventHub.js';
import { createSecretValues } from '../../../src/observability/knownSecrets.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SCOPES = ['https://api.partnercenter.microsoft.com/.default'];
const REALM = 'urn:cpsvc:cpid:00000000-0000-0000-0000-000000000001';
const BASE = 'https://api.partnercenter.microsoft.com';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** A provider that hands out tok-1, tok-2, ... valid for an hour from the clock, or waits for `gate`. */
function countingProvider(clock: { now: number }) {
  const requests: TokenRequest[] = [];
  const state: { gate: Promise<void> | undefined } = { gate: undefined };
  const provider: TokenProvider = {
    async getToken(request) {
      requests.push(request);
      const n = requests.length;
      if (state.gate) await state.gate;
      return { token: `tok-${n}`, expiresOnTimestamp: clock.now + HOUR };
    },
  };
  return { provider, requests, state };
}

function setup(provider?: TokenProvider) {
  const clock = { now: 1_000_000 };
  const counting = countingProvider(clock);
  const logs: string[] = [];
  const events: unknown[] = [];
  const hub = new EventHub({ onTokenRefresh: (event) => void events.push(event) }, undefined);
  const secrets = createSecretValues();
  const auth = createAttemptAuth({
    provider: provider ?? counting.provider,
    options: {
      scopes: SCOPES,
      refreshWindowMs: 2 * MIN,
      blockingWindowMs: 30_000,
      maxEntries: 100,
      scopeOf: undefined,
    },
    hub,
    log: (level, message, fields) => void logs.push(`${level} ${message} ${JSON.stringify(fields)}`),
    maxScopes: 100,
    partnerScope: 'partner',
    secrets,
    now: () => clock.now,
  });
  return { auth, clock, logs, events, secrets, ...counting };
}

/** A call as auth sees it; its config frozen, headers included, to prove auth never writes it. */
function call(config: Record<string, unknown> = {}, scope = 'customer:c1'): AuthCall {
  const frozen = Object.freeze({
    baseURL: BASE,
    url: '/v1/customers',
    headers: Object.freeze({}),
    ...config,
  });
  return {
    scope,
    requestId: 'req-1',
    correlationId: 'cor-1',
    method: 'GET',
    url: `${BASE}/v1/customers`,
    config: frozen as InternalAxiosRequestConfig,
  };
}

function unauthorized(headers: Record<string, string> = {}, code?: string): PartnerCenterError {
  return new PartnerCenterError({ kind: 'unauthorized', retryable: false, status: 401, headers, code });
}

const signal = (): AbortSignal => new AbortController().signal;

describe('authorization', () => {
  it('is a promise for the first token, then the same string at once: one provider call', async () => {
    const { auth, requests } = setup();
    const first = auth.authorization(call(), undefined);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe('Bearer tok-1');
    for (let i = 0; i < 5; i++) expect(auth.authorization(call(), undefined)).toBe('Bearer tok-1');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ scope: 'partner', scopes: SCOPES, forceRefresh: false });
  });

  it('goes through the cache inside the refresh window: the old token, one background refresh', async () => {
    const { auth, clock, requests } = setup();
    await auth.authorization(call(), undefined);
    clock.now += HOUR - 2 * MIN; // the refresh window opens
    const inWindow = auth.authorization(call(), undefined);
    expect(inWindow).toBeInstanceOf(Promise);
    expect(await inWindow).toBe('Bearer tok-1');
    expect(requests).toHaveLength(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await auth.authorization(call(), undefined)).toBe('Bearer tok-2');
    expect(auth.authorization(call(), undefined)).toBe('Bearer tok-2');
  });

  it('gives the value axios keeps for a token with control characters, and knows that value as a secret', async () => {
    const provider: TokenProvider = {
      getToken: async () => ({ token: 'tok\u0007en-secret-value\n', expiresOnTimestamp: 1_000_000 + HOUR }),
    };
    const { auth, secrets } = setup(provider);
    expect(await auth.authorization(call(), undefined)).toBe('Bearer token-secret-value');
    expect(auth.authorization(call(), undefined)).toBe('Bearer token-secret-value');
    expect(secrets.remove('sent token-secret-value')).toBe('sent REDACTED');
  });

  it('rejects (never throws) a token bound for plain http, a protocol-relative URL or another scheme', async () => {
    const { auth, requests } = setup();
    await auth.authorization(call(), undefined); // the baseURL's origin is now known to be safe
    for (const config of [
      { url: '//evil.example/v1/customers' },
      { url: 'http://evil.example/v1/customers' },
      { url: 'ftp://evil.example/x' },
      { baseURL: 'http://api.partnercenter.microsoft.com' },
      { baseURL: undefined, url: '/v1/customers' },
    ]) {
      const result = auth.authorization(call(config), undefined);
      expect(result, JSON.stringify(config)).toBeInstanceOf(Promise);
      const error = await (result as Promise<string>).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(PartnerCenterError.is(error) && error.kind, JSON.stringify(config)).toBe('client');
    }
    expect(requests).toHaveLength(1);
  });

  it('sends over https, to loopback over http, and to the baseURL when absolute URLs are not allowed', async () => {
    const { auth } = setup();
    expect(await auth.authorization(call({ baseURL: 'http://127.0.0.1:8080' }), undefined)).toBe(
      'Bearer tok-1',
    );
    expect(auth.authorization(call({ url: 'https://other.example/x' }), undefined)).toBe('Bearer tok-1');
    expect(
      auth.authorization(call({ url: 'http://evil.example/x', allowAbsoluteUrls: false }), undefined),
    ).toBe('Bearer tok-1');
  });

  it('is bounded by the attempt signal while it waits for a token', async () => {
    const { auth, state } = setup();
    state.gate = new Promise(() => undefined); // the provider never answers
    const controller = new AbortController();
    const waiting = auth.authorization(call(), controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ kind: 'cancelled' });
  });
});

describe('onUnauthorized', () => {
  it("refreshes with the challenge's realm and claims; the next attempt gets the new token at once", async () => {
    const { auth, requests } = setup();
    const sent = await auth.authorization(call(), undefined);
    const claims = Buffer.from('{"access_token":{"nbf":{"essential":true}}}').toString('base64');
    const challenge = `Bearer realm=${REALM}, error="insufficient_claims", claims="${claims}"`;
    expect(
      await auth.onUnauthorized(unauthorized({ 'www-authenticate': challenge }), call(), sent, signal()),
    ).toBe(true);
    expect(requests[1]).toMatchObject({
      forceRefresh: true,
      realm: REALM,
      claims: '{"access_token":{"nbf":{"essential":true}}}',
    });
    expect(auth.authorization(call(), undefined)).toBe('Bearer tok-2');
    expect(requests).toHaveLength(2);
  });

  it('a 401 to a token already replaced replays with the new one: no second refresh, the new one stays fresh', async () => {
    const { auth, requests } = setup();
    const sent = await auth.authorization(call(), undefined);
    expect(await auth.onUnauthorized(unauthorized(), call(), sent, signal())).toBe(true);
    expect(await auth.onUnauthorized(unauthorized(), call(), sent, signal())).toBe(true);
    expect(requests).toHaveLength(2);
    expect(auth.authorization(call(), undefined)).toBe('Bearer tok-2');
  });

  it('while the forced refresh runs, attempts wait for the new token instead of sending the rejected one', async () => {
    const { auth, state } = setup();
    const sent = await auth.authorization(call(), undefined);
    const gate = deferred<void>();
    state.gate = gate.promise;
    const refreshing = auth.onUnauthorized(unauthorized(), call(), sent, signal());
    const waiting = auth.authorization(call(), undefined);
    expect(waiting).toBeInstanceOf(Promise);
    gate.resolve();
    expect(await refreshing).toBe(true);
    expect(await waiting).toBe('Bearer tok-2');
  });

  it("a new realm: the old realm's token is no longer sent, even from a 401 to an older token", async () => {
    const { auth, requests, state } = setup();
    const first = await auth.authorization(call(), undefined);
    await auth.onUnauthorized(unauthorized(), call(), first, signal()); // tok-2, no realm
    const gate = deferred<void>();
    state.gate = gate.promise;
    const challenge = { 'www-authenticate': `OAuth realm=${REALM}` };
    const refreshing = auth.onUnauthorized(unauthorized(challenge), call(), first, signal());
    expect(auth.authorization(call(), undefined)).toBeInstanceOf(Promise);
    gate.resolve();
    await refreshing;
    expect(requests.at(-1)).toMatchObject({ realm: REALM });
    expect(auth.authorization(call(), undefined)).toBe(`Bearer tok-${requests.length}`);
  });

  it('a token for the old realm that arrives after the challenge is sent once, never kept for the next attempts', async () => {
    const answers: Array<Deferred<AccessToken>> = [];
    const provider: TokenProvider = {
      getToken: () => {
        const answer = deferred<AccessToken>();
        answers.push(answer);
        return answer.promise;
      },
    };
    const { auth } = setup(provider);
    const before = auth.authorization(call(), undefined); // asks for the realm-less token
    const challenge = { 'www-authenticate': `OAuth realm=${REALM}` };
    const refreshing = auth.onUnauthorized(unauthorized(challenge), call(), 'Bearer tok-0', signal());
    expect(answers).toHaveLength(2);
    answers[1]?.resolve({ token: 'tok-realm', expiresOnTimestamp: 1_000_000 + HOUR });
    expect(await refreshing).toBe(true);
    answers[0]?.resolve({ token: 'tok-old', expiresOnTimestamp: 1_000_000 + HOUR });
    expect(await before).toBe('Bearer tok-old');
    expect(auth.authorization(call(), undefined)).toBe('Bearer tok-realm');
  });

  it('never replays the token a 401 rejected, even when the challenge names a realm not cached yet', async () => {
    const provider: TokenProvider = {
      getToken: async () => ({ token: 'same-token', expiresOnTimestamp: 1_000_000 + HOUR }),
    };
    const { auth } = setup(provider);
    const sent = await auth.authorization(call(), undefined);
    const challenge = { 'www-authenticate': `OAuth realm=${REALM}` };
    await expect(auth.onUnauthorized(unauthorized(challenge), call(), sent, signal())).rejects.toMatchObject({
      kind: 'unauthorized',
      reason: expect.stringContaining('returned the token that was just rejected'),
    });
  });

  it('100 concurrent 401s to one token cause one refresh', async () => {
    const { auth, requests } = setup();
    const sent = await auth.authorization(call(), undefined);
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => auth.onUnauthorized(unauthorized(), call(), sent, signal())),
    );
    expect(answers.every(Boolean)).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('does not refresh an MFA-required 401 (code 900421)', async () => {
    const { auth, requests } = setup();
    const sent = await auth.authorization(call(), undefined);
    expect(await auth.onUnauthorized(unauthorized({}, '900421'), call(), sent, signal())).toBe(false);
    expect(requests).toHaveLength(1);
  });

  it('is bounded by its signal', async () => {
    const { auth, state } = setup();
    const sent = await auth.authorization(call(), undefined);
    state.gate = new Promise(() => undefined);
    const controller = new AbortController();
    const refreshing = auth.onUnauthorized(unauthorized(), call(), sent, controller.signal);
    controller.abort();
    await expect(refreshing).rejects.toMatchObject({ kind: 'cancelled' });
  });
});

describe('reports', () => {
  it('say which call refreshed, never the token', async () => {
    const { auth, events, logs } = setup();
    const sent = await auth.authorization(call(), undefined);
    await auth.onUnauthorized(unauthorized(), call(), sent, signal());
    expect(events).toMatchObject([
      { requestId: 'req-1', scope: 'customer:c1', reason: 'initial', outcome: 'success' },
      { requestId: 'req-1', reason: 'forced', outcome: 'success' },
    ]);
    const told = `${JSON.stringify(events)} ${inspect(events, { depth: 9 })} ${logs.join('\n')} ${inspect(auth)}`;
    expect(told).not.toMatch(/tok-\d/);
  });
});
