import http from 'node:http';
import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { attachResilience } from '../../src/index.js';
import type { ThrottleEvent } from '../../src/observability/events.js';
import { reply, startLoopbackServer } from '../helpers/loopbackServer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('throttling over real http (loopback)', () => {
  it('a 429 on one call holds the other calls of its scope at the gate: they never hit the throttled server', async () => {
    // Like Partner Center: once throttled, every request of the scope before the deadline gets a 429.
    let throttledUntil = 0;
    let throttledOnce = false;
    const pc = await startLoopbackServer((_hit, _index, _req, res) => {
      if (!throttledOnce || Date.now() < throttledUntil) {
        throttledOnce = true;
        throttledUntil = Date.now() + 150;
        reply(res, 429, { statusCode: 429, message: 'Rate limit is exceeded' }, { 'retry-after-ms': '150' });
      } else {
        reply(res, 200, { ok: true });
      }
    });
    cleanups.push(() => pc.close());
    const agent = new http.Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());
    const instance = axios.create({ baseURL: pc.url, httpAgent: agent });
    const throttles: ThrottleEvent[] = [];
    const others: Array<Promise<unknown>> = [];
    attachResilience(instance, {
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      hooks: {
        onThrottle: (event) => {
          throttles.push(event);
          // The first call has just been told to wait: three more calls of the same scope start now.
          if (others.length === 0) {
            for (let i = 0; i < 3; i += 1) others.push(instance.get('/v1/invoices', { params: { size: i } }));
          }
        },
      },
    });

    const first = await instance.get('/v1/invoices');
    const rest = await Promise.all(others);

    expect(first.status).toBe(200);
    expect(rest).toHaveLength(3);
    // Four calls, one 429: the first call's two attempts and one attempt for each held call.
    expect(pc.hits).toHaveLength(5);
    expect(
      pc.hits.filter((h) => h.headers['ms-requestid'] === pc.hits[0]?.headers['ms-requestid']),
    ).toHaveLength(2);
    const firstId = pc.hits[0]?.headers['ms-requestid'];
    const gated = throttles.filter((t) => t.source === 'gate' && t.requestId !== firstId);
    expect(new Set(gated.map((t) => t.requestId)).size).toBe(3);
    expect(throttles.find((t) => t.requestId === firstId)?.source).toBe('retry-after-ms');
  });
});
