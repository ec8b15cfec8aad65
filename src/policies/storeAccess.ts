import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';

/** Store calls that never throw and never block a request on a broken store. */
export interface StoreAccess {
  /**
   * Reads without a promise when the store answers synchronously (the in-memory store), so the hot path
   * takes no extra microtask; a failed read logs and gives `undefined`.
   */
  read<T>(
    operation: string,
    scope: string,
    read: () => T | undefined | PromiseLike<T | undefined>,
  ): T | undefined | Promise<T | undefined>;
  /** Fires a write without waiting; a failure is logged, never thrown. */
  write(operation: string, scope: string, write: () => unknown): void;
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<T>).then === 'function';
}

/** Reports a store failure (already redacted) to the hooks. */
export type StoreFailureReport = (failure: { scope: string; operation: string; reason: string }) => void;

/**
 * Wraps store calls so that a store failure degrades to "no shared state", is logged and reported to
 * `onStoreError` (redacted).
 */
export function createStoreAccess(
  log: Log | undefined,
  sanitizer: Sanitizer,
  onFailure: StoreFailureReport = () => undefined,
): StoreAccess {
  const report = (what: string, operation: string, scope: string) => (error: unknown) => {
    const reason = error instanceof Error ? sanitizer.scrubText(error.message) : 'unknown failure';
    log?.('warn', what, { operation, scope, error: reason });
    onFailure({ scope, operation, reason });
  };
  const readFailed = (operation: string, scope: string) =>
    report('scope store read failed; proceeding without shared state', operation, scope);
  const writeFailed = (operation: string, scope: string) =>
    report('scope store write failed', operation, scope);
  return {
    read<T>(
      operation: string,
      scope: string,
      read: () => T | undefined | PromiseLike<T | undefined>,
    ): T | undefined | Promise<T | undefined> {
      try {
        const value = read();
        if (!isPromiseLike<T | undefined>(value)) return value;
        return Promise.resolve(value).then(undefined, (error: unknown) => {
          readFailed(operation, scope)(error);
          return undefined;
        });
      } catch (error: unknown) {
        readFailed(operation, scope)(error);
        return undefined;
      }
    },
    write(operation: string, scope: string, write: () => unknown): void {
      try {
        const result = write();
        if (isPromiseLike(result)) result.then(undefined, writeFailed(operation, scope));
      } catch (error: unknown) {
        writeFailed(operation, scope)(error);
      }
    },
  };
}
