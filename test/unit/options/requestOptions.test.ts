import { describe, expect, it } from 'vitest';
import { ResilienceOptionsError } from '../../../src/index.js';
import { checkedRequestOptions } from '../../../src/options/requestOptions.js';
import { attachScripted } from '../../helpers/attachScripted.js';
import { rejectionOf } from '../../helpers/loopbackServer.js';

// Issue 29 item 11: per-request options get the same schema and errors as attach options.

describe("a request's partnerCenter options", () => {
  it.each([
    [
      { retry: { maxRetryAfterMs: 100 } },
      'partnerCenter.retry: Invalid input: expected boolean, received object',
    ],
    [{ tenat: 'c1' }, 'partnerCenter.tenat: unknown option'],
    [{ tenant: 42 }, 'partnerCenter.tenant: Invalid input: expected string, received number'],
    [{ idempotent: 'yes' }, 'partnerCenter.idempotent: Invalid input: expected boolean, received string'],
    [{ reconcile: true }, 'partnerCenter.reconcile'],
    ['customer:c1', 'partnerCenter: Invalid input: expected object, received string'],
  ])('%j is refused, naming the path', (options, issue) => {
    let thrown: unknown;
    try {
      checkedRequestOptions(options);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ResilienceOptionsError);
    expect((thrown as ResilienceOptionsError).issues.join('\n')).toContain(issue);
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

  it('an attached instance refuses the call before sending anything', async () => {
    const { instance, hits } = attachScripted([{ status: 200 }]);
    const error = await rejectionOf(
      instance.get('/v1/customers', { partnerCenter: { retry: { maxAttempts: 2 } } as never }),
    );
    expect(error).toBeInstanceOf(ResilienceOptionsError);
    expect((error as ResilienceOptionsError).issues).toEqual([
      'partnerCenter.retry: Invalid input: expected boolean, received object',
    ]);
    expect(hits).toHaveLength(0);
    // A valid request on the same instance still goes.
    await instance.get('/v1/customers', { partnerCenter: { tenant: 'c1' } });
    expect(hits).toHaveLength(1);
  });
});
