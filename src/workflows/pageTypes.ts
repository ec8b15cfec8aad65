import type { AxiosResponse } from 'axios';
import type { PageContinuation } from './continuation.js';
import type { WorkflowRequestConfig } from './workflowOptions.js';

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
   * `paginate(instance, url, { continuation })` to resume with the next page.
   */
  readonly continuation: PageContinuation | undefined;
  /** The page's response (status, headers, `config` with `MS-RequestId`). */
  readonly response: AxiosResponse;
}

/** Options of {@link paginate}. */
export interface PaginateOptions<T = unknown> {
  /**
   * Page size: sets `size=` on the first request's URL (added, or replacing the URL's own `size`). The next
   * pages keep the size their `links.next.uri` carries. An integer from 1. Default: the URL as it is.
   */
  readonly size?: number | undefined;
  /**
   * Resume: start with the page this continuation points to (a {@link Page.continuation} you saved); the
   * URL then only supplies the version root (`/v1`) that relative links are resolved against, and the origin
   * the continuation's `uri` must lead to (else `ResilienceOptionsError`: the bearer token is sent there).
   * Default: start with the URL.
   */
  readonly continuation?: PageContinuation | undefined;
  /**
   * Aborts the iteration: passed to every page request, and checked before each request, page and item.
   * An abort rejects the pending `next()` at once with a `cancelled` PartnerCenterError (the engine's during a
   * request, a {@link PaginationError} otherwise); no request stays in flight, no timer is left. Default: none.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Called once per page before its items (or the page itself, with `pages()`) are yielded, e.g. to save
   * progress. A returned promise is awaited, bounded by `onPageTimeoutMs` and `signal`. A hook that throws,
   * rejects or times out ends the iteration with a {@link PaginationError} (`kind` `unknown` or `timeout`)
   * whose `continuation` is the page's own. Default: none.
   */
  readonly onPage?: ((page: Page<T>) => void | PromiseLike<void>) | undefined;
  /**
   * Longest wait for a promise returned by `onPage`, in ms (1 to `2147483647`). The hook's own work is not
   * stopped by it. Default: `30000`.
   */
  readonly onPageTimeoutMs?: number | undefined;
  /** Most pages to request in this iteration (an integer from 1). Default: no limit (until the last page). */
  readonly maxPages?: number | undefined;
  /** Extra axios config for every page request (headers, `partnerCenter`, `timeout`, ...). Default: none. */
  readonly request?: WorkflowRequestConfig | undefined;
}

/** The items of a collection, page after page: `for await (const item of iterable)`; see {@link paginate}. */
export interface PageIterable<T> extends AsyncIterable<T> {
  /** The same crawl, page by page: `for await (const page of iterable.pages())`. */
  pages(): AsyncIterable<Page<T>>;
}
