import axios, { type AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import { attachResilience, type ResilienceOptions, ResilienceOptionsError } from '../../../src/index.js';
import { MAX_TIMER_MS } from '../../../src/options/rules.js';

/*
 * Issue 29: `rateLimit` and `partnerRetryBudget` are checked at attach time like every other option: a
 * misspelt key or a bad value is refused with a ResilienceOptionsError naming its path, and the instance is
 * left as it was (not attached). test/unit/policies/rateLimit.engine.test.ts already covers
 * rateLimit.rules.0.scope, rateLimit.maxWaitMs: -1 and rateLimit.adaptive.beta: 1.5; this file covers the rest.
 */

/** The issue lines of the ResilienceOptionsError that attaching with `options` throws. */
function issuesAtAttach(options: unknown, instance: AxiosInstance = axios.create()): readonly string[] {
  let thrown: unknown;
  try {
    attachResilience(instance, options as ResilienceOptions);
  } catch (error: unknown) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ResilienceOptionsError);
  return (thrown as ResilienceOptionsError).issues;
}

describe('misspelt keys under rateLimit and partnerRetryBudget are refused at attach time', () => {
  it.each([
    ['rateLimit', { rateLimit: { maxWaitMS: 5 } }, 'maxWaitMS'],
    ['rateLimit', { rateLimit: { fairnes: true } }, 'fairnes'],
    ['rateLimit.adaptive', { rateLimit: { adaptive: { bta: 0.5 } } }, 'bta'],
    ['rateLimit.rules.0', { rateLimit: { rules: [{ scope: 'customer', perMinute: 5, brust: 2 }] } }, 'brust'],
    [
      'rateLimit.rules.0.match',
      { rateLimit: { rules: [{ scope: 'customer', perMinute: 5, match: { pth: '/v1/x' } }] } },
      'pth',
    ],
    ['partnerRetryBudget', { partnerRetryBudget: { maxToken: 5 } }, 'maxToken'],
    ['partnerRetryBudget', { partnerRetryBudget: { precent: 10 } }, 'precent'],
  ])('under %s: %j', (path, options, key) => {
    const issues = issuesAtAttach(options);
    expect(issues).toHaveLength(1);
    // The line names where the key is and the key itself.
    expect(issues[0]).toMatch(new RegExp(`^${path.replaceAll('.', '\\.')}[.:]`));
    expect(issues[0]).toContain(key);
  });

  // Under rateLimit and partnerRetryBudget the `falseOr` wrapper of src/options/schema.ts re-adds zod's issues
  // as its own: it must keep a misspelt key at its own path, in the library's words.
  it('are reported at their own path as "unknown option", as every other misspelt key is', () => {
    expect(issuesAtAttach({ retry: { maxAtempts: 3 } })).toEqual(['retry.maxAtempts: unknown option']);
    expect(issuesAtAttach({ rateLimit: { maxWaitMS: 5 } })).toEqual(['rateLimit.maxWaitMS: unknown option']);
    expect(issuesAtAttach({ partnerRetryBudget: { maxToken: 5 } })).toEqual([
      'partnerRetryBudget.maxToken: unknown option',
    ]);
  });
});

describe('bad values of rateLimit and partnerRetryBudget are refused at attach time, each with its path', () => {
  it.each([
    ['rateLimit', { rateLimit: true }],
    ['rateLimit', { rateLimit: null }],
    ['rateLimit', { rateLimit: 'on' }],
    ['rateLimit.rules', { rateLimit: { rules: 'customer' } }],
    ['rateLimit.rules.0.perMinute', { rateLimit: { rules: [{ scope: 'customer', perMinute: 0 }] } }],
    ['rateLimit.rules.0.perMinute', { rateLimit: { rules: [{ scope: 'customer' }] } }],
    [
      'rateLimit.rules.1.burst',
      {
        rateLimit: {
          rules: [
            { scope: 'partner', perMinute: 5 },
            { scope: 'customer', perMinute: 5, burst: 0.5 },
          ],
        },
      },
    ],
    [
      'rateLimit.rules.0.match.path',
      { rateLimit: { rules: [{ scope: 'customer', perMinute: 5, match: { path: 'v1/x' } }] } },
    ],
    ['rateLimit.defaultRules', { rateLimit: { defaultRules: 'yes' } }],
    ['rateLimit.adaptive', { rateLimit: { adaptive: true } }],
    ['rateLimit.adaptive.minRate', { rateLimit: { adaptive: { minRate: 0 } } }],
    ['rateLimit.activeWindowMs', { rateLimit: { activeWindowMs: 0 } }],
    ['rateLimit.throttleLevel', { rateLimit: { throttleLevel: 'tenant' } }],
    ['rateLimit.maxWaitMs', { rateLimit: { maxWaitMs: MAX_TIMER_MS + 1 } }],
    ['rateLimit.maxWaitMs', { rateLimit: { maxWaitMs: Number.NaN } }],
    ['partnerRetryBudget', { partnerRetryBudget: true }],
    ['partnerRetryBudget', { partnerRetryBudget: 0 }],
    ['partnerRetryBudget.maxTokens', { partnerRetryBudget: { maxTokens: -1 } }],
    ['partnerRetryBudget.maxTokens', { partnerRetryBudget: { maxTokens: '5' } }],
    ['partnerRetryBudget.maxTokens', { partnerRetryBudget: { maxTokens: Number.POSITIVE_INFINITY } }],
    ['partnerRetryBudget.refundPerSuccess', { partnerRetryBudget: { refundPerSuccess: Number.NaN } }],
    ['partnerRetryBudget.percent', { partnerRetryBudget: { percent: 150 } }],
    ['partnerRetryBudget.percent', { partnerRetryBudget: { percent: -1 } }],
    ['partnerRetryBudget.minConcurrency', { partnerRetryBudget: { minConcurrency: 1.5 } }],
  ])('%s: %j', (path, options) => {
    const issues = issuesAtAttach(options);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.startsWith(`${path}: `)).toBe(true);
  });

  it('problems under both options are listed together', () => {
    const issues = issuesAtAttach({
      rateLimit: { maxWaitMs: -1, throttleLevel: 'tenant' },
      partnerRetryBudget: { percent: 101 },
    });
    expect(issues.map((line) => line.slice(0, line.indexOf(': ')))).toEqual(
      expect.arrayContaining([
        'rateLimit.maxWaitMs',
        'rateLimit.throttleLevel',
        'partnerRetryBudget.percent',
      ]),
    );
    expect(issues).toHaveLength(3);
  });

  it('the documented values pass: false, {}, and the edges of each range', () => {
    const good: ResilienceOptions[] = [
      { rateLimit: false, partnerRetryBudget: false },
      { rateLimit: {}, partnerRetryBudget: {} },
      { rateLimit: { adaptive: false, maxWaitMs: 0, activeWindowMs: 1, defaultRules: false } },
      {
        rateLimit: { rules: [{ scope: 'operation', perMinute: 1_000_000, burst: 1, match: { path: '/' } }] },
      },
      { rateLimit: { maxWaitMs: MAX_TIMER_MS } },
      { partnerRetryBudget: { maxTokens: 0, refundPerSuccess: 0, percent: 100, minConcurrency: 0 } },
    ];
    for (const options of good) expect(() => attachResilience(axios.create(), options)).not.toThrow();
  });

  it('a refused instance is left as it was: not attached, its requests untouched, attachable again', async () => {
    const instance = axios.create({
      adapter: async (config) => ({ status: 200, statusText: 'OK', headers: {}, data: 'plain', config }),
    });
    const before = {
      request: (instance.interceptors.request as unknown as { handlers: unknown[] }).handlers.length,
      response: (instance.interceptors.response as unknown as { handlers: unknown[] }).handlers.length,
    };
    issuesAtAttach({ rateLimit: { maxWaitMS: 5 } }, instance);
    issuesAtAttach({ partnerRetryBudget: { percent: 150 } }, instance);
    expect((instance.interceptors.request as unknown as { handlers: unknown[] }).handlers.length).toBe(
      before.request,
    );
    expect((instance.interceptors.response as unknown as { handlers: unknown[] }).handlers.length).toBe(
      before.response,
    );
    const plain = await instance.get('/v1/customers');
    expect(plain.headers['ms-requestid']).toBeUndefined();
    expect(plain.config.headers['MS-RequestId']).toBeUndefined();

    const handle = attachResilience(instance, { rateLimit: { maxWaitMs: 5 } });
    const attached = await instance.get('/v1/customers');
    expect(attached.config.headers['MS-RequestId']).toEqual(expect.any(String));
    handle.detach();
  });
});
