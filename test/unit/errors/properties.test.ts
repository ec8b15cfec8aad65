import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyStatus, PARTNER_CENTER_ERROR_KINDS } from '../../../src/errors/classify.js';
import { normalizeError } from '../../../src/errors/normalizeError.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { MAX_DESCRIPTION_CHARS } from '../../../src/errors/redaction.js';
import { jwtCanary } from './helpers.js';

const CANARY = jwtCanary();
/** 300 by default (about a second); FC_NUM_RUNS raises it for a longer local hunt. */
const NUM_RUNS = Number(process.env['FC_NUM_RUNS'] ?? 300);

/** A string that sometimes carries the canary, alone, after a scheme, or inside random text. */
const maybeCanary: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constant(CANARY) },
  { weight: 1, arbitrary: fc.constant(`Bearer ${CANARY}`) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.string(), fc.string()).map(([before, after]) => `${before}${CANARY}${after}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('?code=', '&refresh_token=', ' access_token: ', '"client_secret":"', ' ', '/', '=')
      .map((prefix) => `${prefix}${CANARY}`),
  },
);

const status = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, 400, 401, 403, 404, 408, 409, 412, 429, 500, 502, 503, 504, 999),
);

const headers = fc.oneof(
  fc.dictionary(fc.string(), maybeCanary),
  fc.record(
    {
      'retry-after': fc.oneof(
        fc.string(),
        fc.integer().map(String),
        fc.date().map((d) => d.toUTCString()),
      ),
      'retry-after-ms': fc.oneof(fc.string(), fc.nat().map(String)),
      'x-ms-retry-after-ms': fc.string(),
      'Retry-After': fc.string(),
      'ms-cv': maybeCanary,
      'MS-RequestId': maybeCanary,
      'content-type': fc.constantFrom('application/json', 'text/html', 'text/plain', ''),
      authorization: fc.constant(`Bearer ${CANARY}`),
    },
    { requiredKeys: [] },
  ),
);

const body: fc.Arbitrary<unknown> = fc.oneof(
  maybeCanary,
  fc.uint8Array(),
  maybeCanary.map((s) => new TextEncoder().encode(s)),
  fc.jsonValue(),
  fc.object(),
  fc.anything(),
  fc.record(
    {
      code: fc.oneof(fc.integer(), maybeCanary),
      description: maybeCanary,
      message: maybeCanary,
      data: fc.oneof(fc.jsonValue(), maybeCanary),
      source: maybeCanary,
      errorName: maybeCanary,
      isRetryable: fc.oneof(fc.boolean(), fc.string()),
      error: fc.record({ code: maybeCanary, message: maybeCanary }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue().map((v) => (JSON.stringify(v) ?? '').slice(0, -1)),
);

const axiosLike = fc
  .record({
    status,
    headers,
    body,
    message: maybeCanary,
    method: fc.oneof(fc.constantFrom('get', 'post', 'patch'), maybeCanary),
    url: fc.oneof(
      fc.webUrl(),
      maybeCanary,
      fc.webUrl().map((u) => `${u}?code=${CANARY}&size=1`),
    ),
    code: fc.oneof(fc.constantFrom('ERR_BAD_REQUEST', 'ERR_BAD_RESPONSE'), maybeCanary),
  })
  .map((r) => ({
    value: {
      isAxiosError: true,
      message: r.message,
      code: r.code,
      config: {
        method: r.method,
        url: r.url,
        headers: { Authorization: `Bearer ${CANARY}`, 'MS-RequestId': r.message },
      },
      response: { status: r.status, headers: r.headers, data: r.body },
    } as unknown,
    status: r.status,
  }));

const thrown: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  maybeCanary,
  maybeCanary.map((m) => new Error(m)),
  fc.tuple(maybeCanary, fc.string()).map(([m, code]) => Object.assign(new Error(m), { code })),
  fc.tuple(maybeCanary, maybeCanary).map(([m, inner]) => new Error(m, { cause: new Error(inner) })),
  fc.tuple(maybeCanary, fc.anything()).map(([m, cause]) => new TypeError(m, { cause })),
  fc
    .tuple(
      maybeCanary,
      fc.constantFrom('ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ERR_CANCELED', 'ENOTFOUND'),
    )
    .map(([m, code]) => ({
      isAxiosError: true,
      message: m,
      code,
      config: { headers: { Authorization: `Bearer ${CANARY}` } },
    })),
  fc.record({ status, data: body, headers }),
);

function expectValid(error: PartnerCenterError): void {
  expect(error).toBeInstanceOf(PartnerCenterError);
  expect(PARTNER_CENTER_ERROR_KINDS).toContain(error.kind);
  expect(typeof error.retryable).toBe('boolean');
  expect(error.description === undefined || error.description.length <= MAX_DESCRIPTION_CHARS).toBe(true);
  if (error.retryAfterMs !== undefined) {
    expect(Number.isFinite(error.retryAfterMs)).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(0);
  }
  const texts = [
    JSON.stringify(error),
    String(error),
    String(error.stack),
    inspect(error, { depth: 10, showHidden: true }),
    inspect(error, { depth: 10, customInspect: false }),
  ];
  for (const text of texts) {
    if (text.includes(CANARY)) throw new Error(`canary leaked: ${text.slice(0, 3000)}`);
  }
}

describe('normalizeError properties', () => {
  it('is total, valid and redacted for arbitrary axios-like failures', () => {
    fc.assert(
      fc.property(axiosLike, ({ value, status: s }) => {
        const error = normalizeError(value);
        expectValid(error);
        // A readable integer status is kept and classified as classifyStatus says.
        if (Number.isInteger(s)) {
          expect(error.status).toBe(s);
          expect(error.kind).toBe(classifyStatus(s).kind);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('is total, valid and redacted for arbitrary thrown values', () => {
    fc.assert(
      fc.property(thrown, (value) => {
        expectValid(normalizeError(value, { scope: 'partner', attempts: 1 }));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
