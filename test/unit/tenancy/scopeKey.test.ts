import { describe, expect, it } from 'vitest';
import { customerScope, defaultScopeOf, fnv1a64, tenantScopeKey } from '../../../src/tenancy/scopeKey.js';
import { createDefaultScopeOf } from '../../../src/tenancy/scopes.js';

const SINGLE_LINE = /^[^\p{Cc}\u2028\u2029]*$/u;

describe('scope keys are bounded and single-line (issue 12)', () => {
  const long = 'a'.repeat(100_000);
  const hostile: Array<[string, string]> = [
    ['100 KB id', `/v1/customers/${long}/orders`],
    ['100 KB of unicode', `/v1/customers/${encodeURIComponent('\u{1F600}'.repeat(50_000))}/orders`],
    ['CR/LF', '/v1/customers/a%0d%0ax-injected:%201/orders'],
    ['a NUL', '/v1/customers/a%00b'],
    ['a line separator', '/v1/customers/a%E2%80%A8b'],
    ['..', '/v1/customers/../../admin'],
    ['.', '/v1/customers/./orders'],
    ['%2e%2e', '/v1/customers/%2e%2e/orders'],
  ];

  it.each(hostile)('%s', (_name, path) => {
    const scope = defaultScopeOf(path, 'partner');
    expect(scope.length).toBeLessThanOrEqual(73);
    expect(scope).toMatch(SINGLE_LINE);
    expect(scope).not.toBe('customer:..');
    expect(scope).not.toBe('customer:.');
  });

  it('ids that are not tenants fall back to the partner scope, and say so once per path', () => {
    let rejected = 0;
    const scopeOf = createDefaultScopeOf('partner', () => rejected++);
    expect(scopeOf('/v1/customers/a%0d%0ax-injected:%201/orders')).toBe('partner');
    expect(scopeOf('/v1/customers/../../admin')).toBe('partner');
    expect(scopeOf('/v1/customers/../../admin')).toBe('partner');
    expect(rejected).toBe(2);
  });

  it('a long id keeps a prefix and gets a fixed-length hash; different ids get different keys', () => {
    const a = tenantScopeKey(`${long}a`);
    const b = tenantScopeKey(`${long}b`);
    expect(a).toMatch(/^customer:a{32}~[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    expect(fnv1a64('x')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('unicode ids and GUIDs are kept as they are (lower-cased)', () => {
    expect(defaultScopeOf('/v1/customers/Caf%C3%A9/orders', 'partner')).toBe('customer:café');
    const guid = '4C1F0000-0000-0000-0000-000000000001';
    expect(customerScope(guid)).toBe(`customer:${guid.toLowerCase()}`);
  });

  it('customerScope() always answers one bounded line', () => {
    expect(customerScope('a\r\nx')).toBe('customer:a%0D%0Ax');
    expect(customerScope(long).length).toBeLessThanOrEqual(73);
  });

  it('the memo never keeps very long paths', () => {
    const scopeOf = createDefaultScopeOf('partner');
    for (let i = 0; i < 50; i++) expect(scopeOf(`/v1/customers/${long}${i}`)).toMatch(/^customer:a{32}~/);
  });
});
