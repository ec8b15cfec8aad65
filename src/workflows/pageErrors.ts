import type { AxiosResponse } from 'axios';
import { errorFromResponse, requestFacts } from '../errors/errorFromResponse.js';
import type { ErrorInit } from '../errors/PartnerCenterError.js';
import { withRequestSecrets } from '../errors/redaction.js';
import { requestUrl } from '../observability/requestUrl.js';
import { defaultSanitizer, type Sanitizer } from '../observability/sanitizer.js';
import { type PagePosition, PaginationError } from './PaginationError.js';

/** The page `index` (counted from 1 in messages, as people count). */
function pageName(position: PagePosition): string {
  return `page ${position.pageIndex + 1} of the collection`;
}

/** A page answered 2xx but cannot be read (or must not be followed): `client`, not retryable. */
export function malformedPageError(
  response: AxiosResponse,
  position: PagePosition,
  problem: string,
  instanceSanitizer: Sanitizer = defaultSanitizer,
): PaginationError {
  const sanitizer = withRequestSecrets(response.config, instanceSanitizer);
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

/** The URL a page was requested from, for errors raised without a response. */
function target(url: string, baseURL: unknown): string | undefined {
  return requestUrl({ url, baseURL });
}

/** An error of the pagination raised without a response: a GET of the page's URL, scrubbed by `sanitizer`. */
function pagingError(
  position: PagePosition,
  url: string,
  baseURL: unknown,
  sanitizer: Sanitizer,
  fields: { kind: 'unknown' | 'timeout' | 'cancelled'; reason: string; cause?: unknown },
): PaginationError {
  const init: ErrorInit = {
    retryable: false,
    method: 'GET',
    url: target(url, baseURL),
    sanitizer,
    ...fields,
  };
  return new PaginationError(init, position);
}

/**
 * The page's `onPage` hook threw or rejected: `unknown`, the hook's error as `cause`. Its message and cause are
 * scrubbed by `sanitizer` (the attached instance's), like every field.
 */
export function hookFailedError(
  position: PagePosition,
  thrown: unknown,
  url: string,
  baseURL: unknown,
  sanitizer: Sanitizer = defaultSanitizer,
): PaginationError {
  return pagingError(position, url, baseURL, sanitizer, {
    kind: 'unknown',
    reason: `the onPage hook of ${pageName(position)} failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    cause: thrown,
  });
}

/** The page's `onPage` hook did not settle within `onPageTimeoutMs`. */
export function hookTimeoutError(
  position: PagePosition,
  ms: number,
  url: string,
  baseURL: unknown,
  sanitizer: Sanitizer = defaultSanitizer,
): PaginationError {
  return pagingError(position, url, baseURL, sanitizer, {
    kind: 'timeout',
    reason: `the onPage hook of ${pageName(position)} did not settle within onPageTimeoutMs (${ms} ms)`,
  });
}

/** The caller aborted while no request was in flight (between pages, items, or during the hook). */
export function pagingCancelledError(
  position: PagePosition,
  url: string,
  baseURL: unknown,
  sanitizer: Sanitizer = defaultSanitizer,
): PaginationError {
  return pagingError(position, url, baseURL, sanitizer, {
    kind: 'cancelled',
    reason: `the caller aborted the pagination at ${pageName(position)}`,
  });
}
