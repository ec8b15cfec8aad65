/**
 * Waits `ms`, or rejects at once with `onAbort()`'s error when `signal` aborts (before or during the wait).
 * The timer is cleared on abort, so an aborted wait leaves nothing behind.
 */
export function sleep(ms: number, signal: AbortSignal, onAbort: () => unknown): Promise<void> {
  if (signal.aborted) return Promise.reject(onAbort());
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Waits for `promise` to settle (its outcome ignored), or rejects at once with `onAbort()`'s error on abort. */
export function waitFor(
  promise: Promise<unknown>,
  signal: AbortSignal,
  onAbort: () => unknown,
): Promise<void> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<void>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    const done = () => {
      signal.removeEventListener('abort', abort);
      resolve();
    };
    promise.then(done, done);
  });
}
