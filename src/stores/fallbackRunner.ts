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
   * While a recent failure that says Redis cannot serve is fresh, answers from the fallback at once
   * (synchronously); an error about one command's keys ({@link isUnavailable}: false) costs only that one.
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

/** Reply errors that mean the server cannot serve now (loading, busy, failing over, out of memory...). */
const UNAVAILABLE = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|OOM|MISCONF|NOREPLICAS)\b/;

/**
 * True when an error says Redis cannot serve (no connection, a timeout, or a reply such as `LOADING`), false
 * when Redis answered with an error about this one command and its keys (e.g. `WRONGTYPE`, or a script that
 * failed on one key's data): that costs only this operation, not every scope's sharing for the next
 * `retryAfterFailureMs`.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return true;
  return UNAVAILABLE.test(error.message);
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
        if (timedOut || isUnavailable(error)) skipUntil = now() + retryAfterFailureMs;
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
