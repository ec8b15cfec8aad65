import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isPartnerCenterError } from '../../../../src/errors/normalizeError.js';
import { EventHub } from '../../../../src/observability/EventHub.js';
import { waitForSlot } from '../../../../src/policies/rateLimiter/slotWait.js';
import type { StoreAccess } from '../../../../src/policies/storeAccess.js';
import type {
  LimiterSettings,
  LimitPlan,
  RateLimitBackend,
} from '../../../../src/stores/rateLimitProtocol.js';
import { makeCall } from '../../../helpers/roomCall.js';

const T0 = 1_700_000_000_000;
const plan: LimitPlan = { partner: 'p', customer: 'c1', levels: [], rules: [] };
const settings: LimiterSettings = {
  fairness: true,
  adaptive: false,
  blameBoundPartner: true,
  maxPartnerQuietMs: 0,
};

/** A store access that runs reads as a healthy store does, or fails them (`undefined`) when told. */
function accessOf(failing = false) {
  const reads: string[] = [];
  const access: StoreAccess = {
    read: (operation, _scope, read) => {
      reads.push(operation);
      if (failing) return undefined;
      return read() as never;
    },
    peek: () => undefined,
    pending: Symbol('pending') as never,
    write: () => undefined,
  };
  return { access, reads };
}

/** A backend answering `waits` in turn (then 0), synchronously or not. */
function backendOf(waits: number[], synchronous?: boolean): RateLimitBackend & { asked: number } {
  const backend = {
    asked: 0,
    ...(synchronous === undefined ? {} : { synchronous }),
    acquire() {
      const wait = waits[backend.asked] ?? 0;
      backend.asked += 1;
      return synchronous === true ? wait : Promise.resolve(wait);
    },
    record() {},
  };
  return backend;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('waitForSlot', () => {
  it('waits each wait the backend answers, reports it, and resolves true once granted', async () => {
    const heard: number[] = [];
    const hub = new EventHub({ onRateLimit: (event) => void heard.push(event.waitMs) }, undefined);
    const backend = backendOf([300, 200]);
    const { access, reads } = accessOf();
    const call = makeCall({ options: { timeout: { totalMs: 10_000 } } });
    const waited = waitForSlot({ backend, settings, access, hub, maxWaitMs: 5000 }, call, plan);
    await vi.advanceTimersByTimeAsync(499);
    expect(backend.asked).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(waited).resolves.toBe(true);
    expect(heard).toEqual([300, 200]);
    expect(reads).toEqual(['rateLimit.acquire', 'rateLimit.acquire', 'rateLimit.acquire']);
  });

  it('asks a synchronous backend directly, and resolves false when it grants at once', async () => {
    const backend = backendOf([0], true);
    const { access, reads } = accessOf();
    const hub = new EventHub(undefined, undefined);
    const call = makeCall();
    await expect(waitForSlot({ backend, settings, access, hub, maxWaitMs: 5000 }, call, plan)).resolves.toBe(
      false,
    );
    expect(backend.asked).toBe(1);
    expect(reads).toEqual([]);
  });

  it('lets the call go when the store fails', async () => {
    const backend = backendOf([300]);
    const { access } = accessOf(true);
    const hub = new EventHub(undefined, undefined);
    await expect(
      waitForSlot({ backend, settings, access, hub, maxWaitMs: 5000 }, makeCall(), plan),
    ).resolves.toBe(false);
  });

  it('fails at once, kind throttled, when the wait is beyond maxWaitMs or the call budget', async () => {
    const hub = new EventHub(undefined, undefined);
    const { access } = accessOf();
    const beyondMax = waitForSlot(
      { backend: backendOf([5001], true), settings, access, hub, maxWaitMs: 5000 },
      makeCall({ options: { timeout: { totalMs: 60_000 } } }),
      plan,
    );
    await expect(beyondMax).rejects.toSatisfy(
      (error) =>
        isPartnerCenterError(error) && error.kind === 'throttled' && /maxWaitMs 5000/.test(error.message),
    );
    const beyondBudget = waitForSlot(
      { backend: backendOf([3001], true), settings, access, hub, maxWaitMs: 5000 },
      makeCall({ options: { timeout: { totalMs: 3000 } } }),
      plan,
    );
    await expect(beyondBudget).rejects.toSatisfy(
      (error) =>
        isPartnerCenterError(error) && error.kind === 'throttled' && /left in its budget/.test(error.message),
    );
  });
});
