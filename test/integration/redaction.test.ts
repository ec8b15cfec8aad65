import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { inspect } from 'node:util';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError, type ResilienceHooks } from '../../src/index.js';
import { cleanupAfterEach, type LoopbackHandler, rejectionOf, reply } from '../helpers/loopbackServer.js';
import { renderings } from '../helpers/renderings.js';

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Fresh canaries per test: a JWT-shaped bearer token and a client secret. */
function canaries() {
  const payload = `eyJzdWIiOi${random(24)}`;
  const signature = random(32);
  const token = `eyJhbGciOiJSUzI1NiJ9.${payload}.${signature}`;
  const secretCore = random(24);
  const secret = `cs~${secretCore}`;
  // Every piece that must never show: the whole values and their random parts (catches partial or encoded leaks).
  return { token, secret, pieces: [token, payload, signature, secret, secretCore] };
}

type Failure = '401' | '500' | 'network';

/** Answers like a careless server would: echoing the request's URL and Authorization header back. */
function failing(failure: Failure): LoopbackHandler {
  return (hit, _index, req, res) => {
    if (failure === 'network') {
      req.socket.destroy();
      return;
    }
    if (failure === '401') {
      reply(
        res,
        401,
        {
          code: 401,
          description: `Token rejected: ${hit.headers['authorization'] ?? ''} for ${hit.url}`,
          source: 'PartnerFD',
        },
        {
          'WWW-Authenticate': `Bearer realm="x", error="invalid_token", token="${hit.headers['authorization']}"`,
        },
      );
      return;
    }
    reply(res, 500, {
      code: '500',
      description: `Unhandled exception while serving GET http://127.0.0.1${hit.url}`,
      data: { authorization: hit.headers['authorization'], request: hit.url },
      source: 'PartnerFD',
    });
  };
}

const { defer, server } = cleanupAfterEach();

function expectClean(texts: readonly string[], pieces: readonly string[], where: string): void {
  for (const text of texts) {
    for (const piece of pieces) {
      if (text.includes(piece)) {
        const at = text.indexOf(piece);
        throw new Error(`${where} leaks a canary: …${text.slice(Math.max(0, at - 80), at + 20)}…`);
      }
    }
  }
}

describe('redaction end to end over real http', () => {
  const cases: Array<[Failure, 'query string' | 'params']> = [
    ['401', 'query string'],
    ['500', 'query string'],
    ['network', 'query string'],
    ['401', 'params'],
    ['500', 'params'],
    ['network', 'params'],
  ];

  it.each(cases)(
    'a %s failure of a request with a bearer token and a client_secret in its %s leaks neither',
    async (failure, style) => {
      const { token, secret, pieces } = canaries();
      const pc = await server(failing(failure));
      const agent = new http.Agent({ keepAlive: true });
      defer(() => agent.destroy());
      const instance = axios.create({ baseURL: pc.url, httpAgent: agent });

      const events: string[] = [];
      const collect = (name: string) => (event: unknown) => {
        events.push(`${name} ${JSON.stringify(event)}`, inspect(event, { depth: 10, showHidden: true }));
      };
      const hooks: ResilienceHooks = {
        onRequest: collect('onRequest'),
        onRetry: collect('onRetry'),
        onGiveUp: collect('onGiveUp'),
        onSuccess: collect('onSuccess'),
        onThrottle: collect('onThrottle'),
        onBreak: collect('onBreak'),
      };
      const logs: string[] = [];
      const log = (message: string, fields?: Record<string, unknown>) => {
        logs.push(`${message} ${JSON.stringify(fields)}`);
      };
      attachResilience(instance, {
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
        hooks,
        logger: { debug: log, info: log, warn: log, error: log, level: 'debug' },
      });

      const headers = { Authorization: `Bearer ${token}` };
      const error = await rejectionOf(
        style === 'query string'
          ? instance.get(`/v1/customers?client_secret=${secret}&size=5`, { headers })
          : instance.get('/v1/customers', { headers, params: { client_secret: secret, size: 5 } }),
      );

      // The canaries really went over the wire (otherwise this test would prove nothing).
      expect(pc.hits.length).toBeGreaterThanOrEqual(1);
      expect(pc.hits[0]?.headers['authorization']).toBe(`Bearer ${token}`);
      expect(pc.hits[0]?.url).toContain(`client_secret=${secret}`);
      expect(pc.hits[0]?.url).toContain('size=5');

      expect(isPartnerCenterError(error)).toBe(true);
      if (!isPartnerCenterError(error)) return;
      expect(error.kind).toBe(failure === '401' ? 'unauthorized' : failure === '500' ? 'server' : 'network');
      expect(events.some((e) => e.startsWith('onRequest'))).toBe(true);
      expect(events.some((e) => e.startsWith('onGiveUp'))).toBe(true);
      if (failure === 'network') expect(events.some((e) => e.startsWith('onRetry'))).toBe(true);

      expectClean(renderings(error), pieces, 'the error');
      expectClean(events, pieces, 'a hook event');
      expectClean(logs, pieces, 'a log line');
      // Redacted, not dropped: the diagnostics stay useful.
      if (style === 'query string') {
        expect(error.url).toBe(`${pc.url}/v1/customers?client_secret=REDACTED&size=5`);
      }
      if (failure !== 'network') expect(error.description).toContain('REDACTED');
    },
  );

  it('reports the query of axios `params` in errors and events, secret values redacted, allow-listed ones kept', async () => {
    const { token, secret, pieces } = canaries();
    const pc = await server(failing('500'));
    const agent = new http.Agent({ keepAlive: true });
    defer(() => agent.destroy());
    const instance = axios.create({ baseURL: pc.url, httpAgent: agent });
    const requestUrls: string[] = [];
    attachResilience(instance, {
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      hooks: { onRequest: (e) => requestUrls.push(e.url) },
    });

    const error = await rejectionOf(
      instance.get('/v1/customers', {
        headers: { Authorization: `Bearer ${token}` },
        params: { client_secret: secret, size: 5 },
      }),
    );

    expect(isPartnerCenterError(error)).toBe(true);
    if (!isPartnerCenterError(error)) return;
    expectClean([String(error.url), ...requestUrls], pieces, 'a reported url');
    // What was sent is `/v1/customers?client_secret=…&size=5`: the reported url must say so, redacted.
    const expected = `${pc.url}/v1/customers?client_secret=REDACTED&size=5`;
    expect(requestUrls).toEqual([expected]);
    expect(error.url).toBe(expected);
  });
});
