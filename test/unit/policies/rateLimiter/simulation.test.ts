import { describe, expect, it } from 'vitest';
import type { LimitTarget } from '../../../../src/policies/rateLimiter/rateLimiter.js';
import { localLimiter } from './localLimiter.js';

/**
 * 16 senders, each sending its next call as soon as the previous one answered (50 ms round trip), against a
 * hidden quota of 20 calls per 1 s window (calls over it get a 429 whose Retry-After, in ms, is the end of
 * the window; throttled calls count too). Pure discrete-event simulation: no timers, no wall clock.
 */
function simulate(seconds: number, warmUpSeconds: number) {
  const QUOTA = 20;
  const LATENCY = 50;
  const SENDERS = 16;
  const limiter = localLimiter();
  const target: LimitTarget = { partner: 'p', method: 'GET', pathTemplate: '/v1/invoices' };
  const end = seconds * 1000;
  // Each sender's next try; the simulation always advances the earliest.
  const next = Array.from({ length: SENDERS }, (_, i) => i);
  const pending: Array<{ at: number; throttled: boolean; retryAfterMs: number }> = [];
  let window = -1;
  let used = 0;
  const after = { calls: 0, throttled: 0, ok: 0 };
  for (;;) {
    let sender = 0;
    for (let i = 1; i < SENDERS; i += 1) if ((next[i] ?? end) < (next[sender] ?? end)) sender = i;
    const now = next[sender] ?? end;
    if (now >= end) break;
    // Responses due by now reach the limiter first.
    pending.sort((a, b) => a.at - b.at);
    while (pending.length > 0 && (pending[0]?.at ?? end) <= now) {
      const done = pending.shift();
      if (done) limiter.record(target, done.at, done.throttled, LATENCY, done.retryAfterMs);
    }
    const wait = limiter.acquire(target, now);
    if (wait > 0) {
      next[sender] = now + wait;
      continue;
    }
    const w = Math.floor(now / 1000);
    if (w !== window) {
      window = w;
      used = 0;
    }
    used += 1;
    const throttled = used > QUOTA;
    pending.push({
      at: now + LATENCY,
      throttled,
      retryAfterMs: throttled ? (w + 1) * 1000 - now - LATENCY : 0,
    });
    if (now >= warmUpSeconds * 1000) {
      after.calls += 1;
      if (throttled) after.throttled += 1;
      else after.ok += 1;
    }
    next[sender] = now + LATENCY;
  }
  const measured = seconds - warmUpSeconds;
  return {
    calls: after.calls,
    throttledPer100: (after.throttled / after.calls) * 100,
    quotaUsed: after.ok / (QUOTA * measured),
  };
}

describe('RateLimiter simulation', () => {
  it('16 senders against a hidden 20 req/s quota: <= 3 429s per 100 calls, >= 85% of the quota', () => {
    const result = simulate(300, 20);
    // Printed for the record (the target numbers).
    console.info(
      `simulation: ${result.calls} calls after warm-up, ${result.throttledPer100.toFixed(2)} 429s per 100 calls, ${(result.quotaUsed * 100).toFixed(1)}% of the quota`,
    );
    expect(result.throttledPer100).toBeLessThanOrEqual(3);
    expect(result.quotaUsed).toBeGreaterThanOrEqual(0.85);
  });
});
