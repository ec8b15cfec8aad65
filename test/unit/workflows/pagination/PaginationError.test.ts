import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import { PartnerCenterError } from '../../../../src/errors/PartnerCenterError.js';
import { createSanitizer } from '../../../../src/observability/sanitizer.js';
import {
  isPaginationError,
  malformedPageError,
  PaginationError,
  pagingCancelledError,
} from '../../../../src/workflows/pagination/PaginationError.js';

describe('PaginationError', () => {
  const position = {
    pageIndex: 3,
    resumeFrom: { uri: '/v1/c', method: 'GET', headers: { 'MS-ContinuationToken': 'secret-ish' } },
    continuation: undefined,
  };
  it('is a PartnerCenterError that keeps its position through with(), and prints no token', () => {
    const error = new PaginationError({ kind: 'client', retryable: false, reason: 'bad page' }, position);
    expect(PartnerCenterError.is(error)).toBe(true);
    expect(isPaginationError(error)).toBe(true);
    expect(isPaginationError(new PartnerCenterError({ kind: 'client', retryable: false }))).toBe(false);
    const copy = error.with({ attempts: 2 });
    expect(copy).toBeInstanceOf(PaginationError);
    expect(copy.pageIndex).toBe(3);
    expect(copy.resumeFrom).toBe(position.resumeFrom);
    expect(copy.attempts).toBe(2);
    expect(JSON.stringify(error)).toContain('"pageIndex":3');
    expect(JSON.stringify(error)).not.toContain('secret-ish');
  });
});

describe('the errors paginate builds', () => {
  const position = { pageIndex: 0, resumeFrom: undefined, continuation: undefined };

  it('a malformed page: client, not retryable, the page status and ids kept, no description', () => {
    const config = {
      url: '/v1/customers',
      baseURL: 'https://api.partnercenter.microsoft.com',
      headers: { 'MS-RequestId': 'r-1' },
    } as unknown as InternalAxiosRequestConfig;
    const response: AxiosResponse = {
      status: 200,
      statusText: 'OK',
      headers: { 'ms-correlationid': 'c-1' },
      data: { description: 'not a page' },
      config,
    };
    const error = malformedPageError(response, position, 'the body has no items array');
    expect(error).toBeInstanceOf(PaginationError);
    expect(error).toMatchObject({
      kind: 'client',
      retryable: false,
      status: 200,
      description: undefined,
      reason: 'page 1 of the collection: the body has no items array',
      url: 'https://api.partnercenter.microsoft.com/v1/customers',
    });
  });

  it('an abort between requests: cancelled, a GET of the page URL, scrubbed by the request sanitizer', () => {
    const sanitizer = createSanitizer({ secrets: ['k-7f3a9c1e5b2d'] });
    const error = pagingCancelledError({
      position: { ...position, pageIndex: 4 },
      url: '/v1/reports/k-7f3a9c1e5b2d',
      baseURL: 'https://api.partnercenter.microsoft.com',
      sanitizer,
    });
    expect(error).toMatchObject({ kind: 'cancelled', retryable: false, method: 'GET', pageIndex: 4 });
    expect(error.reason).toBe('the caller aborted the pagination at page 5 of the collection');
    expect(error.url).toMatch(/^https:\/\/api\.partnercenter\.microsoft\.com\/v1\/reports\//);
    expect(error.url).not.toContain('k-7f3a9c1e5b2d');
  });
});
