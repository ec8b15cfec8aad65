import { AxiosHeaders, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import type { ResilienceHandle } from '../../attach.js';
import type { WorkflowRequestConfig } from '../workflowOptions.js';
import { type Page, readPage, runPageHook } from './Page.js';
import { LoopGuard, type PageContinuation } from './PageContinuation.js';
import {
  malformedPageError,
  type PagePosition,
  type PageRequest,
  pagingCancelledError,
} from './PaginationError.js';
import { type PaginateOptions, type Plan, planOf } from './paginateOptions.js';

/** The items of a collection, page after page: `for await (const item of iterable)`; see {@link paginate}. */
export interface PageIterable<T> extends AsyncIterable<T> {
  /** The same crawl, page by page: `for await (const page of iterable.pages())`. */
  pages(): AsyncIterable<Page<T>>;
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

/** Page `position`, requested from `url`: for the errors raised without a response. */
function requestOf<T>(plan: Plan<T>, position: PagePosition, url: string): PageRequest {
  const baseURL = plan.request?.baseURL ?? plan.instance.defaults.baseURL;
  return { position, url, baseURL, sanitizer: plan.sanitizer };
}

/** Read through a call, so that the compiler does not narrow it across the awaits in between. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** A page and where it was requested from. */
interface Step<T> {
  readonly page: Page<T>;
  readonly request: PageRequest;
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
    const request = requestOf(plan, position, url);
    if (isAborted(plan.signal)) throw pagingCancelledError(request);
    if (plan.onPage !== undefined) {
      const run = { hook: plan.onPage, timeoutMs: plan.onPageTimeoutMs, signal: plan.signal };
      await runPageHook(run, page, request);
    }
    if (isAborted(plan.signal)) throw pagingCancelledError(request);
    yield { page, request };
    if (page.continuation === undefined) return;
    from = page.continuation;
  }
}

async function* pages<T>(plan: Plan<T>): AsyncGenerator<Page<T>, void, undefined> {
  for await (const step of crawl(plan)) yield step.page;
}

async function* items<T>(plan: Plan<T>): AsyncGenerator<T, void, undefined> {
  for await (const { page, request } of crawl(plan)) {
    for (const item of page.items) {
      if (isAborted(plan.signal)) throw pagingCancelledError(request);
      yield item;
    }
  }
}

/**
 * Iterates over a Partner Center collection, following `links.next` page after page
 * (`GET /v1/customers?size=100` -> `{ totalCount, items, links: { next: { uri, method, headers } } }`).
 * Every page is a GET through the instance of `client`, so through the engine when the library is attached
 * (pass the handle `attachResilience` returned, or the instance itself): retries with
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
 * The errors `paginate` builds itself are scrubbed with the handle's sanitizer (its `secrets` and
 * `allowedQueryParameters`); given a bare axios instance, with the default one.
 *
 * @throws ResilienceOptionsError (at once) for invalid or unknown options, a saved continuation on another
 *   origin included. The iteration rejects with the engine's PartnerCenterError when a page request fails,
 *   or with a {@link PaginationError} (malformed page, loop, hook failure, abort between requests).
 */
export function paginate<T = unknown>(
  client: ResilienceHandle | AxiosInstance,
  url: string,
  options: PaginateOptions<T> = {},
): PageIterable<T> {
  const plan = planOf(client, url, options);
  return {
    [Symbol.asyncIterator]: () => items(plan),
    pages: () => ({ [Symbol.asyncIterator]: () => pages(plan) }),
  };
}
