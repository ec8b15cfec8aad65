import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachToQuotas, customerId, quotaServer, readPath, runLanes } from '../../../helpers/quotaRun.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-12-10T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

/** A 300-call job, 16 lanes, against a hidden partner quota of 20/s; `customers`: reads round robin over 5. */
async function job(slowStart: boolean, customers: boolean) {
  const server = quotaServer({ quotas: [{ name: 'partner', scope: 'partner', limit: 20, windowMs: 1000 }] });
  // The slow start is the default: `slowStart` true is the instance's defaults.
  const { instance } = attachToQuotas(server, slowStart ? {} : { rateLimit: { slowStart } });
  let next = 0;
  const run = await runLanes(instance, 16, 600_000, () => {
    const i = next++;
    if (i >= 300) return undefined;
    return customers ? readPath(customerId(i % 5)) : '/v1/customers';
  });
  const throttled = server.answers.filter((a) => a.status === 429);
  const firstSecond = throttled.filter((a) => a.at - run.started < 2000).length;
  const seconds = (run.endedAt - run.started) / 1000;
  return { ok: run.settled.filter((c) => c.ok).length, throttled: throttled.length, firstSecond, seconds };
}

describe('first contact with an unknown partner quota (fake clock, counts)', () => {
  for (const customers of [false, true]) {
    const what = customers ? 'customer reads' : "the partner's own reads";
    it(`slowStart: a 300-call job of ${what} costs a 429 or two at first contact, not the calls in flight`, async () => {
      const slow = await job(true, customers);
      const unpaced = await job(false, customers);
      expect(slow.ok).toBe(300);
      expect(unpaced.ok).toBe(300);
      // Without a slow start, the opening burst: one 429 per lane past the quota.
      expect(unpaced.firstSecond).toBeGreaterThanOrEqual(10);
      expect(slow.firstSecond).toBeLessThanOrEqual(3);
      // At most 3 per 100 calls in all; 300 calls at 20/s take 15 s at best. The partner's own reads reach 85% of
      // the quota; customer reads 84.5% (17.76 s: a second 429 of another customer charges the partner first).
      expect(slow.throttled).toBeLessThanOrEqual(9);
      expect(slow.seconds).toBeLessThanOrEqual(customers ? 18 : 15 / 0.85);
    });
  }
});
