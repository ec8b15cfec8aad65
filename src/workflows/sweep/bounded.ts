import { MAX_TIMER_MS } from '../../options/rules.js';

/** Thrown when something outside the library (a checkpoint store) did not answer in time. */
export class SweepTimeoutError extends Error {
  override readonly name = 'SweepTimeoutError';
}

/**
 * Runs `work` with a signal aborted after `timeoutMs`, and stops waiting for it then (rejecting with a
 * {@link SweepTimeoutError} naming `what`): a store that ignores its signal cannot hold the sweep.
 */
export async function bounded<T>(
  what: string,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new SweepTimeoutError(`${what} did not finish within ${timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      },
      Math.min(timeoutMs, MAX_TIMER_MS),
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(() => work(controller.signal)), late]);
  } finally {
    clearTimeout(timer);
  }
}
