import { describe, expect, expectTypeOf, it } from 'vitest';
import { createTokenCache } from '../../../src/auth/tokenCache.js';
import {
  EVENT_NAMES,
  HOOK_NAMES,
  type ResilienceEvents,
  type ResilienceHooks,
} from '../../../src/observability/events.js';
import { OPTION_DEFAULTS } from '../../../src/options/defaults.js';
import type { NormalizedOptions } from '../../../src/options/normalizeOptions.js';
import { normalizeOptions } from '../../../src/options/normalizeOptions.js';
import type { ResilienceOptions } from '../../../src/options/ResilienceOptions.js';

function everyObjectFrozen(value: unknown, path = 'value'): string[] {
  if (value === null || typeof value !== 'object') return [];
  const own = Object.isFrozen(value) ? [] : [path];
  return [...own, ...Object.entries(value).flatMap(([k, v]) => everyObjectFrozen(v, `${path}.${k}`))];
}

describe('the defaults table', () => {
  it('is deep-frozen', () => {
    expect(everyObjectFrozen(OPTION_DEFAULTS)).toEqual([]);
    expect(() => {
      (OPTION_DEFAULTS.token as { maxEntries: number }).maxEntries = 1;
    }).toThrow(TypeError);
  });

  it('holds the documented token defaults', () => {
    expect(OPTION_DEFAULTS.token).toEqual({
      scopes: ['https://api.partnercenter.microsoft.com/.default'],
      refreshWindowMs: 120_000,
      blockingWindowMs: 30_000,
      refreshRetryIntervalMs: 5_000,
      maxEntries: 10_000,
    });
    expect(OPTION_DEFAULTS.tenants).toEqual({
      partnerScope: 'partner',
      maxScopes: 10_000,
      idleEvictionMs: 600_000,
    });
    expect(OPTION_DEFAULTS.storeTimeoutMs).toBe(1_000);
  });
});

describe('normalizeOptions()', () => {
  it('fills every field from the defaults table', () => {
    const normalized = normalizeOptions();
    expect(Object.keys(normalized).sort()).toEqual(
      [
        'allowedQueryParameters',
        'errorCodes',
        'hooks',
        'idleEvictionMs',
        'logger',
        'maxScopes',
        'partnerRetryBudget',
        'partnerScope',
        'policy',
        'rateLimit',
        'reconcile',
        'resolve',
        'scopePolicies',
        'secrets',
        'store',
        'storeTimeoutMs',
        'token',
        'tokenProvider',
      ].sort(),
    );
    expect(normalized).toMatchObject({
      policy: OPTION_DEFAULTS.policy,
      rateLimit: OPTION_DEFAULTS.rateLimit,
      partnerRetryBudget: OPTION_DEFAULTS.partnerRetryBudget,
      partnerScope: 'partner',
      maxScopes: 10_000,
      idleEvictionMs: 600_000,
      resolve: undefined,
      tokenProvider: undefined,
      token: {
        scopes: OPTION_DEFAULTS.token.scopes,
        refreshWindowMs: 120_000,
        blockingWindowMs: 30_000,
        maxEntries: 10_000,
        scopeOf: undefined,
      },
      hooks: {},
      logger: undefined,
      store: undefined,
      errorCodes: {},
      allowedQueryParameters: [],
      secrets: [],
      storeTimeoutMs: 1_000,
      reconcile: undefined,
    });
    expect(normalized.token).not.toHaveProperty('refreshRetryIntervalMs');
  });

  it('deep-freezes its own data and never freezes or mutates what the caller passed', () => {
    const strategy = { type: 'consecutive' as const, threshold: 3 };
    const scopes = ['https://example.test/.default'];
    const options: ResilienceOptions = {
      circuitBreaker: { strategy },
      token: { scopes, maxEntries: 5 },
      tenants: { policies: { vip: { retry: { maxAttempts: 2 } } } },
      errorCodes: { '1': { meaning: 'one', class: 'transient' } },
      allowedQueryParameters: ['size'],
    };
    const normalized = normalizeOptions(options);
    expect(Object.isFrozen(normalized)).toBe(true);
    const { scopePolicies, ...data } = normalized;
    expect(Object.entries(data).flatMap(([key, value]) => everyObjectFrozen(value, key))).toEqual([]);
    expect(everyObjectFrozen(scopePolicies.get('vip'))).toEqual([]);
    expect(normalized.policy.circuitBreaker.strategy).toEqual(strategy);
    expect(normalized.token.scopes).toEqual(scopes);
    expect(Object.isFrozen(strategy)).toBe(false);
    expect(Object.isFrozen(scopes)).toBe(false);
    expect(Object.isFrozen(options)).toBe(false);
  });

  it('keeps the names and types the engine reads', () => {
    expectTypeOf<NormalizedOptions['storeTimeoutMs']>().toEqualTypeOf<number>();
    expectTypeOf<NormalizedOptions['token']['scopeOf']>().toEqualTypeOf<
      ((scope: string) => string) | undefined
    >();
    expectTypeOf<NormalizedOptions['hooks']>().toEqualTypeOf<ResilienceHooks>();
  });
});

describe('one list of event names', () => {
  it('matches the event and hook types', () => {
    expectTypeOf<(typeof EVENT_NAMES)[number]>().toEqualTypeOf<Exclude<keyof ResilienceEvents, 'onAny'>>();
    expectTypeOf<(typeof HOOK_NAMES)[number]>().toEqualTypeOf<keyof ResilienceHooks>();
    expect(HOOK_NAMES).toEqual([...EVENT_NAMES, 'onHookError']);
    // @ts-expect-error: hooks reject unknown keys at compile time
    const hooks: ResilienceHooks = { onRetyr: () => undefined };
    expect(hooks).toBeDefined();
  });
});

describe('the token cache checks its options with the same rules and defaults', () => {
  const provider = { getToken: async () => ({ token: 't', expiresOnTimestamp: 0 }) };

  it('throws a RangeError naming the option beyond MAX_TIMER_MS', () => {
    expect(() => createTokenCache(provider, { refreshWindowMs: 3e9 })).toThrow(RangeError);
    expect(() => createTokenCache(provider, { refreshRetryIntervalMs: 3e9 })).toThrow(
      /refreshRetryIntervalMs: must be at most 2147483647 ms/,
    );
  });

  it('applies the shared blocking <= refresh rule against the shared defaults', () => {
    expect(() => createTokenCache(provider, { blockingWindowMs: 200_000 })).toThrow(
      'blockingWindowMs (200000) must not exceed refreshWindowMs (120000)',
    );
    expect(() => createTokenCache(provider, { blockingWindowMs: 120_000 })).not.toThrow();
  });
});
