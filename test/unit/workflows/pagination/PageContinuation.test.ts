import { describe, expect, it } from 'vitest';
import {
  continuationKey,
  LOOP_GUARD_PAGES,
  LoopGuard,
  readNextLink,
  resolvePageUri,
  versionRoot,
  withPageSize,
} from '../../../../src/workflows/pagination/PageContinuation.js';

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

const page = (token: string) => ({ uri: '/v1/c?seekOperation=Next', method: 'GET', headers: { T: token } });

describe('LoopGuard', () => {
  it('knows every continuation requested, by uri and headers (any header case)', () => {
    const guard = new LoopGuard();
    guard.requested(0, { uri: '/v1/c', method: 'GET', headers: {} });
    guard.requested(1, page('a'));
    guard.requested(2, page('b'));
    expect(guard.requestedBefore({ uri: '/v1/c', method: 'GET', headers: {} })).toBe(0);
    expect(guard.requestedBefore({ ...page('a'), headers: { t: 'a' } })).toBe(1);
    expect(guard.requestedBefore(page('b'))).toBe(2);
    expect(guard.requestedBefore(page('c'))).toBeUndefined();
  });

  it('remembers the last limit requests only: memory stays bounded', () => {
    const guard = new LoopGuard(3);
    for (let i = 0; i < 5; i++) guard.requested(i, page(String(i)));
    expect([0, 1, 2, 3, 4].map((i) => guard.requestedBefore(page(String(i))))).toEqual([
      undefined,
      undefined,
      2,
      3,
      4,
    ]);
    expect(LOOP_GUARD_PAGES).toBe(1_000);
  });
});
