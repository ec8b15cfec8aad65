import { Agent } from 'node:http';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { type Scenario, startPartnerCenterSimulator } from '../../../src/testing/index.js';
import { harness, manualClock } from './helpers.js';

const count = (type: string): number => process.getActiveResourcesInfo().filter((t) => t === type).length;
const handles = () => ({
  servers: count('TCPServerWrap'),
  sockets: count('TCPSocketWrap'),
  timers: count('Timeout'),
});

/** Lets the event loop run until `done()` holds (bounded by turns, not by time). */
async function settle(done: () => boolean, turns = 500): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('simulator lifecycle', () => {
  it('close() destroys idle keep-alive and in-flight sockets, cancels delayed answers and is idempotent', async () => {
    const before = handles();
    const sim = await startPartnerCenterSimulator({
      scenario: { faults: [{ match: { path: 'subscriptions' }, respond: { delayMs: 600_000 } }] },
    });
    const agent = new Agent({ keepAlive: true });
    const api = axios.create({ baseURL: sim.url, httpAgent: agent, proxy: false });
    expect((await api.get('/v1/customers')).status).toBe(200); // leaves an idle keep-alive socket
    const pending = api.get(`/v1/customers/${sim.customerIds[0]}/subscriptions`).catch((e: unknown) => e);
    await settle(() => sim.stats().totalHits === 2);
    expect(sim.stats().totalHits).toBe(2);
    // The delay timer is unref'd, so it does not show in getActiveResourcesInfo(); close() must cancel it and
    // end the request instead of letting it answer ten minutes later.

    const closing = sim.close();
    expect(sim.close()).toBe(closing);
    await closing;
    const error = await pending;
    expect(axios.isAxiosError(error)).toBe(true);
    await settle(() => {
      const now = handles();
      return now.servers === before.servers && now.sockets === before.sockets && now.timers <= before.timers;
    });
    const after = handles();
    expect(after.servers).toBe(before.servers);
    expect(after.sockets).toBe(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
    await expect(api.get('/v1/customers')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await sim.close();
    agent.destroy();
  });

  it('reset() starts the scenario over but keeps tokens valid', async () => {
    const { sim, api, clock } = await harness({
      scenario: {
        auth: { required: true },
        throttle: { partner: { limit: 1, windowMs: 60_000 } },
        faults: [{ times: 1, match: { method: 'POST' }, respond: { status: 503 } }],
      },
    });
    const headers = { Authorization: `Bearer ${sim.issueToken()}` };
    await api.get('/v1/customers', { headers });
    expect((await api.get('/v1/customers', { headers })).status).toBe(429);
    clock.advance(5_000);
    sim.reset();
    const stats = sim.stats();
    expect(stats).toMatchObject({
      totalHits: 0,
      elapsedMs: 0,
      throttledResponses: 0,
      tokensIssued: 1,
      log: [],
    });
    expect((await api.get('/v1/customers', { headers })).status).toBe(200);
    expect((await api.post(`/v1/customers/${sim.customerIds[0]}/orders`, {}, { headers })).status).toBe(503);
  });

  it('setScenario() switches phases, keeps stats and restarts the scenario clock', async () => {
    const { sim, api, clock } = await harness({ scenario: { name: 'phase 1' } });
    const customers = sim.customerIds;
    expect((await api.get('/v1/customers')).status).toBe(200);
    clock.advance(10_000);
    sim.setScenario({ name: 'phase 2', outage: { fromMs: 0, untilMs: 1_000 } });
    expect((await api.get('/v1/customers')).status).toBe(503);
    clock.advance(1_000);
    expect((await api.get('/v1/customers')).status).toBe(200);
    expect(sim.customerIds).toEqual(customers);
    const stats = sim.stats();
    expect(stats).toMatchObject({ scenario: 'phase 2', totalHits: 3, hitsDuringOutage: 1 });
    expect(() => sim.setScenario({ outage: { fromMs: 5, untilMs: 1 } })).toThrow(/untilMs must be greater/);
    expect(sim.stats().scenario).toBe('phase 2');
    sim.setScenario({ customers: 1 });
    expect(sim.customerIds).toHaveLength(1);
  });

  it('stats() is JSON-able and the log is capped', async () => {
    const { sim, api } = await harness({ logLimit: 3 });
    for (let i = 0; i < 5; i++) await api.get('/v1/customers', { headers: { 'MS-RequestId': `id-${i}` } });
    const stats = sim.stats();
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(stats.log.map((entry) => entry.requestId)).toEqual(['id-2', 'id-3', 'id-4']);
    expect(stats.logDropped).toBe(2);
    expect(stats.hitsPerRoute).toEqual({ 'GET /v1/customers': 5 });
    expect(stats.log[0]).toMatchObject({
      method: 'GET',
      path: '/v1/customers',
      status: 200,
      scope: 'partner',
    });
  });

  it('gives the same answers for the same seed, scenario and requests', async () => {
    const scenario: Scenario = {
      customers: 3,
      faults: [
        { probability: 0.3, match: { method: 'GET' }, respond: { status: 503 } },
        { every: 4, respond: { status: 502, html: true } },
      ],
    };
    const run = async () => {
      const { sim, api } = await harness({ scenario, seed: 'determinism' });
      const out: unknown[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await api.get(i % 2 === 0 ? '/v1/customers' : `/v1/customers/${sim.customerIds[i % 3]}`);
        out.push([
          res.status,
          res.data,
          res.headers['ms-requestid'],
          res.headers['ms-cv'],
          res.headers['ms-serverid'],
        ]);
      }
      out.push((await api.post(`/v1/customers/${sim.customerIds[0]}/orders`, { lineItems: [] })).data);
      return out;
    };
    expect(await run()).toEqual(await run());
  });

  it('rejects invalid options and scenarios before listening', async () => {
    await expect(startPartnerCenterSimulator({ port: -1 })).rejects.toThrow(/port/);
    await expect(startPartnerCenterSimulator({ scenario: { customers: -1 } })).rejects.toThrow(
      /scenario\.customers/,
    );
  });

  it('the manual clock helper drives time', () => {
    const clock = manualClock(0);
    clock.advance(5);
    expect(clock.now()).toBe(5);
  });
});
