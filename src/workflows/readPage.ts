import type { AxiosResponse } from 'axios';
import { requestUrl } from '../observability/requestUrl.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import { isRecord, originOf, readNextLink, type VersionRoot } from './continuation.js';
import type { PagePosition } from './PaginationError.js';
import { malformedPageError } from './pageErrors.js';
import type { Page } from './pageTypes.js';

/** Reads a page from its response, or throws a `client` {@link PaginationError} naming what is wrong. */
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
  const next = readNextLink(body['links'], root, originOf(requestUrl(response.config)));
  if (typeof next === 'string') throw malformedPageError(response, position, next, sanitizer);
  const total = body['totalCount'];
  return Object.freeze({
    items: items as T[],
    totalCount: typeof total === 'number' && Number.isFinite(total) ? total : undefined,
    index: position.pageIndex,
    continuation: next,
    response,
  });
}
