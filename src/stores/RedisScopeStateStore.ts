import {
  InMemoryScopeStateStore,
  type RetryBudget,
  type ScopeStateStore,
  type StoreFailure,
} from '../tenancy/ScopeStateStore.js';
import {
  EXTEND_DEADLINE,
  type LuaScript,
  REFUND_TOKEN,
  REMAINING,
  SET_OPEN,
  TAKE_TOKEN,
} from './redisScripts.js';

/**
 * The part of an ioredis client the store uses: an ioredis `Redis` instance or a `Cluster` fits. Only
 * `EVALSHA` and `EVAL` are sent, each with the one key of the scope it touches.
 */
export interface RedisScriptClient {
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** The store operations, as named in {@link RedisScopeStoreErrorContext}. */
export type RedisScopeStoreOperation =
  | 'getThrottleDeadline'
  | 'extendThrottleDeadline'
  | 'getOpenUntil'
  | 'setOpenUntil'
  | 'takeRetryToken'
  | 'refundRetryToken';

/** What {@link RedisScopeStoreOptions.onError} receives with the error. */
export interface RedisScopeStoreErrorContext {
  /** The store method that failed; it was answered from the in-process fallback store instead. */
  readonly operation: RedisScopeStoreOperation;
  /** The scope the call was about. */
  readonly scope: string;
  /** `true` when Redis did not answer within `commandTimeoutMs`, `false` when the command failed. */
  readonly timedOut: boolean;
}

/** Options of {@link createRedisScopeStore}. */
export interface RedisScopeStoreOptions {
  /**
   * An ioredis `Redis` instance or `Cluster` (anything with `evalsha` and `eval`). The store never connects,
   * quits or reconfigures it. Recommended client options: `enableOfflineQueue: false` (commands fail at once
   * while disconnected instead of queuing), `commandTimeout` (e.g. `500`) and `maxRetriesPerRequest: 1`.
   */
  readonly client: RedisScriptClient;
  /**
   * Prefix of every key, before the `{scope}` hash tag. Avoid `{` and `}` in it (it would change which part
   * of the key Redis Cluster hashes). Added after the client's own ioredis `keyPrefix`, if any.
   * Default: `'pcr:'`.
   */
  readonly keyPrefix?: string;
  /**
   * Time to live of the retry-budget key, renewed on every take and refund: a scope left alone that long
   * gets a full budget again. Throttle and breaker keys expire with their own deadline.
   * Default: `600_000` (10 minutes).
   */
  readonly keyTtlMs?: number;
  /**
   * How long the store waits for Redis before answering an operation from its in-process fallback store
   * (the timer is cleared as soon as Redis answers). Keep it well below your attempt timeout: the engine
   * awaits the store before every attempt. Default: `250`.
   */
  readonly commandTimeoutMs?: number;
  /**
   * After a failure or timeout, how long the store answers from its in-process fallback without trying
   * Redis (so that a Redis that is down costs no latency); the first operation after that tries Redis again.
   * Default: `1_000`.
   */
  readonly retryAfterFailureMs?: number;
  /**
   * Called, once per failed Redis operation, with the error (a `RedisScopeStoreTimeoutError` on timeout) and
   * where it happened. The store never throws and never rejects: the operation is answered from the
   * in-process fallback, so the engine sees no failure to log. Errors thrown by this hook are ignored.
   * Default: none (failures are silent).
   */
  readonly onError?: (error: unknown, context: RedisScopeStoreErrorContext) => void;
  /**
   * The local clock, used to turn the engine's epoch deadlines into durations and back. Only tests need it
   * (to simulate a process whose clock is off). Default: `Date.now`.
   */
  readonly now?: () => number;
  /** Most scopes the in-process fallback store keeps (least recently used dropped). Default: `10_000`. */
  readonly fallbackMaxScopes?: number;
}

/** A {@link ScopeStateStore} backed by Redis, with its key layout exposed for operations and tests. */
export interface RedisScopeStore extends ScopeStateStore {
  /** The Redis keys of a scope: `{keyPrefix}{<scope>}:throttle`, `:open` and `:budget`. */
  keys(scope: string): RedisScopeKeys;
  /** `true` while the store answers from its fallback after a failure (for `retryAfterFailureMs`). */
  readonly degraded: boolean;
}

/** The Redis keys of one scope; the `{scope}` hash tag keeps them on one Cluster slot. */
export interface RedisScopeKeys {
  /** Throttle deadline: Redis `TIME` in microseconds, expiring with the deadline. */
  readonly throttle: string;
  /** Breaker-open hint: Redis `TIME` in microseconds, expiring with the hint. */
  readonly open: string;
  /** Retry tokens left (a decimal number), expiring after `keyTtlMs` without use. */
  readonly budget: string;
}

/** The error {@link RedisScopeStoreOptions.onError} receives when Redis did not answer in time. */
export class RedisScopeStoreTimeoutError extends Error {
  /** Marker that survives two installed copies of the library. */
  readonly isRedisScopeStoreTimeoutError = true;

  constructor(operation: RedisScopeStoreOperation, timeoutMs: number) {
    super(`Redis did not answer ${operation} within ${timeoutMs} ms`);
    this.name = 'RedisScopeStoreTimeoutError';
  }
}

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
 * Creates a scope state store that shares throttle deadlines, breaker-open hints and retry budgets through
 * Redis, so that several processes calling Partner Center for one partner honour each other's 429s.
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
  let skipUntil = Number.NEGATIVE_INFINITY;

  const keys = (scope: string): RedisScopeKeys => {
    const base = `${keyPrefix}{${scope}}`;
    return { throttle: `${base}:throttle`, open: `${base}:open`, budget: `${base}:budget` };
  };

  async function evalScript(lua: LuaScript, key: string, args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(lua.sha1, 1, key, ...args);
    } catch (error: unknown) {
      // First use on this server (or after SCRIPT FLUSH / failover): EVAL also caches the script.
      if (isNoScript(error)) return client.eval(lua.source, 1, key, ...args);
      throw error;
    }
  }

  const failureListeners = new Set<(failure: StoreFailure) => void>();

  function report(error: unknown, context: RedisScopeStoreErrorContext): void {
    for (const listener of failureListeners) {
      try {
        listener({ operation: context.operation, scope: context.scope, error });
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

  /**
   * Runs one operation on Redis within the timeout; on failure or timeout answers from the fallback.
   * While a recent failure is fresh, answers from the fallback at once (synchronously).
   */
  function run<T>(
    operation: RedisScopeStoreOperation,
    scope: string,
    remote: () => Promise<T>,
    local: () => T,
  ): T | Promise<T> {
    if (now() < skipUntil) return local();
    return new Promise<T>((resolve) => {
      let settled = false;
      const fail = (error: unknown, timedOut: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        skipUntil = now() + retryAfterFailureMs;
        report(error, { operation, scope, timedOut });
        resolve(local());
      };
      const timer = setTimeout(
        () => fail(new RedisScopeStoreTimeoutError(operation, commandTimeoutMs), true),
        commandTimeoutMs,
      );
      timer.unref?.();
      let pending: Promise<T>;
      try {
        pending = remote();
      } catch (error: unknown) {
        fail(error, false);
        return;
      }
      pending.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => fail(error, false),
      );
    });
  }

  /** Turns a "milliseconds left" reply into a local epoch, or `undefined`. */
  const epochOf = (reply: unknown): number | undefined => {
    const left = toNumber(reply);
    return left > 0 ? now() + left : undefined;
  };

  const later = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined ? b : b === undefined ? a : Math.max(a, b);

  return {
    keys,

    onFailure(listener) {
      failureListeners.add(listener);
      return () => failureListeners.delete(listener);
    },

    get degraded() {
      return now() < skipUntil;
    },

    getThrottleDeadline(scope) {
      // What this process saw itself counts too (e.g. a 429 whose write to Redis failed).
      return run(
        'getThrottleDeadline',
        scope,
        async () =>
          later(
            epochOf(await evalScript(REMAINING, keys(scope).throttle, [])),
            fallback.getThrottleDeadline(scope),
          ),
        () => fallback.getThrottleDeadline(scope),
      );
    },

    extendThrottleDeadline(scope, deadline) {
      fallback.extendThrottleDeadline(scope, deadline);
      const ms = Math.ceil(deadline - now());
      if (!(ms > 0)) return;
      return run(
        'extendThrottleDeadline',
        scope,
        async () => {
          await evalScript(EXTEND_DEADLINE, keys(scope).throttle, [ms]);
        },
        () => undefined,
      );
    },

    getOpenUntil(scope) {
      return run(
        'getOpenUntil',
        scope,
        async () => epochOf(await evalScript(REMAINING, keys(scope).open, [])),
        () => fallback.getOpenUntil(scope),
      );
    },

    setOpenUntil(scope, until) {
      fallback.setOpenUntil(scope, until);
      const arg = until === undefined ? '' : Math.ceil(until - now());
      return run(
        'setOpenUntil',
        scope,
        async () => {
          await evalScript(SET_OPEN, keys(scope).open, [arg]);
        },
        () => undefined,
      );
    },

    takeRetryToken(scope, budget: RetryBudget) {
      return run(
        'takeRetryToken',
        scope,
        async () =>
          toNumber(await evalScript(TAKE_TOKEN, keys(scope).budget, [budget.maxTokens, keyTtlMs])) === 1,
        () => fallback.takeRetryToken(scope, budget),
      );
    },

    refundRetryToken(scope, budget: RetryBudget) {
      return run(
        'refundRetryToken',
        scope,
        async () => {
          await evalScript(REFUND_TOKEN, keys(scope).budget, [
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
