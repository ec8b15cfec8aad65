import { describe, expect, it } from 'vitest';
import { DEFAULT_PARTNER_ID, SIMULATOR_ROUTES } from '../../../src/testing/index.js';
import { harness, OTHER_GUID } from './helpers.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('simulator routes', () => {
  it('lists customers as a Partner Center collection of GUID-keyed customers', async () => {
    const { sim, api } = await harness({ scenario: { customers: 4 } });
    const res = await api.get('/v1/customers');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.data).toMatchObject({ totalCount: 4, attributes: { objectType: 'Collection' } });
    expect(res.data.items).toHaveLength(4);
    for (const item of res.data.items) {
      expect(item.id).toMatch(GUID);
      expect(item).toMatchObject({
        companyProfile: { tenantId: item.id },
        attributes: { objectType: 'Customer' },
      });
    }
    expect(res.data.items.map((c: { id: string }) => c.id)).toEqual(sim.customerIds);
    expect(sim.partnerId).toBe(DEFAULT_PARTNER_ID);
    expect(sim.routes).toEqual(SIMULATOR_ROUTES);
  });

  it('serves one customer, its subscriptions and explicit customer ids', async () => {
    const { sim, api } = await harness({
      scenario: { customers: [OTHER_GUID], subscriptionsPerCustomer: 3 },
    });
    expect(sim.customerIds).toEqual([OTHER_GUID]);
    const customer = await api.get(`/v1/customers/${OTHER_GUID.toUpperCase()}`);
    expect(customer.status).toBe(200);
    expect(customer.data).toMatchObject({ id: OTHER_GUID, attributes: { objectType: 'Customer' } });
    const subs = await api.get(`/v1/customers/${OTHER_GUID}/subscriptions`);
    expect(subs.status).toBe(200);
    expect(subs.data).toMatchObject({ totalCount: 3, attributes: { objectType: 'Collection' } });
    expect(subs.data.items[0]).toMatchObject({
      status: 'active',
      attributes: { objectType: 'Subscription' },
    });
    expect(subs.data.items[0].id).toMatch(GUID);
  });

  it('creates an order (201) that can be read back', async () => {
    const { sim, api } = await harness();
    const customer = sim.customerIds[0];
    const body = {
      referenceCustomerId: customer,
      billingCycle: 'monthly',
      lineItems: [{ offerId: 'X', quantity: 2 }],
    };
    const created = await api.post(`/v1/customers/${customer}/orders`, body);
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      referenceCustomerId: customer,
      lineItems: body.lineItems,
      status: 'completed',
      attributes: { objectType: 'Order' },
    });
    expect(typeof created.data.id).toBe('string');
    const read = await api.get(`/v1/customers/${customer}/orders/${created.data.id}`);
    expect(read.status).toBe(200);
    expect(read.data).toEqual(created.data);
    const list = await api.get(`/v1/customers/${customer}/orders`);
    expect(list.data).toMatchObject({ totalCount: 1, items: [created.data] });
  });

  it('answers Partner Center error bodies for unknown resources, bad ids and wrong methods', async () => {
    const { sim, api } = await harness();
    const unknown = await api.get(`/v1/customers/${OTHER_GUID}`);
    expect(unknown.status).toBe(404);
    expect(unknown.data).toEqual({
      code: 3000,
      description: `Customer ${OTHER_GUID} could not be found`,
      data: [],
      source: 'PartnerFD',
    });
    const badId = await api.get('/v1/customers/not-a-guid/subscriptions');
    expect(badId.status).toBe(400);
    expect(badId.data).toMatchObject({ code: 2000, description: 'Tenant Id must be a GUID.', data: [] });
    const order = await api.get(`/v1/customers/${sim.customerIds[0]}/orders/NOPE`);
    expect(order.status).toBe(404);
    const method = await api.delete('/v1/customers');
    expect(method.status).toBe(405);
    expect(method.headers['allow']).toBe('GET');
    const nowhere = await api.get('/v2/nothing');
    expect(nowhere.status).toBe(404);
    expect(nowhere.data).toMatchObject({ source: 'PartnerFD', data: [] });
    const badBody = await api.post(`/v1/customers/${sim.customerIds[0]}/orders`, '[1,2]', {
      headers: { 'Content-Type': 'application/json' },
    });
    expect(badBody.status).toBe(400);
  });

  it('echoes MS-RequestId and MS-CorrelationId and sets MS-CV and MS-ServerId', async () => {
    const { api } = await harness();
    const requestId = '11111111-2222-4333-8444-555555555555';
    const correlationId = '66666666-7777-4888-9999-000000000000';
    const res = await api.get('/v1/customers', {
      headers: { 'MS-RequestId': requestId, 'MS-CorrelationId': correlationId, 'MS-CV': 'abc.1' },
    });
    expect(res.headers['ms-requestid']).toBe(requestId);
    expect(res.headers['ms-correlationid']).toBe(correlationId);
    expect(res.headers['ms-cv']).toBe('abc.1.0');
    expect(res.headers['ms-serverid']).toMatch(/^\d+$/);
    const error = await api.get(`/v1/customers/${OTHER_GUID}`, { headers: { 'MS-RequestId': requestId } });
    expect(error.status).toBe(404);
    expect(error.headers['ms-requestid']).toBe(requestId);
  });

  it('generates GUID request and correlation ids when the request has none', async () => {
    const { api, sim } = await harness();
    const res = await api.get('/v1/customers');
    expect(res.headers['ms-requestid']).toMatch(GUID);
    expect(res.headers['ms-correlationid']).toMatch(GUID);
    expect(res.headers['ms-cv']).toMatch(/^[0-9a-f]{16}\.0$/);
    expect(sim.stats().log[0]?.requestId).toBe(res.headers['ms-requestid']);
  });
});
