import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { harness } from './helpers.js';

const ORDER = {
  billingCycle: 'monthly',
  lineItems: [{ lineItemNumber: 0, offerId: 'CFQ7TTC0LH18:0001', quantity: 5 }],
};
const ID_1 = '10000000-0000-4000-8000-000000000001';
const ID_2 = '10000000-0000-4000-8000-000000000002';

describe('simulator orders', () => {
  it('replays an order posted again with the same MS-RequestId (200, same order, no duplicate)', async () => {
    const { sim, api } = await harness();
    const url = `/v1/customers/${sim.customerIds[0]}/orders`;
    const first = await api.post(url, ORDER, { headers: { 'MS-RequestId': ID_1 } });
    const again = await api.post(url, ORDER, { headers: { 'MS-RequestId': ID_1 } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.data).toEqual(first.data);
    expect(sim.stats()).toMatchObject({ ordersCreated: 1, orderReplays: 1, duplicateOrders: 0 });
  });

  it('counts a second identical order with a fresh MS-RequestId as a duplicate', async () => {
    const { sim, api } = await harness();
    const [a, b] = sim.customerIds;
    const reordered = { lineItems: ORDER.lineItems, billingCycle: 'monthly' };
    expect(
      (await api.post(`/v1/customers/${a}/orders`, ORDER, { headers: { 'MS-RequestId': ID_1 } })).status,
    ).toBe(201);
    const dup = await api.post(`/v1/customers/${a}/orders`, reordered, { headers: { 'MS-RequestId': ID_2 } });
    expect(dup.status).toBe(201);
    // Same body for another customer, or another body: not duplicates.
    await api.post(`/v1/customers/${b}/orders`, ORDER);
    await api.post(`/v1/customers/${a}/orders`, { ...ORDER, billingCycle: 'annual' });
    // No MS-RequestId at all: the simulator generates one, so a resend is a duplicate too.
    await api.post(`/v1/customers/${b}/orders`, ORDER);
    expect(sim.stats()).toMatchObject({ ordersCreated: 5, orderReplays: 0, duplicateOrders: 2 });
  });

  it('afterProcessing: creates the order, then answers 504; a retry with the same id replays it', async () => {
    const { sim, api } = await harness({
      scenario: {
        faults: [
          {
            match: { method: 'POST', path: '/orders$' },
            times: 1,
            respond: { status: 504, afterProcessing: true },
          },
        ],
      },
    });
    const url = `/v1/customers/${sim.customerIds[0]}/orders`;
    const lost = await api.post(url, ORDER, { headers: { 'MS-RequestId': ID_1 } });
    expect(lost.status).toBe(504);
    expect(lost.data).toMatchObject({ code: 504, source: 'PartnerFD' });
    expect(sim.stats().ordersCreated).toBe(1);
    const safeRetry = await api.post(url, ORDER, { headers: { 'MS-RequestId': ID_1 } });
    expect(safeRetry.status).toBe(200);
    const list = await api.get(url);
    expect(list.data.items).toEqual([safeRetry.data]);
    expect(sim.stats()).toMatchObject({ ordersCreated: 1, orderReplays: 1, duplicateOrders: 0 });
  });

  it('afterProcessing: a client that retries with a fresh MS-RequestId creates a duplicate', async () => {
    const { sim, api } = await harness({
      scenario: {
        faults: [
          {
            match: { method: 'POST' },
            times: 1,
            respond: { hangUp: 'before-response', afterProcessing: true },
          },
        ],
      },
    });
    const url = `/v1/customers/${sim.customerIds[0]}/orders`;
    const error: unknown = await api
      .post(url, ORDER, { headers: { 'MS-RequestId': ID_1 } })
      .catch((e: unknown) => e);
    expect(axios.isAxiosError(error) && error.code).toBe('ECONNRESET');
    const unsafeRetry = await api.post(url, ORDER, { headers: { 'MS-RequestId': ID_2 } });
    expect(unsafeRetry.status).toBe(201);
    expect(sim.stats()).toMatchObject({ ordersCreated: 2, duplicateOrders: 1, hangUps: 1 });
  });

  it('a rejected POST (not afterProcessing) creates nothing', async () => {
    const { sim, api } = await harness({
      scenario: { faults: [{ match: { method: 'POST' }, times: 1, respond: { status: 503 } }] },
    });
    const url = `/v1/customers/${sim.customerIds[0]}/orders`;
    expect((await api.post(url, ORDER, { headers: { 'MS-RequestId': ID_1 } })).status).toBe(503);
    expect((await api.post(url, ORDER, { headers: { 'MS-RequestId': ID_1 } })).status).toBe(201);
    expect(sim.stats()).toMatchObject({ ordersCreated: 1, orderReplays: 0, duplicateOrders: 0 });
  });
});
