import { describe, expect, it } from 'vitest';
import {
  InMemoryScopeStateStore,
  type ResilienceOptions,
  ResilienceOptionsError,
  type ScopeStateStore,
} from '../../../src/index.js';
import { normalizeOptions } from '../../../src/options/normalizeOptions.js';
import { MAX_TIMER_MS } from '../../../src/options/rules.js';

/** The issue lines of the ResilienceOptionsError that `options` throws (fails when nothing is thrown). */
function issuesOf(options: unknown): readonly string[] {
  try {
    normalizeOptions(options as ResilienceOptions);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ResilienceOptionsError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).name).toBe('ResilienceOptionsError');
    return (error as ResilienceOptionsError).issues;
  }
  throw new Error('expected a ResilienceOptionsError');
}

const noop = () => undefined;

function storeWithout(method: keyof ScopeStateStore): Record<string, unknown> {
  const store: Record<string, unknown> = {
    getThrottleDeadline: noop,
    extendThrottleDeadline: noop,
    getOpenUntil: noop,
    setOpenUntil: noop,
    takeRetryToken: () => true,
    refundRetryToken: noop,
  };
  delete store[method];
  return store;
}

describe('token options', () => {
  it('an invalid token window names token.blockingWindowMs', () => {
    expect(issuesOf({ token: { blockingWindowMs: -1 } })).toEqual([
      'token.blockingWindowMs: must be at least 0 ms',
    ]);
    expect(issuesOf({ token: { blockingWindowMs: 'soon' } })).toEqual([
      'token.blockingWindowMs: must be a number of milliseconds',
    ]);
  });

  it('the blocking window must sit inside the refresh window (defaults included)', () => {
    expect(issuesOf({ token: { blockingWindowMs: 200_000 } })).toEqual([
      'token.blockingWindowMs (200000) must not exceed token.refreshWindowMs (120000)',
    ]);
  });

  it('unknown token keys, empty scopes and a non-function scopeOf are named', () => {
    expect(issuesOf({ token: { refreshWindow: 1, scopes: [], scopeOf: 'partner' } })).toEqual([
      expect.stringMatching(/^token\.scopes: /),
      'token.scopeOf: must be a function',
      'token.refreshWindow: unknown option',
    ]);
  });
});

describe('hooks', () => {
  it('an unknown hook is named with its path', () => {
    expect(issuesOf({ hooks: { onRetyr: noop } })).toEqual(['hooks.onRetyr: unknown option']);
  });

  it('a hook that is not a function is named', () => {
    expect(issuesOf({ hooks: { onRetry: 'log it' } })).toEqual(['hooks.onRetry: must be a function']);
    expect(issuesOf({ hooks: 'none' })).toEqual([expect.stringMatching(/^hooks: /)]);
  });

  it('every known hook, onHookError included, is accepted and kept in a frozen copy', () => {
    const hooks = { onRetry: noop, onStoreError: noop, onHookError: noop, onSuccess: undefined };
    const normalized = normalizeOptions({ hooks } as unknown as ResilienceOptions);
    expect(normalized.hooks).toEqual({ onRetry: noop, onStoreError: noop, onHookError: noop });
    expect(Object.isFrozen(normalized.hooks)).toBe(true);
    expect(Object.isFrozen(hooks)).toBe(false);
  });

  it('rejects unknown hook keys at compile time', () => {
    // @ts-expect-error: `onRetyr` is not a hook
    expect(() => normalizeOptions({ hooks: { onRetyr: noop } })).toThrow(/hooks\.onRetyr/);
  });
});

describe('store', () => {
  it.each([
    'getThrottleDeadline',
    'extendThrottleDeadline',
    'getOpenUntil',
    'setOpenUntil',
    'takeRetryToken',
    'refundRetryToken',
  ] as const)('a store without %s names the missing method', (method) => {
    expect(issuesOf({ store: storeWithout(method) })).toEqual([`store.${method}: must be a function`]);
  });

  it('a store that is not an object, or has a non-function onFailure, is named', () => {
    expect(issuesOf({ store: 'redis://localhost' })).toEqual([expect.stringMatching(/^store: /)]);
    expect(
      issuesOf({ store: { ...storeWithout('getOpenUntil'), getOpenUntil: noop, onFailure: 1 } }),
    ).toEqual(['store.onFailure: must be a function']);
  });

  it('class instances (methods on the prototype) pass and are kept as given, not frozen', () => {
    const store = new InMemoryScopeStateStore();
    const normalized = normalizeOptions({ store });
    expect(normalized.store).toBe(store);
    expect(Object.isFrozen(store)).toBe(false);
  });
});

describe('logger', () => {
  it('a non-function method is named', () => {
    expect(issuesOf({ logger: { info: noop, warn: 'yes' } })).toEqual(['logger.warn: must be a function']);
  });

  it('needs at least one of debug, info, warn, error, and must be an object', () => {
    expect(issuesOf({ logger: {} })).toEqual([
      'logger: must have at least one of the methods debug, info, warn, error',
    ]);
    expect(issuesOf({ logger: noop })).toEqual([expect.stringMatching(/^logger: /)]);
  });

  it('console, pino-style and partial loggers pass and are kept as given', () => {
    const pino = { levels: { values: {} }, child: noop, warn: noop };
    expect(normalizeOptions({ logger: console }).logger).toBe(console);
    expect(normalizeOptions({ logger: pino }).logger).toBe(pino);
    expect(Object.isFrozen(pino)).toBe(false);
  });
});

describe('durations', () => {
  it('timeout.attemptMs: Number.MAX_SAFE_INTEGER is refused with its path', () => {
    expect(issuesOf({ timeout: { attemptMs: Number.MAX_SAFE_INTEGER } })).toEqual([
      'timeout.attemptMs: must be at most 2147483647 ms (about 24.8 days)',
    ]);
  });

  it('retry.baseDelayMs: 3e9 is refused with its path', () => {
    expect(issuesOf({ retry: { baseDelayMs: 3e9 } })).toEqual([
      'retry.baseDelayMs: must be at most 2147483647 ms (about 24.8 days)',
    ]);
  });

  it.each([
    ['retry.maxDelayMs', { retry: { maxDelayMs: 3e9 } }],
    ['retry.maxRetryAfterMs', { retry: { maxRetryAfterMs: 3e9 } }],
    ['timeout.totalMs', { timeout: { totalMs: 3e9 } }],
    ['circuitBreaker.halfOpenAfterMs', { circuitBreaker: { halfOpenAfterMs: 3e9 } }],
    [
      'circuitBreaker.strategy.durationMs',
      { circuitBreaker: { strategy: { type: 'sampling', threshold: 0.5, durationMs: 3e9 } } },
    ],
    ['tenants.idleEvictionMs', { tenants: { idleEvictionMs: 3e9 } }],
    ['token.refreshWindowMs', { token: { refreshWindowMs: 3e9 } }],
    ['token.blockingWindowMs', { token: { blockingWindowMs: 3e9 } }],
    ['storeTimeoutMs', { storeTimeoutMs: 3e9 }],
    [
      'tenants.policies.customer:x.timeout.attemptMs',
      { tenants: { policies: { 'customer:x': { timeout: { attemptMs: 3e9 } } } } },
    ],
  ])('%s above MAX_TIMER_MS is refused with its path', (path, options) => {
    expect(issuesOf(options)).toEqual([`${path}: must be at most ${MAX_TIMER_MS} ms (about 24.8 days)`]);
  });

  it('MAX_TIMER_MS itself and the documented 0 (no limit) are accepted', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
    const normalized = normalizeOptions({
      timeout: { attemptMs: 0, totalMs: MAX_TIMER_MS },
      retry: { maxDelayMs: MAX_TIMER_MS, maxRetryAfterMs: MAX_TIMER_MS },
      tenants: { idleEvictionMs: MAX_TIMER_MS },
    });
    expect(normalized.policy.timeout).toEqual({ attemptMs: 0, totalMs: MAX_TIMER_MS });
  });
});

describe('storeTimeoutMs', () => {
  it('defaults to 1000 and keeps a given value', () => {
    expect(normalizeOptions().storeTimeoutMs).toBe(1_000);
    expect(normalizeOptions({ storeTimeoutMs: 250 }).storeTimeoutMs).toBe(250);
  });

  it('is at least 1 ms', () => {
    expect(issuesOf({ storeTimeoutMs: 0 })).toEqual(['storeTimeoutMs: must be at least 1 ms']);
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
