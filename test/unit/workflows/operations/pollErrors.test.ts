import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import { createSanitizer } from '../../../../src/observability/sanitizer.js';
import {
  foreignLocationError,
  nothingToPollError,
  operationFailedError,
  pollCancelledError,
  pollTimeoutError,
  unexpectedAnswerError,
} from '../../../../src/workflows/operations/pollErrors.js';

const HOST = 'https://api.partnercenter.microsoft.com';
const SECRET = 'k-7f3a9c1e5b2d4f60';

function answer(status: number, data: unknown, headers: Record<string, string> = {}): AxiosResponse {
  const config = {
    url: '/v1/operations/1',
    baseURL: HOST,
    headers: {},
  } as unknown as InternalAxiosRequestConfig;
  return { status, statusText: '', headers, data, config };
}

describe('the errors pollOperation builds', () => {
  it('operation-failed: quotes the status, or says classify decided; never retryable', () => {
    const failed = operationFailedError(
      answer(200, { status: 'Failed', error: { code: 'E1', message: 'no' } }),
    );
    expect(failed).toMatchObject({
      kind: 'operation-failed',
      retryable: false,
      status: 200,
      code: 'E1',
      description: 'no',
      reason: 'the operation reported status "Failed"',
    });
    expect(operationFailedError(answer(200, {})).reason).toBe('the operation failed (classify)');
  });

  it('a non-2xx answer let through: classified by its status', () => {
    expect(unexpectedAnswerError(answer(404, { code: 404, description: 'gone' }))).toMatchObject({
      kind: 'not-found',
      description: 'gone',
    });
  });

  it('no Location: client, naming the status', () => {
    expect(nothingToPollError(answer(202, ''))).toMatchObject({
      kind: 'client',
      retryable: false,
      reason: 'the 202 response has no Location header: there is no operation status to poll',
    });
  });

  it('timeout and cancelled: a GET of the status URL, with the Retry-After that was asked', () => {
    const target = { url: `${HOST}/v1/operations/1`, status: 202, sanitizer: createSanitizer() };
    const timeout = pollTimeoutError(target, 'too long', { ms: 90_000, source: 'retry-after' });
    expect(timeout).toMatchObject({
      kind: 'timeout',
      retryable: false,
      retryAfterMs: 90_000,
      retryAfterSource: 'retry-after',
      status: 202,
      method: 'GET',
      url: target.url,
      reason: 'too long',
    });
    expect(pollCancelledError(target)).toMatchObject({ kind: 'cancelled', status: 202, url: target.url });
  });

  it("a foreign Location: client; scrubbed by the target's sanitizer, with or without the answer", () => {
    const sanitizer = createSanitizer({ secrets: [SECRET] });
    const target = { url: `https://evil.example/${SECRET}`, status: undefined, sanitizer };
    const saved = foreignLocationError(
      undefined,
      `the Location points to https://evil.example/${SECRET}`,
      target,
    );
    expect(saved).toMatchObject({ kind: 'client', retryable: false, method: 'GET' });
    expect(JSON.stringify(saved)).not.toContain(SECRET);
    expect(saved.url).toMatch(/^https:\/\/evil\.example\//);
    const named = foreignLocationError(answer(202, ''), `the Location names ${SECRET}`, target);
    expect(named).toMatchObject({ kind: 'client', status: 202 });
    expect(`${named.message} ${JSON.stringify(named)}`).not.toContain(SECRET);
  });
});
