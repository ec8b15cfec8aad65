import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  attachResilience,
  isPartnerCenterError,
  paginate,
  pollOperation,
  ResilienceOptionsError,
} from '../../src/index.js';
import { cleanupAfterEach, type LoopbackServer, rejectionOf, reply } from '../helpers/loopbackServer.js';

/*
 * The workflows over real http (loopback, real axios http adapter): the bearer token goes only to the origin
 * of the request that named the next URL. Two servers on 127.0.0.1 on two ports are two origins; `other`
 * stands for a foreign host and must never be reached.
 */

const { defer, server } = cleanupAfterEach();
const TOKEN = 'tok-secret-0123456789';

async function setup(): Promise<{ api: AxiosInstance; pc: LoopbackServer; other: LoopbackServer }> {
  const other = await server((_hit, _index, _req, res) =>
    reply(res, 200, { status: 'succeeded', items: [] }),
  );
  const pc = await server((hit, _index, _req, res) => {
    if (hit.method === 'POST') {
      // the registration's 202 names a Location given in the test through a header
      reply(res, 202, undefined, { location: hit.headers['x-test-location'] ?? '', 'retry-after': '0' });
      return;
    }
    const next = hit.url.includes('seekOperation=Next')
      ? undefined
      : { uri: `//127.0.0.1:${pcPort()}/v1/customers?size=1&seekOperation=Next`, headers: [] };
    reply(res, 200, { items: [{ id: hit.url }], links: next === undefined ? {} : { next } });
  });
  const pcPort = () => pc.port;
  const agent = new http.Agent({ keepAlive: true });
  defer(() => agent.destroy());
  const api = axios.create({ baseURL: `${pc.url}/v1`, httpAgent: agent, proxy: false });
  attachResilience(api, {
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    tokenProvider: { getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) },
  });
  return { api, pc, other };
}

describe('workflows keep the bearer token on their origin (loopback http)', () => {
  it.each([
    ['an absolute URL of another origin', (port: number) => `http://127.0.0.1:${port}/operations/1`],
    ['a protocol-relative URL of another origin', (port: number) => `//127.0.0.1:${port}/operations/1`],
  ])('pollOperation refuses a 202 whose Location is %s: nothing reaches it', async (_name, location) => {
    const { api, other } = await setup();
    const accepted = await api.post(
      '/customers/c1/subscriptions/s1/registrations',
      {},
      {
        headers: { 'x-test-location': location(other.port) },
      },
    );
    expect(accepted.status).toBe(202);
    const error = await rejectionOf(pollOperation(api, accepted));
    expect(isPartnerCenterError(error) && error.kind).toBe('client');
    expect(isPartnerCenterError(error) && error.reason).toMatch(/another origin/);
    expect(other.hits).toHaveLength(0);
  });

  it('paginate refuses a saved continuation of another origin before any request', async () => {
    const { api, pc, other } = await setup();
    const continuation = {
      uri: `http://127.0.0.1:${other.port}/v1/customers?seekOperation=Next`,
      method: 'GET',
      headers: { 'MS-ContinuationToken': 'tok-1' },
    };
    expect(() => paginate(api, '/customers', { continuation })).toThrow(ResilienceOptionsError);
    expect(pc.hits).toHaveLength(0);
    expect(other.hits).toHaveLength(0);
  });

  it('paginate follows a protocol-relative links.next of its own host under a /v1 baseURL (no "Invalid URL")', async () => {
    const { api, pc } = await setup();
    const items: unknown[] = [];
    for await (const item of paginate(api, '/customers?size=1')) items.push(item);
    expect(items).toEqual([
      { id: '/v1/customers?size=1' },
      { id: '/v1/customers?size=1&seekOperation=Next' },
    ]);
    expect(pc.hits.map((h) => h.headers['authorization'])).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });
});
