import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PartnerCenterError, ResilienceOptionsError } from '../../../src/index.js';
import {
  checkedRequestOptions,
  type PartnerCenterRequestOptions,
  requestOptionsSchema,
} from '../../../src/options/requestOptions.js';
import { attachScripted } from '../../helpers/attachScripted.js';
import { rejectionOf } from '../../helpers/loopbackServer.js';

// Issue 29 item 11: per-request options get the same schema and errors as attach options.

/** The issue lines `checkedRequestOptions(options)` throws with (fails when it accepts). */
function issuesOf(options: unknown): readonly string[] {
  let thrown: unknown;
  try {
    checkedRequestOptions(options);
  } catch (error: unknown) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ResilienceOptionsError);
  return (thrown as ResilienceOptionsError).issues;
}

describe("a request's partnerCenter options", () => {
  it.each([
    // Since `retry` also takes an object, a misspelt key inside it is named at its own path.
    [{ retry: { maxRetryAfterMs: 100 } }, 'partnerCenter.retry.maxRetryAfterMs: unknown option'],
    [{ tenat: 'c1' }, 'partnerCenter.tenat: unknown option'],
    [{ tenant: 42 }, 'partnerCenter.tenant: Invalid input: expected string, received number'],
    [{ idempotent: 'yes' }, 'partnerCenter.idempotent: Invalid input: expected boolean, received string'],
    [{ reconcile: true }, 'partnerCenter.reconcile'],
    ['customer:c1', 'partnerCenter: Invalid input: expected object, received string'],
  ])('%j is refused, naming the path', (options, issue) => {
    expect(issuesOf(options).join('\n')).toContain(issue);
  });

  it.each([
    {},
    { tenant: 'c1' },
    { scope: 'partner-reports', retry: false },
    { idempotent: true, reconcile: false },
    { reconcile: () => null, tenant: undefined },
  ])('%j is accepted as it is (the same object)', (options) => {
    expect(checkedRequestOptions(options)).toBe(options);
  });

  it('a misspelt key is refused even when its value is undefined, as the schema does', () => {
    expect(issuesOf({ tenat: undefined })).toEqual(['partnerCenter.tenat: unknown option']);
    expect(issuesOf({ retry: { maxAttempt: undefined } })).toEqual([
      'partnerCenter.retry.maxAttempt: unknown option',
    ]);
  });

  it('an array is refused like any other non-object', () => {
    expect(issuesOf([])).toEqual(['partnerCenter: Invalid input: expected object, received array']);
  });

  it('an attached instance refuses the call before sending anything', async () => {
    const { instance, hits } = attachScripted([{ status: 200 }]);
    const error = await rejectionOf(
      instance.get('/v1/customers', { partnerCenter: { retry: { maxAttempts: 0 } } }),
    );
    expect(error).toBeInstanceOf(ResilienceOptionsError);
    expect((error as ResilienceOptionsError).issues).toEqual([
      'partnerCenter.retry.maxAttempts: must be at least 1',
    ]);
    expect(hits).toHaveLength(0);
    // A valid request on the same instance still goes.
    await instance.get('/v1/customers', { partnerCenter: { tenant: 'c1' } });
    expect(hits).toHaveLength(1);
  });
});

describe('partnerCenter.retry as an object (maxAttempts, shouldRetry)', () => {
  const shouldRetry = (error: PartnerCenterError, attempt: number): boolean | undefined =>
    error.kind === 'throttled' ? attempt < 3 : undefined;

  it.each([
    { retry: true },
    { retry: {} },
    { retry: { maxAttempts: 1 } },
    { retry: { maxAttempts: 100 } },
    { retry: { shouldRetry } },
    { retry: { maxAttempts: 2, shouldRetry }, tenant: 'c1' },
    { retry: { maxAttempts: undefined, shouldRetry: undefined } },
  ])('%j is accepted as it is (the same object)', (options) => {
    expect(checkedRequestOptions(options)).toBe(options);
  });

  it.each([
    [
      { retry: 'yes' },
      'partnerCenter.retry: must be true, false or an object { maxAttempts?, shouldRetry? }',
    ],
    [{ retry: null }, 'partnerCenter.retry: must be true, false or an object { maxAttempts?, shouldRetry? }'],
    [{ retry: [] }, 'partnerCenter.retry: must be true, false or an object { maxAttempts?, shouldRetry? }'],
    [{ retry: { maxAttempts: 0 } }, 'partnerCenter.retry.maxAttempts: must be at least 1'],
    [{ retry: { maxAttempts: -1 } }, 'partnerCenter.retry.maxAttempts: must be at least 1'],
    [{ retry: { maxAttempts: 1.5 } }, 'partnerCenter.retry.maxAttempts: must be a whole number'],
    [{ retry: { maxAttempts: 101 } }, 'partnerCenter.retry.maxAttempts: must be at most 100'],
    [
      { retry: { maxAttempts: Number.POSITIVE_INFINITY } },
      'partnerCenter.retry.maxAttempts: must be a number',
    ],
    [{ retry: { maxAttempts: Number.NaN } }, 'partnerCenter.retry.maxAttempts: must be a number'],
    [{ retry: { maxAttempts: '2' } }, 'partnerCenter.retry.maxAttempts: must be a number'],
    [{ retry: { shouldRetry: true } }, 'partnerCenter.retry.shouldRetry: must be a function'],
    [{ retry: { maxAttempt: 2 } }, 'partnerCenter.retry.maxAttempt: unknown option'],
    [{ retry: { retries: 3 } }, 'partnerCenter.retry.retries: unknown option'],
  ])('%j is refused with one issue naming its path', (options, issue) => {
    expect(issuesOf(options)).toEqual([issue]);
  });

  it('lists every problem of one request together', () => {
    expect(issuesOf({ retry: { maxAttempts: 0, shouldRetry: 'always', tries: 2 }, tenat: 'c1' })).toEqual([
      'partnerCenter.retry.maxAttempts: must be at least 1',
      'partnerCenter.retry.shouldRetry: must be a function',
      'partnerCenter.retry.tries: unknown option',
      'partnerCenter.tenat: unknown option',
    ]);
  });

  it('type-checks on an axios request config, the predicate typed (error, attempt) => boolean | undefined', () => {
    const options: PartnerCenterRequestOptions = {
      retry: {
        maxAttempts: 2,
        shouldRetry: (error, attempt) => (error.status === 404 ? false : attempt < 2),
      },
    };
    // @ts-expect-error: maxAttempts is a number
    const wrongCount: PartnerCenterRequestOptions = { retry: { maxAttempts: '2' } };
    // @ts-expect-error: a misspelt key is refused at compile time too
    const misspelt: PartnerCenterRequestOptions = { retry: { maxAttempt: 2 } };
    // @ts-expect-error: the predicate returns a boolean or undefined, not a promise
    const asyncPredicate: PartnerCenterRequestOptions = { retry: { shouldRetry: async () => true } };
    expect(checkedRequestOptions(options)).toBe(options);
    expect(issuesOf(wrongCount)).toEqual(['partnerCenter.retry.maxAttempts: must be a number']);
    expect(issuesOf(misspelt)).toEqual(['partnerCenter.retry.maxAttempt: unknown option']);
    // A function is all a run-time check can see: an async predicate passes it (only its type is refused).
    expect(checkedRequestOptions(asyncPredicate)).toBe(asyncPredicate);
  });
});

describe('the quick check of every request', () => {
  it('accepts exactly what the schema accepts (the same object back), and refuses with the schema issues', () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.boolean(),
      fc.constant(null),
      fc.integer({ min: -2, max: 102 }),
      fc.double(),
      fc.string({ maxLength: 3 }),
      fc.constant(() => undefined),
      fc.constant([]),
    );
    const retry = fc.oneof(
      value,
      fc.record({ maxAttempts: value, shouldRetry: value, maxAttempt: value }, { requiredKeys: [] }),
    );
    const options = fc.oneof(
      value,
      fc.record(
        { tenant: value, scope: value, retry, idempotent: value, reconcile: value, tenat: value },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(options, (candidate) => {
        const schemaAccepts = requestOptionsSchema.safeParse(candidate).success;
        let accepted = false;
        try {
          accepted = checkedRequestOptions(candidate) === candidate;
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(ResilienceOptionsError);
          // Refused by the quick check but accepted by the schema would read "invalid request options".
          expect((error as ResilienceOptionsError).issues).not.toEqual([
            'partnerCenter: invalid request options',
          ]);
        }
        expect(accepted).toBe(schemaAccepts);
      }),
      { numRuns: 2000 },
    );
  });
});
