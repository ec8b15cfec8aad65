import type { AxiosResponse } from 'axios';
import { originOf, requestUrl } from '../observability/requestUrl.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import { readNextLink, type VersionRoot } from './continuation.js';
import { foreignTargetIssue } from './followTarget.js';
import type { PagePosition } from './PaginationError.js';
import { malformedPageError } from './pageErrors.js';
import type { Page } from './pageTypes.js';
import { isRecord } from './workflowOptions.js';

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
