import { describe, expect, it } from 'vitest';
import { InMemoryScopeStateStore, type ScopeStateStore } from '../../../src/index.js';
import { normalizeOptions } from '../../../src/options/normalizeOptions.js';
import type { ResilienceOptions } from '../../../src/options/ResilienceOptions.js';
import { issuesOf } from '../../helpers/optionIssues.js';

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

describe('storeTimeoutMs', () => {
  it('defaults to 1000 and keeps a given value', () => {
    expect(normalizeOptions().storeTimeoutMs).toBe(1_000);
    expect(normalizeOptions({ storeTimeoutMs: 250 }).storeTimeoutMs).toBe(250);
  });

  it('is at least 1 ms', () => {
    expect(issuesOf({ storeTimeoutMs: 0 })).toEqual(['storeTimeoutMs: must be at least 1 ms']);
  });
});
