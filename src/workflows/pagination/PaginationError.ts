import type { AxiosResponse } from 'axios';
import { errorFromResponse, requestFacts } from '../../errors/errorFromResponse.js';
import {
  type ErrorInit,
  PartnerCenterError,
  type PartnerCenterErrorInit,
} from '../../errors/PartnerCenterError.js';
import { withRequestSecrets } from '../../errors/redaction.js';
import { requestUrl } from '../../observability/requestUrl.js';
import { defaultSanitizer, type Sanitizer } from '../../observability/sanitizer.js';
import type { PageContinuation } from './PageContinuation.js';

/** A global symbol, so that errors from two installed copies of the library recognise each other. */
const PAGINATION_ERROR_MARKER = Symbol.for('partner-center-resilience.PaginationError');

/** Where in a crawl a {@link PaginationError} happened. */
export interface PagePosition {
  /** Index of the page that failed in this iteration (0: the first page requested). */
  readonly pageIndex: number;
  /**
   * The continuation the failed page was requested with: resume from it to request that page again.
   * `undefined` when the failed page was the first of a crawl started from the URL (start it again).
   */
  readonly resumeFrom: PageContinuation | undefined;
  /**
   * The failed page's own continuation (to the page after it), when the page was read and its `links.next`
   * was valid: resume from it to skip the page. Set when the `onPage` hook failed; `undefined` otherwise.
   */
  readonly continuation: PageContinuation | undefined;
}

/**
 * A {@link PartnerCenterError} raised by `paginate` itself (not by a page request, whose errors reach the
 * caller as the engine gave them): a page body of the wrong shape (`client`), the loop guard (`client`), the
 * `onPage` hook throwing (`unknown`) or running past `onPageTimeoutMs` (`timeout`), or an abort between
 * requests (`cancelled`). It says where the crawl stopped and where to resume.
 *
 * The continuations are properties of the error only: `toJSON()` adds `pageIndex`, never a continuation
 * token.
 */
export class PaginationError extends PartnerCenterError {
  /** Index of the page that failed in this iteration (0: the first page requested). */
  readonly pageIndex: number;
  /** The continuation that requests the failed page again; `undefined`: the crawl's first page (the URL). */
  readonly resumeFrom: PageContinuation | undefined;
  /** The continuation to the page after the failed one (set when the `onPage` hook failed), to skip it. */
  readonly continuation: PageContinuation | undefined;

  constructor(
    init: PartnerCenterErrorInit,
    position: Pick<PaginationError, 'pageIndex' | 'resumeFrom' | 'continuation'>,
  ) {
    super(init);
    this.pageIndex = position.pageIndex;
    this.resumeFrom = position.resumeFrom;
    this.continuation = position.continuation;
    Object.defineProperty(this, PAGINATION_ERROR_MARKER, { value: true, enumerable: false });
  }

  /** A copy with some fields changed, still a `PaginationError` at the same position. */
  override with(changes: Partial<PartnerCenterErrorInit>): PaginationError {
    const next = new PaginationError({ ...this.toInit(), ...changes }, this);
    if (this.stack) next.stack = this.stack.replace(this.message, next.message);
    return next;
  }

  /** The fields of {@link PartnerCenterError.toJSON} and `pageIndex`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), pageIndex: this.pageIndex };
  }
}

/**
 * True when `value` is a {@link PaginationError}, from this copy of the library or any other installed copy.
 */
export function isPaginationError(value: unknown): value is PaginationError {
  if (!PartnerCenterError.is(value)) return false;
  try {
    return (value as unknown as Record<PropertyKey, unknown>)[PAGINATION_ERROR_MARKER] === true;
  } catch {
    return false;
  }
}

/** The page `index` (counted from 1 in messages, as people count). */
function pageName(position: PagePosition): string {
  return `page ${position.pageIndex + 1} of the collection`;
}

/** A page answered 2xx but cannot be read (or must not be followed): `client`, not retryable. */
export function malformedPageError(
  response: AxiosResponse,
  position: PagePosition,
  problem: string,
  handleSanitizer: Sanitizer = defaultSanitizer,
): PaginationError {
  const sanitizer = withRequestSecrets(response.config, handleSanitizer);
  const base = errorFromResponse(
    {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      data: response.data,
    },
    { sanitizer },
    undefined,
    requestFacts(response.config),
    { kind: 'client', retryable: false, reason: `${pageName(position)}: ${problem}` },
  );
  // A page body's text is no Partner Center description: the message says what is wrong (the text stays in `body`).
  return new PaginationError({ ...base.toInit(), description: undefined }, position);
}

/** A page request, for the errors raised without a response: where in the crawl, its URL, the sanitizer. */
export interface PageRequest {
  readonly position: PagePosition;
  /** The page's URL as requested, and the base URL it was sent with. */
  readonly url: string;
  readonly baseURL: string | undefined;
  /** The sanitizer of the handle the crawl runs on (the default one for a bare instance). */
  readonly sanitizer: Sanitizer;
}

/** An error of the pagination raised without a response: a GET of the page's URL, scrubbed by its sanitizer. */
function pagingError(
  at: PageRequest,
  fields: { kind: 'unknown' | 'timeout' | 'cancelled'; reason: string; cause?: unknown },
): PaginationError {
  const url = requestUrl({ url: at.url, baseURL: at.baseURL });
  const init: ErrorInit = { retryable: false, method: 'GET', url, sanitizer: at.sanitizer, ...fields };
  return new PaginationError(init, at.position);
}

/** The page's `onPage` hook threw or rejected: `unknown`, the hook's error (scrubbed, like every field) as `cause`. */
export function hookFailedError(at: PageRequest, thrown: unknown): PaginationError {
  const what = thrown instanceof Error ? thrown.message : String(thrown);
  const reason = `the onPage hook of ${pageName(at.position)} failed: ${what}`;
  return pagingError(at, { kind: 'unknown', reason, cause: thrown });
}

/** The page's `onPage` hook did not settle within `onPageTimeoutMs`. */
export function hookTimeoutError(at: PageRequest, ms: number): PaginationError {
  const reason = `the onPage hook of ${pageName(at.position)} did not settle within onPageTimeoutMs (${ms} ms)`;
  return pagingError(at, { kind: 'timeout', reason });
}

/** The caller aborted while no request was in flight (between pages, items, or during the hook). */
export function pagingCancelledError(at: PageRequest): PaginationError {
  const reason = `the caller aborted the pagination at ${pageName(at.position)}`;
  return pagingError(at, { kind: 'cancelled', reason });
}
