import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/testing/index.js';
import { harness } from './helpers.js';

interface Link {
  readonly uri: string;
  readonly method: string;
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

interface Page {
  readonly totalCount: number;
  readonly items: readonly { readonly id: string }[];
  readonly links: { readonly self: Link; readonly next?: Link };
  readonly attributes: { readonly objectType: string };
}

/** Sends a `links.next` request: its `uri` is relative to the version root (`/customers?...`), as Partner Center's. */
function follow(api: AxiosInstance, link: Link): Promise<AxiosResponse<Page>> {
  const headers = Object.fromEntries(link.headers.map((header) => [header.key, header.value]));
  return api.get<Page>(`/v1${link.uri}`, { headers });
}

function nextOf(response: AxiosResponse<Page>): Link {
  const next = response.data.links.next;
  if (next === undefined) throw new Error('expected a next link');
  return next;
}

function tokenOf(link: Link): string {
  return link.headers[0]?.value ?? '';
}

const INVALID = {
  code: 2000,
  description: 'The continuation token is invalid.',
  data: [],
  source: 'PartnerFD',
};
const EXPIRED = { ...INVALID, description: 'The continuation token has expired.' };

describe('simulator paging', () => {
  it('pages 5,000 customers by 100: every id exactly once, in listing order, in 50 pages', async () => {
    const { sim, api } = await harness({ scenario: { customers: 5000 } });
    let response = await api.get<Page>('/v1/customers?size=100');
    expect(response.data.links.self).toEqual({ uri: '/customers?size=100', method: 'GET', headers: [] });
    const ids: string[] = [];
    let pages = 0;
    for (;;) {
      expect(response.status).toBe(200);
      const page = response.data;
      pages++;
      expect(page).toMatchObject({ totalCount: 100, attributes: { objectType: 'Collection' } });
      ids.push(...page.items.map((customer) => customer.id));
      if (page.links.next === undefined) break;
      expect(page.links.next).toEqual({
        uri: '/customers?size=100&seekOperation=Next',
        method: 'GET',
        headers: [{ key: 'MS-ContinuationToken', value: expect.stringMatching(/^[A-Za-z0-9_-]+$/) }],
      });
      response = await follow(api, page.links.next);
    }
    expect(pages).toBe(50);
    expect(ids).toEqual(sim.customerIds);
    expect(new Set(ids).size).toBe(5000);
    expect(sim.stats()).toMatchObject({
      pagesServed: 50,
      invalidContinuationTokens: 0,
      expiredContinuationTokens: 0,
      hitsPerRoute: { 'GET /v1/customers': 50 },
    });
    expect(sim.stats().log.map((entry) => entry.path)).toEqual(Array(50).fill('/v1/customers'));
  });

  it('answers the whole collection, as before, to a request without size or seekOperation', async () => {
    const { sim, api } = await harness({ scenario: { customers: 5000 } });
    const all = await api.get<Page>('/v1/customers', {
      headers: { 'MS-ContinuationToken': 'ignored without seekOperation' },
    });
    expect(all.data.totalCount).toBe(5000);
    expect(all.data.links).toEqual({ self: { uri: '/customers', method: 'GET', headers: [] } });
    expect((await api.get<Page>('/v1/customers?filter=x')).data.items).toHaveLength(5000);
    expect(sim.stats().pagesServed).toBe(0);
  });

  it('answers the same page to a replayed token (a cursor: resuming from a saved token is safe)', async () => {
    const { sim, api } = await harness({ scenario: { customers: 25 } });
    const first = await api.get<Page>('/v1/customers?size=10');
    const saved = nextOf(first);
    const second = await follow(api, saved);
    const replayed = await follow(api, saved);
    expect(replayed.status).toBe(200);
    expect(replayed.data.items).toEqual(second.data.items);
    expect(second.data.items.map((c) => c.id)).toEqual(sim.customerIds.slice(10, 20));
    expect(replayed.data.links.self).toEqual(saved);
    // Both answers point at the same last page, which has no next link.
    const lastA = await follow(api, nextOf(second));
    const lastB = await follow(api, nextOf(replayed));
    expect(lastA.data.items.map((c) => c.id)).toEqual(sim.customerIds.slice(20));
    expect(lastB.data).toEqual(lastA.data);
    expect(lastA.data.links.next).toBeUndefined();
    expect(sim.stats().pagesServed).toBe(5);
  });

  it('accepts seek_operation, takes the size from the query or else from the token', async () => {
    const { sim, api } = await harness({ scenario: { customers: 12 } });
    const token = tokenOf(nextOf(await api.get<Page>('/v1/customers?size=4')));
    const headers = { 'MS-ContinuationToken': token };
    const snake = await api.get<Page>('/v1/customers?size=4&seek_operation=next', { headers });
    expect(snake.data.items.map((c) => c.id)).toEqual(sim.customerIds.slice(4, 8));
    const noSize = await api.get<Page>('/v1/customers?seekOperation=Next', { headers });
    expect(noSize.data.items).toEqual(snake.data.items);
    const larger = await api.get<Page>('/v1/customers?size=8&seekOperation=Next', { headers });
    expect(larger.data.items.map((c) => c.id)).toEqual(sim.customerIds.slice(4));
    expect(larger.data.links.next).toBeUndefined();
  });

  it('rejects a missing, malformed, altered or foreign token with 400 and counts it', async () => {
    const { sim, api } = await harness({ scenario: { customers: 30 } });
    const token = tokenOf(nextOf(await api.get<Page>('/v1/customers?size=10')));
    const other = await harness({ scenario: { customers: 30 }, seed: 2 });
    const foreign = tokenOf(nextOf(await other.api.get<Page>('/v1/customers?size=10')));
    const flip = (at: number) => token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    const candidates: (string | undefined)[] = [
      undefined,
      'not a token!',
      token.slice(0, -2),
      `${token}AA`,
      flip(3),
      flip(token.length - 4),
      foreign,
      Buffer.from('{"offset":10}').toString('base64url'),
    ];
    for (const candidate of candidates) {
      const headers = candidate === undefined ? {} : { 'MS-ContinuationToken': candidate };
      const response = await api.get('/v1/customers?size=10&seekOperation=Next', { headers });
      expect({ candidate, status: response.status, body: response.data }).toEqual({
        candidate,
        status: 400,
        body: INVALID,
      });
    }
    expect(sim.stats()).toMatchObject({ invalidContinuationTokens: candidates.length, pagesServed: 1 });
    expect(sim.stats().log.at(-1)).toMatchObject({ status: 400, reason: 'continuation-invalid' });
  });

  it('expires a token continuationTtlMs after its page was answered (injected clock)', async () => {
    const { sim, api, clock } = await harness({ scenario: { customers: 30 } });
    const link = nextOf(await api.get<Page>('/v1/customers?size=10'));
    clock.advance(15 * 60 * 1000 - 1); // the default: 15 minutes
    const inTime = await follow(api, link);
    expect(inTime.status).toBe(200);
    clock.advance(1);
    const late = await follow(api, link);
    expect(late.status).toBe(400);
    expect(late.data).toEqual(EXPIRED);
    // The page answered in time issued a fresh token.
    expect((await follow(api, nextOf(inTime))).status).toBe(200);
    expect(sim.stats()).toMatchObject({ expiredContinuationTokens: 1, pagesServed: 3 });

    const short = await harness({ scenario: { customers: 30, paging: { continuationTtlMs: 1_000 } } });
    const shortLink = nextOf(await short.api.get<Page>('/v1/customers?size=10'));
    short.clock.advance(1_000);
    expect((await follow(short.api, shortLink)).data).toEqual(EXPIRED);
  });

  it('validates size (1..1000) and seekOperation with a Partner Center error body', async () => {
    const { sim, api } = await harness({ scenario: { customers: 3 } });
    for (const size of ['0', '1001', '-1', 'abc', '1.5', '', '1e2']) {
      const response = await api.get(`/v1/customers?size=${encodeURIComponent(size)}`);
      expect({ size, status: response.status, body: response.data }).toEqual({
        size,
        status: 400,
        body: {
          code: 2000,
          description: 'The size must be an integer from 1 to 1000.',
          data: [],
          source: 'PartnerFD',
        },
      });
    }
    expect((await api.get<Page>('/v1/customers?size=1')).data.items).toHaveLength(1);
    expect((await api.get<Page>('/v1/customers?size=1000')).data).toMatchObject({ totalCount: 3 });
    const seek = await api.get('/v1/customers?size=2&seekOperation=Previous');
    expect(seek.status).toBe(400);
    expect(seek.data).toMatchObject({ code: 2000, data: [] });
    expect(sim.stats().statusCounts).toEqual({ '400': 8, '200': 2 });
    expect(sim.stats().invalidContinuationTokens).toBe(0);
  });

  it('applies fault rules (path without the query) to page requests; a client that retries the same link gets every id once', async () => {
    const { sim, api, clock } = await harness({
      scenario: {
        customers: 50,
        faults: [
          {
            name: 'reset',
            match: { path: '^/v1/customers$' },
            times: 1,
            respond: { hangUp: 'before-response' },
          },
          {
            name: '429',
            match: { path: '^/v1/customers$' },
            times: 1,
            respond: { status: 429, retryAfterSeconds: 2 },
          },
          {
            name: '503',
            match: { method: 'GET', path: '^/v1/customers$' },
            every: 3,
            respond: { status: 503 },
          },
        ],
      },
    });
    const send = (link: Link): Promise<AxiosResponse<Page> | string> =>
      follow(api, link).catch((error: unknown) => (axios.isAxiosError(error) ? String(error.code) : 'error'));
    const outcomes: (number | string)[] = [];
    const ids: string[] = [];
    let link: Link | undefined = { uri: '/customers?size=7', method: 'GET', headers: [] };
    while (link !== undefined) {
      const response = await send(link);
      if (typeof response === 'string' || response.status !== 200) {
        outcomes.push(typeof response === 'string' ? response : response.status);
        if (typeof response !== 'string') clock.advance(Number(response.headers['retry-after'] ?? 0) * 1000);
        continue; // the same link again: the token is a cursor
      }
      outcomes.push(200);
      ids.push(...response.data.items.map((customer) => customer.id));
      link = response.data.links.next;
    }
    expect(ids).toEqual(sim.customerIds);
    expect(outcomes.slice(0, 5)).toEqual(['ECONNRESET', 429, 200, 200, 503]);
    const stats = sim.stats();
    expect(stats.faultsFired).toEqual({
      reset: 1,
      '429': 1,
      '503': outcomes.filter((o) => o === 503).length,
    });
    expect(stats.pagesServed).toBe(8);
    expect(stats.hitsBeforeDeadline).toBe(0);
  });

  it('validates scenario.paging strictly', () => {
    expect(parseScenario({ paging: { continuationTtlMs: 1 } })).toEqual({ paging: { continuationTtlMs: 1 } });
    expect(() => parseScenario({ paging: { continuationTtlMs: 0 } })).toThrow(
      /scenario\.paging\.continuationTtlMs/,
    );
    expect(() => parseScenario({ paging: { ttlMs: 1 } })).toThrow(/Unrecognized key: "ttlMs"/);
  });
});
