import { MAX_TIMER_MS } from '../options/rules.js';

/** The longest delay a timer takes (2^31-1 ms): Node and browsers run a longer one after 1 ms. */
export const MAX_TIMER_DELAY = MAX_TIMER_MS;

/**
 * A delay every timer of the engine can take: at least 0 and at most 2^31-1 ms. Options are capped at the
 * same value; this guards the sums the policies compute (a deadline plus a grain, a budget's remainder).
 */
export function timerDelay(ms: number): number {
  return ms <= 0 ? 0 : Math.min(ms, MAX_TIMER_DELAY);
}

/** The small abort signal the engine's waits listen to (cheaper than an AbortController per call). */
export interface AbortLike {
  readonly aborted: boolean;
  /** Calls `listener` once on abort; returns a function that unsubscribes it. */
  onAbort(listener: () => void): () => void;
}

/** Why a logical call was aborted. */
export type CallAbortCause = 'caller' | 'total-timeout';

/** The abort of one logical call: set by the caller's signal or cancel token, or by the total budget. */
export class CallAbort implements AbortLike {
  aborted = false;
  cause: CallAbortCause | undefined;
  private listeners: Array<() => void> | undefined;

  abort(cause: CallAbortCause): void {
    if (this.aborted) return;
    this.aborted = true;
    this.cause = cause;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  onAbort(listener: () => void): () => void {
    if (this.aborted) {
      listener();
      return () => undefined;
    }
    if (this.listeners === undefined) this.listeners = [listener];
    else this.listeners.push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners?.splice(index, 1);
    };
  }
}

/**
 * Waits `ms`, or rejects at once with `onAbort()`'s error when `signal` aborts (before or during the wait).
 * The timer is cleared on abort, so an aborted wait leaves nothing behind.
 */
export function sleep(ms: number, signal: AbortLike, onAbort: () => unknown): Promise<void> {
  if (signal.aborted) return Promise.reject(onAbort());
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const unsubscribe = signal.onAbort(() => {
      clearTimeout(timer);
      reject(onAbort());
    });
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, timerDelay(ms));
  });
}

/**
 * Waits for `promise` to settle (its outcome ignored), at most `maxMs`, or rejects at once with
 * `onAbort()`'s error on abort. When `maxMs` passes first, `onTimeout()` is called and its error rejected.
 */
export function waitFor(
  promise: Promise<unknown>,
  signal: AbortLike,
  onAbort: () => unknown,
  maxMs = Number.POSITIVE_INFINITY,
  onTimeout: () => unknown = onAbort,
): Promise<void> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<void>((resolve, reject) => {
    const timer = Number.isFinite(maxMs)
      ? setTimeout(() => finish(onTimeout()), timerDelay(maxMs))
      : undefined;
    const unsubscribe = signal.onAbort(() => finish(onAbort()));
    function finish(error?: unknown): void {
      if (timer !== undefined) clearTimeout(timer);
      unsubscribe();
      if (error === undefined) resolve();
      else reject(error);
    }
    promise.then(
      () => finish(),
      () => finish(),
    );
  });
}

/**
 * `pending`'s outcome, or a rejection with `onAbort()` as soon as `signal` aborts, whichever comes first: a
 * wait on something outside the library (a token, a user callback) stays bounded by the signal even when that
 * something ignores it. The listener is removed once `pending` settles.
 */
export function untilAborted<T>(
  pending: Promise<T>,
  signal: AbortSignal,
  onAbort: () => unknown,
): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/**
 * An AbortSignal that aborts with `abort`, or after `maxMs` (calling `onTimeout` first), for APIs that need
 * a real one, on rare paths only. `dispose()` clears its timer and listener.
 */
export function linkedSignal(
  abort: AbortLike,
  maxMs = Number.POSITIVE_INFINITY,
  onTimeout: () => void = () => undefined,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const unsubscribe = abort.onAbort(() => controller.abort());
  const timer = Number.isFinite(maxMs)
    ? setTimeout(() => {
        onTimeout();
        controller.abort();
      }, timerDelay(maxMs))
    : undefined;
  return {
    signal: controller.signal,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      unsubscribe();
    },
  };
}
