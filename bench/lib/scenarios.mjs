// The benchmark scenarios: what the simulator does (plain scenario data, see docs/testing.md) and the
// workload every client runs against it (N logical calls, at most C in flight, an optional arrival rate,
// spread over the scenario's tenants). The same seed and plan are used for every client.
import { scenarios } from '../../dist/testing.js';
import { seededRandom } from './stats.mjs';

/** Seed of every simulator and every workload plan. */
export const SEED = 42;

/**
 * Each scenario: `key`, `title`, `what` (one line for the report), `sim` (simulator scenario), `workload`:
 * `calls`, `concurrency`, `ratePerSec` (arrivals per second, 0 = as fast as possible), `mix` (share of
 * partner-scope list calls and of order POSTs; the rest are customer reads), `hot` (optional skew:
 * `{ tenants, share }` sends `share` of the calls to the first `tenants` customers).
 */
export const SCENARIOS = [
  {
    key: 'healthy',
    title: 'success path (healthy)',
    what: 'no faults, no limits; 20 customers',
    sim: { ...scenarios.healthy, customers: 20 },
    workload: { calls: 2000, concurrency: 16, ratePerSec: 0, mix: { list: 0.1, order: 0.05 } },
  },
  {
    key: 'throttled',
    title: 'throttled (partner + customer limits)',
    what: 'simulator `throttled`: 10/s partner scope, 5/s per customer (5 customers), 429 + Retry-After',
    sim: scenarios.throttled,
    workload: { calls: 300, concurrency: 12, ratePerSec: 60, mix: { list: 0.2, order: 0 } },
  },
  {
    key: 'mixedFaults',
    title: 'mixed faults (503/502 HTML/429/resets)',
    what: 'simulator `mixedFaults`: every 7th GET 503, every 11th GET HTML 502, 5% 429, 3% resets, slow answers',
    sim: scenarios.mixedFaults,
    workload: { calls: 400, concurrency: 12, ratePerSec: 80, mix: { list: 0.1, order: 0.1 } },
  },
  {
    key: 'outage',
    title: 'outage (all 503 for 2 s)',
    what: 'simulator `outage` with 20 customers: everything 503 + Retry-After: 1 from 0.5 s to 2.5 s',
    sim: { ...scenarios.outage, customers: 20 },
    workload: { calls: 200, concurrency: 16, ratePerSec: 50, mix: { list: 0.1, order: 0 } },
  },
  {
    key: 'orders',
    title: 'orders, 504 after processing',
    what: 'order POSTs: every 5th processed then 504, 4% processed then reset, every 7th 503 (not processed)',
    sim: {
      name: 'orders',
      description: 'Order POSTs whose outcome is unknown (504 or reset after processing) or rejected (503).',
      customers: 10,
      faults: [
        {
          name: 'order-504-after-processing',
          match: { method: 'POST', path: '/orders$' },
          every: 5,
          respond: { status: 504, afterProcessing: true },
        },
        {
          name: 'order-reset-after-processing',
          match: { method: 'POST', path: '/orders$' },
          probability: 0.04,
          respond: { hangUp: 'before-response', afterProcessing: true },
        },
        {
          name: 'order-503',
          match: { method: 'POST', path: '/orders$' },
          every: 7,
          respond: { status: 503 },
        },
      ],
    },
    workload: { calls: 200, concurrency: 8, ratePerSec: 100, mix: { list: 0, order: 0.8 } },
  },
  {
    key: 'manyTenants',
    title: 'many tenants (2000 customers)',
    what: '2000 customers, 5/s per customer, 30% of calls on 10 hot tenants, every 13th GET 503, 1% resets',
    sim: {
      name: 'many tenants',
      description: 'Many customer tenants, a few hot ones over their limit, light faults.',
      customers: 2000,
      subscriptionsPerCustomer: 1,
      throttle: { customer: { limit: 5, windowMs: 1000 } },
      faults: [
        { name: 'get-503', match: { method: 'GET' }, every: 13, respond: { status: 503 } },
        {
          name: 'get-reset',
          match: { method: 'GET' },
          probability: 0.01,
          respond: { hangUp: 'before-response' },
        },
      ],
    },
    workload: {
      calls: 2000,
      concurrency: 32,
      ratePerSec: 200,
      mix: { list: 0, order: 0.02 },
      hot: { tenants: 10, share: 0.3 },
    },
  },
];

/** The scenarios scaled down (fewer calls) for a quick run; `factor` in (0, 1]. */
export function scaled(list, factor) {
  if (factor === 1) return list;
  return list.map((s) => ({
    ...s,
    workload: { ...s.workload, calls: Math.max(20, Math.round(s.workload.calls * factor)) },
  }));
}

/**
 * The plan of a workload: one entry per logical call, `{ op, customer, body? }`, deterministic for the seed.
 * Every order body is unique (a `nonce`), so the simulator's `duplicateOrders` counts only resends.
 */
export function planCalls(workload, customerIds, seed = SEED) {
  const random = seededRandom(seed);
  const { list = 0, order = 0 } = workload.mix;
  const hot = workload.hot;
  const pickCustomer = () => {
    if (hot && random() < hot.share) return customerIds[Math.floor(random() * hot.tenants)];
    return customerIds[Math.floor(random() * customerIds.length)];
  };
  return Array.from({ length: workload.calls }, (_, i) => {
    const roll = random();
    const customer = pickCustomer();
    if (roll < list) return { op: 'list' };
    if (roll < list + order) {
      const body = { lineItems: [{ lineItemNumber: 0, offerId: 'BENCH-OFFER', quantity: 1 }], nonce: i };
      return { op: 'order', customer, body };
    }
    return { op: 'read', customer };
  });
}
