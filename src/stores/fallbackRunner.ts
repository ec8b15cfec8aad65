import type { RedisScopeStoreErrorContext, RedisScopeStoreOperation } from './RedisScopeStoreOptions.js';
import { RedisScopeStoreTimeoutError } from './RedisScopeStoreTimeoutError.js';

/** What {@link createFallbackRunner} needs: the clock, the two time limits and where failures go. */
export interface FallbackRunnerOptions {
  readonly now: () => number;
  /** How long Redis may take before the fallback answers. */
  readonly commandTimeoutMs: number;
  /** After a failure, how long the fallback answers at once without trying Redis. */
  readonly retryAfterFailureMs: number;
  /** Told once per failed or timed-out operation. */
  readonly report: (error: unknown, context: RedisScopeStoreErrorContext) => void;
}

/** Runs store operations on Redis, bounded in time, answering from the in-process fallback on failure. */
export interface FallbackRunner {
  /**
   * Runs one operation on Redis within the timeout; on failure or timeout answers from the fallback.
   * While a recent failure is fresh, answers from the fallback at once (synchronously).
   */
  run<T>(
    operation: RedisScopeStoreOperation,
    scope: string,
    remote: () => Promise<T>,
    local: () => T,
  ): T | Promise<T>;
  /** `true` while a recent failure makes every operation answer from the fallback. */
  readonly degraded: boolean;
}

export function createFallbackRunner(options: FallbackRunnerOptions): FallbackRunner {
  const { now, commandTimeoutMs, retryAfterFailureMs, report } = options;
  let skipUntil = Number.NEGATIVE_INFINITY;

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

  return {
    run,
    get degraded() {
      return now() < skipUntil;
    },
  };
}
