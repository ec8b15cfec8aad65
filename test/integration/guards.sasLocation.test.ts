import { randomBytes } from 'node:crypto';
import http from 'node:http';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience, isPartnerCenterError, pollOperation } from '../../src/index.js';
import {
  cleanupAfterEach,
  type LoopbackHandler,
  type LoopbackServer,
  rejectionOf,
  reply,
} from '../helpers/loopbackServer.js';
import { expectNoneOf, recordingHooks, recordingLogger, renderings } from '../helpers/renderings.js';

/*
 * Issue 29: the SAS of a URL the server names (`?sv=...&sig=...` in a 202's `Location`, or in a 3xx's) is a
 * credential of its own. It goes over the wire where it must, and never into what the library reports: an
 * error in any rendering (its axios view and cause chain included), a hook event, a log line. Real http over
 * loopback; each test checks first that the SAS really reached the server.
 */

const { defer, server } = cleanupAfterEach();
const TOKEN = 'tok-sas-guard-0123456789abcdef';
const SV = '2024-11-04';

/** A SAS query with a fresh signature; `sig` is the canary to look for. */
function sasQuery(): { query: string; sig: string } {
  const sig = `Sig${randomBytes(24).toString('hex')}`;
  return {
    sig,
    query: `sv=${SV}&ss=b&srt=o&sp=r&se=2026-12-01T00%3A00%3A00Z&spr=https&sig=${sig}%3D`,
  };
}

function expectAbsent(texts: readonly string[], canaries: readonly string[], where: string): void {
  expectNoneOf(texts, [...canaries, `sv=${SV}`], where);
}

interface Harness {
  readonly api: AxiosInstance;
  readonly pc: LoopbackServer;
  readonly other: LoopbackServer;
  readonly events: string[];
  readonly logs: string[];
}

/** `pc` answers with `handler`; `other` (another origin) with `otherHandler` (200 by default). */
async function harness(
  handler: LoopbackHandler,
  otherHandler: LoopbackHandler = (_hit, _i, _req, res) => reply(res, 200, { ok: true }),
  config: AxiosRequestConfig = {},
): Promise<Harness> {
  const other = await server(otherHandler);
  const pc = await server(handler);
  const agent = new http.Agent({ keepAlive: false });
  defer(() => agent.destroy());
  const api = axios.create({ baseURL: pc.url, httpAgent: agent, proxy: false, ...config });
  const { hooks, events } = recordingHooks();
  const { logger, logs } = recordingLogger();
  attachResilience(api, {
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2, jitter: 'none' },
    hooks,
    logger,
    tokenProvider: { getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) },
  });
  return { api, pc, other, events, logs };
}

/** Checks every report of `error` and of the harness for the canaries. */
function expectNoSas(h: Harness, error: unknown, canaries: readonly string[]): void {
  expect(isPartnerCenterError(error)).toBe(true);
  expectAbsent(renderings(error), canaries, 'the error');
  expectAbsent(h.events, canaries, 'a hook event');
  expectAbsent(h.logs, canaries, 'a log line');
  expect(h.events.length).toBeGreaterThan(0);
}

/** The first 202 from `POST /v1/start`, naming `location` (with `retryAfter`). */
function accepting(location: () => string, retryAfter = '0'): LoopbackHandler | undefined {
  return (hit, _index, _req, res) => {
    if (hit.method === 'POST')
      reply(res, 202, undefined, { location: location(), 'retry-after': retryAfter });
  };
}

/** Runs `first` when it answered; else `rest`. */
function chain(first: LoopbackHandler | undefined, rest: LoopbackHandler): LoopbackHandler {
  return (hit, index, req, res) => {
    if (hit.method === 'POST') return first?.(hit, index, req, res);
    return rest(hit, index, req, res);
  };
}

const POLL = { minIntervalMs: 1, intervalMs: 1 };

describe('a SAS in the Location of a 202 reaches no report (pollOperation)', () => {
  it('a poll of the SAS Location that fails (503, retried, until the engine gives up)', async () => {
    const { query, sig } = sasQuery();
    const h = await harness(
      chain(
        accepting(() => `/v1/operations/1?${query}`),
        (_hit, _i, _req, res) => reply(res, 503, { code: 3000, description: 'service unavailable' }),
      ),
    );
    const accepted = await h.api.post('/v1/start', {});
    const error = await rejectionOf(pollOperation(h.api, accepted, POLL));

    expect(h.pc.hits.filter((hit) => hit.url.includes(sig))).toHaveLength(2);
    expect(isPartnerCenterError(error) && error.status).toBe(503);
    expect(isPartnerCenterError(error) && error.url).toContain('sig=REDACTED');
    expect(h.events.some((e) => e.startsWith('onRetry'))).toBe(true);
    expectNoSas(h, error, [sig]);
  });

  it('an operation reported failed, its body quoting the SAS status URL', async () => {
    const { query, sig } = sasQuery();
    const h = await harness(
      chain(
        accepting(() => `/v1/operations/1?${query}`),
        (hit, _i, _req, res) =>
          reply(res, 200, {
            status: 'failed',
            error: { code: 'ExportFailed', message: `export at http://127.0.0.1${hit.url} failed` },
          }),
      ),
    );
    const accepted = await h.api.post('/v1/start', {});
    const error = await rejectionOf(pollOperation(h.api, accepted, POLL));

    expect(h.pc.hits.filter((hit) => hit.url.includes(sig))).toHaveLength(1);
    expect(isPartnerCenterError(error) && error.kind).toBe('operation-failed');
    expectNoSas(h, error, [sig]);
  });

  it('a Retry-After beyond maxIntervalMs: nothing polled, the timeout error names the Location redacted', async () => {
    const { query, sig } = sasQuery();
    const h = await harness(
      chain(
        accepting(() => `/v1/operations/1?${query}`, '3600'),
        (_hit, _i, _req, res) => reply(res, 200, {}),
      ),
    );
    const accepted = await h.api.post('/v1/start', {});
    const error = await rejectionOf(pollOperation(h.api, accepted, POLL));

    expect(h.pc.hits).toHaveLength(1);
    expect(isPartnerCenterError(error) && error.kind).toBe('timeout');
    expect(isPartnerCenterError(error) && error.url).toContain('/v1/operations/1?');
    expectNoSas(h, error, [sig]);
  });

  it('a later 202 naming a new SAS Location and too long a wait: neither SAS is reported', async () => {
    const first = sasQuery();
    const second = sasQuery();
    const h = await harness(
      chain(
        accepting(() => `/v1/operations/1?${first.query}`),
        (_hit, _i, _req, res) =>
          reply(res, 202, undefined, {
            location: `/v1/operations/2?${second.query}`,
            'retry-after': '3600',
          }),
      ),
    );
    const accepted = await h.api.post('/v1/start', {});
    const error = await rejectionOf(pollOperation(h.api, accepted, POLL));

    expect(h.pc.hits.filter((hit) => hit.url.includes(first.sig))).toHaveLength(1);
    expect(isPartnerCenterError(error) && error.kind).toBe('timeout');
    expect(isPartnerCenterError(error) && error.url).toContain('/v1/operations/2?');
    expectNoSas(h, error, [first.sig, second.sig]);
  });

  it('a poll that hangs until timeoutMs runs out', async () => {
    const { query, sig } = sasQuery();
    const h = await harness(
      chain(
        accepting(() => `/v1/operations/1?${query}`),
        () => undefined, // never answers
      ),
    );
    const accepted = await h.api.post('/v1/start', {});
    const error = await rejectionOf(pollOperation(h.api, accepted, { ...POLL, timeoutMs: 200 }));

    expect(h.pc.hits.filter((hit) => hit.url.includes(sig))).toHaveLength(1);
    expect(isPartnerCenterError(error) && error.kind).toBe('timeout');
    expectNoSas(h, error, [sig]);
  });

  it('a SAS Location on another origin is refused without polling, its SAS unreported', async () => {
    const { query, sig } = sasQuery();
    let otherUrl = '';
    const h = await harness(
      chain(
        accepting(() => `${otherUrl}/blob/op-1?${query}`),
        (_hit, _i, _req, res) => reply(res, 200, {}),
      ),
    );
    otherUrl = h.other.url;
    const accepted = await h.api.post('/v1/start', {});
    const error = await rejectionOf(pollOperation(h.api, accepted, POLL));

    expect(h.other.hits).toHaveLength(0);
    expect(isPartnerCenterError(error) && error.kind).toBe('client');
    expectNoSas(h, error, [sig]);
  });

  it('a saved SAS Location, resumed, that the server no longer knows (404)', async () => {
    const { query, sig } = sasQuery();
    const h = await harness((_hit, _i, _req, res) =>
      reply(res, 404, { code: 404, description: 'operation not found' }),
    );
    const error = await rejectionOf(pollOperation(h.api, `/v1/operations/1?${query}`, POLL));

    expect(h.pc.hits.filter((hit) => hit.url.includes(sig))).toHaveLength(1);
    expect(isPartnerCenterError(error) && error.status).toBe(404);
    expectNoSas(h, error, [sig]);
  });

  it('a poll that succeeds: the events of the 202 and of the polls hold no SAS', async () => {
    const { query, sig } = sasQuery();
    const h = await harness(
      chain(
        accepting(() => `/v1/operations/1?${query}`),
        (_hit, index, _req, res) =>
          index < 2 ? reply(res, 200, { status: 'running' }) : reply(res, 200, { status: 'succeeded' }),
      ),
    );
    const accepted = await h.api.post('/v1/start', {});
    const done = await pollOperation(h.api, accepted, POLL);

    expect(done.status).toBe(200);
    expect(h.pc.hits.filter((hit) => hit.url.includes(sig))).toHaveLength(2);
    expect(h.events.filter((e) => e.startsWith('onSuccess'))).toHaveLength(3);
    expectAbsent(h.events, [sig], 'a hook event');
    expectAbsent(h.logs, [sig], 'a log line');
  });
  // The values of the polled URL's secret-named query parameters are removed wherever they appear, even bare.
  it('a failed operation whose body quotes the bare signature (no `sig=` before it)', async () => {
    const { query, sig } = sasQuery();
    const h = await harness(
      chain(
        accepting(() => `/v1/operations/1?${query}`),
        (_hit, _i, _req, res) =>
          reply(res, 200, {
            status: 'failed',
            error: { code: 'SasExpired', message: `signature ${sig} expired` },
          }),
      ),
    );
    const accepted = await h.api.post('/v1/start', {});
    const error = await rejectionOf(pollOperation(h.api, accepted, POLL));

    expect(h.pc.hits.filter((hit) => hit.url.includes(sig))).toHaveLength(1);
    expect(isPartnerCenterError(error) && error.kind).toBe('operation-failed');
    expectNoSas(h, error, [sig]);
  });
});

describe('a SAS in the Location of a 3xx reaches no report (the engine)', () => {
  it('maxRedirects: 0: the 302 itself is the error', async () => {
    const { query, sig } = sasQuery();
    let otherUrl = '';
    const h = await harness(
      (_hit, _i, _req, res) =>
        reply(res, 302, undefined, { location: `${otherUrl}/blob/export.csv?${query}` }),
      undefined,
      { maxRedirects: 0 },
    );
    otherUrl = h.other.url;
    const error = await rejectionOf(h.api.get('/v1/invoices/export'));

    expect(h.other.hits).toHaveLength(0);
    expect(isPartnerCenterError(error) && error.status).toBe(302);
    expectNoSas(h, error, [sig]);
  });

  it('a followed 302 to storage that refuses the SAS (403) and quotes the URL in its XML body', async () => {
    const { query, sig } = sasQuery();
    let otherUrl = '';
    const h = await harness(
      (_hit, _i, _req, res) =>
        reply(res, 302, undefined, { location: `${otherUrl}/blob/export.csv?${query}` }),
      (hit, _i, _req, res) => {
        const body =
          '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code>' +
          '<Message>Server failed to authenticate the request.</Message>' +
          `<AuthenticationErrorDetail>Signature did not match for http://127.0.0.1${hit.url}</AuthenticationErrorDetail></Error>`;
        res.writeHead(403, {
          'content-type': 'application/xml',
          'content-length': String(Buffer.byteLength(body)),
          'x-ms-request-url': `http://127.0.0.1${hit.url}`,
        });
        res.end(body);
      },
    );
    otherUrl = h.other.url;
    const error = await rejectionOf(h.api.get('/v1/invoices/export'));

    expect(h.other.hits.filter((hit) => hit.url.includes(sig))).toHaveLength(1);
    expect(isPartnerCenterError(error) && error.status).toBe(403);
    expectNoSas(h, error, [sig]);
  });

  it('a followed 302 to storage that fails (503) and is retried', async () => {
    const { query, sig } = sasQuery();
    let otherUrl = '';
    const h = await harness(
      (_hit, _i, _req, res) =>
        reply(res, 302, undefined, { location: `${otherUrl}/blob/export.csv?${query}` }),
      (hit, _i, _req, res) => reply(res, 503, `service unavailable: ${hit.url}`),
    );
    otherUrl = h.other.url;
    const error = await rejectionOf(h.api.get('/v1/invoices/export'));

    expect(h.other.hits.filter((hit) => hit.url.includes(sig))).toHaveLength(2);
    expect(isPartnerCenterError(error) && error.status).toBe(503);
    expect(h.events.some((e) => e.startsWith('onRetry'))).toBe(true);
    expectNoSas(h, error, [sig]);
  });
});
