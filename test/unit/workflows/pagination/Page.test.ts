import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it, vi } from 'vitest';
import { isPaginationError } from '../../../../src/advanced.js';
import type { PaginationError } from '../../../../src/index.js';
import { createSanitizer, defaultSanitizer } from '../../../../src/observability/sanitizer.js';
import { type Page, readPage, runPageHook } from '../../../../src/workflows/pagination/Page.js';
import { versionRoot } from '../../../../src/workflows/pagination/PageContinuation.js';
import type { PageRequest } from '../../../../src/workflows/pagination/PaginationError.js';
import { useFakeClock } from '../../../helpers/attachScripted.js';

useFakeClock();

const HOST = 'https://api.partnercenter.microsoft.com';
const ROOT = versionRoot('/v1/customers?size=2');
const POSITION = { pageIndex: 1, resumeFrom: undefined, continuation: undefined };

function answer(data: unknown, url = '/v1/customers?size=2'): AxiosResponse {
  const config = { url, baseURL: HOST, headers: {} } as unknown as InternalAxiosRequestConfig;
  return { status: 200, statusText: 'OK', headers: {}, data, config };
}

/** The PaginationError `run` rejects with. */
function rejection(run: Promise<void>): Promise<PaginationError> {
  return run.then(
    () => {
      throw new Error('no PaginationError');
    },
    (error: unknown) => {
      if (isPaginationError(error)) return error;
      throw error;
    },
  );
}

function failure(run: () => unknown): PaginationError {
  try {
    run();
  } catch (error: unknown) {
    if (isPaginationError(error)) return error;
    throw error;
  }
  throw new Error('no PaginationError');
}

describe('readPage', () => {
  it('reads items, a numeric totalCount, its index and the resolved next link', () => {
    const next = {
      uri: '/customers?seekOperation=Next',
      headers: [{ key: 'MS-ContinuationToken', value: 't' }],
    };
    const response = answer({ totalCount: 2, items: [{ id: 'a' }, { id: 'b' }], links: { next } });
    const page = readPage<{ id: string }>(response, POSITION, ROOT);
    expect(page.items).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(page.totalCount).toBe(2);
    expect(page.index).toBe(1);
    expect(page.response).toBe(response);
    expect(page.continuation).toEqual({
      uri: '/v1/customers?seekOperation=Next',
      method: 'GET',
      headers: { 'MS-ContinuationToken': 't' },
    });
    expect(Object.isFrozen(page)).toBe(true);
  });

  it('the last page: no continuation; a totalCount that is no finite number: undefined', () => {
    expect(readPage(answer({ items: [], totalCount: '3' }), POSITION, ROOT)).toMatchObject({
      continuation: undefined,
      totalCount: undefined,
    });
    expect(
      readPage(answer({ items: [], totalCount: Number.POSITIVE_INFINITY }), POSITION, ROOT).totalCount,
    ).toBe(undefined);
  });

  it.each([
    ['', 'the body is empty'],
    [[{ id: 'a' }], 'the body is an array'],
    ['<html>', 'the body is not a JSON object'],
    [{ value: [] }, 'the body has no items array'],
    [{ items: [], links: { next: { uri: '' } } }, 'links.next.uri is not a non-empty string'],
  ])('a body %j is a client PaginationError: %s', (data, reason) => {
    const error = failure(() => readPage(answer(data), POSITION, ROOT));
    expect(error.kind).toBe('client');
    expect(error.retryable).toBe(false);
    expect(error.pageIndex).toBe(1);
    expect(error.reason).toBe(
      `page 2 of the collection: ${reason}${reason.startsWith('the body is') ? '; a page is { totalCount, items, links }' : ''}`,
    );
  });

  it('refuses a next link to another origin, scrubbing the error with the given sanitizer', () => {
    const data = { items: [], links: { next: { uri: 'https://evil.example/v1/customers' } } };
    const url = '/v1/reports/k-7f3a9c1e5b2d/rows';
    const error = failure(() => readPage(answer(data, url), POSITION, ROOT));
    expect(error.reason).toContain('points to another origin (https://evil.example');
    expect(error.url).toBe(`${HOST}${url}`);
    const sanitizer = createSanitizer({ secrets: ['k-7f3a9c1e5b2d'] });
    const scrubbed = failure(() => readPage(answer(data, url), POSITION, ROOT, sanitizer));
    expect(scrubbed.url).not.toContain('k-7f3a9c1e5b2d');
  });
});

describe('runPageHook', () => {
  const page = {
    items: [],
    totalCount: undefined,
    index: 1,
    continuation: { uri: '/v1/c?seekOperation=Next', method: 'GET', headers: {} },
    response: answer({ items: [] }),
  } satisfies Page;
  const request: PageRequest = {
    position: POSITION,
    url: '/v1/c',
    baseURL: HOST,
    sanitizer: defaultSanitizer,
  };

  it('runs a synchronous hook once; a returned promise is awaited', async () => {
    const seen: number[] = [];
    await runPageHook(
      { hook: (p) => void seen.push(p.index), timeoutMs: 10, signal: undefined },
      page,
      request,
    );
    let resolved = false;
    const done = runPageHook(
      {
        hook: () =>
          new Promise<void>((r) =>
            setTimeout(() => {
              resolved = true;
              r();
            }, 5),
          ),
        timeoutMs: 10,
        signal: undefined,
      },
      page,
      request,
    );
    await vi.advanceTimersByTimeAsync(5);
    await done;
    expect(seen).toEqual([1]);
    expect(resolved).toBe(true);
  });

  it('a throw or a rejection: unknown, with the page own continuation to skip it', async () => {
    const thrown = await rejection(
      runPageHook(
        {
          hook: () => {
            throw new Error('disk full');
          },
          timeoutMs: 10,
          signal: undefined,
        },
        page,
        request,
      ),
    );
    expect(thrown.kind).toBe('unknown');
    expect(thrown.reason).toBe('the onPage hook of page 2 of the collection failed: disk full');
    expect(thrown.continuation).toBe(page.continuation);
    expect(thrown.url).toBe(`${HOST}/v1/c`);
    const rejected = await rejection(
      runPageHook(
        { hook: () => Promise.reject(new Error('no')), timeoutMs: 10, signal: undefined },
        page,
        request,
      ),
    );
    expect(rejected.reason).toBe('the onPage hook of page 2 of the collection failed: no');
  });

  it('a hook that does not settle: timeout after timeoutMs, not before', async () => {
    const outcome = rejection(
      runPageHook(
        { hook: () => new Promise<void>(() => undefined), timeoutMs: 100, signal: undefined },
        page,
        request,
      ),
    );
    let settled = false;
    void outcome.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error.kind).toBe('timeout');
    expect(error.reason).toContain('did not settle within onPageTimeoutMs (100 ms)');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an abort while the hook runs: cancelled at once, no timer left', async () => {
    const controller = new AbortController();
    const outcome = rejection(
      runPageHook(
        { hook: () => new Promise<void>(() => undefined), timeoutMs: 1_000, signal: controller.signal },
        page,
        request,
      ),
    );
    controller.abort();
    const error = await outcome;
    expect(error.kind).toBe('cancelled');
    expect(error.reason).toBe('the caller aborted the pagination at page 2 of the collection');
    expect(vi.getTimerCount()).toBe(0);
  });
});
