import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ResilienceHooks } from '../../../src/observability/events.js';
import { OPTION_DEFAULTS } from '../../../src/options/defaults.js';
import { type NormalizedOptions, normalizeOptions } from '../../../src/options/normalizeOptions.js';
import type { ResilienceOptions } from '../../../src/options/ResilienceOptions.js';
import { everyObjectFrozen, issuesOf } from '../../helpers/optionIssues.js';

const noop = () => undefined;

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

describe('problems are listed together, each with its path', () => {
  it('at every depth', () => {
    expect(
      issuesOf({
        retyr: {},
        retry: { maxAttempts: 0 },
        hooks: { onRetyr: noop },
        tenants: { policies: { 'customer:x': { timeout: { attemptMs: -1 } } } },
      }),
    ).toEqual([
      expect.stringMatching(/^retry\.maxAttempts: /),
      'tenants.policies.customer:x.timeout.attemptMs: must be at least 0 ms',
      'hooks.onRetyr: unknown option',
      'retyr: unknown option',
    ]);
  });
});
