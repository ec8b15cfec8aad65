import { describe, expect, it } from 'vitest';
import { quotaLimited, SIMULATOR_ROUTES } from '../../../src/testing/index.js';
import { harness, OTHER_GUID } from './helpers.js';

const SUBSCRIPTIONS = 'GET /v1/customers/{id}/subscriptions';
const SKUS = 'GET /v1/customers/{id}/subscribedskus';

interface Sku {
  productSku: { id: string; name: string; skuPartNumber: string };
  totalUnits: number;
  activeUnits: number;
  consumedUnits: number;
  availableUnits: number;
}

describe('simulator: the reads of a tenant sweep', () => {
  it("serves a customer's subscribed SKUs: one per product, the units of its subscriptions", async () => {
    // Five subscriptions: the offers go round four products, so the first product is bought twice.
    const { sim, api } = await harness({ scenario: { customers: 2, subscriptionsPerCustomer: 5 } });
    expect(SIMULATOR_ROUTES).toContain(SKUS);
    const customer = sim.customerIds[1] as string;
    const subscriptions = (await api.get(`/v1/customers/${customer}/subscriptions`)).data.items as {
      offerName: string;
      quantity: number;
    }[];
    const res = await api.get(`/v1/customers/${customer.toUpperCase()}/subscribedskus`);
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      totalCount: 4,
      links: { self: { uri: `/customers/${customer}/subscribedskus`, method: 'GET' } },
      attributes: { objectType: 'Collection' },
    });
    const skus = res.data.items as Sku[];
    expect(skus.map((sku) => sku.productSku.skuPartNumber)).toEqual([
      'O365_BUSINESS_ESSENTIALS',
      'O365_BUSINESS_PREMIUM',
      'SPE_E3',
      'EXCHANGESTANDARD',
    ]);
    expect(skus[0]).toMatchObject({
      productSku: {
        id: '3b555118-da6a-4418-894f-7df1e2096870',
        name: 'Microsoft 365 Business Basic',
        targetType: 'User',
        licenseGroupId: 'group1',
      },
      capabilityStatus: 'Enabled',
      suspendedUnits: 0,
      warningUnits: 0,
      attributes: { objectType: 'SubscribedSku' },
    });
    for (const [index, sku] of skus.entries()) {
      const bought = subscriptions
        .filter((subscription) => subscription.offerName === sku.productSku.name)
        .reduce((sum, subscription) => sum + subscription.quantity, 0);
      expect(sku.totalUnits, `sku ${index}`).toBe(bought);
      expect(sku.activeUnits).toBe(bought);
      expect(sku.consumedUnits).toBeGreaterThanOrEqual(0);
      expect(sku.availableUnits).toBe(sku.totalUnits - sku.consumedUnits);
    }
    // The first product sums its two subscriptions.
    expect(subscriptions.filter((s) => s.offerName === 'Microsoft 365 Business Basic')).toHaveLength(2);
    // The same answer on every read.
    expect((await api.get(`/v1/customers/${customer}/subscribedskus`)).data).toEqual(res.data);
  });

  it('answers 404 for an unknown customer, 400 for a malformed id and 405 for a POST', async () => {
    const { api } = await harness();
    expect((await api.get(`/v1/customers/${OTHER_GUID}/subscribedskus`)).status).toBe(404);
    expect((await api.get('/v1/customers/nope/subscribedskus')).status).toBe(400);
    const post = await api.post(`/v1/customers/${OTHER_GUID}/subscribedskus`, {});
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET');
  });

  it('counts successful reads per customer and route, and the customers read again', async () => {
    const { sim, api } = await harness({ scenario: { customers: 3 } });
    const [a, b, c] = sim.customerIds as [string, string, string];
    for (const id of [a, b, c]) await api.get(`/v1/customers/${id}/subscriptions`);
    await api.get(`/v1/customers/${a}/subscribedskus`);
    expect(sim.stats().customerReads).toEqual({
      [SUBSCRIPTIONS]: { reads: 3, customers: 3, customersReadAgain: 0, maxPerCustomer: 1 },
      [SKUS]: { reads: 1, customers: 1, customersReadAgain: 0, maxPerCustomer: 1 },
    });
    expect(sim.stats().customersReadAgain).toBe(0);

    // b's subscriptions twice more, a's SKUs once more: two customers read again, b three times.
    await api.get(`/v1/customers/${b}/subscriptions`);
    await api.get(`/v1/customers/${b}/subscriptions`);
    await api.get(`/v1/customers/${a}/subscribedskus`);
    const stats = sim.stats();
    expect(stats.customerReads[SUBSCRIPTIONS]).toEqual({
      reads: 5,
      customers: 3,
      customersReadAgain: 1,
      maxPerCustomer: 3,
    });
    expect(stats.customerReads[SKUS]).toEqual({
      reads: 2,
      customers: 1,
      customersReadAgain: 1,
      maxPerCustomer: 2,
    });
    expect(stats.customersReadAgain).toBe(2);

    // Read again on both routes, still one customer.
    await api.get(`/v1/customers/${c}/subscriptions`);
    await api.get(`/v1/customers/${c}/subscribedskus`);
    await api.get(`/v1/customers/${c}/subscribedskus`);
    expect(sim.stats().customersReadAgain).toBe(3);

    sim.reset();
    expect(sim.stats().customerReads).toEqual({});
    expect(sim.stats().customersReadAgain).toBe(0);
  });

  it('counts only GETs answered 2xx: not 429s, faults, writes, unknown customers or partner routes', async () => {
    const { sim, api, clock } = await harness({
      scenario: {
        customers: 2,
        quotas: [{ name: 'customer', scope: 'customer', limit: 1, windowMs: 1_000 }],
        faults: [{ match: { method: 'GET', path: '/subscribedskus$' }, times: 1, respond: { status: 503 } }],
      },
    });
    const [a] = sim.customerIds as [string];
    expect((await api.get(`/v1/customers/${a}/subscriptions`)).status).toBe(200);
    expect((await api.get(`/v1/customers/${a}/subscriptions`)).status).toBe(429);
    clock.advance(1_000);
    expect((await api.get(`/v1/customers/${a}/subscribedskus`)).status).toBe(503);
    clock.advance(1_000);
    expect((await api.post(`/v1/customers/${a}/orders`, { lineItems: [] })).status).toBe(201);
    clock.advance(1_000);
    expect((await api.get(`/v1/customers/${OTHER_GUID}/subscriptions`)).status).toBe(404);
    expect((await api.get('/v1/customers')).status).toBe(200);
    const stats = sim.stats();
    expect(stats.customerReads).toEqual({
      [SUBSCRIPTIONS]: { reads: 1, customers: 1, customersReadAgain: 0, maxPerCustomer: 1 },
    });
    expect(stats.customersReadAgain).toBe(0);
  });

  it('paces the subscribed SKUs with the partner and customer quotas of quotaLimited()', async () => {
    const scenario = quotaLimited({ partnerPerSecond: 3, customerPerSecond: 1, customers: 2_000 });
    expect(scenario.customers).toBe(2_000);
    const { sim, api, clock } = await harness({ scenario });
    expect(sim.customerIds).toHaveLength(2_000);
    const [a, b, c, d] = sim.customerIds as [string, string, string, string];
    const status = async (id: string, route: string) =>
      (await api.get(`/v1/customers/${id}/${route}`)).status;
    expect(await status(a, 'subscribedskus')).toBe(200);
    expect(await status(a, 'subscriptions')).toBe(429); // the customer's 1/s
    expect(await status(b, 'subscribedskus')).toBe(200); // the partner's third in the second
    expect(await status(c, 'subscribedskus')).toBe(429); // the partner's 3/s (the 429s counted)
    clock.advance(1_000);
    expect(await status(d, 'subscribedskus')).toBe(200);
    expect(sim.stats().quotas).toEqual({
      partner: { hits: 5, throttled: 1 },
      customer: { hits: 5, throttled: 1 },
    });
    expect(() => quotaLimited({ customers: 100_001 })).toThrow(
      /customers must be an integer from 0 to 100000/,
    );
    expect(() => quotaLimited({ customers: 1.5 })).toThrow(RangeError);
    expect(quotaLimited().customers).toBe(5);
  });
});
