import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryScopeStateStore, type ResilienceOptions } from '../../../../src/index.js';
import { attachToQuotas, quotaServer, runLanes } from '../../../helpers/quotaRun.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-12-10T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

/** The partner level's key in the limiter's state (the default partner scope). */
const PARTNER = 'p:partner';

/**
 * A job of 120 partner reads, 16 lanes, through a new attachment to `store`, against a fresh server with a
 * hidden partner quota of 20/s: the partner's learnt rate when its first call has been answered, and the
 * job's 429s.
 */
async function job(
  store: InMemoryScopeStateStore,
  options: ResilienceOptions = { rateLimit: { slowStart: true } },
) {
  const server = quotaServer({ quotas: [{ name: 'partner', scope: 'partner', limit: 20, windowMs: 1000 }] });
  const { handle, instance } = attachToQuotas(server, { ...options, store });
  const first = instance.get('/v1/customers');
  await vi.advanceTimersByTimeAsync(100);
  await first;
  const learnt = store.rateLimit.adaptiveState(PARTNER);
  const startRate = learnt?.enabled === true ? learnt.rate : undefined;
  let next = 1;
  const run = await runLanes(instance, 16, 600_000, () => (next++ < 120 ? '/v1/customers' : undefined));
  handle.detach();
  expect(run.settled.filter((c) => c.ok)).toHaveLength(119);
  return { startRate, throttled: server.answers.filter((a) => a.status === 429).length };
}

describe('learnt rates kept in the in-memory store (fake clock)', () => {
  it('a new attachment starts at what was learnt, not at the slow start, until learntTtlMs (10 min) passes', async () => {
    const store = new InMemoryScopeStateStore();
    // The first job meets the unknown quota: its slow start ends at a 429, which sets the learnt rate.
    const met = await job(store);
    expect(met.startRate).toBeUndefined();
    expect(met.throttled).toBeGreaterThanOrEqual(1);
    const learnt = store.rateLimit.adaptiveState(PARTNER)?.rate ?? 0;
    expect(learnt).toBeGreaterThan(15);
    expect(learnt).toBeLessThanOrEqual(20);
    // Nine minutes later, a new attachment with the same store: its first call is paced at the learnt rate.
    vi.advanceTimersByTime(540_000);
    expect((await job(store)).startRate).toBeCloseTo(learnt, 0);
    // 10 minutes and a millisecond without a call of the partner: the learnt rate is forgotten, the level
    // starts slow again (no learnt rate) and meets the quota again.
    vi.advanceTimersByTime(600_001);
    const forgotten = await job(store);
    expect(forgotten.startRate).toBeUndefined();
    expect(forgotten.throttled).toBeGreaterThanOrEqual(1);
  });

  it('rateLimit.learntTtlMs sets the expiry: 60 s', async () => {
    const store = new InMemoryScopeStateStore();
    const options: ResilienceOptions = { rateLimit: { slowStart: true, learntTtlMs: 60_000 } };
    expect((await job(store, options)).startRate).toBeUndefined();
    vi.advanceTimersByTime(59_000);
    expect((await job(store, options)).startRate).toBeGreaterThan(15);
    vi.advanceTimersByTime(60_001);
    expect((await job(store, options)).startRate).toBeUndefined();
  });
});
