import http, { type ServerResponse } from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError } from '../../src/index.js';
import type { RetryEvent } from '../../src/observability/events.js';
import { cleanupAfterEach, rejectionOf, reply } from '../helpers/loopbackServer.js';

const { defer, server } = cleanupAfterEach();

const FULL = { totalCount: 2, items: [{ id: 'a' }, { id: 'b' }] };

/** Sends 200 headers announcing the whole body, writes part of it, then destroys the socket. */
function cutOffMidBody(res: ServerResponse): void {
  const text = JSON.stringify(FULL);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length) });
  res.write(text.slice(0, 20));
  setTimeout(() => res.socket?.destroy(), 20);
}

function setup(baseURL: string): { instance: AxiosInstance; retries: RetryEvent[] } {
  const agent = new http.Agent({ keepAlive: true });
  defer(() => agent.destroy());
  const instance = axios.create({ baseURL, httpAgent: agent });
  const retries: RetryEvent[] = [];
  attachResilience(instance, {
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    hooks: { onRetry: (e) => retries.push(e) },
  });
  return { instance, retries };
}

describe('a 200 whose body is cut off mid-stream, over a real socket', () => {
  it('bare axios rejects with ERR_BAD_RESPONSE "stream has been aborted" and the 200 response', async () => {
    const pc = await server((_hit, _index, _req, res) => cutOffMidBody(res));
    const error = await rejectionOf(axios.get(`${pc.url}/v1/customers`));
    expect(axios.isAxiosError(error)).toBe(true);
    if (!axios.isAxiosError(error)) return;
    expect(error.code).toBe('ERR_BAD_RESPONSE');
    expect(error.message).toMatch(/aborted/);
    expect(error.response?.status).toBe(200);
  });

  it('a GET is retried and resolves with the second, whole answer', async () => {
    const pc = await server((_hit, index, _req, res) => {
      if (index === 0) cutOffMidBody(res);
      else reply(res, 200, FULL);
    });
    const { instance, retries } = setup(pc.url);

    const response = await instance.get('/v1/customers');

    expect(response.status).toBe(200);
    expect(response.data).toEqual(FULL);
    expect(pc.hits).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.errorKind).toBe('network');
    expect(new Set(pc.hits.map((h) => h.headers['ms-requestid'])).size).toBe(1);
  });

  it('a POST fails as a network fault with an unknown outcome and is not resent', async () => {
    const pc = await server((_hit, _index, _req, res) => cutOffMidBody(res));
    const { instance, retries } = setup(pc.url);

    const error = await rejectionOf(instance.post('/v1/customers/c1/orders', { lineItems: [] }));

    expect(isPartnerCenterError(error)).toBe(true);
    if (!isPartnerCenterError(error)) return;
    expect(error.kind).toBe('network');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.attempts).toBe(1);
    expect(pc.hits).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });
});
