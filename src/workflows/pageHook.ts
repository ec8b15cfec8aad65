import type { Sanitizer } from '../observability/sanitizer.js';
import { waitFor } from '../policies/sleep.js';
import { abortLikeOf } from './abortSignal.js';
import type { PagePosition } from './PaginationError.js';
import { hookFailedError, hookTimeoutError, pagingCancelledError } from './pageErrors.js';
import type { Page } from './pageTypes.js';

/** What the page hook runs with. */
export interface PageHookRun<T> {
  readonly hook: (page: Page<T>) => void | PromiseLike<void>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** The page's request URL and base URL, for the errors. */
  readonly url: string;
  readonly baseURL: string | undefined;
  /** The attached instance's sanitizer, for the errors. */
  readonly sanitizer: Sanitizer;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs the page hook; a returned promise is awaited, bounded by the timeout and the signal (its timer and
 * listener are removed when it settles). A throw, a rejection, the timeout or an abort become a
 * {@link PaginationError} whose `continuation` is the page's own.
 */
export async function runPageHook<T>(
  run: PageHookRun<T>,
  page: Page<T>,
  position: PagePosition,
): Promise<void> {
  const at: PagePosition = { ...position, continuation: page.continuation };
  const hook = run.hook;
  let result: unknown;
  try {
    result = hook(page);
  } catch (thrown: unknown) {
    throw hookFailedError(at, thrown, run.url, run.baseURL, run.sanitizer);
  }
  if (!isThenable(result)) return;
  let failure: { thrown: unknown } | undefined;
  const settled = Promise.resolve(result).then(
    () => undefined,
    (thrown: unknown) => {
      failure = { thrown };
    },
  );
  await waitFor(
    settled,
    abortLikeOf(run.signal),
    () => pagingCancelledError(at, run.url, run.baseURL, run.sanitizer),
    run.timeoutMs,
    () => hookTimeoutError(at, run.timeoutMs, run.url, run.baseURL, run.sanitizer),
  );
  if (failure !== undefined) throw hookFailedError(at, failure.thrown, run.url, run.baseURL, run.sanitizer);
}
