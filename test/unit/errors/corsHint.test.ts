import { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CORS_HINT, normalizeError } from '../../../src/errors/normalizeError.js';

// In a browser, axios reports a CORS block as ERR_NETWORK with no response, exactly as a lost connection:
// the reason says so there (the real browser test, test/browser/, sees it in Chromium).

function networkError(code: string): AxiosError {
  const config: InternalAxiosRequestConfig = {
    method: 'get',
    url: '/v1/customers',
    baseURL: 'https://api.partnercenter.microsoft.com',
    headers: new AxiosHeaders({ 'MS-RequestId': 'req-1' }),
  };
  return new AxiosError('Network Error', code, config, {}, undefined);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the CORS hint on a network fault without a response', () => {
  it('names a CORS block for ERR_NETWORK in a browser page (still a retryable network fault)', () => {
    vi.stubGlobal('document', {});
    const error = normalizeError(networkError('ERR_NETWORK'));
    expect(error.kind).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.reason).toBe(`network fault ERR_NETWORK: ${CORS_HINT}`);
    expect(CORS_HINT).toMatch(/lost connection, or a CORS block .*origin.*Authorization and MS-\* headers/);
  });

  it('names it in a worker too (no document, importScripts)', () => {
    vi.stubGlobal('importScripts', () => undefined);
    expect(normalizeError(networkError('ERR_NETWORK')).reason).toContain('CORS block');
  });

  it('stays a plain network fault in Node, and for other codes in a browser', () => {
    expect(normalizeError(networkError('ERR_NETWORK')).reason).toBe('network fault ERR_NETWORK');
    vi.stubGlobal('document', {});
    expect(normalizeError(networkError('ECONNRESET')).reason).toBe('network fault ECONNRESET');
  });
});
