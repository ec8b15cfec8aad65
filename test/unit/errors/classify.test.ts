import { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  classifyStatus,
  countsAsBreakerFailure,
  createErrorCodeTable,
  DEFAULT_ERROR_CODES,
  isCutOffBody,
  lookupErrorCode,
  surelyNotProcessed,
} from '../../../src/errors/classify.js';
import { errorFromResponse } from '../../../src/errors/errorFromResponse.js';
import { normalizeError } from '../../../src/errors/normalizeError.js';
import { axiosLikeError } from './helpers.js';

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

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function respond(status: number, data: unknown, headers: Record<string, string> = JSON_HEADERS) {
  return normalizeError(axiosLikeError({ status, data, headers }));
}

describe('status classification', () => {
  it('maps every documented status', () => {
    const table: Array<[number, string, boolean]> = [
      [400, 'client', false],
      [401, 'unauthorized', false],
      [403, 'forbidden', false],
      [404, 'not-found', false],
      [405, 'client', false],
      [406, 'client', false],
      [408, 'timeout', true],
      [409, 'conflict', false],
      [412, 'conflict', false],
      [429, 'throttled', true],
      [500, 'server', false],
      [501, 'server', false],
      [502, 'server', true],
      [503, 'server', true],
      [504, 'server', true],
    ];
    for (const [status, kind, retryable] of table) {
      expect(classifyStatus(status), String(status)).toEqual({ kind, retryable });
      const error = respond(status, undefined, {});
      expect(error.kind).toBe(kind);
      expect(error.retryable).toBe(retryable);
    }
  });

  it('classifies out-of-range statuses without throwing', () => {
    expect(classifyStatus(0)).toEqual({ kind: 'client', retryable: false });
    expect(classifyStatus(-1)).toEqual({ kind: 'client', retryable: false });
    expect(classifyStatus(999)).toEqual({ kind: 'server', retryable: false });
    expect(errorFromResponse({ status: Number.NaN }).status).toBe(0);
    expect(errorFromResponse({ status: 1.5 }).status).toBe(0);
  });
});

describe('error code table', () => {
  it('classes the documented codes', () => {
    for (const code of ['800064', '800082', '900130', '900135', '900101', '900104', '900109', '900113']) {
      expect(lookupErrorCode(DEFAULT_ERROR_CODES, code)?.class, code).toBe('transient');
      expect(respond(400, { code: Number(code) }).retryable, code).toBe(true);
    }
  });

  it('900421 fails with a reason about multi-factor authentication', () => {
    const error = respond(401, { code: 900421, description: 'MFA required' });
    expect(error.kind).toBe('unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.codeClass).toBe('mfa-required');
    expect(error.reason).toMatch(/multi-factor authentication/i);
    const forbidden = respond(403, { code: '900421' });
    expect(forbidden.reason).toMatch(/multi-factor authentication/i);
  });

  it('800060 (order in progress) is not retryable and asks to reconcile', () => {
    const error = respond(409, { code: 800060, description: 'Order in progress' });
    expect(error.retryable).toBe(false);
    expect(error.codeClass).toBe('reconcile');
    expect(error.reason).toMatch(/reconcile/);
    expect(respond(503, { code: 800060 }).retryable).toBe(false);
  });

  it('2055 and 400019 ask for a fresh GET', () => {
    for (const code of [2055, 400019]) {
      const error = respond(412, { code, description: 'stale' });
      expect(error.codeClass).toBe('refetch');
      expect(error.retryable).toBe(false);
      expect(error.reason).toMatch(/GET/);
    }
  });

  it('a permanent code keeps the status decision', () => {
    expect(respond(503, { code: 2000 }).retryable).toBe(true);
    expect(respond(400, { code: 2000 }).retryable).toBe(false);
  });

  it('unknown codes keep the status decision and have no codeClass', () => {
    const error = respond(409, { code: 123456 });
    expect(error.codeClass).toBeUndefined();
    expect(error.retryable).toBe(false);
  });

  it('createErrorCodeTable lets a user mark a code transient or override a default', () => {
    const codes = createErrorCodeTable(
      { '123456': { meaning: 'Our tenant is warming up.', class: 'transient' } },
      { '800064': { meaning: 'We never retry this one.', class: 'permanent' } },
      { '2000': { meaning: 'Retry, we fix the tenant id upstream.', class: 'transient' } },
    );
    const custom = normalizeError(axiosLikeError({ status: 409, data: { code: 123456 } }), { codes });
    expect(custom.retryable).toBe(true);
    expect(custom.codeClass).toBe('transient');
    const overridden = normalizeError(axiosLikeError({ status: 409, data: { code: 800064 } }), { codes });
    expect(overridden.retryable).toBe(false);
    expect(overridden.codeClass).toBe('permanent');
    expect(overridden.reason).toBe('We never retry this one.');
    expect(normalizeError(axiosLikeError({ status: 400, data: { code: 2000 } }), { codes }).retryable).toBe(
      true,
    );
    // The defaults are untouched.
    expect(DEFAULT_ERROR_CODES['800064']?.class).toBe('transient');
    expect(Object.isFrozen(DEFAULT_ERROR_CODES)).toBe(true);
    expect(Object.isFrozen(codes)).toBe(true);
    expect(codes['900421']?.class).toBe('mfa-required');
  });

  it('a later override wins over an earlier one', () => {
    const codes = createErrorCodeTable(
      { '42': { meaning: 'first', class: 'permanent' } },
      { '42': { meaning: 'second', class: 'transient' } },
    );
    expect(codes['42']).toEqual({ meaning: 'second', class: 'transient' });
  });

  it('looks codes up as own keys only', () => {
    expect(lookupErrorCode(DEFAULT_ERROR_CODES, 'toString')).toBeUndefined();
    expect(lookupErrorCode(DEFAULT_ERROR_CODES, '__proto__')).toBeUndefined();
    expect(lookupErrorCode(DEFAULT_ERROR_CODES, undefined)).toBeUndefined();
    expect(respond(400, { code: 'constructor' }).codeClass).toBeUndefined();
  });
});
