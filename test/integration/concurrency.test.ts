import http from 'node:http';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience } from '../../src/index.js';
import { reply, startLoopbackServer } from '../helpers/loopbackServer.js';

const CALLS = 1_000;

function count(resources: readonly string[], name: string): number {
  return resources.filter((r) => r === name).length;
}

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('many concurrent calls over loopback', () => {
  it('1,000 concurrent GETs with a 503 every 3rd request: all settle, no unhandled rejection, no timer left behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const pc = await startLoopbackServer((_hit, index, _req, res) =>
      (index + 1) % 3 === 0
        ? reply(res, 503, { code: 3000, description: 'Service unavailable' })
        : reply(res, 200, { ok: true }),
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    try {
      const instance = axios.create({ baseURL: pc.url, httpAgent: agent });
      let retries = 0;
      let successes = 0;
      attachResilience(instance, {
        retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 5 },
        // Every budget lifted: the test is about settling, not about budgets.
        retryBudget: { maxTokens: 100_000 },
        partnerRetryBudget: false,
        circuitBreaker: { enabled: false },
        hooks: {
          onRetry: () => {
            retries += 1;
          },
          onSuccess: () => {
            successes += 1;
          },
        },
      });

      const results = await Promise.allSettled(
        Array.from({ length: CALLS }, (_, i) => instance.get(`/v1/customers/${i % 50}/subscriptions`)),
      );

      const statuses = results.map((r) => (r.status === 'fulfilled' ? r.value.status : 'rejected'));
      expect(statuses.filter((s) => s === 200)).toHaveLength(CALLS);
      expect(successes).toBe(CALLS);
      expect(retries).toBeGreaterThan(0);
      expect(pc.hits).toHaveLength(CALLS + retries);
      expect(new Set(pc.hits.map((h) => h.headers['ms-requestid'])).size).toBe(CALLS);
    } finally {
      await pc.close();
      agent.destroy();
    }

    // Let closed sockets and any late rejection surface, then look at what would keep the process alive. The
    // library's timers (180 s total budgets, 30 s attempt timers) would still be there; the test runner's
    // own short-lived timers come and go, so poll briefly for a quiet moment.
    await tick(50);
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    let resources = process.getActiveResourcesInfo();
    for (let i = 0; i < 20 && count(resources, 'Timeout') > 0; i += 1) {
      await tick(20);
      resources = process.getActiveResourcesInfo();
    }
    expect(count(resources, 'Timeout')).toBe(0);
    expect(count(resources, 'TCPSocketWrap')).toBe(0);
    expect(count(resources, 'TCPServerWrap')).toBe(0);
  });
});
