import { InMemoryScopeStateStore } from '../tenancy/InMemoryScopeStateStore.js';
import type { RetryTokenBucket, StoreFailure } from '../tenancy/ScopeStateStore.js';
import { createFallbackRunner } from './fallbackRunner.js';
import type {
  RedisScopeKeys,
  RedisScopeStore,
  RedisScopeStoreErrorContext,
  RedisScopeStoreOperation,
  RedisScopeStoreOptions,
} from './RedisScopeStoreOptions.js';
import type { RateLimitBackend } from './rateLimitProtocol.js';
import { createRedisRateLimit, rateLimitKey, scriptReply } from './redisRateLimit.js';
import {
  EXTEND_DEADLINE,
  type LuaScript,
  REFUND_TOKEN,
  REMAINING,
  SET_OPEN,
  TAKE_TOKEN,
} from './redisScripts.js';

const DEFAULTS = {
  keyPrefix: 'pcr:',
  keyTtlMs: 600_000,
  commandTimeoutMs: 250,
  retryAfterFailureMs: 1_000,
  fallbackMaxScopes: 10_000,
} as const;

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`createRedisScopeStore: ${name} must be a positive finite number of ms`);
  }
  return value;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function toNumber(reply: unknown): number {
  const value = typeof reply === 'number' ? reply : typeof reply === 'string' ? Number(reply) : Number.NaN;
  if (!Number.isFinite(value)) throw new TypeError(`unexpected reply from Redis: ${String(reply)}`);
  return value;
}

/**
 * Creates a scope state store that shares throttle deadlines, breaker-open hints, retry budgets and the rate
 * limiter's state (`rateLimit`) through Redis, so that several processes calling Partner Center for one
 * partner honour each other's 429s and pace their calls to one quota together.
 *
 * Every update is one Lua script (atomic). Deadlines are kept on Redis's clock: the store turns the engine's
 * epoch deadline into a duration with the local clock, the script adds it to Redis `TIME`, and a read turns
 * the time left back into a local epoch; clocks that disagree between processes do not matter.
 *
 * When Redis fails or is slow, each operation is answered from an in-process {@link InMemoryScopeStateStore}
 * within `commandTimeoutMs`, `onError` is told, and Redis is tried again after `retryAfterFailureMs`.
 *
 * ```ts
 * import Redis from 'ioredis';
 * import { createRedisScopeStore } from 'partner-center-resilience/redis';
 *
 * const client = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, commandTimeout: 500 });
 * attachResilience(axios.create(), { store: createRedisScopeStore({ client, onError: (e) => log.warn(e) }) });
 * ```
 */
export function createRedisScopeStore(options: RedisScopeStoreOptions): RedisScopeStore {
  const { client, onError } = options;
  if (
    client === null ||
    typeof client !== 'object' ||
    typeof client.evalsha !== 'function' ||
    typeof client.eval !== 'function'
  ) {
    throw new TypeError('createRedisScopeStore: client must be an ioredis Redis or Cluster instance');
  }
  const keyPrefix = options.keyPrefix ?? DEFAULTS.keyPrefix;
  const keyTtlMs = Math.ceil(positive('keyTtlMs', options.keyTtlMs ?? DEFAULTS.keyTtlMs));
  const learntTtlMs =
    options.learntTtlMs === undefined ? undefined : Math.ceil(positive('learntTtlMs', options.learntTtlMs));
  const commandTimeoutMs = positive(
    'commandTimeoutMs',
    options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
  );
  const retryAfterFailureMs = options.retryAfterFailureMs ?? DEFAULTS.retryAfterFailureMs;
  if (!Number.isFinite(retryAfterFailureMs) || retryAfterFailureMs < 0) {
    throw new RangeError('createRedisScopeStore: retryAfterFailureMs must be a finite number of ms >= 0');
  }
  const now = options.now ?? Date.now;
  const fallback = new InMemoryScopeStateStore({
    maxScopes: options.fallbackMaxScopes ?? DEFAULTS.fallbackMaxScopes,
    now,
  });
  const keys = (scope: string): RedisScopeKeys => {
    const base = `${keyPrefix}{${scope}}`;
    return { throttle: `${base}:throttle`, open: `${base}:open`, budget: `${base}:budget` };
  };

  /** Runs a script with `keys` (one hash tag for all of them, for Redis Cluster) and `args`. */
  async function evalKeys(
    lua: LuaScript,
    scriptKeys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await client.evalsha(lua.sha1, scriptKeys.length, ...scriptKeys, ...args);
    } catch (error: unknown) {
      // First use on this server (or after SCRIPT FLUSH / failover): EVAL also caches the script.
      if (isNoScript(error)) return client.eval(lua.source, scriptKeys.length, ...scriptKeys, ...args);
      throw error;
    }
  }

  const failureListeners = new Set<(failure: StoreFailure) => void>();

  function report(error: unknown, context: RedisScopeStoreErrorContext): void {
    for (const listener of failureListeners) {
      try {
        const { operation, scope, resetKey } = context;
        listener(
          resetKey === undefined ? { operation, scope, error } : { operation, scope, error, resetKey },
        );
      } catch {
        // A listener that throws never changes an outcome.
      }
    }
    if (!onError) return;
    try {
      onError(error, context);
    } catch {
      // A hook that throws never changes an outcome.
    }
  }

  /** A key a script could not read (the wrong type, or a number that is not finite) was reset: reported. */
  function reportReset(key: string, operation: RedisScopeStoreOperation, scope: string): void {
    report(
      new Error(
        `Redis key ${key} could not be read (the wrong type, or a value that is not a finite number): it was reset, and ${operation} went on in Redis`,
      ),
      { operation, scope, timedOut: false, resetKey: key },
    );
  }

  /** Runs a one-key script of `operation`; reports the key if the script had to reset it. */
  async function evalScript(
    operation: RedisScopeStoreOperation,
    scope: string,
    lua: LuaScript,
    key: string,
    args: (string | number)[],
  ): Promise<unknown> {
    const { answer, reset } = scriptReply(await evalKeys(lua, [key], args));
    for (const resetKey of reset) reportReset(resetKey, operation, scope);
    return answer;
  }

  /** Turns a "milliseconds left" reply into a local epoch, or `undefined`. */
  const epochOf = (reply: unknown): number | undefined => {
    const left = toNumber(reply);
    return left > 0 ? now() + left : undefined;
  };

  const runner = createFallbackRunner({ now, commandTimeoutMs, retryAfterFailureMs, report });
  const run = runner.run;

  /** A write to Redis whose answer is not needed (the fallback was written first: nothing to answer from). */
  function write(
    operation: RedisScopeStoreOperation,
    scope: string,
    lua: LuaScript,
    key: string,
    args: (string | number)[],
  ): void | Promise<void> {
    return run(
      operation,
      scope,
      async () => {
        await evalScript(operation, scope, lua, key, args);
      },
      () => undefined,
    );
  }

  const rateKey = (partner: string, stateKey: string): string => rateLimitKey(keyPrefix, partner, stateKey);
  const shared = createRedisRateLimit({
    evalScript: evalKeys,
    key: rateKey,
    keyTtlMs,
    ...(learntTtlMs === undefined ? {} : { learntTtlMs }),
    onResetKey: reportReset,
  });
  const rateLimit: RateLimitBackend = {
    acquire(plan, settings, at) {
      return run(
        'rateLimit.acquire',
        plan.partner,
        () => shared.acquire(plan, settings),
        () => fallback.rateLimit.acquire(plan, settings, at),
      );
    },
    record(response) {
      // This process's own responses also count in the fallback, so that it knows the learnt rates it saw
      // when Redis fails (as a throttle deadline is kept in both).
      fallback.rateLimit.record(response);
      return run(
        'rateLimit.record',
        response.plan.partner,
        () => shared.record(response),
        () => undefined,
      );
    },
  };

  const later = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined ? b : b === undefined ? a : Math.max(a, b);

  return {
    keys,

    rateLimitKey: rateKey,

    rateLimit,

    onFailure(listener) {
      failureListeners.add(listener);
      return () => failureListeners.delete(listener);
    },

    get degraded() {
      return runner.degraded;
    },

    getThrottleDeadline(scope) {
      // What this process saw itself counts too (e.g. a 429 whose write to Redis failed).
      return run(
        'getThrottleDeadline',
        scope,
        async () =>
          later(
            epochOf(await evalScript('getThrottleDeadline', scope, REMAINING, keys(scope).throttle, [])),
            fallback.getThrottleDeadline(scope),
          ),
        () => fallback.getThrottleDeadline(scope),
      );
    },

    extendThrottleDeadline(scope, deadline) {
      fallback.extendThrottleDeadline(scope, deadline);
      const ms = Math.ceil(deadline - now());
      if (!(ms > 0)) return;
      return write('extendThrottleDeadline', scope, EXTEND_DEADLINE, keys(scope).throttle, [ms]);
    },

    getOpenUntil(scope) {
      return run(
        'getOpenUntil',
        scope,
        async () => epochOf(await evalScript('getOpenUntil', scope, REMAINING, keys(scope).open, [])),
        () => fallback.getOpenUntil(scope),
      );
    },

    setOpenUntil(scope, until) {
      fallback.setOpenUntil(scope, until);
      const arg = until === undefined ? '' : Math.ceil(until - now());
      return write('setOpenUntil', scope, SET_OPEN, keys(scope).open, [arg]);
    },

    takeRetryToken(scope, budget: RetryTokenBucket) {
      return run(
        'takeRetryToken',
        scope,
        async () =>
          toNumber(
            await evalScript('takeRetryToken', scope, TAKE_TOKEN, keys(scope).budget, [
              budget.maxTokens,
              keyTtlMs,
            ]),
          ) === 1,
        () => fallback.takeRetryToken(scope, budget),
      );
    },

    refundRetryToken(scope, budget: RetryTokenBucket) {
      return run(
        'refundRetryToken',
        scope,
        async () => {
          await evalScript('refundRetryToken', scope, REFUND_TOKEN, keys(scope).budget, [
            budget.maxTokens,
            budget.refundPerSuccess,
            keyTtlMs,
          ]);
        },
        () => fallback.refundRetryToken(scope, budget),
      );
    },
  };
}
