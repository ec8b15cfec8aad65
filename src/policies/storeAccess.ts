import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import type { AbortLike } from './sleep.js';
import { timerDelay } from './sleep.js';

/** How long a read may take: the store timeout, the call's remaining budget, and the call's abort. */
export interface ReadBound {
  /** Epoch ms at which the call's budget runs out, or `Infinity`. */
  readonly deadline: number;
  readonly abort?: AbortLike | undefined;
}

/** Store calls that never throw, never hang and never block a request on a broken store. */
export interface StoreAccess {
  /**
   * Reads without a promise when the store answers synchronously (the in-memory store), so the hot path
   * takes no extra microtask. A failed read, or one slower than the store timeout or the call's remaining
   * budget, is reported and gives `undefined`; so does a read the caller's abort interrupts.
   */
  read<T>(
    operation: string,
    scope: string,
    read: () => T | undefined | PromiseLike<T | undefined>,
    bound?: ReadBound,
  ): T | undefined | Promise<T | undefined>;
  /**
   * Reads only when the store answers synchronously: a promise is left to settle on its own (a rejection is
   * reported) and {@link StoreAccess.pending} is returned instead. For the success path's health check.
   */
  peek<T>(
    operation: string,
    scope: string,
    read: () => T | undefined | PromiseLike<T | undefined>,
  ): T | undefined | typeof PENDING;
  /** What {@link StoreAccess.peek} returns for a store that answered with a promise. */
  readonly pending: typeof PENDING;
  /** Fires a write without waiting; a failure is reported, never thrown. */
  write(operation: string, scope: string, write: () => unknown): void;
}

/** The marker {@link StoreAccess.peek} returns for an asynchronous answer. */
export const PENDING: unique symbol = Symbol('pending store read');

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<T>).then === 'function';
}

/** Reports a store failure (already redacted) to the hooks. */
export type StoreFailureReport = (failure: { scope: string; operation: string; reason: string }) => void;

/**
 * Wraps store calls so that a store failure degrades to "no shared state", is logged and reported to
 * `onStoreError` (redacted, never inside the caller's own stack). Every read is bounded by `timeoutMs`.
 */
export function createStoreAccess(
  log: Log | undefined,
  sanitizer: Sanitizer,
  onFailure: StoreFailureReport,
  timeoutMs: number,
): StoreAccess {
  const report = (what: string, operation: string, scope: string, reason: string) => {
    queueMicrotask(() => {
      log?.('warn', what, { operation, scope, error: reason });
      onFailure({ scope, operation, reason });
    });
  };
  const reasonOf = (error: unknown) =>
    error instanceof Error ? sanitizer.scrubText(error.message) : 'unknown failure';
  const readFailed = (operation: string, scope: string, reason: string) =>
    report('scope store read failed; proceeding without shared state', operation, scope, reason);

  function bounded<T>(
    operation: string,
    scope: string,
    pending: PromiseLike<T | undefined>,
    bound: ReadBound | undefined,
  ): Promise<T | undefined> {
    const left = (bound?.deadline ?? Number.POSITIVE_INFINITY) - Date.now();
    // The call's budget is spent: it ends without the shared state (the budget's error follows).
    if (left <= 0 || bound?.abort?.aborted === true) return Promise.resolve(undefined);
    const limit = Math.min(timeoutMs, left);
    return new Promise<T | undefined>((resolve) => {
      let done = false;
      let unsubscribe: (() => void) | undefined;
      const finish = (value: T | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unsubscribe?.();
        resolve(value);
      };
      const timer = setTimeout(() => {
        if (limit === timeoutMs) readFailed(operation, scope, `no answer within ${Math.round(limit)} ms`);
        finish(undefined);
      }, timerDelay(limit));
      unsubscribe = bound?.abort?.onAbort(() => finish(undefined));
      if (done) unsubscribe?.();
      Promise.resolve(pending).then(finish, (error: unknown) => {
        if (!done) readFailed(operation, scope, reasonOf(error));
        finish(undefined);
      });
    });
  }

  return {
    pending: PENDING,
    peek<T>(
      operation: string,
      scope: string,
      read: () => T | undefined | PromiseLike<T | undefined>,
    ): T | undefined | typeof PENDING {
      try {
        const value = read();
        if (!isPromiseLike<T | undefined>(value)) return value;
        value.then(undefined, (error: unknown) => readFailed(operation, scope, reasonOf(error)));
        return PENDING;
      } catch (error: unknown) {
        readFailed(operation, scope, reasonOf(error));
        return undefined;
      }
    },
    read<T>(
      operation: string,
      scope: string,
      read: () => T | undefined | PromiseLike<T | undefined>,
      bound?: ReadBound,
    ): T | undefined | Promise<T | undefined> {
      try {
        const value = read();
        return isPromiseLike<T | undefined>(value) ? bounded(operation, scope, value, bound) : value;
      } catch (error: unknown) {
        readFailed(operation, scope, reasonOf(error));
        return undefined;
      }
    },
    write(operation: string, scope: string, write: () => unknown): void {
      const failed = (error: unknown) =>
        report('scope store write failed', operation, scope, reasonOf(error));
      try {
        const result = write();
        if (isPromiseLike(result)) result.then(undefined, failed);
      } catch (error: unknown) {
        failed(error);
      }
    },
  };
}
