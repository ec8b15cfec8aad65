import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import type * as z from 'zod';
import type { ResilienceHandle } from '../../attach.js';
import { originOf, requestUrl } from '../../observability/requestUrl.js';
import type { Sanitizer } from '../../observability/sanitizer.js';
import { ResilienceOptionsError } from '../../options/ResilienceOptionsError.js';
import { fn } from '../../options/rules.js';
import { foreignTargetIssue, urlBaseOf } from '../followTarget.js';
import {
  checkWorkflowArguments,
  integer,
  requestOption,
  signalOption,
  type WorkflowRequestConfig,
  workflowOptionsSchema,
} from '../workflowOptions.js';
import type { Page } from './Page.js';
import {
  continuationSchema,
  type PageContinuation,
  resolvePageUri,
  type VersionRoot,
  versionRoot,
  withPageSize,
} from './PageContinuation.js';

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
   * Longest wait for a promise returned by `onPage`, in ms (1 to `MAX_TIMER_MS`). The hook's own work is not
   * stopped by it. Default: `30000`.
   */
  readonly onPageTimeoutMs?: number | undefined;
  /** Most pages to request in this iteration (an integer from 1). Default: no limit (until the last page). */
  readonly maxPages?: number | undefined;
  /**
   * Extra axios config for every page request (headers, `partnerCenter`, `timeout`, ...); `url`, `method`,
   * `data`, `params`, `signal` and `cancelToken` are refused (the workflow sets them). Default: none.
   */
  readonly request?:
    | Omit<AxiosRequestConfig, 'url' | 'method' | 'data' | 'params' | 'signal' | 'cancelToken'>
    | undefined;
}

/** Defaults of {@link PaginateOptions}. */
const DEFAULT_ON_PAGE_TIMEOUT_MS = 30_000;

/** The rules of {@link PaginateOptions}, one per option (the compiler checks the keys against the interface). */
const paginateOptionsSchema = workflowOptionsSchema({
  request: requestOption,
  size: integer(1, Number.MAX_SAFE_INTEGER).optional(),
  maxPages: integer(1, Number.MAX_SAFE_INTEGER).optional(),
  onPageTimeoutMs: integer(1).optional(),
  onPage: fn.optional(),
  signal: signalOption,
  continuation: continuationSchema.optional(),
} satisfies Record<keyof PaginateOptions, z.ZodType>);

/** Everything one crawl needs, validated once. */
export interface Plan<T> {
  readonly instance: AxiosInstance;
  readonly firstUrl: string;
  readonly root: VersionRoot;
  readonly start: PageContinuation | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onPage: ((page: Page<T>) => void | PromiseLike<void>) | undefined;
  readonly onPageTimeoutMs: number;
  readonly maxPages: number;
  readonly request: WorkflowRequestConfig | undefined;
  /** The handle's sanitizer (the default one for a bare instance), for the errors the crawl builds itself. */
  readonly sanitizer: Sanitizer;
}

/**
 * The saved continuation a crawl resumes from, resolved against the version root and the crawl's first URL,
 * or why it is refused: like a `links.next`, it must lead to the origin the crawl's URL goes to (a
 * tampered or foreign checkpoint would get the bearer token otherwise).
 */
function resumeFrom(
  saved: PageContinuation,
  instance: AxiosInstance,
  firstUrl: string,
  root: VersionRoot,
  request: WorkflowRequestConfig | undefined,
): PageContinuation | string {
  const base = urlBaseOf(instance, request);
  const first = requestUrl({ url: firstUrl, ...base });
  const uri = resolvePageUri(saved.uri.trim(), root, first);
  const issue = foreignTargetIssue(uri, base, { origin: originOf(first), of: "the crawl's URL" });
  if (issue !== undefined) {
    return `continuation.uri ${issue}; a saved continuation is followed only there (the bearer token is sent with it)`;
  }
  return { uri, method: 'GET', headers: { ...saved.headers } };
}

/**
 * Validates the arguments of `paginate` and plans the crawl. An unknown option (`sise`) is refused, named
 * with the one it most likely means.
 *
 * @throws ResilienceOptionsError naming every problem.
 */
export function planOf<T>(
  client: ResilienceHandle | AxiosInstance,
  url: string,
  options: PaginateOptions<T>,
): Plan<T> {
  const urlIssue = typeof url !== 'string' || url === '' ? 'url must be a non-empty string' : undefined;
  const checked = checkWorkflowArguments('paginate', paginateOptionsSchema, { client, options }, [urlIssue]);
  const { instance, sanitizer } = checked.client;
  const root = versionRoot(url);
  const firstUrl = options.size === undefined ? url : withPageSize(url, options.size);
  const saved = options.continuation;
  const start =
    saved === undefined ? undefined : resumeFrom(saved, instance, firstUrl, root, options.request);
  if (typeof start === 'string') throw new ResilienceOptionsError([`paginate: ${start}`]);
  return {
    instance,
    firstUrl,
    root,
    start,
    signal: options.signal,
    onPage: options.onPage,
    onPageTimeoutMs: options.onPageTimeoutMs ?? DEFAULT_ON_PAGE_TIMEOUT_MS,
    maxPages: options.maxPages ?? Number.POSITIVE_INFINITY,
    request: options.request,
    sanitizer,
  };
}
