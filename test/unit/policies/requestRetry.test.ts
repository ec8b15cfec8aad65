import { describe, expect, it, vi } from 'vitest';
import type { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import type { PartnerCenterRequestOptions } from '../../../src/options/requestOptions.js';
import { checkedRequestOptions } from '../../../src/options/requestOptions.js';
import { attachScripted, useFakeClock } from '../../helpers/attachScripted.js';
import { settle } from '../../helpers/settle.js';

useFakeClock();

/** A request's retry overrides (`partnerCenter.retry` given as an object). */
interface RetryOverrides {
  readonly maxAttempts?: number;
  readonly shouldRetry?: (error: PartnerCenterError, attempt: number) => boolean | undefined;
}

/** The request options carrying `retry` as an object (typed through `unknown` until the options type has it). */
function withRetry(retry: RetryOverrides): { partnerCenter: PartnerCenterRequestOptions } {
  return { partnerCenter: { retry } as unknown as PartnerCenterRequestOptions };
}

/** True once the request options accept `partnerCenter.retry` as an object. */
function objectFormAccepted(): boolean {
  try {
    checkedRequestOptions({ retry: { maxAttempts: 2 } });
    return true;
  } catch {
    return false;
  }
}

const UNAVAILABLE = { status: 503, data: { code: 3000, description: 'Service unavailable' } };
const BAD_REQUEST = { status: 400, data: { code: 600, description: 'Bad request' } };
const OK = { status: 200, data: { items: [] } };

/** Scope retries allow 4 attempts; breakers never open on these few failures. */
const OPTIONS = { retry: { maxAttempts: 4 } };

describe.runIf(objectFormAccepted())('per-request retry overrides (partnerCenter.retry as an object)', () => {
  it('maxAttempts 2 sends 2 attempts on 503s where the scope allows 4', async () => {
    const own = attachScripted([UNAVAILABLE], OPTIONS);
    const { error } = await settle(own.instance.get('/v1/customers', withRetry({ maxAttempts: 2 })));
    expect(own.hits).toHaveLength(2);
    expect(error?.status).toBe(503);
    expect(error?.attempts).toBe(2);

    const scope = attachScripted([UNAVAILABLE], OPTIONS);
    await settle(scope.instance.get('/v1/customers'));
    expect(scope.hits).toHaveLength(4);
  });

  it('shouldRetry returning false stops after 1 attempt, with retryable false', async () => {
    const { instance, hits } = attachScripted([UNAVAILABLE, OK], OPTIONS);
    const { error } = await settle(instance.get('/v1/customers', withRetry({ shouldRetry: () => false })));
    expect(hits).toHaveLength(1);
    expect(error?.status).toBe(503);
    expect(error?.retryable).toBe(false);
    expect(error?.reason).toBe('partnerCenter.retry.shouldRetry chose not to retry');
  });

  it('shouldRetry returning true retries a 400 the library would not', async () => {
    const own = attachScripted([BAD_REQUEST, OK], OPTIONS);
    const { value, error } = await settle(
      own.instance.get('/v1/customers', withRetry({ shouldRetry: () => true })),
    );
    expect(error).toBeUndefined();
    expect(value?.status).toBe(200);
    expect(own.hits).toHaveLength(2);

    const library = attachScripted([BAD_REQUEST, OK], OPTIONS);
    const plain = await settle(library.instance.get('/v1/customers'));
    expect(plain.error?.status).toBe(400);
    expect(library.hits).toHaveLength(1);
  });

  it('shouldRetry returning true stops at maxAttempts all the same', async () => {
    const { instance, hits } = attachScripted([BAD_REQUEST], OPTIONS);
    const { error } = await settle(instance.get('/v1/customers', withRetry({ shouldRetry: () => true })));
    expect(error?.status).toBe(400);
    expect(hits).toHaveLength(4);
  });

  it("shouldRetry returning undefined leaves the library's decision (a 503 retried, a 400 not)", async () => {
    const decide = () => undefined;
    const retried = attachScripted([UNAVAILABLE, UNAVAILABLE, OK], OPTIONS);
    const { value } = await settle(retried.instance.get('/v1/customers', withRetry({ shouldRetry: decide })));
    expect(value?.status).toBe(200);
    expect(retried.hits).toHaveLength(3);

    const stopped = attachScripted([BAD_REQUEST, OK], OPTIONS);
    const { error } = await settle(stopped.instance.get('/v1/customers', withRetry({ shouldRetry: decide })));
    expect(error?.status).toBe(400);
    expect(error?.reason).not.toBe('partnerCenter.retry.shouldRetry chose not to retry');
    expect(stopped.hits).toHaveLength(1);
  });

  it('never makes an unsafe POST whose outcome is unknown (502) retry', async () => {
    const shouldRetry = vi.fn(() => true);
    const { instance, hits } = attachScripted([{ status: 502 }, OK], OPTIONS);
    const { error } = await settle(instance.post('/v1/customers', { name: 'x' }, withRetry({ shouldRetry })));
    expect(hits).toHaveLength(1);
    expect(error?.status).toBe(502);
    expect(error?.outcomeUnknown).toBe(true);
  });

  it('is called once per failed attempt, with the error and the attempt number', async () => {
    const seen: Array<[number | undefined, number]> = [];
    const shouldRetry = vi.fn((error: PartnerCenterError, attempt: number) => {
      seen.push([error.status, attempt]);
      return undefined;
    });
    const { instance, hits } = attachScripted([UNAVAILABLE, { status: 504 }, OK], OPTIONS);
    const { value, error } = await settle(instance.get('/v1/customers', withRetry({ shouldRetry })));
    expect(error).toBeUndefined();
    expect(value?.status).toBe(200);
    expect(hits).toHaveLength(3);
    expect(seen).toEqual([
      [503, 1],
      [504, 2],
    ]);
    expect(shouldRetry).toHaveBeenCalledTimes(2);
  });
});
