import { randomBytes } from 'node:crypto';
import http from 'node:http';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError } from '../../src/index.js';
import { cleanupAfterEach, type LoopbackHandler, rejectionOf, reply } from '../helpers/loopbackServer.js';
import { recordingHooks, recordingLogger, renderings } from '../helpers/renderings.js';

// Issue 12: an opaque (non-JWT) bearer token that a careless server echoes back without the `Bearer ` prefix
// must not reach any report: the error in every rendering, its axios view, hook payloads or log lines.

/** An opaque token: no JWT shape, no scheme in front of it where the server echoes it. */
const opaque = () => `opq${randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')}`;

const { defer, server } = cleanupAfterEach();

function expectAbsent(texts: readonly string[], canary: string, where: string): void {
  for (const text of texts) {
    const at = text.indexOf(canary);
    if (at >= 0) throw new Error(`${where} leaks the canary: …${text.slice(Math.max(0, at - 80), at + 20)}…`);
  }
}

type Echo = 'description' | 'html' | 'data' | 'headers' | 'query-name' | 'rejected';

/** Answers like a careless server: the token sent comes back, without its `Bearer ` prefix. */
function echoing(echo: Echo): LoopbackHandler {
  return (hit, _index, _req, res) => {
    const token = (hit.headers['authorization'] ?? '').replace(/^Bearer /, '');
    switch (echo) {
      case 'description':
        return reply(res, 400, { code: 400001, description: `invalid token ${token}`, source: 'PartnerFD' });
      case 'html':
        return reply(
          res,
          502,
          `<html><head><title>Bad gateway for ${token}</title></head><body>${token}</body></html>`,
          {
            'content-type': 'text/html',
          },
        );
      case 'data':
        return reply(res, 409, {
          code: 800064,
          description: 'conflict',
          data: {
            token,
            Authorization: token,
            nested: [{ deeper: { SAS: token, AccountKey: token, credential: token, note: `echo ${token}` } }],
          },
        });
      case 'headers':
        return reply(
          res,
          404,
          { code: 3000, description: 'not found' },
          {
            'MS-CV': token,
            'MS-ServerId': `srv ${token}`,
            'WWW-Authenticate': `Bearer realm="x", error="invalid_token", token="${token}"`,
          },
        );
      case 'query-name':
        return reply(res, 404, { code: 3000, description: `no route for ${hit.url}` });
      case 'rejected':
        return reply(
          res,
          401,
          { code: 401, description: `token ${token} is revoked` },
          {
            'WWW-Authenticate': `Bearer token="${token}"`,
          },
        );
    }
  };
}

describe('an echoed opaque token reaches no report (issue 12)', () => {
  const cases: Echo[] = ['description', 'html', 'data', 'headers', 'query-name', 'rejected'];

  it.each(cases)('echoed in the %s', async (echo) => {
    const token = opaque();
    const pc = await server(echoing(echo));
    const agent = new http.Agent({ keepAlive: false });
    defer(() => agent.destroy());
    const instance = axios.create({ baseURL: pc.url, httpAgent: agent });
    const { hooks, events } = recordingHooks();
    const { logger, logs } = recordingLogger();
    attachResilience(instance, {
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 },
      hooks,
      logger,
      // The same token every time: after a 401 the cache refuses to replay it.
      tokenProvider: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
    });

    const url = echo === 'query-name' ? `/v1/customers?${token}=1&size=5` : '/v1/customers';
    const error = await rejectionOf(instance.get(url));

    // The canary really went over the wire, and the server echoed it.
    expect(pc.hits[0]?.headers['authorization']).toBe(`Bearer ${token}`);
    expect(isPartnerCenterError(error)).toBe(true);
    if (!isPartnerCenterError(error)) return;
    expect(events.some((e) => e.startsWith('onGiveUp'))).toBe(true);

    expectAbsent(renderings(error), token, 'the error');
    expectAbsent(events, token, 'a hook payload');
    expectAbsent(logs, token, 'a log line');
    expect(axios.isAxiosError(error)).toBe(true);
    if (echo === 'description') expect(error.description).toBe('invalid token REDACTED');
    if (echo === 'query-name') expect(error.url).toBe(`${pc.url}/v1/customers?REDACTED=REDACTED&size=5`);
    if (echo === 'headers') {
      expect(error.headers['ms-cv']).toBe('REDACTED');
      expect(error.headers['www-authenticate']).toContain('token="REDACTED"');
    }
    if (echo === 'data') {
      expect(error.data).toEqual({
        token: 'REDACTED',
        Authorization: 'REDACTED',
        nested: [
          {
            deeper: {
              SAS: 'REDACTED',
              AccountKey: 'REDACTED',
              credential: 'REDACTED',
              note: 'echo REDACTED',
            },
          },
        ],
      });
    }
  });

  it('a token the caller set on Authorization (no token provider) is removed from what the server echoes', async () => {
    const token = opaque();
    const pc = await server(echoing('description'));
    const instance = axios.create({ baseURL: pc.url });
    attachResilience(instance, { retry: { maxAttempts: 1 } });
    const error = await rejectionOf(
      instance.get('/v1/customers', { headers: { Authorization: `Bearer ${token}` } }),
    );
    expect(pc.hits[0]?.headers['authorization']).toBe(`Bearer ${token}`);
    expectAbsent(renderings(error), token, 'the error');
    expect((error as { description?: string }).description).toBe('invalid token REDACTED');
  });

  it('a client secret given as `secrets` is removed wherever the server copies it', async () => {
    const secret = `cs~${randomBytes(18).toString('base64url')}`;
    const pc = await server((_hit, _i, _req, res) =>
      reply(res, 500, { code: 500, description: `vault said ${secret}.`, data: { hint: secret } }),
    );
    const instance = axios.create({ baseURL: pc.url });
    attachResilience(instance, { retry: { maxAttempts: 1 }, secrets: [secret] });
    const error = await rejectionOf(instance.get('/v1/customers'));
    expectAbsent(renderings(error), secret, 'the error');
    expect((error as { description?: string }).description).toBe('vault said REDACTED.');
  });
});
