import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { inspect } from 'node:util';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import {
  type AccessToken,
  attachResilience,
  isPartnerCenterError,
  type TokenProvider,
  type TokenRequest,
} from '../../src/index.js';
import { cleanupAfterEach, rejectionOf, reply } from '../helpers/loopbackServer.js';

const REALM = 'urn:cpsvc:cpid:4f6c2f21-7c2a-4f4e-9a56-0b3f0e1e2d3c';
const jwt = () =>
  `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOi${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;

const { defer, server } = cleanupAfterEach();

/** Hands out `tokens` in order: the first on the first request, the next one on each forced refresh. */
function provider(tokens: readonly string[]) {
  const requests: TokenRequest[] = [];
  let issued = 0;
  const tokenProvider: TokenProvider = {
    kind: 'token-provider',
    async getToken(request: TokenRequest): Promise<AccessToken> {
      requests.push(request);
      const token = tokens[Math.min(issued, tokens.length - 1)] ?? '';
      issued += 1;
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  return { tokenProvider, requests };
}

function unauthorized(res: http.ServerResponse, echo: string): void {
  reply(
    res,
    401,
    { code: 401, description: `The token ${echo} is not valid for this request`, source: 'PartnerFD' },
    { 'WWW-Authenticate': `OAuth realm=${REALM}` },
  );
}

describe('token provider over real http (loopback)', () => {
  it('sends the provider token on every attempt; a 401 challenge refreshes once with the realm and replays', async () => {
    const first = jwt();
    const second = jwt();
    const pc = await server((hit, index, _req, res) => {
      if (index === 0) reply(res, 503, { code: 3000, description: 'unavailable' });
      else if (hit.headers['authorization'] === `Bearer ${second}`) reply(res, 200, { ok: true });
      else unauthorized(res, hit.headers['authorization'] ?? '');
    });
    const { tokenProvider, requests } = provider([first, second]);
    const agent = new http.Agent({ keepAlive: true });
    defer(() => agent.destroy());
    const instance = axios.create({ baseURL: pc.url, httpAgent: agent });
    attachResilience(instance, { tokenProvider, retry: { baseDelayMs: 1, maxDelayMs: 5 } });

    const response = await instance.get('/v1/customers');

    expect(response.status).toBe(200);
    expect(pc.hits.map((h) => h.headers['authorization'])).toEqual([
      `Bearer ${first}`,
      `Bearer ${first}`,
      `Bearer ${second}`,
    ]);
    expect(new Set(pc.hits.map((h) => h.headers['ms-requestid'])).size).toBe(1);
    expect(requests.map((r) => r.forceRefresh)).toEqual([false, true]);
    expect(requests[1]?.realm).toBe(REALM);
  });

  it('a 401 that persists after the refresh fails as unauthorized, and neither token leaks anywhere', async () => {
    const first = jwt();
    const second = jwt();
    const pc = await server((hit, _index, _req, res) =>
      unauthorized(res, hit.headers['authorization'] ?? ''),
    );
    const { tokenProvider, requests } = provider([first, second]);
    const agent = new http.Agent({ keepAlive: true });
    defer(() => agent.destroy());
    const instance = axios.create({ baseURL: pc.url, httpAgent: agent });
    const events: string[] = [];
    const collect = (name: string) => (event: unknown) => {
      events.push(`${name} ${JSON.stringify(event)}`, inspect(event, { depth: 10, showHidden: true }));
    };
    const logs: string[] = [];
    const log = (message: string, fields?: Record<string, unknown>) =>
      logs.push(`${message} ${JSON.stringify(fields)}`);
    attachResilience(instance, {
      tokenProvider,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      hooks: {
        onRequest: collect('onRequest'),
        onRetry: collect('onRetry'),
        onGiveUp: collect('onGiveUp'),
        onTokenRefresh: collect('onTokenRefresh'),
      },
      logger: { debug: log, info: log, warn: log, error: log, level: 'debug' },
    });

    const error = await rejectionOf(instance.get('/v1/customers'));

    expect(pc.hits.map((h) => h.headers['authorization'])).toEqual([`Bearer ${first}`, `Bearer ${second}`]);
    expect(requests).toHaveLength(2);
    expect(isPartnerCenterError(error)).toBe(true);
    if (!isPartnerCenterError(error)) return;
    expect(error.kind).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(events.some((e) => e.startsWith('onTokenRefresh'))).toBe(true);

    const texts = [
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      inspect(error, { depth: 10, showHidden: true, customInspect: false }),
      String(error),
      String(error.stack),
      inspect((error as { cause?: unknown }).cause, { depth: 10, showHidden: true, customInspect: false }),
      ...events,
      ...logs,
    ];
    const pieces = [first, second, ...first.split('.').slice(1), ...second.split('.').slice(1)];
    for (const text of texts) for (const piece of pieces) expect(text).not.toContain(piece);
  });
});
