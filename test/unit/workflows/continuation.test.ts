import type { AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  defaultOperationState,
  isPaginationError,
  PaginationError,
  PartnerCenterError,
} from '../../../src/index.js';
import {
  continuationKey,
  readNextLink,
  resolvePageUri,
  versionRoot,
  withPageSize,
} from '../../../src/workflows/continuation.js';

describe('resolvePageUri (as the .NET SDK resolves links.next.uri)', () => {
  it.each([
    [
      '/v1/customers?size=100',
      '/customers?size=100&seekOperation=Next',
      '/v1/customers?size=100&seekOperation=Next',
    ],
    ['/v1/customers', 'customers?seekOperation=Next', '/v1/customers?seekOperation=Next'],
    ['/v1.0/customers', '/customers?seek_operation=next', '/v1.0/customers?seek_operation=next'],
    ['/v1/customers', '/v1/customers?seekOperation=Next', '/v1/customers?seekOperation=Next'],
    ['/V1/customers', '/v1/customers?x', '/v1/customers?x'],
    ['/v1/customers', 'https://api.example/v1/c?x', 'https://api.example/v1/c?x'],
    [
      'https://api.partnercenter.microsoft.com/v1/customers',
      '/customers?seekOperation=Next',
      'https://api.partnercenter.microsoft.com/v1/customers?seekOperation=Next',
    ],
    // no version segment in the URL (the baseURL holds it): the path stays relative to the baseURL
    ['/customers?size=10', '/customers?seekOperation=Next', '/customers?seekOperation=Next'],
    ['customers', 'customers?seekOperation=Next', '/customers?seekOperation=Next'],
  ])('%s + %s -> %s', (first, uri, expected) => {
    expect(resolvePageUri(uri, versionRoot(first))).toBe(expected);
  });

  it('gives a protocol-relative uri the scheme of the page that listed it (never the version prefix)', () => {
    const root = versionRoot('/customers');
    expect(resolvePageUri('//h/v1/c?x', root, 'https://h/v1/customers')).toBe('https://h/v1/c?x');
    expect(resolvePageUri('//h/v1/c?x', versionRoot('/v1/customers'), 'http://h/v1/c')).toBe(
      'http://h/v1/c?x',
    );
    // unknown page URL: left as it is (the origin check refuses it)
    expect(resolvePageUri('//h/v1/c?x', root)).toBe('//h/v1/c?x');
  });

  it('reads the version segment and origin of the first URL', () => {
    expect(versionRoot('/v1/customers')).toEqual({ origin: '', segment: 'v1' });
    expect(versionRoot('https://h:8443/v2.1/x?y')).toEqual({ origin: 'https://h:8443', segment: 'v2.1' });
    expect(versionRoot('/customers/v1')).toEqual({ origin: '', segment: undefined });
  });
});

describe('withPageSize', () => {
  it.each([
    ['/v1/customers', '/v1/customers?size=5'],
    ['/v1/customers?size=100', '/v1/customers?size=5'],
    ['/v1/customers?a=1&SIZE=2&b=2#frag', '/v1/customers?a=1&b=2&size=5'],
    ['/v1/customers?', '/v1/customers?size=5'],
  ])('%s -> %s', (url, expected) => {
    expect(withPageSize(url, 5)).toBe(expected);
  });
});

describe('readNextLink', () => {
  const root = versionRoot('/v1/customers');
  it('gives undefined on the last page and a frozen plain continuation otherwise', () => {
    expect(readNextLink(undefined, root, undefined)).toBeUndefined();
    expect(readNextLink({ self: { uri: '/customers' } }, root, undefined)).toBeUndefined();
    expect(readNextLink({ next: null }, root, undefined)).toBeUndefined();
    const next = readNextLink(
      { next: { uri: '/customers?seekOperation=Next', method: 'get', headers: [{ key: 'A', value: '1' }] } },
      root,
      undefined,
    );
    expect(next).toEqual({ uri: '/v1/customers?seekOperation=Next', method: 'GET', headers: { A: '1' } });
    expect(Object.isFrozen(next)).toBe(true);
  });

  it('keys continuations by uri and headers, whatever the header case and order', () => {
    const a = { uri: '/v1/c', method: 'GET', headers: { A: '1', b: '2' } };
    const b = { uri: '/v1/c', method: 'GET', headers: { B: '2', a: '1' } };
    expect(continuationKey(a)).toBe(continuationKey(b));
    expect(continuationKey(a)).not.toBe(continuationKey({ ...a, headers: { A: '2', b: '2' } }));
  });
});

describe('PaginationError', () => {
  const position = {
    pageIndex: 3,
    resumeFrom: { uri: '/v1/c', method: 'GET', headers: { 'MS-ContinuationToken': 'secret-ish' } },
    continuation: undefined,
  };
  it('is a PartnerCenterError that keeps its position through with(), and prints no token', () => {
    const error = new PaginationError({ kind: 'client', retryable: false, reason: 'bad page' }, position);
    expect(PartnerCenterError.is(error)).toBe(true);
    expect(isPaginationError(error)).toBe(true);
    expect(isPaginationError(new PartnerCenterError({ kind: 'client', retryable: false }))).toBe(false);
    const copy = error.with({ attempts: 2 });
    expect(copy).toBeInstanceOf(PaginationError);
    expect(copy.pageIndex).toBe(3);
    expect(copy.resumeFrom).toBe(position.resumeFrom);
    expect(copy.attempts).toBe(2);
    expect(JSON.stringify(error)).toContain('"pageIndex":3');
    expect(JSON.stringify(error)).not.toContain('secret-ish');
  });
});

describe('defaultOperationState', () => {
  const answer = (status: number, data: unknown) => ({ status, data }) as AxiosResponse;
  it.each([
    [202, '', 'running'],
    [202, { status: 'succeeded' }, 'running'],
    [200, { status: 'NotStarted' }, 'running'],
    [200, { status: 'In Progress' }, 'running'],
    [200, { status: 'registering' }, 'running'],
    [200, { status: 'Accepted' }, 'running'],
    [200, { status: 'pending' }, 'running'],
    [201, { status: 'Failed' }, 'failed'],
    [200, { status: 'canceled' }, 'failed'],
    [200, { status: 'registered' }, 'done'],
    [200, { status: 3 }, 'done'],
    [204, '', 'done'],
    [200, ['running'], 'done'],
  ])('%s %j -> %s', (status, data, expected) => {
    expect(defaultOperationState(answer(status, data))).toBe(expected);
  });
});
