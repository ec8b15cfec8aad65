import { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import { countsAsBreakerFailure, isCutOffBody, surelyNotProcessed } from '../../../src/errors/classify.js';
import { normalizeError } from '../../../src/errors/normalizeError.js';

const REQUEST_ID = '11111111-2222-3333-4444-555555555555';

function config(method: string): InternalAxiosRequestConfig {
  return {
    method,
    url: '/v1/customers',
    baseURL: 'https://api.partnercenter.microsoft.com',
    headers: new AxiosHeaders({ Authorization: 'Bearer secret-token', 'MS-RequestId': REQUEST_ID }),
  };
}

/**
 * A 200 whose body was cut off, as axios's http adapter rejects it (seen over a real loopback socket);
 * `status: null` builds the error without a response.
 */
function cutOff(method: string, code: string, message: string, status: number | null = 200): AxiosError {
  const cfg = config(method);
  const response =
    status === null
      ? undefined
      : {
          status,
          statusText: 'OK',
          headers: { 'content-type': 'application/json', 'ms-cv': 'cv.1', 'ms-serverid': '101' },
          config: cfg,
          data: undefined,
        };
  return new AxiosError(message, code, cfg, {}, response);
}

describe('a 200 whose body is cut off mid-stream', () => {
  it('"stream has been aborted" (ERR_BAD_RESPONSE with the 200 response) is a retryable network fault', () => {
    const error = normalizeError(cutOff('get', 'ERR_BAD_RESPONSE', 'stream has been aborted'));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(200);
    expect(error.reason).toMatch(/response body ended/);
    expect(error.cv).toBe('cv.1');
    expect(error.requestId).toBe(REQUEST_ID);
    expect(surelyNotProcessed(error)).toBe(false);
    expect(countsAsBreakerFailure(error)).toBe(true);
    expect(JSON.stringify(error)).not.toContain('secret-token');
  });

  it('a reset while a gzip body is read (ECONNRESET "aborted" with the 200 response) is the same fault', () => {
    const error = normalizeError(cutOff('post', 'ECONNRESET', 'aborted'), { scope: 'partner', attempts: 1 });
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
    expect(surelyNotProcessed(error)).toBe(false);
    expect(error.method).toBe('POST');
  });

  it('"stream has been aborted" without a response is a network fault too', () => {
    const error = normalizeError(cutOff('get', 'ERR_BAD_RESPONSE', 'stream has been aborted', null));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(surelyNotProcessed(error)).toBe(false);
  });

  it('leaves the other ERR_BAD_RESPONSE failures and error statuses to their own rules', () => {
    const tooLarge = normalizeError(
      cutOff('get', 'ERR_BAD_RESPONSE', 'maxContentLength size of 10 exceeded', null),
    );
    expect(tooLarge.kind).toBe('client');
    expect(tooLarge.retryable).toBe(false);
    const gateway = normalizeError(cutOff('get', 'ERR_BAD_RESPONSE', 'stream has been aborted', 503));
    expect(gateway.kind).toBe('server');
    expect(gateway.status).toBe(503);
    expect(surelyNotProcessed(gateway)).toBe(true);
  });

  it('isCutOffBody reads the signatures and nothing else', () => {
    expect(isCutOffBody('ERR_BAD_RESPONSE', 'stream has been aborted', 200)).toBe(true);
    expect(isCutOffBody('ERR_BAD_RESPONSE', 'stream has been aborted', undefined)).toBe(true);
    expect(isCutOffBody('ECONNRESET', 'aborted', 200)).toBe(true);
    expect(isCutOffBody('Z_BUF_ERROR', 'unexpected end of file', 204)).toBe(true);
    expect(isCutOffBody('ECONNRESET', 'read ECONNRESET', undefined)).toBe(false);
    expect(isCutOffBody('ERR_BAD_RESPONSE', 'stream has been aborted', 500)).toBe(false);
    expect(isCutOffBody('ERR_BAD_RESPONSE', 'Request failed with status code 502', 502)).toBe(false);
    expect(isCutOffBody('ERR_BAD_REQUEST', 'aborted', 200)).toBe(false);
    expect(isCutOffBody(undefined, 'aborted', 200)).toBe(false);
  });
});
