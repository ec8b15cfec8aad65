import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Point, settle, setupClient } from '../helpers/otel.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

const CALLER_TOKEN = 'canary-caller-bearer-9f1c2e7a';
const PROVIDER_TOKEN = 'canary-provider-bearer-4b8d1a3f';
const CLIENT_SECRET = 'canary-client-secret-77e0c5d2';
const CANARIES = [CALLER_TOKEN, PROVIDER_TOKEN, CLIENT_SECRET];

/** Everything a span exports that could carry a secret: name, attributes, events, status. */
function serializeSpan(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    status: span.status,
  });
}

const serializePoints = (points: Point[]) => JSON.stringify(points.map((p) => p.attributes));

describe('no secret reaches telemetry', () => {
  it('a bearer token in Authorization, a provider token and a client_secret query never appear', async () => {
    let issued = 0;
    const { instance, spans, points, hits } = setupClient(
      [
        { status: 401, headers: { 'www-authenticate': 'OAuth realm=urn:cpsvc:cpid:1' } },
        { status: 429, headers: { 'retry-after': '1' }, data: { statusCode: 429, message: 'Rate limit' } },
        {
          status: 503,
          data: {
            code: 900101,
            description: `try later; you sent Bearer ${PROVIDER_TOKEN} and client_secret=${CLIENT_SECRET}`,
            source: 'PartnerFD',
          },
        },
        {
          status: 400,
          data: { code: 400001, description: `bad request ${CALLER_TOKEN}`, source: 'PartnerFD' },
        },
      ],
      {
        tokenProvider: {
          async getToken() {
            issued += 1;
            return { token: `${PROVIDER_TOKEN}-${issued}`, expiresOnTimestamp: Date.now() + 3_600_000 };
          },
        },
      },
    );
    const { error } = await settle(
      instance.get(`/v1/customers?client_secret=${CLIENT_SECRET}&size=10`, {
        headers: { Authorization: `Bearer ${CALLER_TOKEN}` },
      }),
    );
    expect(error?.status).toBe(400);
    // the secrets really were on the wire
    expect(hits[0]?.headers['authorization']).toBe(`Bearer ${PROVIDER_TOKEN}-1`);
    expect(hits[0]?.url).toContain(CLIENT_SECRET);

    const all = spans();
    expect(all).toHaveLength(1);
    const spanText = all.map(serializeSpan).join('\n');
    const metricText = serializePoints(await points());
    expect(spanText).toContain('client_secret=REDACTED');
    expect(spanText).toContain('retry');
    expect(spanText).toContain('token_refresh');
    // the retry reason quotes the 503 body, scrubbed
    expect(spanText).toContain('try later; you sent Bearer');
    for (const canary of CANARIES) {
      expect(spanText).not.toContain(canary);
      expect(metricText).not.toContain(canary);
    }
  });

  it('a caller-set Authorization header without a token provider never appears either', async () => {
    const { instance, spans, points } = setupClient([{ status: 503 }, { status: 200 }]);
    await settle(instance.get('/v1/customers', { headers: { Authorization: `Bearer ${CALLER_TOKEN}` } }));
    const text = spans().map(serializeSpan).join('\n') + serializePoints(await points());
    expect(text).not.toContain(CALLER_TOKEN);
  });
});

describe('an echoed opaque token reaches no span (issue 12)', () => {
  it('in descriptions, data keys, MS-CV, a WWW-Authenticate token parameter, an HTML title and a query name', async () => {
    const token = 'opqCanary5c1e9a77b04d2f3e8a6b';
    const echo = (hit: { headers: Record<string, string> }) =>
      (hit.headers['authorization'] ?? hit.headers['Authorization'] ?? '').replace(/^Bearer /, '');
    const { instance, spans, points } = setupClient(
      (hit, index) => {
        const sent = echo(hit);
        if (index === 0) {
          return {
            status: 503,
            headers: { 'ms-cv': sent, 'www-authenticate': `Bearer token="${sent}"` },
            data: {
              code: 900101,
              description: `invalid token ${sent}`,
              data: { token: sent, Authorization: sent },
            },
          };
        }
        return {
          status: 502,
          headers: { 'content-type': 'text/html' },
          data: `<title>gateway ${sent}</title>`,
        };
      },
      {
        retry: { maxAttempts: 2 },
        tokenProvider: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
      },
    );
    const { error } = await settle(instance.get(`/v1/customers?${token}=1`));
    await vi.runAllTimersAsync();
    expect(error?.status).toBe(502);
    const text = spans().map(serializeSpan).join('\n') + serializePoints(await points());
    expect(text).toContain('REDACTED');
    expect(text).not.toContain(token);
  });
});
