import type { AxiosResponse } from 'axios';
import { originOf, requestUrl } from '../../observability/requestUrl.js';
import type { Sanitizer } from '../../observability/sanitizer.js';
import { waitFor } from '../../policies/sleep.js';
import { foreignTargetIssue } from '../followTarget.js';
import { abortLikeOf, isRecord } from '../workflowOptions.js';
import { type PageContinuation, readNextLink, type VersionRoot } from './PageContinuation.js';
import {
  hookFailedError,
  hookTimeoutError,
  malformedPageError,
  type PagePosition,
  type PageRequest,
  pagingCancelledError,
} from './PaginationError.js';

/** One page of a Partner Center collection. */
export interface Page<T = unknown> {
  /** The page's `items`, as the server sent them (typed by the caller, not validated). */
  readonly items: readonly T[];
  /**
   * The body's `totalCount`, when it is a number, as the server wrote it: Partner Center's customer pages
   * count the items of that page in it, not the whole collection.
   */
  readonly totalCount: number | undefined;
  /** The page's position in this iteration: 0 for the first page requested (also when resuming). */
  readonly index: number;
  /**
   * Where the NEXT page is, `undefined` on the last page. Save it after processing the page; hand it back as
   * `paginate(handle, url, { continuation })` to resume with the next page.
   */
  readonly continuation: PageContinuation | undefined;
  /** The page's response (status, headers, `config` with `MS-RequestId`). */
  readonly response: AxiosResponse;
}

/**
 * Reads a page from its response, or throws a `client` {@link PaginationError} naming what is wrong: a body
 * of the wrong shape, or a `links.next.uri` that axios would send to another origin than the page's (also
 * through a protocol-relative `//host/x`, an `http:` downgrade or userinfo), or that cannot be checked.
 */
export function readPage<T>(
  response: AxiosResponse,
  position: PagePosition,
  root: VersionRoot,
  sanitizer?: Sanitizer,
): Page<T> {
  const body: unknown = response.data;
  if (!isRecord(body)) {
    const what =
      body === '' || body === undefined ? 'empty' : Array.isArray(body) ? 'an array' : `not a JSON object`;
    throw malformedPageError(
      response,
      position,
      `the body is ${what}; a page is { totalCount, items, links }`,
      sanitizer,
    );
  }
  const items = body['items'];
  if (!Array.isArray(items)) {
    throw malformedPageError(response, position, 'the body has no items array', sanitizer);
  }
  const pageUrl = requestUrl(response.config);
  const next = readNextLink(body['links'], root, pageUrl);
  if (typeof next === 'string') throw malformedPageError(response, position, next, sanitizer);
  if (next !== undefined) {
    // The next page goes through the same instance, with the bearer token: only to the page's own origin.
    const base = {
      baseURL: response.config.baseURL,
      allowAbsoluteUrls: response.config.allowAbsoluteUrls,
    };
    const issue = foreignTargetIssue(next.uri, base, { origin: originOf(pageUrl), of: 'the page' });
    if (issue !== undefined) {
      const problem = `links.next.uri ${issue}; it is not followed (the bearer token would be sent there)`;
      throw malformedPageError(response, position, problem, sanitizer);
    }
  }
  const total = body['totalCount'];
  return Object.freeze({
    items: items as T[],
    totalCount: typeof total === 'number' && Number.isFinite(total) ? total : undefined,
    index: position.pageIndex,
    continuation: next,
    response,
  });
}

/** The `onPage` hook and its bounds. */
export interface PageHookRun<T> {
  readonly hook: (page: Page<T>) => void | PromiseLike<void>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
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
  request: PageRequest,
): Promise<void> {
  const at: PageRequest = { ...request, position: { ...request.position, continuation: page.continuation } };
  const hook = run.hook;
  let result: unknown;
  try {
    result = hook(page);
  } catch (thrown: unknown) {
    throw hookFailedError(at, thrown);
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
    () => pagingCancelledError(at),
    run.timeoutMs,
    () => hookTimeoutError(at, run.timeoutMs),
  );
  if (failure !== undefined) throw hookFailedError(at, failure.thrown);
}
