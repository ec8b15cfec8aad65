import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { type PaginateOptions, paginate, ResilienceOptionsError } from '../../../../src/index.js';
import { defaultSanitizer } from '../../../../src/observability/sanitizer.js';
import { planOf } from '../../../../src/workflows/pagination/paginateOptions.js';
import { attachScripted, useFakeClock } from '../../../helpers/attachScripted.js';
import { issuesOf } from '../optionIssues.js';
import { customers, pagedServer } from './pagedServer.js';

useFakeClock();

const FAST = { retry: { baseDelayMs: 10, maxDelayMs: 50, jitter: 'none' as const } };
const HOST = 'https://api.partnercenter.microsoft.com';

describe('planOf: the crawl a paginate call plans', () => {
  it("fills in the defaults and keeps the caller's objects as given", () => {
    const { handle } = attachScripted([{ status: 200, data: { items: [] } }]);
    const request = { headers: { 'X-Locale': 'de-DE' } };
    const plan = planOf(handle, '/v1/customers', { request });
    expect(plan.instance).toBe(handle.instance);
    expect(plan.sanitizer).toBe(handle.sanitizer);
    expect(plan.firstUrl).toBe('/v1/customers');
    expect(plan.root).toEqual({ origin: '', segment: 'v1' });
    expect(plan.start).toBeUndefined();
    expect(plan.onPageTimeoutMs).toBe(30_000);
    expect(plan.maxPages).toBe(Number.POSITIVE_INFINITY);
    expect(plan.request).toBe(request);
  });

  it('sets size on the first URL and resolves a saved continuation against the version root', () => {
    const instance = axios.create({ baseURL: HOST });
    const continuation = { uri: '/customers?seekOperation=Next', method: 'get', headers: { T: 'x' } };
    const plan = planOf(instance, '/v1/customers?size=5', { size: 2, continuation, maxPages: 3 });
    expect(plan.sanitizer).toBe(defaultSanitizer);
    expect(plan.firstUrl).toBe('/v1/customers?size=2');
    expect(plan.start).toEqual({
      uri: '/v1/customers?seekOperation=Next',
      method: 'GET',
      headers: { T: 'x' },
    });
    expect(plan.start?.headers).not.toBe(continuation.headers);
    expect(plan.maxPages).toBe(3);
  });
});

describe('paginate options: validated with zod, each problem named by its path', () => {
  const instance = axios.create({ baseURL: HOST });

  it('a misspelt key: named with the option it most likely means', () => {
    expect(issuesOf(() => paginate(instance, '/v1/c', { maxPage: 2 } as PaginateOptions))).toEqual([
      'paginate: maxPage: unknown option (did you mean maxPages?)',
    ]);
  });

  it('a wrong type: the option and what it must be', () => {
    const options = { onPage: 'save', signal: { aborted: 'no' }, request: 'x' } as unknown as PaginateOptions;
    expect(issuesOf(() => paginate(instance, '/v1/c', options))).toEqual([
      'paginate: request must be an object of axios request config',
      'paginate: onPage must be a function',
      'paginate: signal must be an AbortSignal',
    ]);
  });

  it('a bad number: the bounds and the value given', () => {
    expect(issuesOf(() => paginate(instance, '/v1/c', { size: 2.5, maxPages: 0 }))).toEqual([
      'paginate: size must be an integer from 1 to 9007199254740991 (got 2.5)',
      'paginate: maxPages must be an integer from 1 to 9007199254740991 (got 0)',
    ]);
    expect(issuesOf(() => paginate(instance, '/v1/c', { onPageTimeoutMs: Number.NaN }))).toEqual([
      'paginate: onPageTimeoutMs must be an integer from 1 to 2147483647 (got NaN)',
    ]);
  });

  it('a saved continuation of the wrong shape: every field named', () => {
    const continuation = { uri: ' ', method: 'POST', headers: { 'Bad Name': 'x', Ok: 'a\r\nb' } };
    expect(
      issuesOf(() => paginate(instance, '/v1/c', { continuation } as unknown as PaginateOptions)),
    ).toEqual([
      'paginate: continuation.uri is not a non-empty string',
      'paginate: continuation.method is not "GET"',
      'paginate: continuation.headers.Bad Name is not a valid header',
      'paginate: continuation.headers.Ok is not a valid header',
    ]);
    const list = { continuation: [] } as unknown as PaginateOptions;
    expect(issuesOf(() => paginate(instance, '/v1/c', list))).toEqual([
      'paginate: continuation is an array, not { uri, method, headers }',
    ]);
  });

  it('the other arguments are named with the options: the client and the URL', () => {
    const notAClient = {} as typeof instance;
    expect(issuesOf(() => paginate(notAClient, '', { sise: 1 } as PaginateOptions))).toEqual([
      'paginate: the first argument must be the handle attachResilience returned or an axios instance',
      'paginate: url must be a non-empty string',
      'paginate: sise: unknown option (did you mean size?)',
    ]);
  });
});

describe('paginate: option names', () => {
  it('refuses a misspelt option at once, naming its path and the option it most likely means', () => {
    const { instance, hits } = attachScripted(pagedServer(customers(3)), FAST);
    let thrown: unknown;
    try {
      paginate(instance, '/v1/customers', { sise: 2, maxpages: 3, onPageTimeout: 5 } as PaginateOptions);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ResilienceOptionsError);
    expect((thrown as ResilienceOptionsError).issues).toEqual([
      'paginate: sise: unknown option (did you mean size?)',
      'paginate: maxpages: unknown option (did you mean maxPages?)',
      'paginate: onPageTimeout: unknown option (did you mean onPageTimeoutMs?)',
    ]);
    expect(hits).toHaveLength(0);
  });

  it('refuses request fields the crawl sets itself, and options that are not an object', () => {
    const { instance } = attachScripted(pagedServer(customers(3)), FAST);
    const request = { url: '/v1/other', method: 'POST', headers: {} };
    expect(() => paginate(instance, '/v1/customers', { request } as PaginateOptions)).toThrow(
      /request\.url: not allowed \(the workflow sets the URL\)[\s\S]*request\.method: not allowed/,
    );
    expect(() => paginate(instance, '/v1/customers', 'size=2' as unknown as PaginateOptions)).toThrow(
      'paginate: options must be an object (got string)',
    );
    // every documented option is known
    const all: Required<PaginateOptions> = {
      size: 2,
      continuation: { uri: '/v1/customers', method: 'GET', headers: {} },
      signal: new AbortController().signal,
      onPage: () => undefined,
      onPageTimeoutMs: 10,
      maxPages: 1,
      request: { headers: {} },
    };
    expect(() => paginate(instance, '/v1/customers', all)).not.toThrow();
  });
});
