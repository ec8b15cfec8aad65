import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience } from '../../src/index.js';
import { cleanupAfterEach, type LoopbackServer, reply } from '../helpers/loopbackServer.js';

/*
 * Issue 29: a redirect answered by the Partner Center origin must not carry the bearer token to another
 * origin. Two loopback servers on two ports are two origins (`127.0.0.1:A`, `127.0.0.1:B`); `pc` stands for
 * Partner Center, `other` for whatever host a redirect names. Over real http, with axios's own adapters.
 */

const { defer, server } = cleanupAfterEach();
const TOKEN = 'tok-redirect-guard-0123456789abcdef';

type AdapterName = 'http' | 'fetch';

/**
 * `pc` answers `GET /v1/cross` with `status` to `other`, `GET /v1/same` with `status` to its own `/v1/landing`,
 * and 200 elsewhere. `other` answers with `otherStatus(index)` (200 by default).
 */
async function setup(
  status: number,
  adapter: AdapterName,
  otherStatus: (index: number) => number = () => 200,
): Promise<{ api: AxiosInstance; pc: LoopbackServer; other: LoopbackServer }> {
  const other = await server((_hit, index, _req, res) => reply(res, otherStatus(index), { at: 'other' }));
  const pc = await server((hit, _index, _req, res) => {
    if (hit.url.startsWith('/v1/cross')) {
      reply(res, status, undefined, { location: `${other.url}/landing?from=pc` });
    } else if (hit.url.startsWith('/v1/same')) {
      reply(res, status, undefined, { location: '/v1/landing' });
    } else {
      reply(res, 200, { at: 'pc' });
    }
  });
  const agent = new http.Agent({ keepAlive: false });
  defer(() => agent.destroy());
  const api = axios.create({ baseURL: pc.url, adapter, httpAgent: agent, proxy: false });
  attachResilience(api, {
    retry: { baseDelayMs: 1, maxDelayMs: 5, jitter: 'none' },
    tokenProvider: { getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) },
  });
  return { api, pc, other };
}

const ADAPTERS: AdapterName[] = ['http', 'fetch'];
const STATUSES = [301, 302, 303, 307, 308];

describe('a redirect to another origin drops the bearer token (issue 29)', () => {
  describe.each(ADAPTERS)('axios %s adapter', (adapter) => {
    it.each(STATUSES)(
      'a %i from Partner Center to another port reaches it without Authorization',
      async (status) => {
        const { api, pc, other } = await setup(status, adapter);

        const response = await api.get('/v1/cross');

        expect(response.status).toBe(200);
        expect(response.data).toEqual({ at: 'other' });
        // The token really went to Partner Center, and the redirect was followed to the other origin.
        expect(pc.hits.map((h) => h.headers['authorization'])).toEqual([`Bearer ${TOKEN}`]);
        expect(other.hits.map((h) => h.url)).toEqual(['/landing?from=pc']);
        expect(other.hits[0]?.headers['authorization']).toBeUndefined();
        expect(JSON.stringify(other.hits)).not.toContain(TOKEN);
      },
    );

    it('a same-origin 302 keeps the bearer token', async () => {
      const { api, pc, other } = await setup(302, adapter);

      const response = await api.get('/v1/same');

      expect(response.data).toEqual({ at: 'pc' });
      expect(pc.hits.map((h) => [h.url, h.headers['authorization']])).toEqual([
        ['/v1/same', `Bearer ${TOKEN}`],
        ['/v1/landing', `Bearer ${TOKEN}`],
      ]);
      expect(other.hits).toHaveLength(0);
    });

    it('retries of a call redirected to a failing origin never carry the token there either', async () => {
      // The other origin answers 503 twice, then 200: the engine retries the call (to Partner Center, which
      // redirects again); none of the three attempts that reach the other origin carries the token.
      const { api, pc, other } = await setup(302, adapter, (index) => (index < 2 ? 503 : 200));

      const response = await api.get('/v1/cross');

      expect(response.status).toBe(200);
      expect(pc.hits.map((h) => h.headers['authorization'])).toEqual([
        `Bearer ${TOKEN}`,
        `Bearer ${TOKEN}`,
        `Bearer ${TOKEN}`,
      ]);
      expect(other.hits).toHaveLength(3);
      for (const hit of other.hits) expect(hit.headers['authorization']).toBeUndefined();
    });
  });
});
