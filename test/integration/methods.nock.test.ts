import axios from 'axios';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError, type ResilienceOptions } from '../../src/index.js';
import { rejectionOf } from '../helpers/loopbackServer.js';

// nock intercepts node:http, so this host is never resolved: nothing leaves the process.
const BASE = 'http://partnercenter.nock.test';
const FAST: ResilienceOptions = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

const ORDER = { lineItems: [{ offerId: 'DZH318Z0BQ3Q:0001', quantity: 1 }] };

const HTML_502 = [
  '<!DOCTYPE html>',
  '<html><head><title>502 Bad Gateway</title></head>',
  '<body><center><h1>502 Bad Gateway</h1></center><hr><center>Microsoft-Azure-Application-Gateway/v2</center>',
  '</body></html>',
].join('\n');

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

function instance() {
  const created = axios.create({ baseURL: BASE });
  attachResilience(created, FAST);
  return created;
}

/** Counts the hits of one route and answers each from `answer(index)`; the bodies seen are kept. */
function route(
  method: 'get' | 'post',
  path: string,
  answer: (index: number) => [number, string | Record<string, unknown>, Record<string, string>?],
) {
  const bodies: unknown[] = [];
  const requestIds: string[] = [];
  const interceptor = nock(BASE)[method](path);
  const scope = interceptor.times(10).reply(async (request: Request) => {
    const text = await request.text();
    bodies.push(text === '' ? undefined : JSON.parse(text));
    requestIds.push(String(request.headers.get('ms-requestid')));
    const [status, data, headers] = answer(bodies.length - 1);
    return [status, data, headers ?? {}] as const;
  });
  return { scope, bodies, requestIds };
}

describe('unsafe methods (nock)', () => {
  it('POST + 504: one hit, PartnerCenterError with outcomeUnknown true (the order may exist)', async () => {
    const orders = route('post', '/v1/customers/c1/orders', () => [
      504,
      { code: 504, description: 'timeout' },
    ]);
    const error = await rejectionOf(instance().post('/v1/customers/c1/orders', ORDER));

    expect(orders.bodies).toHaveLength(1);
    expect(isPartnerCenterError(error)).toBe(true);
    if (!isPartnerCenterError(error)) return;
    expect(error.status).toBe(504);
    expect(error.kind).toBe('server');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.attempts).toBe(1);
    expect(error.method).toBe('POST');
  });

  it('POST + 503 (rejected, not processed): retried, then succeeds with the same body and MS-RequestId', async () => {
    const orders = route('post', '/v1/customers/c1/orders', (i) =>
      i === 0 ? [503, { code: 3000, description: 'unavailable' }] : [201, { id: 'order-1' }],
    );
    const response = await instance().post('/v1/customers/c1/orders', ORDER);

    expect(response.status).toBe(201);
    expect(response.data).toEqual({ id: 'order-1' });
    expect(orders.bodies).toEqual([ORDER, ORDER]);
    expect(new Set(orders.requestIds).size).toBe(1);
  });

  it('POST with partnerCenter: { idempotent: true } + 504: retried', async () => {
    const carts = route('post', '/v1/customers/c1/carts/cart-1/checkout', (i) =>
      i === 0 ? [504, { code: 504, description: 'timeout' }] : [200, { orders: [] }],
    );
    const response = await instance().post('/v1/customers/c1/carts/cart-1/checkout', undefined, {
      partnerCenter: { idempotent: true },
    });

    expect(response.status).toBe(200);
    expect(carts.bodies).toHaveLength(2);
    expect(new Set(carts.requestIds).size).toBe(1);
  });
});

describe('HTML gateway pages (nock)', () => {
  it('an HTML 502 page, then 200: retried and succeeds', async () => {
    const customers = route('get', '/v1/customers', (i) =>
      i === 0 ? [502, HTML_502, { 'Content-Type': 'text/html' }] : [200, { totalCount: 0, items: [] }],
    );
    const response = await instance().get('/v1/customers');

    expect(response.status).toBe(200);
    expect(response.data).toEqual({ totalCount: 0, items: [] });
    expect(customers.bodies).toHaveLength(2);
  });

  it("HTML 502 forever: kind 'server', description '502 Bad Gateway', attempts 4", async () => {
    const customers = route('get', '/v1/customers', () => [502, HTML_502, { 'Content-Type': 'text/html' }]);
    const error = await rejectionOf(instance().get('/v1/customers'));

    expect(customers.bodies).toHaveLength(4);
    expect(isPartnerCenterError(error)).toBe(true);
    if (!isPartnerCenterError(error)) return;
    expect(error.kind).toBe('server');
    expect(error.status).toBe(502);
    expect(error.description).toBe('502 Bad Gateway');
    expect(error.attempts).toBe(4);
    expect(error.retryable).toBe(true);
    expect(error.body).toContain('Microsoft-Azure-Application-Gateway');
  });
});
