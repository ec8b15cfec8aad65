import axios, { type AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import { lostOrders, parseScenario } from '../../../src/testing/index.js';
import { harness } from './helpers.js';

interface Order {
  readonly id: string;
  readonly lineItems: readonly { readonly quantity: number }[];
}

const requestId = (i: number) => `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const orderBody = (i: number) => ({
  billingCycle: 'monthly',
  lineItems: [{ offerId: 'X', quantity: i + 1 }],
});

/** The status of a POST, or the axios code when the connection was reset. */
async function post(
  api: AxiosInstance,
  url: string,
  i: number,
): Promise<{ status: number | string; data?: Order }> {
  try {
    const response = await api.post<Order>(url, orderBody(i), { headers: { 'MS-RequestId': requestId(i) } });
    return { status: response.status, data: response.data };
  } catch (error: unknown) {
    if (axios.isAxiosError(error) && error.response === undefined) return { status: String(error.code) };
    throw error;
  }
}

describe('lostOrders scenario', () => {
  it('is a valid frozen scenario; rate is checked', () => {
    const scenario = lostOrders();
    expect(parseScenario(scenario)).toEqual(scenario);
    expect(Object.isFrozen(scenario.faults)).toBe(true);
    expect(scenario.faults?.map((rule) => rule.probability)).toEqual([0.1, 0.1 / 0.9]);
    expect(lostOrders({ rate: 0 }).faults?.map((rule) => rule.probability)).toEqual([0, 0]);
    expect(lostOrders({ rate: 1 }).faults?.map((rule) => rule.probability)).toEqual([0.5, 1]);
    expect(() => lostOrders({ rate: 1.5 })).toThrow(RangeError);
    expect(() => lostOrders({ rate: Number.NaN })).toThrow(/rate must be a number from 0 to 1/);
  });

  it('commits a share of orders, then answers 504 or resets; the order is listed and a resend with its MS-RequestId replays it', async () => {
    const run = async () => {
      const { sim, api } = await harness({ scenario: lostOrders(), seed: 11 });
      const customer = sim.customerIds[0] ?? '';
      const url = `/v1/customers/${customer}/orders`;
      const outcomes: (number | string)[] = [];
      for (let i = 0; i < 100; i++) outcomes.push((await post(api, url, i)).status);

      const listed = (await api.get<{ items: Order[] }>(url)).data.items;
      expect(listed).toHaveLength(100); // every POST committed, lost or not
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome === 201) continue;
        const committed = listed.find((order) => order.lineItems[0]?.quantity === i + 1);
        expect(committed).toBeDefined();
        // Resend the same POST with the same MS-RequestId until an answer arrives (it may be lost again).
        let resent = await post(api, url, i);
        for (let tries = 0; tries < 10 && resent.status !== 200; tries++) resent = await post(api, url, i);
        expect(resent.status).toBe(200);
        expect(resent.data).toEqual(committed);
      }
      return { outcomes, stats: sim.stats() };
    };
    const { outcomes, stats } = await run();
    const lost504 = outcomes.filter((o) => o === 504).length;
    const lostReset = outcomes.filter((o) => o === 'ECONNRESET').length;
    expect(outcomes.filter((o) => o === 201).length + lost504 + lostReset).toBe(100);
    expect(lost504).toBeGreaterThan(3);
    expect(lostReset).toBeGreaterThan(3);
    expect(lost504 + lostReset).toBeGreaterThan(10);
    expect(lost504 + lostReset).toBeLessThan(32);
    expect(stats).toMatchObject({ ordersCreated: 100, duplicateOrders: 0 });
    expect(stats.orderReplays).toBeGreaterThanOrEqual(lost504 + lostReset);
    expect((await run()).outcomes).toEqual(outcomes); // deterministic for the seed
  });
});
