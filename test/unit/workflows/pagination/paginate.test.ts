import { describe, expect, it, vi } from 'vitest';
import { isCancelledError, isPaginationError } from '../../../../src/advanced.js';
import {
  isPartnerCenterError,
  type Page,
  type PageContinuation,
  PaginationError,
  ResilienceOptionsError,
} from '../../../../src/index.js';
import { paginate } from '../../../../src/workflows/pagination/paginate.js';
import { attachScripted, useFakeClock } from '../../../helpers/attachScripted.js';
import type { Step } from '../../../helpers/scriptedAdapter.js';
import { capture, settle } from '../../../helpers/settle.js';
import { collect, customers, pagedServer } from './pagedServer.js';

useFakeClock();

/**
 * Short backoffs, and no slow start: these tests are about pages, not the limiter's first contact with an
 * unknown quota (pages paced by the limiter have a test of their own), and some await pages on a clock that
 * does not move.
 */
const FAST = {
  retry: { baseDelayMs: 10, maxDelayMs: 50, jitter: 'none' as const },
  rateLimit: { slowStart: false },
};
const HOST = 'https://api.partnercenter.microsoft.com';

describe('paginate: following links.next', () => {
  it('follows 3 pages with the listed headers, resolving the relative uri against /v1', async () => {
    const all = customers(5);
    const { instance, hits } = attachScripted(pagedServer(all), FAST);
    const { value } = await settle(collect(paginate<{ id: string }>(instance, '/v1/customers?size=2')));
    expect(value).toEqual(all);
    expect(hits.map((h) => h.url)).toEqual([
      `${HOST}/v1/customers?size=2`,
      `${HOST}/v1/customers?size=2&seekOperation=Next`,
      `${HOST}/v1/customers?size=2&seekOperation=Next`,
    ]);
    expect(hits.map((h) => h.headers['ms-continuationtoken'])).toEqual([undefined, 'tok-1', 'tok-2']);
    expect(hits.every((h) => h.method === 'GET')).toBe(true);
    // one logical call per page: each has its own MS-RequestId
    expect(new Set(hits.map((h) => h.headers['ms-requestid'])).size).toBe(3);
  });

  it('gives whole pages with pages(): index, totalCount, a serialisable continuation, the response', async () => {
    const { instance } = attachScripted(pagedServer(customers(5)), FAST);
    const { value: pages } = await settle(collect(paginate(instance, '/v1/customers?size=2').pages()));
    expect(pages?.map((p) => [p.index, p.items.length, p.totalCount])).toEqual([
      [0, 2, 5],
      [1, 2, 5],
      [2, 1, 5],
    ]);
    const first = pages?.[0]?.continuation;
    expect(JSON.parse(JSON.stringify(first))).toEqual({
      uri: '/v1/customers?size=2&seekOperation=Next',
      method: 'GET',
      headers: { 'MS-ContinuationToken': 'tok-1' },
    });
    expect(pages?.[2]?.continuation).toBeUndefined();
    expect(pages?.[1]?.response.status).toBe(200);
  });

  it('keeps a uri that already starts with the version segment, and follows seek_operation links', async () => {
    const next = (n: number) => `/v1/customers?size=${n}&seek_operation=next`;
    const { instance, hits } = attachScripted(pagedServer(customers(3), { nextUri: next }), FAST);
    const { value } = await settle(collect(paginate(instance, '/v1/customers?size=2')));
    expect(value).toHaveLength(3);
    expect(hits[1]?.url).toBe(`${HOST}/v1/customers?size=2&seek_operation=next`);
  });

  it('uses an absolute uri of the same origin as it is, and refuses one of another origin', async () => {
    const same = (n: number) => `${HOST}/v1/customers?size=${n}&seekOperation=Next`;
    const ok = attachScripted(pagedServer(customers(3), { nextUri: same }), FAST);
    expect((await settle(collect(paginate(ok.instance, '/v1/customers?size=2')))).value).toHaveLength(3);
    expect(ok.hits[1]?.url).toBe(same(2));

    const other = () => 'https://elsewhere.example/v1/customers?seekOperation=Next';
    const bad = attachScripted(pagedServer(customers(3), { nextUri: other }), FAST);
    const { error } = await settle(collect(paginate(bad.instance, '/v1/customers?size=2')));
    expect(error?.kind).toBe('client');
    expect(error?.reason).toContain('another origin');
    expect(bad.hits).toHaveLength(1);
  });

  it('sets size= on the first request only, replacing the URL own size', async () => {
    const { instance, hits } = attachScripted(pagedServer(customers(3)), FAST);
    await settle(collect(paginate(instance, '/v1/customers?size=100&x=1', { size: 2 })));
    expect(hits[0]?.url).toBe(`${HOST}/v1/customers?x=1&size=2`);
    expect(hits[1]?.url).toBe(`${HOST}/v1/customers?size=2&seekOperation=Next`);
  });

  it('stops after maxPages pages', async () => {
    const { instance, hits } = attachScripted(pagedServer(customers(9)), FAST);
    const { value } = await settle(collect(paginate(instance, '/v1/customers?size=2', { maxPages: 2 })));
    expect(value).toHaveLength(4);
    expect(hits).toHaveLength(2);
  });

  it('starts a new crawl on each iteration, and requests nothing before one starts', async () => {
    const { instance, hits } = attachScripted(pagedServer(customers(3)), FAST);
    const iterable = paginate(instance, '/v1/customers?size=2');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(hits).toHaveLength(0);
    await settle(collect(iterable));
    await settle(collect(iterable));
    expect(hits).toHaveLength(4);
  });
});

describe('paginate: resuming from a saved continuation', () => {
  it('gives exactly the remaining items: nothing missed, nothing twice', async () => {
    const all = customers(7);
    const { instance, hits } = attachScripted(pagedServer(all), FAST);
    const processed: unknown[] = [];
    let saved = '';
    // The first run processes two pages, saving the continuation after each, then "crashes".
    const run = async () => {
      for await (const page of paginate(instance, '/v1/customers?size=2').pages()) {
        processed.push(...page.items);
        saved = JSON.stringify(page.continuation);
        if (page.index === 1) throw new Error('crash');
      }
    };
    await expect(run()).rejects.toThrow('crash');
    expect(hits).toHaveLength(2);

    const continuation = JSON.parse(saved) as PageContinuation;
    const { value: rest } = await settle(collect(paginate(instance, '/v1/customers', { continuation })));
    expect([...processed, ...(rest ?? [])]).toEqual(all);
    expect(hits.slice(2).map((h) => h.headers['ms-continuationtoken'])).toEqual(['tok-2', 'tok-3']);
    expect(hits[2]?.url).toBe(`${HOST}/v1/customers?size=2&seekOperation=Next`);
  });

  it('resolves a saved relative uri against the version root of the URL', async () => {
    const { instance, hits } = attachScripted(pagedServer(customers(4)), FAST);
    const continuation = {
      uri: '/customers?size=2&seekOperation=Next',
      method: 'GET',
      headers: { 'MS-ContinuationToken': 'tok-1' },
    };
    const { value } = await settle(collect(paginate(instance, '/v1/customers', { continuation })));
    expect(value).toEqual(customers(4).slice(2));
    expect(hits[0]?.url).toBe(`${HOST}/v1/customers?size=2&seekOperation=Next`);
  });

  it('refuses a continuation of the wrong shape at once', () => {
    const { instance } = attachScripted(pagedServer(customers(1)));
    const bad = { uri: '', method: 'GET', headers: {} };
    expect(() => paginate(instance, '/v1/customers', { continuation: bad })).toThrow(ResilienceOptionsError);
    expect(() => paginate(instance, '/v1/customers', { size: 0 })).toThrow(/size must be an integer/);
    expect(() => paginate(instance, '/v1/customers', { onPageTimeoutMs: 2 ** 31 })).toThrow(
      /onPageTimeoutMs/,
    );
  });
});

describe('paginate: stopping', () => {
  it('break stops cleanly: no further request', async () => {
    const { instance, hits } = attachScripted(pagedServer(customers(9)), FAST);
    const seen: unknown[] = [];
    const loop = (async () => {
      for await (const item of paginate(instance, '/v1/customers?size=2')) {
        seen.push(item);
        if (seen.length === 3) break;
      }
    })();
    await settle(loop);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen).toHaveLength(3);
    expect(hits).toHaveLength(2);
  });

  it('an abort between items rejects the next item at once with cancelled; nothing more is sent', async () => {
    const { instance, hits } = attachScripted(pagedServer(customers(9)), FAST);
    const controller = new AbortController();
    const iterator = paginate(instance, '/v1/customers?size=2', { signal: controller.signal })[
      Symbol.asyncIterator
    ]();
    const first = await settle(iterator.next());
    expect(first.value?.value).toEqual({ id: 'c1' });
    controller.abort();
    const { error } = await capture(iterator.next());
    expect(isCancelledError(error)).toBe(true);
    expect(isPaginationError(error) && error.pageIndex).toBe(0);
    expect(hits).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect((await iterator.next()).done).toBe(true);
  });

  it('an abort during a page request settles at once with the engine cancelled error', async () => {
    const server = pagedServer(customers(9));
    const slow = (hit: Parameters<typeof server>[0], index: number): Step => ({
      ...(server(hit, index) as { status: number }),
      delayMs: index === 1 ? 5_000 : 0,
    });
    const { instance, hits } = attachScripted(slow, FAST);
    const controller = new AbortController();
    const outcome = capture(
      collect(paginate(instance, '/v1/customers?size=2', { signal: controller.signal })),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(hits).toHaveLength(2);
    controller.abort();
    const { error } = await outcome;
    expect(error?.kind).toBe('cancelled');
    expect(error?.reason).toContain('in flight');
    expect(vi.getTimerCount()).toBe(0);
    expect(hits).toHaveLength(2);
  });
});

describe('paginate: robustness', () => {
  const answer = (body: unknown) => [{ status: 200, data: body }] as Step[];

  it.each([
    ['no items array', { totalCount: 1, value: [] }, 'no items array'],
    ['a string body', 'not json', 'not a JSON object'],
    ['links.next not an object', { items: [], links: { next: 'x' } }, 'links.next is a string'],
    [
      'links.next.uri missing',
      { items: [], links: { next: { method: 'GET', headers: [] } } },
      'links.next.uri',
    ],
    [
      'headers not an array',
      { items: [], links: { next: { uri: '/c', headers: { key: 'a' } } } },
      'links.next.headers is an object',
    ],
    [
      'a header without a key',
      { items: [], links: { next: { uri: '/c', headers: [{ value: 'v' }] } } },
      'links.next.headers[0].key',
    ],
    [
      'a header value with a line break',
      { items: [], links: { next: { uri: '/c', headers: [{ key: 'A', value: 'v\r\nX: y' }] } } },
      'not a single-line string',
    ],
    ['a POST next page', { items: [], links: { next: { uri: '/c', method: 'POST' } } }, 'only GET'],
  ])('ends with a client PaginationError for %s', async (_name, body, problem) => {
    const { instance, hits } = attachScripted(answer(body), FAST);
    const { error } = await settle(collect(paginate(instance, '/v1/customers')));
    expect(error).toBeInstanceOf(PaginationError);
    expect(error?.kind).toBe('client');
    expect(error?.retryable).toBe(false);
    expect(error?.status).toBe(200);
    expect(error?.reason).toContain(problem);
    expect(error?.message).toContain('page 1 of the collection');
    expect(hits).toHaveLength(1);
  });

  it('refuses a page whose links.next repeats the continuation it was requested with', async () => {
    const body = {
      items: [{ id: 'same' }],
      links: {
        next: {
          uri: '/customers?seekOperation=Next',
          headers: [{ key: 'MS-ContinuationToken', value: 't' }],
        },
      },
    };
    const { instance, hits } = attachScripted(answer(body), FAST);
    const seen: Page[] = [];
    const { error } = await settle(
      collect(paginate(instance, '/v1/customers', { onPage: (page) => void seen.push(page) }).pages()),
    );
    expect(error?.kind).toBe('client');
    expect(error?.reason).toContain('links.next leads back to this page of this crawl');
    expect(error?.reason).toContain('would loop');
    expect(isPaginationError(error) && error.pageIndex).toBe(1);
    expect(hits).toHaveLength(2);
    expect(seen).toHaveLength(1);
  });

  /** A collection whose links go around `cycle` (a list of continuation tokens) forever. */
  function cyclingServer(cycle: readonly string[]) {
    return (hit: { headers: Record<string, string> }): Step => {
      const token = hit.headers['ms-continuationtoken'];
      const at = token === undefined ? -1 : cycle.indexOf(token);
      const next = cycle[(at + 1) % cycle.length] ?? '';
      return {
        status: 200,
        data: {
          items: [{ id: token ?? 'first' }],
          links: {
            next: {
              uri: '/customers?seekOperation=Next',
              headers: [{ key: 'MS-ContinuationToken', value: next }],
            },
          },
        },
      };
    };
  }

  it('catches a cycle longer than one page (A -> B -> A) at the first return, items never twice', async () => {
    const { instance, hits } = attachScripted(cyclingServer(['A', 'B']), FAST);
    // maxPages bounds the crawl, so that a guard that misses the cycle fails the test instead of hanging it.
    const crawl = paginate<{ id: string }>(instance, '/v1/customers', { maxPages: 20 });
    const { value, error } = await settle(collect(crawl));
    expect(value).toBeUndefined();
    expect(error?.kind).toBe('client');
    expect(error?.reason).toContain('links.next leads back to page 2 of this crawl');
    expect(isPaginationError(error) && error.pageIndex).toBe(2);
    expect(hits.map((h) => h.headers['ms-continuationtoken'])).toEqual([undefined, 'A', 'B']);
  });

  it('catches a cycle of 50 pages, and one back to the first URL', async () => {
    const tokens = Array.from({ length: 50 }, (_, i) => `t${i}`);
    const long = attachScripted(cyclingServer(tokens), FAST);
    const { error } = await settle(collect(paginate(long.instance, '/v1/customers', { maxPages: 200 })));
    expect(error?.reason).toContain('links.next leads back to page 2 of this crawl');
    expect(long.hits).toHaveLength(51);

    // page 1 (the URL, no token) -> page 2 (token A) -> the URL again, without a token
    const toA = {
      uri: '/customers?seekOperation=Next',
      headers: [{ key: 'MS-ContinuationToken', value: 'A' }],
    };
    const home = { uri: '/customers', headers: [] };
    const first = attachScripted(
      (hit) => ({
        status: 200,
        data: { items: [{ id: 'x' }], links: { next: hit.headers['ms-continuationtoken'] ? home : toA } },
      }),
      FAST,
    );
    const again = await settle(collect(paginate(first.instance, '/v1/customers', { maxPages: 20 })));
    expect(again.error?.reason).toContain('links.next leads back to page 1 of this crawl');
    expect(first.hits).toHaveLength(2);
  });

  it('counts the saved continuation of a resumed crawl as requested', async () => {
    const { instance, hits } = attachScripted(cyclingServer(['A', 'B']), FAST);
    const continuation = {
      uri: '/v1/customers?seekOperation=Next',
      method: 'GET',
      headers: { 'MS-ContinuationToken': 'A' },
    };
    const { error } = await settle(
      collect(paginate(instance, '/v1/customers', { continuation, maxPages: 20 })),
    );
    expect(error?.reason).toContain('links.next leads back to page 1 of this crawl');
    expect(hits.map((h) => h.headers['ms-continuationtoken'])).toEqual(['A', 'B']);
  });

  it('retries a 503 and a 429 on a page in the engine, resending the same continuation token', async () => {
    const server = pagedServer(customers(5), {
      override: (_hit, index) =>
        index === 1
          ? { status: 503 }
          : index === 3
            ? { status: 429, headers: { 'retry-after': '2' } }
            : undefined,
    });
    const { instance, hits } = attachScripted(server, FAST);
    const { value } = await settle(collect(paginate(instance, '/v1/customers?size=2')));
    // page 1, page 2 (503), page 2 again, page 3 (429), page 3 again no sooner than its Retry-After
    expect((hits[4]?.at ?? 0) - (hits[3]?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect(value).toEqual(customers(5));
    expect(hits.map((h) => h.headers['ms-continuationtoken'])).toEqual([
      undefined,
      'tok-1',
      'tok-1',
      'tok-2',
      'tok-2',
    ]);
    // the retried page is one logical call: the same MS-RequestId on both attempts
    expect(hits[1]?.headers['ms-requestid']).toBe(hits[2]?.headers['ms-requestid']);
    expect(hits[3]?.headers['ms-requestid']).toBe(hits[4]?.headers['ms-requestid']);
  });

  it('hands an engine failure on a page to the caller as it is', async () => {
    const { instance } = attachScripted(
      pagedServer(customers(5), { override: (_h, i) => (i === 1 ? { status: 404 } : undefined) }),
      FAST,
    );
    const { error } = await settle(collect(paginate(instance, '/v1/customers?size=2')));
    expect(error?.kind).toBe('not-found');
    expect(isPaginationError(error)).toBe(false);
  });

  it('sends the extra request config and never changes the caller objects', async () => {
    const { instance, hits } = attachScripted(pagedServer(customers(3)), FAST);
    const headers = Object.freeze({ 'X-Locale': 'fr-FR' });
    const request = Object.freeze({ headers, partnerCenter: Object.freeze({ tenant: 'partner:x' }) });
    const stale = Object.freeze({
      headers: Object.freeze({ 'X-Locale': 'fr-FR', 'ms-continuationtoken': 'stale' }),
    });
    const continuation = Object.freeze({
      uri: '/customers?size=2&seekOperation=Next',
      method: 'GET',
      headers: Object.freeze({ 'MS-ContinuationToken': 'tok-1' }),
    });
    await settle(collect(paginate(instance, '/v1/customers?size=2', { request })));
    await settle(collect(paginate(instance, '/v1/customers', { request: stale, continuation })));
    expect(hits.map((h) => h.headers['x-locale'])).toEqual(['fr-FR', 'fr-FR', 'fr-FR']);
    // the continuation's header replaces the caller's spelling of it
    expect(hits.map((h) => h.headers['ms-continuationtoken'])).toEqual([undefined, 'tok-1', 'tok-1']);
    expect(stale.headers).toEqual({ 'X-Locale': 'fr-FR', 'ms-continuationtoken': 'stale' });
    expect(continuation.headers).toEqual({ 'MS-ContinuationToken': 'tok-1' });
    expect(headers).toEqual({ 'X-Locale': 'fr-FR' });
  });
});

describe('paginate: the onPage hook', () => {
  it('runs before the page items are yielded, and awaits a returned promise', async () => {
    const { instance } = attachScripted(pagedServer(customers(3)), FAST);
    const log: string[] = [];
    const iterable = paginate<{ id: string }>(instance, '/v1/customers?size=2', {
      onPage: async (page) => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        log.push(`page ${page.index}`);
      },
    });
    const loop = (async () => {
      for await (const item of iterable) log.push(item.id);
    })();
    await settle(loop);
    expect(log).toEqual(['page 0', 'c1', 'c2', 'page 1', 'c3']);
  });

  it('a hook that does not settle within onPageTimeoutMs ends the iteration with timeout', async () => {
    const { instance, hits } = attachScripted(pagedServer(customers(5)), FAST);
    const seen: unknown[] = [];
    const outcome = capture(
      (async () => {
        for await (const item of paginate(instance, '/v1/customers?size=2', {
          onPage: (page) => (page.index === 1 ? new Promise<void>(() => undefined) : undefined),
        })) {
          seen.push(item);
        }
      })(),
    );
    await vi.advanceTimersByTimeAsync(29_999);
    expect(seen).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(PaginationError);
    expect(error?.kind).toBe('timeout');
    expect(error?.reason).toContain('onPageTimeoutMs (30000 ms)');
    const paging = error as PaginationError;
    expect(paging.pageIndex).toBe(1);
    expect(paging.continuation?.headers).toEqual({ 'MS-ContinuationToken': 'tok-2' });
    expect(paging.resumeFrom?.headers).toEqual({ 'MS-ContinuationToken': 'tok-1' });
    expect(seen).toHaveLength(2);
    expect(hits).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a hook that throws ends the iteration with its error as the cause, keeping the continuation', async () => {
    const { instance } = attachScripted(pagedServer(customers(3)), FAST);
    const { error } = await settle(
      collect(
        paginate(instance, '/v1/customers?size=2', {
          onPage: () => {
            throw new Error('database is down');
          },
        }),
      ),
    );
    expect(error?.kind).toBe('unknown');
    expect(error?.reason).toContain('database is down');
    expect((error?.cause as Error | undefined)?.message).toBe('database is down');
    expect((error as PaginationError).continuation?.headers).toEqual({ 'MS-ContinuationToken': 'tok-1' });
    expect((error as PaginationError).resumeFrom).toBeUndefined();
    expect(isPartnerCenterError(error)).toBe(true);
    expect(JSON.stringify(error)).not.toContain('tok-1');
  });

  it('an abort while the hook runs settles at once with cancelled, leaving no timer', async () => {
    const { instance } = attachScripted(pagedServer(customers(3)), FAST);
    const controller = new AbortController();
    const outcome = capture(
      collect(
        paginate(instance, '/v1/customers?size=2', {
          signal: controller.signal,
          onPage: () => new Promise<void>(() => undefined),
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const { error } = await outcome;
    expect(isCancelledError(error)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('paginate: the bearer token stays on the origin of the crawl', () => {
  const TOKEN = {
    tokenProvider: { getToken: async () => ({ token: 'tok-secret', expiresOnTimestamp: 4e12 }) },
  };
  const OPTIONS = { ...FAST, ...TOKEN };

  it.each([
    ['a protocol-relative host', '//evil.example/v1/customers?seekOperation=Next', /another origin/],
    [
      'an http downgrade',
      `http://api.partnercenter.microsoft.com/v1/customers?seekOperation=Next`,
      /another origin/,
    ],
    [
      'userinfo naming the host',
      'https://api.partnercenter.microsoft.com@evil.example/v1/customers',
      /userinfo/,
    ],
    ['userinfo on the right host', 'https://u:p@api.partnercenter.microsoft.com/v1/customers', /userinfo/],
  ])('refuses a links.next.uri that is %s', async (_name, uri, reason) => {
    const { instance, hits } = attachScripted(pagedServer(customers(3), { nextUri: () => uri }), OPTIONS);
    const { error } = await settle(collect(paginate(instance, '/v1/customers?size=2')));
    expect(error?.kind).toBe('client');
    expect(error?.reason).toMatch(reason);
    expect(error?.reason).toContain('it is not followed (the bearer token would be sent there)');
    expect(hits).toHaveLength(1);
    expect(JSON.stringify(error)).not.toMatch(/u:p@|tok-secret/);
  });

  it('follows a protocol-relative links.next.uri of the same host over the page scheme (baseURL ending in /v1)', async () => {
    const next = (n: number) => `//api.partnercenter.microsoft.com/v1/customers?size=${n}&seekOperation=Next`;
    const { instance, hits } = attachScripted(pagedServer(customers(3), { nextUri: next }), OPTIONS);
    instance.defaults.baseURL = `${HOST}/v1`;
    const { value: pages } = await settle(collect(paginate(instance, '/customers?size=2').pages()));
    expect(pages?.flatMap((p) => p.items)).toEqual(customers(3));
    expect(pages?.[0]?.continuation?.uri).toBe(`${HOST}/v1/customers?size=2&seekOperation=Next`);
    expect(hits.map((h) => [h.url, h.headers['authorization']])).toEqual([
      [`${HOST}/v1/customers?size=2`, 'Bearer tok-secret'],
      [`${HOST}/v1/customers?size=2&seekOperation=Next`, 'Bearer tok-secret'],
    ]);
  });

  it.each([
    [
      'another host',
      'https://evil.example/v1/customers?seekOperation=Next',
      /another origin \(https:\/\/evil\.example\)/,
    ],
    [
      'a protocol-relative host',
      '//evil.example/v1/customers?seekOperation=Next',
      /another origin \(https:\/\/evil\.example\)/,
    ],
    ['an http downgrade', 'http://api.partnercenter.microsoft.com/v1/customers', /another origin \(http:/],
    ['userinfo', 'https://api.partnercenter.microsoft.com@evil.example/v1/customers', /userinfo/],
  ])('refuses a saved continuation whose uri is %s, at once and without a request', (_name, uri, reason) => {
    const { instance, hits } = attachScripted(pagedServer(customers(3)), OPTIONS);
    const continuation = { uri, method: 'GET', headers: { 'MS-ContinuationToken': 'tok-1' } };
    let thrown: unknown;
    try {
      paginate(instance, '/v1/customers', { continuation });
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ResilienceOptionsError);
    expect((thrown as ResilienceOptionsError).issues).toEqual([expect.stringMatching(reason)]);
    expect(String((thrown as Error).message)).toContain('paginate: continuation.uri ');
    expect(hits).toHaveLength(0);
  });

  it('checks a saved continuation against the crawl URL, absolute or through request.baseURL', async () => {
    const { instance, hits } = attachScripted(pagedServer(customers(4)), OPTIONS);
    const continuation = {
      uri: `${HOST}/v1/customers?size=2&seekOperation=Next`,
      method: 'GET',
      headers: { 'MS-ContinuationToken': 'tok-1' },
    };
    const { value } = await settle(collect(paginate(instance, '/v1/customers', { continuation })));
    expect(value).toEqual(customers(4).slice(2));
    expect(hits.map((h) => h.headers['authorization'])).toEqual(['Bearer tok-secret']);

    // The crawl's own origin decides: here the request's baseURL, not the instance's.
    const request = { baseURL: 'https://other.example' };
    expect(() => paginate(instance, '/v1/customers', { continuation, request })).toThrow(
      /another origin \(https:\/\/api\.partnercenter\.microsoft\.com\) than the crawl's URL \(https:\/\/other\.example\)/,
    );
    delete instance.defaults.baseURL;
    expect(() => paginate(instance, '/v1/customers', { continuation })).toThrow(
      /origin of the crawl's URL is unknown/,
    );
    expect(() => paginate(instance, `${HOST}/v1/customers`, { continuation })).not.toThrow();
  });
});

describe('paginate: the client it is given', () => {
  it('crawls through the handle as through its instance', async () => {
    const all = customers(3);
    const { handle, hits } = attachScripted(pagedServer(all), FAST);
    const { value } = await settle(collect(paginate(handle, '/v1/customers?size=2')));
    expect(value).toEqual(all);
    expect(hits).toHaveLength(2);
  });

  it('refuses anything else at once', () => {
    const notAClient = { instance: {} } as unknown as Parameters<typeof paginate>[0];
    expect(() => paginate(notAClient, '/v1/customers')).toThrow(
      'paginate: the first argument must be the handle attachResilience returned or an axios instance',
    );
  });
});
