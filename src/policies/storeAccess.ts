import type { Log } from '../observability/logger.js';
import type { Sanitizer } from '../observability/sanitizer.js';

/** Store calls that never throw and never block a request on a broken store. */
export interface StoreAccess {
  /** Awaits a read only when the store returned a promise; a failed read logs and gives `undefined`. */
  read<T>(read: () => T | undefined | PromiseLike<T | undefined>): Promise<T | undefined>;
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
    async read<T>(read: () => T | undefined | PromiseLike<T | undefined>): Promise<T | undefined> {
      try {
        const value = read();
        return isPromiseLike<T | undefined>(value) ? await value : value;
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
