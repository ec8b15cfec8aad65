import { describe, expect, it } from 'vitest';
import {
  errorTypeOf,
  methodAttributes,
  serverAttributes,
  spanNameOf,
} from '../../../src/otel/httpAttributes.js';

describe('methodAttributes() and spanNameOf()', () => {
  it('upper-case a known method', () => {
    expect(methodAttributes('patch')).toEqual({ 'http.request.method': 'PATCH' });
    expect(spanNameOf('patch')).toBe('PATCH');
  });

  it('report an unknown method as _OTHER with the original, and name its span HTTP', () => {
    expect(methodAttributes('Purge')).toEqual({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'Purge',
    });
    expect(spanNameOf('Purge')).toBe('HTTP');
  });
});

describe('serverAttributes()', () => {
  it.each([
    [
      'https://api.partnercenter.microsoft.com/v1',
      { 'server.address': 'api.partnercenter.microsoft.com', 'server.port': 443 },
    ],
    ['http://localhost/v1', { 'server.address': 'localhost', 'server.port': 80 }],
    ['https://[::1]:8443/v1', { 'server.address': '::1', 'server.port': 8443 }],
    ['redis://cache', { 'server.address': 'cache' }],
    ['/v1/customers', {}],
    ['', {}],
  ])('%s', (url, expected) => {
    expect(serverAttributes(url)).toEqual(expected);
  });
});

describe('errorTypeOf()', () => {
  it('is the status when an answer of 400 or more ended the call, else the kind', () => {
    expect(errorTypeOf('server', 503)).toBe('503');
    expect(errorTypeOf('client', 400)).toBe('400');
    expect(errorTypeOf('network', undefined)).toBe('network');
    expect(errorTypeOf('timeout', 399)).toBe('timeout');
  });

  it('is circuit-open for a call the breaker ended, whatever status it carries', () => {
    expect(errorTypeOf('circuit-open', 503)).toBe('circuit-open');
  });
});
