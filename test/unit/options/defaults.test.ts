import { describe, expect, it } from 'vitest';
import { OPTION_DEFAULTS } from '../../../src/options/defaults.js';
import { everyObjectFrozen } from '../../helpers/optionIssues.js';

describe('the defaults table', () => {
  it('is deep-frozen', () => {
    expect(everyObjectFrozen(OPTION_DEFAULTS)).toEqual([]);
    expect(() => {
      (OPTION_DEFAULTS.token as { maxEntries: number }).maxEntries = 1;
    }).toThrow(TypeError);
  });

  it('holds the documented token defaults', () => {
    expect(OPTION_DEFAULTS.token).toEqual({
      scopes: ['https://api.partnercenter.microsoft.com/.default'],
      refreshWindowMs: 120_000,
      blockingWindowMs: 30_000,
      refreshRetryIntervalMs: 5_000,
      maxEntries: 10_000,
    });
    expect(OPTION_DEFAULTS.tenants).toEqual({
      partnerScope: 'partner',
      maxScopes: 10_000,
      idleEvictionMs: 600_000,
    });
    expect(OPTION_DEFAULTS.storeTimeoutMs).toBe(1_000);
  });
});
