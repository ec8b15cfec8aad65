import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventHub } from '../../../src/observability/EventHub.js';
import { normalizeOptions } from '../../../src/options/normalizeOptions.js';
import type { ResolvedRateLimit } from '../../../src/options/RateLimitOptions.js';
import type { ResilienceOptions } from '../../../src/options/ResilienceOptions.js';
import { CallLimiter, type PlannedCall } from '../../../src/policies/callLimiter.js';
import { LocalRateLimitBackend } from '../../../src/policies/rateLimiter/localBackend.js';
import { MEASURE_BUCKET_MS, RUN_GAP_MS } from '../../../src/policies/rateLimiter/measuredRate.js';
import { MAX_WAIT_MS } from '../../../src/policies/rateLimiter/tokenBucket.js';
import type { StoreAccess } from '../../../src/policies/storeAccess.js';
import type {
  LimiterSettings,
  LimitPlan,
  LimitRecord,
  RateLimitBackend,
} from '../../../src/stores/rateLimitProtocol.js';
import { noSlowStart } from '../../helpers/noSlowStart.js';
import { requestConfig } from '../../helpers/roomCall.js';

const T0 = 1_700_000_000_000;
const BASE = 'https://api.partnercenter.microsoft.com/v1';
/** The settings of a limiter with static rules only, for a backend asked directly. */
const settings: LimiterSettings = {
  fairness: true,
  adaptive: false,
  blameBoundPartner: true,
  maxPartnerQuietMs: 120_000,
};

/** The store calls a limiter made: `read` and `write` run what they are given, as a healthy store does. */
function recordingAccess() {
  const operations: string[] = [];
  const access: StoreAccess = {
    read: (operation, _scope, read) => {
      operations.push(operation);
      return read() as never;
    },
    peek: (operation, _scope, read) => {
      operations.push(operation);
      return read() as never;
    },
    pending: Symbol('pending') as never,
    write: (operation, _scope, write) => {
      operations.push(operation);
      write();
    },
  };
  return { access, operations };
}

/** A limiter on `store`; these tests are about rules and lanes, not about a slow start into an unknown quota. */
function limiterOn(store: { readonly rateLimit?: RateLimitBackend }, options: ResilienceOptions = {}) {
  const normalized = normalizeOptions(noSlowStart(options));
  const { access, operations } = recordingAccess();
  const limiter = new CallLimiter(
    normalized.rateLimit as ResolvedRateLimit,
    normalized,
    store,
    access,
    new EventHub(undefined, undefined),
  );
  return { limiter, operations };
}

/** A call of `customer`'s subscriptions (the documented 500/min per customer rule applies). */
function subscriptionsOf(customer: string): PlannedCall {
  return {
    config: requestConfig({ baseURL: BASE, url: `/customers/${customer}/subscriptions` }),
    scope: customer,
    method: 'GET',
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CallLimiter with this process backend', () => {
  it('grants exactly what the backend grants: a 500/min customer rule lets its burst go, then holds', () => {
    const fast = limiterOn({ rateLimit: new LocalRateLimitBackend() }).limiter;
    const call = subscriptionsOf('c1');
    const plan = fast.planOf(call);
    // The same plan on a backend asked directly: the reference the fast path must match.
    const direct = new LocalRateLimitBackend();
    const grants: boolean[] = [];
    const expected: boolean[] = [];
    for (let i = 0; i < 40; i += 1) {
      vi.setSystemTime(T0 + i * 20);
      grants.push(fast.tryNow(plan));
      expected.push(direct.acquire(plan, settings, T0 + i * 20) === 0);
      if (grants[i] === true) fast.record(call, plan, false, T0 + i * 20);
    }
    expect(grants).toEqual(expected);
    // The burst (8) and what 8.2 tokens a second (492 a minute) add over the 780 ms: 14 of 40.
    expect(grants.filter(Boolean).length).toBe(14);
    expect(grants.indexOf(false)).toBe(9);
  });

  it('measures each success in the level states exactly as the backend does', () => {
    const backend = new LocalRateLimitBackend();
    const { limiter } = limiterOn({ rateLimit: backend });
    const reference = new LocalRateLimitBackend();
    const call = subscriptionsOf('c1');
    const plan = limiter.planOf(call);
    // Answers 30 ms apart with a silence of 1.5 s in the middle: buckets close, a run ends, another starts.
    const times = [0, 30, 60, 90, 400, 530, 560, 2060, 2090, 2120, 2600, 2630];
    for (const t of times) {
      vi.setSystemTime(T0 + t);
      limiter.tryNow(plan);
      reference.acquire(plan, settings, T0 + t);
      limiter.record(call, plan, false, T0 + t - 5);
      reference.record({ plan, settings, now: T0 + t, charged: 0, sentMsAgo: 5, quietMs: 0 });
    }
    // The fast path counts an answer within a bucket's width of its start as one within the run gap.
    expect(MEASURE_BUCKET_MS).toBeLessThan(RUN_GAP_MS);
    for (const level of plan.levels) {
      const mine = backend.lane(plan, T0 + 3000).states.find((_, i) => plan.levels[i] === level);
      const theirs = reference.lane(plan, T0 + 3000).states.find((_, i) => plan.levels[i] === level);
      expect(mine?.rate).toBe(theirs?.rate);
      expect(mine?.runRate).toBe(theirs?.runRate);
      expect(mine?.quotaEstimate(1000)).toEqual(theirs?.quotaEstimate(1000));
    }
  });

  it('keeps the state of a customer it serves from its lane while other customers turn the maps over', () => {
    const { limiter } = limiterOn({ rateLimit: new LocalRateLimitBackend(8) }, { tenants: { maxScopes: 8 } });
    const hot = subscriptionsOf('hot');
    const plan = limiter.planOf(hot);
    let granted = 0;
    // 200 calls of the hot customer at one instant, each after a call of a new customer: the maps of 8
    // scopes turn over every few calls. The hot customer's bucket must never be dropped and found full again.
    for (let i = 0; i < 200; i += 1) {
      const other = subscriptionsOf(`other${i}`);
      const otherPlan = limiter.planOf(other);
      if (limiter.tryNow(otherPlan)) limiter.record(other, otherPlan, false, T0);
      if (limiter.tryNow(plan)) granted += 1;
    }
    expect(granted).toBe(8);
  });

  it('stops granting at once from the lane when a 429 teaches the customer a rate', () => {
    const { limiter } = limiterOn({ rateLimit: new LocalRateLimitBackend() });
    const call = subscriptionsOf('c1');
    const plan = limiter.planOf(call);
    for (let i = 0; i < 4; i += 1) {
      vi.setSystemTime(T0 + i * 100);
      expect(limiter.tryNow(plan)).toBe(true);
      limiter.record(call, plan, false, T0 + i * 100);
    }
    vi.setSystemTime(T0 + 500);
    limiter.record(call, plan, true, T0 + 450, 2000);
    // Tokens are left in the rule's bucket, but the learnt rate holds the customer until the Retry-After.
    expect(limiter.tryNow(plan)).toBe(false);
    vi.setSystemTime(T0 + 2499);
    expect(limiter.tryNow(plan)).toBe(false);
    vi.setSystemTime(T0 + 2500);
    expect(limiter.tryNow(plan)).toBe(true);
  });
});

describe('CallLimiter with a backend of its store', () => {
  /** A backend that grants every call and keeps what it is told. */
  function recordingBackend(synchronous: boolean | undefined) {
    const acquired: LimitPlan[] = [];
    const recorded: LimitRecord[] = [];
    const backend: RateLimitBackend = {
      ...(synchronous === undefined ? {} : { synchronous }),
      acquire: (plan) => {
        acquired.push(plan);
        return synchronous === true ? 0 : Promise.resolve(0);
      },
      record: (response) => {
        recorded.push(response);
      },
    };
    return { backend, acquired, recorded };
  }

  it('asks a synchronous backend directly, on the success path too', () => {
    const { backend, acquired, recorded } = recordingBackend(true);
    const { limiter, operations } = limiterOn({ rateLimit: backend });
    const call = subscriptionsOf('c1');
    const plan = limiter.planOf(call);
    expect(limiter.tryNow(plan)).toBe(true);
    limiter.record(call, plan, false, T0 - 40);
    expect(acquired).toEqual([plan]);
    expect(recorded).toHaveLength(1);
    expect(operations).toEqual([]);
  });

  it('sends a backend that declares nothing to the slow path, and records through the store access', () => {
    const { backend, acquired, recorded } = recordingBackend(undefined);
    const { limiter, operations } = limiterOn({ rateLimit: backend });
    const call = subscriptionsOf('c1');
    const plan = limiter.planOf(call);
    expect(limiter.tryNow(plan)).toBe(false);
    expect(acquired).toEqual([]);
    limiter.record(call, plan, false, T0 - 40);
    expect(operations).toEqual(['rateLimit.record']);
    expect(recorded).toHaveLength(1);
  });

  it('tells the backend of a response in one object: a 429 charged, its Retry-After as quiet time', () => {
    const { backend, recorded } = recordingBackend(true);
    const { limiter } = limiterOn({ rateLimit: backend });
    const call = subscriptionsOf('c1');
    const plan = limiter.planOf(call);
    limiter.record(call, plan, false, T0 - 40);
    limiter.record(call, plan, true, T0 - 25, 3000);
    limiter.record(call, plan, true, T0 - 25, 1e12);
    expect(recorded[0]).toEqual({
      plan,
      settings: expect.any(Object),
      now: T0,
      charged: 0,
      sentMsAgo: 40,
      quietMs: 0,
    });
    // The customer level (index 1) is charged; the Retry-After is the quiet time, at most 2^31-1 ms.
    expect(recorded[1]).toMatchObject({ now: T0, charged: 0b10, sentMsAgo: 25, quietMs: 3000 });
    expect(recorded[2]?.quietMs).toBe(MAX_WAIT_MS);
  });
});
