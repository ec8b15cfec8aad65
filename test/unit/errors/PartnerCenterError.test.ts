import { inspect } from 'node:util';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { PARTNER_CENTER_ERROR_KINDS } from '../../../src/errors/classify.js';
import { PartnerCenterError, type PartnerCenterErrorInit } from '../../../src/errors/PartnerCenterError.js';
import type { RetryAfterSource } from '../../../src/http/response.js';

describe('PartnerCenterError', () => {
  it('builds a message from kind, status, code, description and where the call went', () => {
    const error = new PartnerCenterError({
      kind: 'conflict',
      retryable: true,
      status: 409,
      code: '800064',
      description: 'Cart is being processed by another request',
      method: 'post',
      url: 'https://api.partnercenter.microsoft.com/v1/carts?client_secret=x',
      requestId: 'req-1',
      attempts: 3,
      outcomeUnknown: true,
    });
    expect(error.message).toBe(
      'Partner Center conflict 409 code 800064: Cart is being processed by another request ' +
        '(POST https://api.partnercenter.microsoft.com/v1/carts?client_secret=REDACTED, MS-RequestId req-1, ' +
        'after 3 attempts, outcome unknown: the request may have been processed)',
    );
    expect(error.name).toBe('PartnerCenterError');
    expect(error.method).toBe('POST');
    expect(String(error)).toBe(`PartnerCenterError: ${error.message}`);
  });

  it('uses the reason when there is no description, and an explicit message when given', () => {
    expect(new PartnerCenterError({ kind: 'circuit-open', retryable: false, reason: 'open' }).message).toBe(
      'Partner Center circuit-open: open',
    );
    expect(new PartnerCenterError({ kind: 'unknown', retryable: false, message: 'custom' }).message).toBe(
      'custom',
    );
  });

  it('defaults outcomeUnknown to false and headers to a frozen empty object', () => {
    const error = new PartnerCenterError({ kind: 'server', retryable: true });
    expect(error.outcomeUnknown).toBe(false);
    expect(error.headers).toEqual({});
    expect(Object.isFrozen(error.headers)).toBe(true);
  });

  it('keeps cause as a non-enumerable scrubbed copy', () => {
    const original = Object.assign(new Error('boom'), { code: 'ECONNRESET', config: { headers: { a: 1 } } });
    const error = new PartnerCenterError({ kind: 'network', retryable: true, cause: original });
    const cause = error.cause as Error & { code?: unknown; config?: unknown };
    expect(cause).not.toBe(original);
    expect(cause.message).toBe('boom');
    expect(cause.code).toBe('ECONNRESET');
    expect(cause.config).toBeUndefined();
    expect(Object.keys(error)).not.toContain('cause');
  });

  it('with() changes fields, rebuilds the message and keeps the stack', () => {
    const error = new PartnerCenterError({ kind: 'server', retryable: true, status: 503, attempts: 1 });
    const later = error.with({ attempts: 4, retryable: false });
    expect(later).not.toBe(error);
    expect(later.attempts).toBe(4);
    expect(later.retryable).toBe(false);
    expect(later.status).toBe(503);
    expect(later.message).toContain('after 4 attempts');
    expect(later.stack).toContain(later.message);
    expect(error.attempts).toBe(1);
  });

  it('toJSON and inspect show the fields and nothing of the marker', () => {
    const error = new PartnerCenterError({
      kind: 'throttled',
      retryable: true,
      status: 429,
      retryAfterMs: 5000,
    });
    const json = error.toJSON();
    expect(json).toMatchObject({
      name: 'PartnerCenterError',
      kind: 'throttled',
      status: 429,
      retryAfterMs: 5000,
    });
    const shown = inspect(error);
    expect(shown).toContain('kind: "throttled"');
    expect(shown).toContain('retryAfterMs: 5000');
    expect(shown).not.toContain('partner-center-resilience');
  });

  it('lists every kind once', () => {
    expect(new Set(PARTNER_CENTER_ERROR_KINDS).size).toBe(PARTNER_CENTER_ERROR_KINDS.length);
    expect(PARTNER_CENTER_ERROR_KINDS).toHaveLength(13);
  });
});

describe('PartnerCenterError text fields', () => {
  it('scrubs description, reason and body given directly, and keeps the documented caps through with()', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl';
    const error = new PartnerCenterError({
      kind: 'server',
      retryable: false,
      description: `${'d'.repeat(1010)} https://h/é?code=abcdef`,
      reason: `refresh failed: Bearer ${token}`,
      body: `${'b'.repeat(3000)}`,
    });
    expect(error.description?.length).toBeLessThanOrEqual(1024);
    expect(error.description).not.toContain('abcdef');
    expect(error.reason).toBe('refresh failed: Bearer REDACTED');
    expect(error.body?.length).toBeLessThanOrEqual(2048);
    const again = error.with({ attempts: 2 }).with({ attempts: 3 });
    expect(again.description).toBe(error.description);
    expect(again.body).toBe(error.body);
  });
});

describe('the one list of fields', () => {
  /** A value for every data field, each already as the error keeps it. */
  const every = {
    kind: 'throttled',
    retryable: true,
    status: 429,
    code: '800064',
    description: 'busy',
    data: { a: 1 },
    source: 'PartnerFD',
    errorName: 'Throttled',
    codeClass: 'transient',
    retryAfterMs: 1000,
    retryAfterSource: 'retry-after',
    requestId: 'req-1',
    correlationId: 'cor-1',
    cv: 'cv.1',
    serverId: '101',
    scope: 'customer:1',
    method: 'GET',
    url: 'https://api.partnercenter.microsoft.com/v1/customers',
    attempts: 3,
    outcomeUnknown: true,
    reason: 'gave up',
    body: 'snippet',
    headers: { 'retry-after': '1' },
  } as const satisfies PartnerCenterErrorInit;

  it('takes every field in, gives every one back from toInit, and copies every one through with()', () => {
    const error = new PartnerCenterError(every);
    for (const [key, value] of Object.entries(every)) {
      expect((error as unknown as Record<string, unknown>)[key], key).toEqual(value);
    }
    expect(error.toInit()).toMatchObject(every);
    const copy = error.with({ scope: 'partner' });
    expect({ ...copy.toInit(), scope: every.scope }).toMatchObject(every);
  });

  it('prints every field but the body snippet in toJSON, in the order of the list', () => {
    const json = new PartnerCenterError(every).toJSON();
    const fieldKeys = Object.keys(every).filter((key) => key !== 'body');
    expect(Object.keys(json)).toEqual(['name', 'message', ...fieldKeys, 'cause']);
  });
});

// Compile-time checks (npm run typecheck): the init derived from the class is as precise as the fields.
// @ts-expect-error kind and retryable are required
const initWithoutKind: PartnerCenterErrorInit = { status: 400 };
// @ts-expect-error a name that is no field
const initWithOtherName: PartnerCenterErrorInit = { kind: 'client', retryable: false, nope: 1 };
// @ts-expect-error a field keeps its type
const initWithWrongType: PartnerCenterErrorInit = { kind: 'client', retryable: false, status: '400' };
// Every optional field takes `undefined` explicitly (exactOptionalPropertyTypes).
const initWithUndefined: PartnerCenterErrorInit = {
  kind: 'client',
  retryable: false,
  outcomeUnknown: undefined,
  headers: undefined,
  data: undefined,
};
void [initWithoutKind, initWithOtherName, initWithWrongType, initWithUndefined];

describe('retryAfterSource', () => {
  it('is spelt out for the public API as exactly the sources parseRetryAfter gives', () => {
    expectTypeOf<NonNullable<PartnerCenterError['retryAfterSource']>>().toEqualTypeOf<RetryAfterSource>();
  });
});
