import { describe, expect, it } from 'vitest';
import { createScopeLabeler, OTHER_SCOPE_LABEL } from '../../../src/otel/scopeLabeler.js';

describe('createScopeLabeler()', () => {
  it('maps the first max distinct labels, and every later one to other', () => {
    const label = createScopeLabeler(2, (scope) => scope.toUpperCase());
    expect(label('a')).toBe('A');
    expect(label('b')).toBe('B');
    expect(label('c')).toBe(OTHER_SCOPE_LABEL);
    expect(label('a')).toBe('A');
    expect(label('b')).toBe('B');
  });

  it('caps distinct labels, not scopes: scopes sharing a label share its place', () => {
    const label = createScopeLabeler(1, (scope) => scope.split(':')[0] ?? scope);
    expect(label('customer:1')).toBe('customer');
    expect(label('customer:2')).toBe('customer');
    expect(label('partner')).toBe(OTHER_SCOPE_LABEL);
  });

  it('gives other when the map throws, without taking a place', () => {
    const label = createScopeLabeler(1, (scope) => {
      if (scope === 'bad') throw new Error('no');
      return scope;
    });
    expect(label('bad')).toBe(OTHER_SCOPE_LABEL);
    expect(label('good')).toBe('good');
  });

  it('with max 0, every scope is other', () => {
    expect(createScopeLabeler(0, (scope) => scope)('partner')).toBe(OTHER_SCOPE_LABEL);
  });
});
