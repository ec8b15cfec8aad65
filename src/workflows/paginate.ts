import { AxiosHeaders, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { originOf, requestUrl } from '../observability/requestUrl.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import {
  continuationIssue,
  type PageContinuation,
  resolvePageUri,
  type VersionRoot,
  versionRoot,
  withPageSize,
} from './continuation.js';
import { foreignTargetIssue, urlBaseOf } from './followTarget.js';
import { LoopGuard } from './LoopGuard.js';
import type { PagePosition } from './PaginationError.js';
import { malformedPageError, pagingCancelledError } from './pageErrors.js';
import { runPageHook } from './pageHook.js';
import type { Page, PageIterable, PaginateOptions } from './pageTypes.js';
import { readPage } from './readPage.js';
import { sanitizerOf } from './sanitizerOf.js';
import { OptionIssues, type WorkflowRequestConfig } from './workflowOptions.js';

/** Defaults of {@link PaginateOptions}. */
const DEFAULT_ON_PAGE_TIMEOUT_MS = 30_000;

/** Everything one crawl needs, validated once. */
interface Plan<T> {
  readonly instance: AxiosInstance;
  readonly firstUrl: string;
  readonly root: VersionRoot;
  readonly start: PageContinuation | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onPage: ((page: Page<T>) => void | PromiseLike<void>) | undefined;
  readonly onPageTimeoutMs: number;
  readonly maxPages: number;
  readonly request: WorkflowRequestConfig | undefined;
  /** The attached library's sanitizer, for the errors the crawl builds itself. */
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

/** The name of every option (the compiler checks the list against {@link PaginateOptions}). */
const PAGINATE_OPTION_NAMES: readonly string[] = Object.keys({
  size: true,
  continuation: true,
  signal: true,
  onPage: true,
  onPageTimeoutMs: true,
  maxPages: true,
  request: true,
} satisfies Record<keyof PaginateOptions, true>);

function planOf<T>(instance: AxiosInstance, url: string, options: PaginateOptions<T>): Plan<T> {
  const issues = new OptionIssues('paginate');
  if (typeof url !== 'string' || url === '') issues.add('url must be a non-empty string');
  if (!issues.options(options, PAGINATE_OPTION_NAMES)) issues.throwIfAny();
  issues.integer('size', options.size, 1, Number.MAX_SAFE_INTEGER);
  issues.integer('maxPages', options.maxPages, 1, Number.MAX_SAFE_INTEGER);
  issues.integer('onPageTimeoutMs', options.onPageTimeoutMs, 1);
  issues.callback('onPage', options.onPage);
  issues.signal(options.signal);
  const problem = options.continuation === undefined ? undefined : continuationIssue(options.continuation);
  if (problem !== undefined) issues.add(problem);
  issues.throwIfAny();
  const root = versionRoot(url);
  const firstUrl = options.size === undefined ? url : withPageSize(url, options.size);
  const saved = options.continuation;
  const start =
    saved === undefined ? undefined : resumeFrom(saved, instance, firstUrl, root, options.request);
  if (typeof start === 'string') issues.add(start);
  issues.throwIfAny();
  return {
    instance,
    firstUrl,
    root,
    start: typeof start === 'string' ? undefined : start,
    signal: options.signal,
    onPage: options.onPage,
    onPageTimeoutMs: options.onPageTimeoutMs ?? DEFAULT_ON_PAGE_TIMEOUT_MS,
    maxPages: options.maxPages ?? Number.POSITIVE_INFINITY,
    request: options.request,
    sanitizer: sanitizerOf(instance),
  };
}

/** The caller's headers (never changed) with the continuation's headers set over any spelling of them. */
function pageHeaders(
  own: WorkflowRequestConfig['headers'],
  listed: Readonly<Record<string, string>>,
): NonNullable<AxiosRequestConfig['headers']> {
  const out: Record<string, unknown> = own instanceof AxiosHeaders ? own.toJSON() : { ...(own ?? {}) };
  for (const [name, value] of Object.entries(listed)) {
    const lower = name.toLowerCase();
    for (const key of Object.keys(out)) if (key.toLowerCase() === lower) delete out[key];
    out[name] = value;
  }
  return out as NonNullable<AxiosRequestConfig['headers']>;
}

function pageConfig<T>(plan: Plan<T>, from: PageContinuation | undefined): AxiosRequestConfig {
  const config: AxiosRequestConfig = {
    ...plan.request,
    headers: pageHeaders(plan.request?.headers, from?.headers ?? {}),
  };
  if (plan.signal !== undefined) config.signal = plan.signal;
  return config;
}

/** The base URL page requests are sent with (for the URL on errors raised without a response). */
function baseUrlOf<T>(plan: Plan<T>): string | undefined {
  return plan.request?.baseURL ?? plan.instance.defaults.baseURL;
}

/** Read through a call, so that the compiler does not narrow it across the awaits in between. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** A page and where it was requested from. */
interface Step<T> {
  readonly page: Page<T>;
  readonly position: PagePosition;
  readonly url: string;
}

/** The crawl: one request per page, through the instance (so through the engine). */
async function* crawl<T>(plan: Plan<T>): AsyncGenerator<Step<T>, void, undefined> {
  let from = plan.start;
  const guard = new LoopGuard();
  for (let index = 0; index < plan.maxPages; index++) {
    const url = from === undefined ? plan.firstUrl : from.uri;
    const position: PagePosition = { pageIndex: index, resumeFrom: from, continuation: undefined };
    guard.requested(index, from ?? { uri: plan.firstUrl, method: 'GET', headers: {} });
    // An aborted signal is still handed to the engine: it answers with its `cancelled` error, sending nothing.
    const response = await plan.instance.get<unknown>(url, pageConfig(plan, from));
    const page = readPage<T>(response, position, plan.root, plan.sanitizer);
    const before = page.continuation === undefined ? undefined : guard.requestedBefore(page.continuation);
    if (before !== undefined) {
      const which = before === index ? 'this page' : `page ${before + 1}`;
      throw malformedPageError(
        response,
        position,
        `links.next leads back to ${which} of this crawl (the same uri and continuation headers); stopped, the crawl would loop`,
        plan.sanitizer,
      );
    }
    if (isAborted(plan.signal)) throw pagingCancelledError(position, url, baseUrlOf(plan), plan.sanitizer);
    if (plan.onPage !== undefined) {
      const run = {
        hook: plan.onPage,
        timeoutMs: plan.onPageTimeoutMs,
        signal: plan.signal,
        url,
        baseURL: baseUrlOf(plan),
        sanitizer: plan.sanitizer,
      };
      await runPageHook(run, page, position);
    }
    if (isAborted(plan.signal)) throw pagingCancelledError(position, url, baseUrlOf(plan), plan.sanitizer);
    yield { page, position, url };
    if (page.continuation === undefined) return;
    from = page.continuation;
  }
}

async function* pages<T>(plan: Plan<T>): AsyncGenerator<Page<T>, void, undefined> {
  for await (const step of crawl(plan)) yield step.page;
}

async function* items<T>(plan: Plan<T>): AsyncGenerator<T, void, undefined> {
  for await (const { page, position, url } of crawl(plan)) {
    for (const item of page.items) {
      if (isAborted(plan.signal)) throw pagingCancelledError(position, url, baseUrlOf(plan), plan.sanitizer);
      yield item;
    }
  }
}

/**
 * Iterates over a Partner Center collection, following `links.next` page after page
 * (`GET /v1/customers?size=100` -> `{ totalCount, items, links: { next: { uri, method, headers } } }`).
 * Every page is a GET through `instance`, so through the engine when the library is attached: retries with
 * `Retry-After`, the throttle gate, the breaker and tokens apply to each page (a retried page is resent with
 * the same continuation token). Each iteration (`for await`, or `pages()`) starts a new crawl; nothing is
 * requested before it starts, and `break` stops it without another request.
 *
 * A `links.next.uri` is resolved as the .NET SDK does: an absolute URL is used as it is; a path that does
 * not start with the version segment of `url` (`/v1`, `/v1.0`) gets it prefixed
 * (`/customers?seekOperation=Next` -> `/v1/customers?seekOperation=Next`); a protocol-relative one takes
 * the page's scheme. Where axios will send it, it must have the page's origin (the bearer token goes with
 * it): another host or port, an `http:` downgrade or userinfo ends the crawl. A link back to a page of the
 * crawl ends it too (the loop guard). To resume after a crash, save `page.continuation` after processing
 * each page and pass it back as `options.continuation` (its `uri` must lead to the origin `url` goes to):
 * nothing is missed, nothing is fetched twice.
 *
 * @throws ResilienceOptionsError (at once) for invalid or unknown options, a saved continuation on another
 *   origin included. The iteration rejects with the engine's PartnerCenterError when a page request fails,
 *   or with a {@link PaginationError} (malformed page, loop, hook failure, abort between requests).
 */
export function paginate<T = unknown>(
  instance: AxiosInstance,
  url: string,
  options: PaginateOptions<T> = {},
): PageIterable<T> {
  const plan = planOf(instance, url, options);
  return {
    [Symbol.asyncIterator]: () => items(plan),
    pages: () => ({ [Symbol.asyncIterator]: () => pages(plan) }),
  };
}
