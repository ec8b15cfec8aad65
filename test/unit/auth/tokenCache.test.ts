import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AccessToken, TokenProvider, TokenRequest } from '../../../src/auth/TokenProvider.js';
import type { TokenCacheOptions, TokenRefreshEvent } from '../../../src/auth/tokenCache.js';
import { createTokenCache } from '../../../src/auth/tokenCache.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SCOPES = ['https://api.partnercenter.microsoft.com/.default'];

const req = (extra: Partial<TokenRequest> & { rejectedToken?: string } = {}) => ({
  scope: 'partner',
  scopes: SCOPES,
  forceRefresh: false,
  ...extra,
});

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A provider whose calls the test answers one by one. */
class ManualProvider implements TokenProvider {
  readonly calls: Array<{ request: TokenRequest; answer: Deferred<AccessToken> }> = [];
  getToken(request: TokenRequest): Promise<AccessToken> {
    const answer = deferred<AccessToken>();
    this.calls.push({ request, answer });
    return answer.promise;
  }
  last(): { request: TokenRequest; answer: Deferred<AccessToken> } {
    const call = this.calls.at(-1);
    if (!call) throw new Error('no provider call');
    return call;
  }
}

/** A provider that answers at once with `tok-1`, `tok-2`, ... valid for an hour from the clock. */
function countingProvider(clock: { now: number }) {
  const calls: TokenRequest[] = [];
  const provider: TokenProvider = {
    getToken: async (request) => {
      calls.push(request);
      return { token: `tok-${calls.length}`, expiresOnTimestamp: clock.now + HOUR };
    },
  };
  return { provider, calls };
}

function setup(provider: TokenProvider, options: TokenCacheOptions = {}) {
  const clock = { now: 1_000_000 };
  const events: TokenRefreshEvent[] = [];
  const cache = createTokenCache(provider, {
    now: () => clock.now,
    onRefresh: (event) => events.push(event),
    ...options,
  });
  return { clock, events, cache };
}

/** Lets every pending promise callback run. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('createTokenCache', () => {
  it('1,000 concurrent getToken calls cause one provider call', async () => {
    const provider = new ManualProvider();
    const { cache, clock, events } = setup(provider);
    const all = Promise.all(Array.from({ length: 1000 }, () => cache.getToken(req())));
    expect(provider.calls).toHaveLength(1);
    provider.last().answer.resolve({ token: 'A', expiresOnTimestamp: clock.now + HOUR });
    const tokens = await all;
    expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(['A']));
    expect(provider.calls).toHaveLength(1);
    expect(provider.last().request).toMatchObject({ scope: 'partner', scopes: SCOPES, forceRefresh: false });
    expect(events).toEqual([
      { scope: 'partner', realm: undefined, reason: 'initial', durationMs: 0, outcome: 'success' },
    ]);
    // Cached afterwards.
    await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'A' });
    expect(provider.calls).toHaveLength(1);
  });

  it('keys by scope and realm', async () => {
    const clock0 = { now: 1_000_000 };
    const { provider, calls } = countingProvider(clock0);
    const { cache } = setup(provider, { now: () => clock0.now });
    const a = await cache.getToken(req());
    const b = await cache.getToken(req({ scope: 'customer:1' }));
    const c = await cache.getToken(req({ realm: 'urn:cpsvc:cpid:x' }));
    expect([a.token, b.token, c.token]).toEqual(['tok-1', 'tok-2', 'tok-3']);
    expect(calls[2]?.realm).toBe('urn:cpsvc:cpid:x');
    expect(cache.size()).toBe(3);
  });

  it('inside the refresh window returns the old token at once and refreshes once in the background', async () => {
    const provider = new ManualProvider();
    const { cache, clock, events } = setup(provider);
    const first = cache.getToken(req());
    provider.last().answer.resolve({ token: 'OLD', expiresOnTimestamp: clock.now + HOUR });
    await first;

    clock.now += HOUR - 90_000; // 90 s left: inside the 120 s refresh window, outside the 30 s blocking one
    const during = await Promise.all([cache.getToken(req()), cache.getToken(req()), cache.getToken(req())]);
    expect(during.map((t) => t.token)).toEqual(['OLD', 'OLD', 'OLD']);
    expect(provider.calls).toHaveLength(2);
    expect(provider.last().request.forceRefresh).toBe(false);

    clock.now += 1_000;
    provider.last().answer.resolve({ token: 'NEW', expiresOnTimestamp: clock.now + HOUR });
    await flush();
    await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'NEW' });
    expect(provider.calls).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ reason: 'expiring', outcome: 'success', durationMs: 1_000 });
  });

  it('inside the blocking window, and after expiry, callers wait for the refresh', async () => {
    const provider = new ManualProvider();
    const { cache, clock, events } = setup(provider);
    const first = cache.getToken(req());
    provider.last().answer.resolve({ token: 'OLD', expiresOnTimestamp: clock.now + HOUR });
    await first;

    clock.now += HOUR - 10_000; // 10 s left
    let settled = false;
    const waiting = cache.getToken(req()).then((t) => {
      settled = true;
      return t;
    });
    await flush();
    expect(settled).toBe(false);
    expect(provider.calls).toHaveLength(2);
    provider.last().answer.resolve({ token: 'NEW', expiresOnTimestamp: clock.now + HOUR });
    await expect(waiting).resolves.toMatchObject({ token: 'NEW' });
    expect(events.at(-1)).toMatchObject({ reason: 'expiring', outcome: 'success' });

    clock.now += 2 * HOUR; // expired
    const expired = cache.getToken(req());
    expect(provider.calls).toHaveLength(3);
    provider.last().answer.resolve({ token: 'NEWER', expiresOnTimestamp: clock.now + HOUR });
    await expect(expired).resolves.toMatchObject({ token: 'NEWER' });
    expect(events.at(-1)).toMatchObject({ reason: 'expired' });
  });

  it('a failed blocking refresh rejects every waiter with one unauthorized error and clears the entry', async () => {
    const provider = new ManualProvider();
    const { cache, events } = setup(provider);
    const waiters = Array.from({ length: 5 }, () => cache.getToken(req()).catch((e: unknown) => e));
    const cause = Object.assign(new Error('AADSTS7000222: the client secret keys are expired'), {
      code: 'E1',
    });
    provider.last().answer.reject(cause);
    const errors = await Promise.all(waiters);
    expect(new Set(errors).size).toBe(1);
    const error = errors[0];
    expect(PartnerCenterError.is(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'unauthorized', retryable: false, scope: 'partner' });
    expect((error as PartnerCenterError).reason).toMatch(/^token refresh failed: Error: AADSTS7000222/);
    expect((error as Error & { cause?: Error }).cause).toMatchObject({ message: cause.message, code: 'E1' });
    expect(cache.size()).toBe(0);
    expect(events).toEqual([
      { scope: 'partner', realm: undefined, reason: 'initial', durationMs: 0, outcome: 'failure', error },
    ]);
    // The next call tries again.
    const again = cache.getToken(req());
    expect(provider.calls).toHaveLength(2);
    provider.last().answer.resolve({ token: 'OK', expiresOnTimestamp: Date.now() + HOUR });
    await expect(again).resolves.toMatchObject({ token: 'OK' });
  });

  it('a synchronous throw and an invalid token fail the same way', async () => {
    const { cache } = setup({
      getToken: () => {
        throw new Error('sync boom');
      },
    });
    await expect(cache.getToken(req())).rejects.toMatchObject({ kind: 'unauthorized', retryable: false });
    const invalid = setup({ getToken: async () => ({ token: '', expiresOnTimestamp: 1 }) });
    await expect(invalid.cache.getToken(req())).rejects.toThrow(
      /invalid access token: token is an empty string/,
    );
  });

  it('a failed background refresh keeps the still-valid token and retries later, not in a tight loop', async () => {
    const provider = new ManualProvider();
    const { cache, clock, events } = setup(provider);
    const first = cache.getToken(req());
    provider.last().answer.resolve({ token: 'OLD', expiresOnTimestamp: clock.now + HOUR });
    await first;

    clock.now += HOUR - 100_000; // inside the refresh window
    await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'OLD' });
    expect(provider.calls).toHaveLength(2);
    provider.last().answer.reject(new Error('AAD down'));
    await flush();
    expect(events.at(-1)).toMatchObject({ reason: 'expiring', outcome: 'failure' });
    expect(events.at(-1)?.error).toMatchObject({ kind: 'unauthorized' });

    // Calls right after the failure get the old token and do not hammer the provider.
    for (let i = 0; i < 50; i++) await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'OLD' });
    expect(provider.calls).toHaveLength(2);

    clock.now += 5_000; // refreshRetryIntervalMs
    await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'OLD' });
    expect(provider.calls).toHaveLength(3);
    provider.last().answer.resolve({ token: 'NEW', expiresOnTimestamp: clock.now + HOUR });
    await flush();
    await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'NEW' });
  });

  it('a background refresh that the blocking window overtakes fails its waiters and clears', async () => {
    const provider = new ManualProvider();
    const { cache, clock } = setup(provider);
    const first = cache.getToken(req());
    provider.last().answer.resolve({ token: 'OLD', expiresOnTimestamp: clock.now + HOUR });
    await first;
    clock.now += HOUR - 100_000;
    await cache.getToken(req()); // starts the background refresh
    clock.now += 80_000; // 20 s left: now blocking; joins the running refresh
    const waiter = cache.getToken(req()).catch((e: unknown) => e);
    expect(provider.calls).toHaveLength(2);
    provider.last().answer.reject(new Error('still down'));
    await expect(waiter).resolves.toMatchObject({ kind: 'unauthorized' });
    expect(cache.size()).toBe(0);
  });

  describe('forced refresh after a 401', () => {
    async function withToken(token = 'REJECTED') {
      const provider = new ManualProvider();
      const ctx = setup(provider);
      const first = ctx.cache.getToken(req());
      provider.last().answer.resolve({ token, expiresOnTimestamp: ctx.clock.now + HOUR });
      await first;
      return { provider, ...ctx };
    }

    it('calls the provider with forceRefresh and shares one call between the rejected requests', async () => {
      const { provider, cache, clock, events } = await withToken();
      const forced = Array.from({ length: 20 }, () =>
        cache.getToken(req({ forceRefresh: true, rejectedToken: 'REJECTED' })),
      );
      expect(provider.calls).toHaveLength(2);
      expect(provider.last().request.forceRefresh).toBe(true);
      // A normal caller meanwhile does not get the rejected token either: it waits.
      const normal = cache.getToken(req());
      provider.last().answer.resolve({ token: 'FRESH', expiresOnTimestamp: clock.now + HOUR });
      const tokens = await Promise.all([...forced, normal]);
      expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(['FRESH']));
      expect(events.at(-1)).toMatchObject({ reason: 'forced', outcome: 'success' });
    });

    it('does not join a background refresh that started before the rejection', async () => {
      const { provider, cache, clock } = await withToken();
      clock.now += HOUR - 100_000;
      await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'REJECTED' });
      expect(provider.calls).toHaveLength(2);
      const background = provider.last();
      expect(background.request.forceRefresh).toBe(false);

      const forced = cache.getToken(req({ forceRefresh: true, rejectedToken: 'REJECTED' }));
      expect(provider.calls).toHaveLength(3);
      const forcedCall = provider.last();
      expect(forcedCall.request.forceRefresh).toBe(true);

      // The background refresh answers from the provider's own cache: the rejected token. It is not stored.
      background.answer.resolve({ token: 'REJECTED', expiresOnTimestamp: clock.now + 100_000 });
      await flush();
      forcedCall.answer.resolve({ token: 'FRESH', expiresOnTimestamp: clock.now + HOUR });
      await expect(forced).resolves.toMatchObject({ token: 'FRESH' });
      await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'FRESH' });
    });

    it('never returns the rejected token, even when the provider hands it back', async () => {
      const token = `opaque-${randomBytes(16).toString('hex')}`;
      const { provider, cache, clock, events } = await withToken(token);
      const forced = cache
        .getToken(req({ forceRefresh: true, rejectedToken: token }))
        .catch((e: unknown) => e);
      provider.last().answer.resolve({ token, expiresOnTimestamp: clock.now + HOUR });
      const error = await forced;
      expect(error).toMatchObject({ kind: 'unauthorized', retryable: false });
      expect((error as Error).message).toContain('returned the token that was just rejected');
      expect(JSON.stringify(error)).not.toContain(token);
      expect(cache.size()).toBe(0);
      expect(JSON.stringify(events)).not.toContain(token);
    });

    it('without rejectedToken treats the cached token as the rejected one', async () => {
      const { provider, cache, clock } = await withToken();
      const forced = cache.getToken(req({ forceRefresh: true })).catch((e: unknown) => e);
      provider.last().answer.resolve({ token: 'REJECTED', expiresOnTimestamp: clock.now + HOUR });
      await expect(forced).resolves.toMatchObject({ kind: 'unauthorized' });
    });

    it('answers a late 401 of an already replaced token with the newer token, without a provider call', async () => {
      const { provider, cache, clock } = await withToken();
      const forced = cache.getToken(req({ forceRefresh: true, rejectedToken: 'REJECTED' }));
      provider.last().answer.resolve({ token: 'FRESH', expiresOnTimestamp: clock.now + HOUR });
      await forced;
      await expect(
        cache.getToken(req({ forceRefresh: true, rejectedToken: 'REJECTED' })),
      ).resolves.toMatchObject({
        token: 'FRESH',
      });
      expect(provider.calls).toHaveLength(2);
    });

    it('claims force a refresh carrying the claims, and do not join a refresh without them', async () => {
      const { provider, cache, clock } = await withToken();
      const plain = cache.getToken(req({ forceRefresh: true, rejectedToken: 'REJECTED' }));
      const withClaims = cache.getToken(req({ claims: '{"a":1}', rejectedToken: 'REJECTED' }));
      expect(provider.calls).toHaveLength(3);
      expect(provider.last().request).toMatchObject({ forceRefresh: true, claims: '{"a":1}' });
      provider.calls[1]?.answer.resolve({ token: 'PLAIN', expiresOnTimestamp: clock.now + HOUR });
      provider.last().answer.resolve({ token: 'CLAIMS', expiresOnTimestamp: clock.now + HOUR });
      await expect(withClaims).resolves.toMatchObject({ token: 'CLAIMS' });
      // The claim-less refresh was superseded: its waiters get the token that carries the claims.
      await expect(plain).resolves.toMatchObject({ token: 'CLAIMS' });
      await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'CLAIMS' });
    });

    it('a forced request without claims joins a forced refresh that carries claims', async () => {
      const { provider, cache, clock } = await withToken();
      const withClaims = cache.getToken(req({ claims: '{"a":1}', rejectedToken: 'REJECTED' }));
      const plain = cache.getToken(req({ forceRefresh: true, rejectedToken: 'REJECTED' }));
      expect(provider.calls).toHaveLength(2);
      provider.last().answer.resolve({ token: 'CLAIMS', expiresOnTimestamp: clock.now + HOUR });
      await expect(Promise.all([withClaims, plain])).resolves.toMatchObject([
        { token: 'CLAIMS' },
        { token: 'CLAIMS' },
      ]);
    });

    it('waiters of a superseded background refresh get the forced result, not the rejected token', async () => {
      const { provider, cache, clock } = await withToken();
      clock.now += HOUR - 100_000;
      await cache.getToken(req()); // background refresh starts, forceRefresh false
      const background = provider.last();
      clock.now += 80_000; // blocking: this caller waits on the background refresh
      const waiter = cache.getToken(req());
      const forced = cache.getToken(req({ forceRefresh: true, rejectedToken: 'REJECTED' }));
      expect(provider.calls).toHaveLength(3);
      background.answer.resolve({ token: 'REJECTED', expiresOnTimestamp: clock.now + 20_000 });
      await flush();
      provider.last().answer.resolve({ token: 'FRESH', expiresOnTimestamp: clock.now + HOUR });
      await expect(waiter).resolves.toMatchObject({ token: 'FRESH' });
      await expect(forced).resolves.toMatchObject({ token: 'FRESH' });
    });
  });

  describe('abort', () => {
    it('rejects the aborted waiter at once with kind cancelled; the others still get the token', async () => {
      const provider = new ManualProvider();
      const { cache, clock } = setup(provider);
      const controller = new AbortController();
      const aborted = cache.getToken(req({ signal: controller.signal })).catch((e: unknown) => e);
      const other = cache.getToken(req());
      expect(provider.calls).toHaveLength(1);
      expect(provider.last().request.signal).toBeUndefined(); // the shared refresh never gets a caller's signal
      controller.abort(new Error('user gave up'));
      await expect(aborted).resolves.toMatchObject({ kind: 'cancelled', retryable: false, scope: 'partner' });
      provider.last().answer.resolve({ token: 'T', expiresOnTimestamp: clock.now + HOUR });
      await expect(other).resolves.toMatchObject({ token: 'T' });
      await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'T' });
      expect(provider.calls).toHaveLength(1);
    });

    it('an already aborted signal rejects without calling the provider', async () => {
      const provider = new ManualProvider();
      const { cache } = setup(provider);
      await expect(cache.getToken(req({ signal: AbortSignal.abort() }))).rejects.toMatchObject({
        kind: 'cancelled',
      });
      expect(provider.calls).toHaveLength(0);
    });

    it('removes its abort listener once settled', async () => {
      const clock = { now: 0 };
      const { provider } = countingProvider(clock);
      const cache = createTokenCache(provider, { now: () => clock.now });
      const controller = new AbortController();
      let listeners = 0;
      const signal = controller.signal;
      const add = signal.addEventListener.bind(signal);
      const remove = signal.removeEventListener.bind(signal);
      signal.addEventListener = ((...args: Parameters<typeof add>) => {
        listeners++;
        add(...args);
      }) as typeof add;
      signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
        listeners--;
        remove(...args);
      }) as typeof remove;
      await cache.getToken(req({ signal }));
      expect(listeners).toBe(0);
    });
  });

  it('a token shorter than the refresh window is not fetched again on every call: windows scale to it', async () => {
    const clock = { now: 1_000_000 };
    const { provider, calls } = countingProvider(clock);
    const short: TokenProvider = {
      getToken: async (request) => ({
        ...(await provider.getToken(request)),
        expiresOnTimestamp: clock.now + MIN,
      }),
    };
    const scaled: unknown[] = [];
    const cache = createTokenCache(short, { now: () => clock.now, onWindowsScaled: (e) => scaled.push(e) });
    // 46 calls over the first 29 s of a 60 s token (default windows: 120 s refresh, 30 s blocking).
    for (let i = 0; i < 46; i++) {
      await cache.getToken(req());
      expect(cache.peek('partner', undefined)?.token).toBe('tok-1');
      clock.now += 29_000 / 46;
    }
    expect(calls).toHaveLength(1);
    expect(scaled).toEqual([
      { scope: 'partner', lifetimeMs: MIN, refreshWindowMs: 30_000, blockingWindowMs: 6_000 },
    ]);

    clock.now = 1_000_000 + 31_000; // past half its life: the old token at once, one background refresh
    await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'tok-1' });
    await flush();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.forceRefresh).toBe(false);
    await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'tok-2' });

    clock.now += 55_000; // tok-2 is in its last tenth (5 s left of 60 s): callers wait for a new one
    await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'tok-3' });
    expect(calls).toHaveLength(3);
    expect(scaled).toHaveLength(1); // said once
  });

  it('an hour-long token keeps the configured windows and is not reported as scaled', async () => {
    const { provider } = countingProvider({ now: 1_000_000 });
    const scaled: unknown[] = [];
    const { cache } = setup(provider, { onWindowsScaled: (e) => scaled.push(e) });
    await cache.getToken(req());
    expect(scaled).toEqual([]);
  });

  it('bounds the entries (LRU)', async () => {
    const clock = { now: 0 };
    const { provider, calls } = countingProvider(clock);
    const cache = createTokenCache(provider, { now: () => clock.now, maxEntries: 3 });
    for (const scope of ['a', 'b', 'c']) await cache.getToken(req({ scope }));
    await cache.getToken(req({ scope: 'a' })); // a is now the most recently used
    await cache.getToken(req({ scope: 'd' })); // evicts b
    expect(cache.size()).toBe(3);
    expect(calls).toHaveLength(4);
    await cache.getToken(req({ scope: 'a' }));
    await cache.getToken(req({ scope: 'c' }));
    expect(calls).toHaveLength(4);
    await cache.getToken(req({ scope: 'b' }));
    expect(calls).toHaveLength(5);
    expect(cache.size()).toBe(3);
  });

  it('invalidate drops one realm or every realm of a scope; clear drops all', async () => {
    const clock = { now: 0 };
    const { provider, calls } = countingProvider(clock);
    const cache = createTokenCache(provider, { now: () => clock.now });
    await cache.getToken(req());
    await cache.getToken(req({ realm: 'r1' }));
    await cache.getToken(req({ scope: 'customer:1' }));
    cache.invalidate('partner', 'r1');
    expect(cache.size()).toBe(2);
    cache.invalidate('partner');
    expect(cache.size()).toBe(1);
    await cache.getToken(req());
    expect(calls).toHaveLength(4);
    cache.clear();
    expect(cache.size()).toBe(0);
  });

  it('a throwing onRefresh hook changes nothing', async () => {
    const clock = { now: 0 };
    const { provider } = countingProvider(clock);
    const cache = createTokenCache(provider, {
      now: () => clock.now,
      onRefresh: () => {
        throw new Error('hook bug');
      },
    });
    await expect(cache.getToken(req())).resolves.toMatchObject({ token: 'tok-1' });
  });

  it('freshUntil: when the refresh window opens, for the cached token only, and never during a forced refresh', async () => {
    const provider = new ManualProvider();
    const { cache, clock } = setup(provider);
    expect(cache.freshUntil('partner', undefined)).toBe(0);
    const first = cache.getToken(req());
    provider.last().answer.resolve({ token: 'T1', expiresOnTimestamp: clock.now + HOUR });
    const t1 = await first;
    expect(cache.freshUntil('partner', undefined, t1)).toBe(clock.now + HOUR - 2 * MIN);
    expect(cache.freshUntil('partner', undefined)).toBe(clock.now + HOUR - 2 * MIN);
    expect(cache.freshUntil('partner', 'other-realm', t1)).toBe(0);
    expect(cache.freshUntil('partner', undefined, { ...t1 })).toBe(0); // not the cached token
    const forced = cache.getToken(req({ forceRefresh: true, rejectedToken: 'T1' }));
    expect(cache.freshUntil('partner', undefined, t1)).toBe(0);
    provider.last().answer.resolve({ token: 'T2', expiresOnTimestamp: clock.now + HOUR });
    const t2 = await forced;
    expect(cache.freshUntil('partner', undefined, t1)).toBe(0);
    expect(cache.freshUntil('partner', undefined, t2)).toBe(clock.now + HOUR - 2 * MIN);
  });

  it('validates its options', () => {
    const provider = new ManualProvider();
    expect(() => createTokenCache(provider, { refreshWindowMs: -1 })).toThrow(RangeError);
    expect(() => createTokenCache(provider, { blockingWindowMs: Number.NaN })).toThrow(RangeError);
    expect(() => createTokenCache(provider, { refreshWindowMs: 10, blockingWindowMs: 20 })).toThrow(
      /blockingWindowMs/,
    );
    expect(() => createTokenCache(provider, { maxEntries: 0 })).toThrow(RangeError);
    expect(() => createTokenCache(provider, { maxEntries: 1.5 })).toThrow(RangeError);
  });

  it('creates no timers', async () => {
    const provider = new ManualProvider();
    const { cache, clock } = setup(provider);
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const pending = cache.getToken(req());
    provider.last().answer.resolve({ token: 'T', expiresOnTimestamp: clock.now + 60_000 });
    await pending;
    await cache.getToken(req()); // inside the refresh window: background refresh
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  });

  describe('canary: the token never appears in an error or an onRefresh event', () => {
    it.each([
      ['opaque', () => `opaque-canary-${randomBytes(20).toString('hex')}`],
      [
        'JWT-shaped',
        () =>
          `eyJhbGciOi${randomBytes(9).toString('base64url')}.eyJzdWIi${randomBytes(18).toString('base64url')}.${randomBytes(24).toString('base64url')}`,
      ],
    ])('%s token', async (_name, makeToken) => {
      const token = makeToken();
      const provider = new ManualProvider();
      const { cache, clock, events } = setup(provider);
      const first = cache.getToken(req());
      provider.last().answer.resolve({ token, expiresOnTimestamp: clock.now + HOUR });
      await first;

      const errors: unknown[] = [];
      // A provider error that quotes the token (message, stack, code, nested cause, non-Error values).
      clock.now += HOUR - 100_000;
      await cache.getToken(req());
      const leaky = new Error(`refresh of ${token} failed`, { cause: new Error(`inner ${token}`) });
      leaky.stack = `Error: refresh of ${token} failed\n    at x (${token}.js:1:1)`;
      provider.last().answer.reject(leaky);
      await flush();
      clock.now += 80_000; // blocking now
      const blocked = cache.getToken(req()).catch((e: unknown) => e);
      provider.last().answer.reject({ detail: `object with ${token}` });
      errors.push(await blocked);

      // A forced refresh where the provider returns the rejected token again.
      const again = cache.getToken(req()).then(
        () => undefined,
        (e: unknown) => e,
      );
      provider.last().answer.resolve({ token, expiresOnTimestamp: clock.now + HOUR });
      await again;
      const forced = cache
        .getToken(req({ forceRefresh: true, rejectedToken: token }))
        .catch((e: unknown) => e);
      provider.last().answer.resolve({ token, expiresOnTimestamp: clock.now + HOUR });
      errors.push(await forced);
      // A provider rejecting with a string quoting the token.
      const stringly = cache
        .getToken(req({ forceRefresh: true, rejectedToken: token }))
        .catch((e: unknown) => e);
      provider.last().answer.reject(`cannot refresh ${token}`);
      errors.push(await stringly);

      expect(errors).toHaveLength(3);
      expect(events.filter((e) => e.outcome === 'failure').length).toBeGreaterThanOrEqual(3);
      const { inspect } = await import('node:util');
      for (const error of [...errors, ...events.map((e) => e.error)]) {
        if (error === undefined) continue;
        expect(error).toBeInstanceOf(PartnerCenterError);
        const dumps = [
          JSON.stringify(error),
          inspect(error, { depth: 10 }),
          String((error as Error).stack),
          String((error as Error).message),
          inspect((error as Error & { cause?: unknown }).cause, { depth: 10 }),
          String(((error as Error & { cause?: Error }).cause as Error | undefined)?.stack),
        ];
        for (const dump of dumps) expect(dump).not.toContain(token);
      }
      expect(JSON.stringify(events)).not.toContain(token);
      expect(inspect(events, { depth: 10 })).not.toContain(token);
    });
  });
});
