import { createHook } from 'node:async_hooks';
import { Agent } from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError, pollOperation } from '../../src/index.js';
import {
  type OperationsConfig,
  type PartnerCenterSimulator,
  startPartnerCenterSimulator,
} from '../../src/testing/index.js';
import { rejectionOf } from '../helpers/loopbackServer.js';

/*
 * pollOperation over real HTTP against the simulator's subscription registration (202 + Location +
 * Retry-After). Real timers: the simulator's clock is the wall clock, and its `earlyPolls` counts every poll
 * that arrived before the Retry-After it last gave.
 */

const open: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

interface Registration {
  readonly sim: PartnerCenterSimulator;
  readonly api: AxiosInstance;
  /** `POST .../registrations` of the first customer's first subscription. */
  readonly url: string;
  readonly subscriptionId: string;
}

function client(sim: PartnerCenterSimulator, baseURL = sim.url): AxiosInstance {
  const agent = new Agent({ keepAlive: true });
  open.push(() => agent.destroy());
  const instance = axios.create({ baseURL, httpAgent: agent, proxy: false });
  attachResilience(instance, { retry: { baseDelayMs: 1, maxDelayMs: 10 } });
  return instance;
}

async function registration(operations: OperationsConfig): Promise<Registration> {
  const sim = await startPartnerCenterSimulator({ scenario: { customers: 1, operations }, seed: 5 });
  open.push(() => sim.close());
  const api = client(sim);
  const customer = sim.customerIds[0] ?? '';
  const subscriptions = await api.get<{ items: { id: string }[] }>(`/v1/customers/${customer}/subscriptions`);
  const subscriptionId = subscriptions.data.items[0]?.id ?? '';
  const url = `/v1/customers/${customer}/subscriptions/${subscriptionId}/registrations`;
  return { sim, api, url, subscriptionId };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Counts the timers created from now on that are still pending (neither fired nor cleared). */
function trackTimers(): { alive(): number; stop(): void } {
  const pending = new Set<number>();
  const hook = createHook({
    init(id, type) {
      if (type === 'Timeout') pending.add(id);
    },
    destroy(id) {
      pending.delete(id);
    },
  }).enable();
  open.push(() => void hook.disable());
  return { alive: () => pending.size, stop: () => void hook.disable() };
}

describe('pollOperation against the simulator (real HTTP, real timers)', () => {
  it('a 202 with Retry-After: 1 is polled no sooner than told until 200 registered', async () => {
    const { sim, api, url, subscriptionId } = await registration({ durationMs: 2500, retryAfterSeconds: 1 });

    const started = Date.now();
    const accepted = await api.post(url);
    expect(accepted.status).toBe(202);
    expect(accepted.headers['retry-after']).toBe('1');
    const done = await pollOperation(api, accepted);
    const elapsed = Date.now() - started;

    expect(done.status).toBe(200);
    expect(done.data).toEqual({ subscriptionId, status: 'registered' });
    const { operationsAccepted, operationPolls, earlyPolls } = sim.stats();
    expect({ operationsAccepted, earlyPolls }).toEqual({ operationsAccepted: 1, earlyPolls: 0 });
    // Done at 2.5 s; polled once a second: at about 1 s, 2 s and 3 s (fewer only if a poll came late).
    expect(operationPolls).toBeGreaterThanOrEqual(2);
    expect(operationPolls).toBeLessThanOrEqual(3);
    expect(elapsed).toBeGreaterThanOrEqual(2500);
  });

  it('resumed from the saved Location string (after a restart that outlasted the Retry-After)', async () => {
    const { sim, api, url, subscriptionId } = await registration({ durationMs: 2500, retryAfterSeconds: 1 });

    const accepted = await api.post(url);
    const saved = JSON.stringify(accepted.headers['location']);
    expect(JSON.parse(saved)).toMatch(
      /^\/v1\/customers\/[0-9a-f-]+\/subscriptions\/[^/]+\/registrationstatus$/,
    );
    // The process stops; it comes back (with a new instance) no sooner than the Retry-After it was given:
    // a Location string is polled at once.
    await delay(1000);
    const done = await pollOperation(client(sim), JSON.parse(saved) as string);

    expect(done.status).toBe(200);
    expect(done.data).toEqual({ subscriptionId, status: 'registered' });
    const { operationPolls, earlyPolls } = sim.stats();
    expect(earlyPolls).toBe(0);
    // At about 1 s (at once), 2 s and 3 s.
    expect(operationPolls).toBeGreaterThanOrEqual(2);
    expect(operationPolls).toBeLessThanOrEqual(3);
  });

  it('an instance whose baseURL ends in /v1 polls the root-relative Location on its origin', async () => {
    // Partner Center's Location is relative to the host (`/v1/customers/...`), not to the baseURL's path.
    const { sim, url, subscriptionId } = await registration({ durationMs: 500, retryAfterSeconds: 1 });
    const api = client(sim, `${sim.url}/v1`);

    const accepted = await api.post(url.replace(/^\/v1/, ''));
    const location = String(accepted.headers['location']);
    expect(location).toMatch(/^\/v1\/customers\//);
    const fromResponse = await pollOperation(api, accepted);
    const fromSaved = await pollOperation(client(sim, `${sim.url}/v1`), location);

    for (const done of [fromResponse, fromSaved]) {
      expect(done.status).toBe(200);
      expect(done.data).toEqual({ subscriptionId, status: 'registered' });
    }
    expect(sim.stats().hitsPerRoute['unmatched']).toBeUndefined();
  });

  it('an abort during the Retry-After wait settles at once with cancelled, nothing polled, no timer left', async () => {
    const { sim, api, url } = await registration({ durationMs: 60_000, retryAfterSeconds: 5 });
    const accepted = await api.post(url);
    expect(accepted.headers['retry-after']).toBe('5');

    const controller = new AbortController();
    let abortedAt = 0;
    let waiting = 0;
    const aborting = delay(100).then(() => {
      waiting = timers.alive();
      abortedAt = Date.now();
      controller.abort();
    });
    const timers = trackTimers(); // from here on: the timers pollOperation creates
    const error = await rejectionOf(pollOperation(api, accepted, { signal: controller.signal }));
    const settledAfter = Date.now() - abortedAt;
    await aborting;
    await new Promise((resolve) => setImmediate(resolve)); // destroy hooks run after the clearing
    timers.stop();

    expect(isPartnerCenterError(error, 'cancelled')).toBe(true);
    expect(settledAfter).toBeLessThan(500); // the Retry-After was 5 s
    expect(sim.stats().operationPolls).toBe(0);
    expect(waiting).toBe(1); // the wait for the Retry-After...
    expect(timers.alive()).toBe(0); // ...cleared by the abort
  });

  it("a registration that ends with status 'failed' rejects with operation-failed", async () => {
    const { sim, api, url } = await registration({
      durationMs: 500,
      retryAfterSeconds: 1,
      outcome: 'failed',
    });
    const accepted = await api.post(url);

    const error = await rejectionOf(pollOperation(api, accepted));

    expect(isPartnerCenterError(error, 'operation-failed')).toBe(true);
    if (!isPartnerCenterError(error)) return;
    expect(error.status).toBe(200);
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('RegistrationFailed');
    expect(sim.stats()).toMatchObject({ operationPolls: 1, earlyPolls: 0 });
  });
});
