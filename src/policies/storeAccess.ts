import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';

/** Store calls that never throw and never block a request on a broken store. */
export interface StoreAccess {
  /**
   * Reads without a promise when the store answers synchronously (the in-memory store), so the hot path
   * takes no extra microtask; a failed read logs and gives `undefined`.
   */
  read<T>(read: () => T | undefined | PromiseLike<T | undefined>): T | undefined | Promise<T | undefined>;
  /** Fires a write without waiting; a failure is logged, never thrown. */
  write(write: () => unknown): void;
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<T>).then === 'function';
}

/** Wraps store calls so that a store failure degrades to "no shared state" and is logged (redacted). */
export function createStoreAccess(log: Log | undefined, sanitizer: Sanitizer): StoreAccess {
  const report = (what: string) => (error: unknown) =>
    log?.('warn', what, { error: error instanceof Error ? sanitizer.scrubText(error.message) : 'unknown' });
  const readFailed = report('scope store read failed; proceeding without shared state');
  const writeFailed = report('scope store write failed');
  return {
    read<T>(read: () => T | undefined | PromiseLike<T | undefined>): T | undefined | Promise<T | undefined> {
      try {
        const value = read();
        if (!isPromiseLike<T | undefined>(value)) return value;
        return Promise.resolve(value).then(undefined, (error: unknown) => {
          readFailed(error);
          return undefined;
        });
      } catch (error: unknown) {
        readFailed(error);
        return undefined;
      }
    },
    write(write: () => unknown): void {
      try {
        const result = write();
        if (isPromiseLike(result)) result.then(undefined, writeFailed);
      } catch (error: unknown) {
        writeFailed(error);
      }
    },
  };
}
