import axios, { type AxiosAdapter } from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience } from '../../src/index.js';

/*
 * Issue 29: a partner with many customers, each called once, with the default options but a small
 * tenants.maxScopes. Memory stays bounded by tenants.maxScopes (handle.scopeCount), and the event loop keeps
 * turning: a setImmediate ticker ticks between calls (counted, no wall clock). The stub adapter answers on
 * the next turn of the loop (setImmediate), as a socket would; the calls run with bounded concurrency, as a
 * nightly job does.
 *
 * 50,000 tenants with the default maxScopes (10,000) take about 5 s in this file alone on a 2-core machine
 * (about 80 us a call through the engine, 20 us of it axios), too long for `npm test`: this runs 10,000
 * tenants past a maxScopes of 1,000, the same overflow ratio.
 */

const TENANTS = 10_000;
const MAX_SCOPES = 1_000;
const CONCURRENCY = 64;

/** A tenant id shaped like Partner Center's (a GUID), distinct for each `i`. */
const tenantId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

describe('10,000 customer tenants past tenants.maxScopes (issue 29)', () => {
  it('scopes held stay within tenants.maxScopes and the event loop keeps turning', async () => {
    const maxScopes = MAX_SCOPES;
    let sent = 0;
    const adapter: AxiosAdapter = (config) =>
      new Promise((resolve) => {
        sent += 1;
        setImmediate(() =>
          resolve({ status: 200, statusText: 'OK', headers: {}, data: { ok: true }, config }),
        );
      });
    const instance = axios.create({ baseURL: 'https://api.partnercenter.microsoft.com', adapter });
    const handle = attachResilience(instance, { tenants: { maxScopes } });

    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);

    let next = 0;
    let done = 0;
    let mostScopes = 0;
    let tickSeen = 0;
    let callsThisTick = 0;
    let mostCallsBetweenTicks = 0;
    const worker = async () => {
      while (next < TENANTS) {
        const tenant = tenantId(next);
        next += 1;
        const response = await instance.get(`/v1/customers/${tenant}/subscriptions`, {
          partnerCenter: { tenant },
        });
        if (response.status === 200) done += 1;
        mostScopes = Math.max(mostScopes, handle.scopeCount);
        if (ticks !== tickSeen) {
          tickSeen = ticks;
          callsThisTick = 0;
        }
        callsThisTick += 1;
        mostCallsBetweenTicks = Math.max(mostCallsBetweenTicks, callsThisTick);
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      ticking = false;
      handle.detach();
    }

    expect(done).toBe(TENANTS);
    expect(sent).toBe(TENANTS);
    // Bounded, and really filled (every call opened a scope of its own).
    expect(mostScopes).toBeLessThanOrEqual(maxScopes);
    expect(mostScopes).toBe(maxScopes);
    // The loop turned between calls: at most one call per worker completes in one turn of the loop.
    expect(mostCallsBetweenTicks).toBeLessThanOrEqual(CONCURRENCY);
    expect(ticks).toBeGreaterThanOrEqual(TENANTS / CONCURRENCY);
  });
});
