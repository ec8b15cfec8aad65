import { describe, expect, it } from 'vitest';
import { issuesOf } from '../../helpers/optionIssues.js';

describe('token options', () => {
  it('an invalid token window names token.blockingWindowMs', () => {
    expect(issuesOf({ token: { blockingWindowMs: -1 } })).toEqual([
      'token.blockingWindowMs: must be at least 0 ms',
    ]);
    expect(issuesOf({ token: { blockingWindowMs: 'soon' } })).toEqual([
      'token.blockingWindowMs: must be a number of milliseconds',
    ]);
  });

  it('the blocking window must sit inside the refresh window (defaults included)', () => {
    expect(issuesOf({ token: { blockingWindowMs: 200_000 } })).toEqual([
      'token.blockingWindowMs (200000) must not exceed token.refreshWindowMs (120000)',
    ]);
  });

  it('unknown token keys, empty scopes and a non-function scopeOf are named', () => {
    expect(issuesOf({ token: { refreshWindow: 1, scopes: [], scopeOf: 'partner' } })).toEqual([
      expect.stringMatching(/^token\.scopes: /),
      'token.scopeOf: must be a function',
      'token.refreshWindow: unknown option',
    ]);
  });
});
