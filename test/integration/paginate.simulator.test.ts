import { Agent } from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { attachResilience, type PageContinuation, paginate } from '../../src/index.js';
import type { RetryEvent } from '../../src/observability/events.js';
import {
  type PartnerCenterSimulator,
  type Scenario,
  startPartnerCenterSimulator,
} from '../../src/testing/index.js';

/*
 * paginate over real HTTP against the Partner Center simulator, with page requests failing on the way: the
 * engine retries each failed page with the same continuation token, so no customer is missed or repeated.
 * Real timers; the only real wait is the 429's `Retry-After: 1`.
 */

interface Customer {
  readonly id: string;
}

/** The paged path: the first page and every `links.next` request (the rule sees the path without query). */
const PAGES = { method: 'GET', path: '^/v1/customers$' } as const;

/**
 * 5,000 customers; page requests fail now and then: the 25th page request that reaches the rules gets a 429
 * with `Retry-After: 1`, every 7th after it a 503, every 11th of the rest a connection reset. Rule hits are
 * counted per rule, so no page fails four times in a row (the engine's attempt limit).
 */
const faultyPages: Scenario = {
  name: 'faulty pages',
  customers: 5000,
  faults: [
    {
      name: 'throttled page',
      match: PAGES,
      every: 25,
      times: 25,
      respond: { status: 429, retryAfterSeconds: 1 },
    },
    { name: 'unavailable page', match: PAGES, every: 7, respond: { status: 503 } },
    { name: 'reset page', match: PAGES, every: 11, respond: { hangUp: 'before-response' } },
  ],
};

const open: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function simulator(scenario: Scenario): Promise<PartnerCenterSimulator> {
  const sim = await startPartnerCenterSimulator({ scenario, seed: 11 });
  open.push(() => sim.close());
  return sim;
}

/** An attached instance on the simulator (its own keep-alive agent), with small retry delays; `null`: no baseURL. */
function client(
  sim: PartnerCenterSimulator,
  retries: RetryEvent[] = [],
  baseURL: string | null = sim.url,
): AxiosInstance {
  const agent = new Agent({ keepAlive: true });
  open.push(() => agent.destroy());
  const instance = axios.create({ httpAgent: agent, proxy: false });
  if (baseURL !== null) instance.defaults.baseURL = baseURL;
  attachResilience(instance, {
    retry: { baseDelayMs: 1, maxDelayMs: 10 },
    hooks: { onRetry: (event) => retries.push(event) },
  });
  return instance;
}

/** How often each id occurs in `ids`, for the ids that do not occur exactly once. */
function notOnce(ids: readonly string[], expected: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>(expected.map((id) => [id, 0]));
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return Object.fromEntries([...counts].filter(([, count]) => count !== 1));
}

describe('paginate against the simulator (real HTTP, faults on page requests)', () => {
  it('5,000 customers by 100 through 503s, a 429 (Retry-After: 1) and resets: every id once, 50 pages', async () => {
    const sim = await simulator(faultyPages);
    const retries: RetryEvent[] = [];
    const api = client(sim, retries);

    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginate<Customer>(api, '/v1/customers', { size: 100 }).pages()) {
      expect(page.index).toBe(pages);
      pages++;
      ids.push(...page.items.map((customer) => customer.id));
    }

    expect(pages).toBe(50);
    expect(ids).toHaveLength(5000);
    expect(notOnce(ids, sim.customerIds)).toEqual({});
    expect(ids).toEqual(sim.customerIds); // in listing order, too
    const stats = sim.stats();
    // Every kind of fault fired, and each failed page was asked again until it was served once.
    expect(stats.faultsFired).toMatchObject({ 'throttled page': 1 });
    expect(stats.faultsFired['unavailable page']).toBeGreaterThanOrEqual(5);
    expect(stats.faultsFired['reset page']).toBeGreaterThanOrEqual(2);
    const faults = Object.values(stats.faultsFired).reduce((sum, n) => sum + n, 0);
    expect(retries).toHaveLength(faults);
    expect(new Set(retries.map((r) => r.errorKind))).toEqual(new Set(['throttled', 'server', 'network']));
    expect(stats).toMatchObject({
      pagesServed: 50,
      totalHits: 50 + faults,
      invalidContinuationTokens: 0,
      expiredContinuationTokens: 0,
      hitsBeforeDeadline: 0, // the page after the 429 waited its Retry-After
      earlyRetries: 0,
    });
  });

  it('stopped after 10 pages and resumed from the saved JSON continuation by a new crawl: every id once', async () => {
    const sim = await simulator(faultyPages);
    const api = client(sim);

    const first: string[] = [];
    let saved: string | undefined;
    for await (const page of paginate<Customer>(api, '/v1/customers', { size: 100 }).pages()) {
      first.push(...page.items.map((customer) => customer.id)); // process the page...
      saved = JSON.stringify(page.continuation); // ...then save where the next one is
      if (page.index === 9) break;
    }
    expect(first).toHaveLength(1000);
    // `break` stops the crawl: no 11th page was requested.
    expect(sim.stats().pagesServed).toBe(10);
    expect(saved).toBeDefined();

    // A new process: another instance, the continuation read back from its JSON.
    const restarted = client(sim);
    const continuation = JSON.parse(saved ?? 'null') as PageContinuation;
    const second: string[] = [];
    let pages = 0;
    for await (const page of paginate<Customer>(restarted, '/v1/customers', { continuation }).pages()) {
      expect(page.index).toBe(pages);
      pages++;
      second.push(...page.items.map((customer) => customer.id));
    }

    expect(pages).toBe(40);
    expect(notOnce([...first, ...second], sim.customerIds)).toEqual({});
    expect([...first, ...second]).toEqual(sim.customerIds);
    const stats = sim.stats();
    expect(Object.values(stats.faultsFired).reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(5);
    expect(stats).toMatchObject({ pagesServed: 50, invalidContinuationTokens: 0, hitsBeforeDeadline: 0 });
  });

  it('follows the version-relative links from an absolute URL and under a baseURL ending in /v1', async () => {
    const sim = await simulator({ customers: 250 });
    const crawls = [
      paginate<Customer>(client(sim, [], null), `${sim.url}/v1/customers`, { size: 100 }),
      paginate<Customer>(client(sim, [], `${sim.url}/v1`), '/customers', { size: 100 }),
    ];
    for (const crawl of crawls) {
      const ids: string[] = [];
      for await (const customer of crawl) ids.push(customer.id);
      expect(ids).toEqual(sim.customerIds);
    }
    expect(sim.stats()).toMatchObject({ pagesServed: 6, hitsPerRoute: { 'GET /v1/customers': 6 } });
  });
});
