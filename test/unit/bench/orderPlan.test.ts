import { describe, expect, it } from 'vitest';
import { orderRow, planOrders, unknownOutcome } from '../../../bench/lib/orderPlan.mjs';

const CUSTOMERS = ['c1', 'c2', 'c3', 'c4', 'c5'];

describe('bench exactly-once orders plan (orderPlan.mjs)', () => {
  it('plans order POSTs deterministically, over the customers, each with a unique client reference', () => {
    const plan = planOrders(200, CUSTOMERS, 42);
    expect(plan).toHaveLength(200);
    expect(planOrders(200, CUSTOMERS, 42)).toEqual(plan);
    expect(planOrders(200, CUSTOMERS, 43)).not.toEqual(plan);
    expect(new Set(plan.map((call) => call.customer))).toEqual(new Set(CUSTOMERS));
    const references = plan.map((call) => call.body.lineItems[0]?.friendlyName);
    expect(new Set(references).size).toBe(200);
    expect(references[0]).toBe('bench-order-1');
    for (const call of plan) {
      const [line] = call.body.lineItems;
      expect(line?.quantity).toBeGreaterThanOrEqual(1);
      expect(line?.quantity).toBeLessThanOrEqual(25);
    }
  });

  it('counts a failure as unknown when ours says so, or on 500/502/504 or a fault after sending', () => {
    expect(unknownOutcome({ outcomeUnknown: true, kind: 'server' })).toBe(true);
    expect(unknownOutcome({ outcomeUnknown: false, kind: 'circuit-open' })).toBe(false);
    for (const status of [500, 502, 504]) expect(unknownOutcome({ response: { status } })).toBe(true);
    for (const status of [400, 429, 503]) expect(unknownOutcome({ response: { status } })).toBe(false);
    expect(unknownOutcome({ code: 'ECONNRESET' })).toBe(true);
    expect(unknownOutcome({ code: 'ECONNREFUSED' })).toBe(false);
    expect(unknownOutcome(new Error('socket hang up'))).toBe(true);
  });

  it('builds a row from the run, the simulator stats and the reconcile counts, with the targets', () => {
    const plan = planOrders(10, CUSTOMERS, 1);
    const stats = {
      totalHits: 13,
      ordersCreated: 10,
      duplicateOrders: 0,
      orderReplays: 0,
      faultsFired: { 'order-504-after-commit': 2, 'order-reset-after-commit': 1 },
      hitsPerRoute: { 'POST /v1/customers/{id}/orders': 10, 'GET /v1/customers/{id}/orders': 3 },
    };
    const run = { ok: 10, unknown: 0, otherFailures: 0, durationMs: 50 };
    const counts = { found: 3, absent: 0, failed: 0 };
    const row = orderRow('ours+reconcile', plan, run, stats, counts);
    expect(row).toMatchObject({
      calls: 10,
      lost: 3,
      postHits: 10,
      lookupHits: 3,
      reconciled: counts,
      targetsMet: true,
    });
    expect(orderRow('ours+reconcile', plan, { ...run, ok: 9, unknown: 1 }, stats, counts).targetsMet).toBe(
      false,
    );
    expect(orderRow('ours+reconcile', plan, run, { ...stats, duplicateOrders: 1 }, counts).targetsMet).toBe(
      false,
    );
    expect(
      orderRow('axios', plan, run, { totalHits: 10, ordersCreated: 10, duplicateOrders: 0, orderReplays: 0 }),
    ).toMatchObject({
      reconciled: null,
      targetsMet: null,
      lost: 0,
      lookupHits: 0,
    });
  });
});
