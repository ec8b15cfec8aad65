import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PartnerCenterSimulator, startPartnerCenterSimulator } from '../../src/testing/index.js';
import {
  type BrowserPage,
  CHROMIUM,
  chromiumRequired,
  openBrowserPage,
  type PageLibrary,
} from './browserPage.js';

/*
 * The library in a real browser: headless Chromium loads its browser bundle from a page on one origin and
 * calls the Partner Center simulator on another (CORS), through axios's xhr and fetch adapters.
 */

const available = existsSync(CHROMIUM);
const skip = !available && !chromiumRequired();
if (skip) {
  console.warn(
    `browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set PCR_CHROMIUM to its path)`,
  );
}

/** What a call in the page ended with, as plain data. */
interface Outcome {
  readonly status?: number;
  readonly kind?: string;
  readonly reason?: string;
  readonly attempts?: number | undefined;
  readonly retries: ReadonlyArray<{ status: number | undefined; delayMs: number; delaySource: string }>;
}

describe.skipIf(skip)(`the browser bundle in headless Chromium (${CHROMIUM})`, () => {
  let browser: BrowserPage;
  let sim: PartnerCenterSimulator;
  let blocked: PartnerCenterSimulator;

  beforeAll(async () => {
    if (!available) throw new Error(`Chromium is required here (CI) but missing at ${CHROMIUM}`);
    browser = await openBrowserPage();
    // One simulator allows the page's origin; the other has CORS off (the default): the browser blocks it.
    sim = await startPartnerCenterSimulator({ corsOrigins: [browser.origin] });
    blocked = await startPartnerCenterSimulator();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sim?.close();
    await blocked?.close();
  });

  /** One GET through a fresh attached instance in the page; a signal named `abortable` when asked. */
  function callInPage(url: string, adapter: string, maxAttempts: number): Promise<Outcome> {
    return browser.page.evaluate(
      async ({ url, adapter, maxAttempts }): Promise<Outcome> => {
        const { axios, attachResilience, isPartnerCenterError } = (
          globalThis as unknown as { pcr: PageLibrary }
        ).pcr;
        const retries: Array<{ status: number | undefined; delayMs: number; delaySource: string }> = [];
        const api = axios.create({ baseURL: url, adapter: adapter as 'xhr' | 'fetch' });
        attachResilience(api, {
          retry: { maxAttempts, baseDelayMs: 10, maxDelayMs: 20 },
          hooks: {
            onRetry: (e) => {
              retries.push({ status: e.status, delayMs: e.delayMs, delaySource: e.delaySource });
            },
          },
        });
        const controller = new AbortController();
        (globalThis as unknown as { abortCall: () => void }).abortCall = () => controller.abort();
        try {
          const response = await api.get('/v1/customers', { signal: controller.signal });
          return { status: response.status, retries };
        } catch (error) {
          if (!isPartnerCenterError(error))
            return { kind: `not a PartnerCenterError: ${String(error)}`, retries };
          return { kind: error.kind, reason: error.reason ?? '', attempts: error.attempts, retries };
        }
      },
      { url, adapter, maxAttempts },
    );
  }

  for (const adapter of ['xhr', 'fetch']) {
    describe(`axios's ${adapter} adapter`, () => {
      it('retries a 503 and returns the 200, under the same MS-RequestId', async () => {
        sim.setScenario({ faults: [{ match: { method: 'GET' }, times: 1, respond: { status: 503 } }] });
        const before = sim.stats().totalHits;
        const outcome = await callInPage(sim.url, adapter, 4);
        expect(outcome).toMatchObject({ status: 200, retries: [{ status: 503 }] });
        const hits = sim.stats().log.slice(before);
        expect(hits.map((hit) => hit.status)).toEqual([503, 200]);
        expect(hits[1]?.requestId).toBe(hits[0]?.requestId);
      });

      it("waits a 429's Retry-After (read through CORS) before the retry", async () => {
        sim.setScenario({ faults: [{ times: 1, respond: { status: 429, retryAfterSeconds: 1 } }] });
        const outcome = await callInPage(sim.url, adapter, 4);
        expect(outcome.status).toBe(200);
        expect(outcome.retries).toHaveLength(1);
        // The delay is the header's second, not the 10-20 ms backoff: the page could read Retry-After.
        expect(outcome.retries[0]).toMatchObject({ status: 429, delaySource: 'retry-after' });
        expect(outcome.retries[0]?.delayMs).toBeGreaterThanOrEqual(1_000);
        const stats = sim.stats();
        expect(stats.earlyRetries).toBe(0);
        expect(stats.hitsBeforeDeadline).toBe(0);
      });

      it('settles a call aborted while the server holds its answer, as cancelled', async () => {
        sim.setScenario({ faults: [{ times: 1, respond: { delayMs: 60_000 } }] });
        const before = sim.stats().totalHits;
        const pending = callInPage(sim.url, adapter, 4);
        // Abort once the simulator has the request (its answer is 60 s away): counted, not timed.
        await expect.poll(() => sim.stats().totalHits, { timeout: 10_000 }).toBe(before + 1);
        await browser.page.evaluate(() => (globalThis as unknown as { abortCall: () => void }).abortCall());
        expect(await pending).toMatchObject({ kind: 'cancelled', attempts: 1, retries: [] });
        expect(sim.stats().totalHits).toBe(before + 1);
      });

      it('reports a CORS block as a network fault whose reason names CORS', async () => {
        const outcome = await callInPage(blocked.url, adapter, 2);
        expect(outcome.kind).toBe('network');
        expect(outcome.reason).toMatch(/^network fault ERR_NETWORK: .*CORS block/);
        expect(outcome.attempts).toBe(2);
        // The browser's preflight reached the simulator (and found no CORS headers); no GET did.
        expect(blocked.stats().log.every((hit) => hit.method === 'OPTIONS')).toBe(true);
      });
    });
  }
});
