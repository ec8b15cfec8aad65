import type { AbortLike } from '../policies/sleep.js';

const NEVER: AbortLike = Object.freeze({ aborted: false, onAbort: () => () => undefined });

/** The engine's small abort interface over a caller's `AbortSignal` (a listener per wait, removed after it). */
export function abortLikeOf(signal: AbortSignal | undefined): AbortLike {
  if (signal === undefined) return NEVER;
  return {
    get aborted() {
      return signal.aborted;
    },
    onAbort(listener) {
      if (signal.aborted) {
        listener();
        return () => undefined;
      }
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    },
  };
}
