import { describe, expect, it, vi } from 'vitest';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { createSanitizer } from '../../../src/observability/sanitizer.js';
import type { PartnerRetryBudgetOptions } from '../../../src/options/RateLimitOptions.js';
import type { Call } from '../../../src/policies/call.js';
import type { AttemptSpec, Outcome } from '../../../src/policies/pipeline.js';
import { RetryBudgets } from '../../../src/policies/retryBudget.js';
import { createStoreAccess } from '../../../src/policies/storeAccess.js';
import { InMemoryScopeStateStore } from '../../../src/tenancy/InMemoryScopeStateStore.js';
import type { ScopeStateStore } from '../../../src/tenancy/ScopeStateStore.js';
import { useFakeClock } from '../../helpers/attachScripted.js';
import { OK } from '../../helpers/outcomes.js';
import { makeCall } from '../../helpers/roomCall.js';

useFakeClock('2026-11-25T12:00:00Z');

const PARTNER_KEY = 'retries@partner';
const UNAVAILABLE = new PartnerCenterError({ kind: 'server', retryable: true, status: 503 });
const THROTTLED = new PartnerCenterError({
  kind: 'throttled',
  retryable: true,
  status: 429,
  retryAfterMs: 1_000,
});

interface Setup {
  /** The scope's own bucket (`retryBudget`). */
  readonly scopeTokens?: number;
  readonly refundPerSuccess?: number;
  /** The partner's budget, or false. */
  readonly partner?: Required<PartnerRetryBudgetOptions> | false;
  readonly privateStore?: boolean;
  readonly maxScopes?: number;
  readonly store?: ScopeStateStore;
}

function setup(setupBudgets: Setup = {}) {
  const store = setupBudgets.store ?? new InMemoryScopeStateStore();
  const take = vi.spyOn(store, 'takeRetryToken');
  const refund = vi.spyOn(store, 'refundRetryToken');
  const budgets = new RetryBudgets({
    store,
    access: createStoreAccess(undefined, createSanitizer(), () => undefined, 250),
    privateStore: setupBudgets.privateStore ?? true,
    partnerScope: 'partner',
    maxScopes: setupBudgets.maxScopes ?? 100,
    partner: setupBudgets.partner ?? false,
  });
  const call = (scope = 'customer:a'): Call =>
    makeCall({
      scope,
      options: {
        retryBudget: {
          maxTokens: setupBudgets.scopeTokens ?? 10,
          refundPerSuccess: setupBudgets.refundPerSuccess ?? 0.5,
        },
      },
    });
  return { budgets, store, take, refund, call };
}

/** Holds retries on the wire: each `hold(spec)` runs the policy with a rest of the list that never answers until `free()`. */
function onTheWire(budgets: RetryBudgets, call: Call) {
  const frees: Array<() => void> = [];
  const hold = (spec: AttemptSpec) =>
    budgets.run(
      call,
      spec,
      () =>
        new Promise<Outcome>((resolve) => {
          frees.push(() => resolve(OK));
        }),
    );
  const free = async () => {
    for (const f of frees.splice(0)) f();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { hold, free };
}

const PARTNER = { maxTokens: 5, refundPerSuccess: 1, percent: 10, minConcurrency: 1 } as const;

describe('RetryBudgets.permit', () => {
  it("takes the scope's tokens first, and refuses once they are spent, the partner's untouched", async () => {
    const { budgets, take, call } = setup({ scopeTokens: 2, partner: { ...PARTNER, maxTokens: 50 } });
    const c = call();
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
    take.mockClear();
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBe(
      'the retry budget of scope customer:a is spent (too many retries, too few successes)',
    );
    expect(take.mock.calls.map((args) => args[0])).toEqual(['customer:a']);
  });

  it("then caps the partner's retries in flight (a share of the calls in flight, at least minConcurrency)", async () => {
    const { budgets, take, call } = setup({ partner: { ...PARTNER, maxTokens: 50 } });
    const c = call();
    budgets.calls = 39; // 10% of 39, rounded down: 3 retries in flight
    const wire = onTheWire(budgets, c);
    void wire.hold({ retry: true });
    void wire.hold({ retry: true });
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
    void wire.hold({ retry: true });
    take.mockClear();
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBe(
      "the partner's retries in flight are at their limit (3 of 39 calls in flight; at most 10%, at least 1)",
    );
    // The scope's token was taken, the partner's not.
    expect(take.mock.calls.map((args) => args[0])).toEqual(['customer:a']);
    await wire.free();
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
  });

  it('lets minConcurrency retries fly however few the calls', async () => {
    const { budgets, call } = setup({ partner: { ...PARTNER, maxTokens: 50, minConcurrency: 2 } });
    const c = call();
    budgets.calls = 1;
    const wire = onTheWire(budgets, c);
    void wire.hold({ retry: true });
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
    void wire.hold({ retry: true });
    expect(await budgets.permit(c, UNAVAILABLE)).toContain('at their limit (2 of 1 calls');
    await wire.free();
  });

  it('does not cap the retry of a 429 (it still takes tokens)', async () => {
    const { budgets, take, call } = setup({ partner: { ...PARTNER, maxTokens: 50 } });
    const c = call();
    budgets.calls = 1;
    const wire = onTheWire(budgets, c);
    void wire.hold({ retry: true });
    take.mockClear();
    await expect(budgets.permit(c, THROTTLED)).resolves.toBeUndefined();
    expect(take.mock.calls.map((args) => args[0])).toEqual(['customer:a', PARTNER_KEY]);
    await wire.free();
  });

  it("then takes the partner's tokens, shared by every scope", async () => {
    const { budgets, call } = setup({ partner: { ...PARTNER, maxTokens: 2 } });
    await expect(budgets.permit(call('customer:a'), THROTTLED)).resolves.toBeUndefined();
    await expect(budgets.permit(call('customer:b'), THROTTLED)).resolves.toBeUndefined();
    await expect(budgets.permit(call('customer:c'), THROTTLED)).resolves.toBe(
      "the partner's retry budget is spent (2 tokens, too many retries across its scopes, too few successes)",
    );
  });

  it('with the partner budget off, takes only the scope token and never caps', async () => {
    const { budgets, take, call } = setup({ partner: false });
    const c = call();
    const wire = onTheWire(budgets, c);
    for (let i = 0; i < 5; i++) void wire.hold({ retry: true });
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
    expect(take.mock.calls.map((args) => args[0])).toEqual(['customer:a']);
    await wire.free();
  });

  it('lets the retry go when the store fails (reported, not trusted)', async () => {
    const store = new InMemoryScopeStateStore();
    const { budgets, take, call } = setup({ store, scopeTokens: 1 });
    take.mockImplementation(() => {
      throw new Error('store down');
    });
    const c = call();
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
  });
});

describe('RetryBudgets.run (retries on the wire)', () => {
  it('counts a retry only while it is on the wire, not a first attempt nor a 401 replay', async () => {
    const { budgets, call } = setup({
      partner: { ...PARTNER, maxTokens: 50, minConcurrency: 1, percent: 0 },
    });
    const c = call();
    const wire = onTheWire(budgets, c);
    void wire.hold({ retry: false });
    void wire.hold({ retry: true, replay: true });
    // Neither is counted: the cap of 1 is still free.
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
    void wire.hold({ retry: true });
    expect(await budgets.permit(c, UNAVAILABLE)).toContain('at their limit (1 of 0 calls');
    await wire.free();
    // Released once its outcome came back.
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
  });

  it('releases the count when the rest of the list throws', async () => {
    const { budgets, call } = setup({
      partner: { ...PARTNER, maxTokens: 50, minConcurrency: 1, percent: 0 },
    });
    const c = call();
    await expect(budgets.run(c, { retry: true }, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
  });

  it('passes the spec and the outcome through unchanged', async () => {
    const { budgets, call } = setup();
    const spec: AttemptSpec = { retry: true };
    const next = vi.fn(async () => OK);
    await expect(budgets.run(call(), spec, next)).resolves.toBe(OK);
    expect(next).toHaveBeenCalledWith(spec);
  });
});

describe('RetryBudgets.succeeded (refunds)', () => {
  it('with a private store, remembers the tokens owed and refunds only those, refundPerSuccess at a time', async () => {
    const { budgets, refund, call } = setup({
      refundPerSuccess: 0.5,
      partner: { ...PARTNER, maxTokens: 50, refundPerSuccess: 1 },
    });
    const c = call();
    await budgets.permit(c, THROTTLED);
    expect([...budgets.owed]).toEqual([
      ['customer:a', 1],
      [PARTNER_KEY, 1],
    ]);
    budgets.succeeded(c);
    expect([...budgets.owed]).toEqual([['customer:a', 0.5]]);
    expect(refund.mock.calls.map((args) => args[0])).toEqual(['customer:a', PARTNER_KEY]);
    budgets.succeeded(c);
    expect(budgets.owed.size).toBe(0);
    refund.mockClear();
    // Nothing owed: nothing to give back, the store is not asked.
    budgets.succeeded(c);
    expect(refund).not.toHaveBeenCalled();
  });

  it('gives a spent scope its tokens back through refunds', async () => {
    const { budgets, call } = setup({ scopeTokens: 1, refundPerSuccess: 1 });
    const c = call();
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
    expect(await budgets.permit(c, UNAVAILABLE)).toContain('is spent');
    budgets.succeeded(c);
    await expect(budgets.permit(c, UNAVAILABLE)).resolves.toBeUndefined();
  });

  it('with a shared store, writes every refund (other processes take tokens too) and owes nothing', async () => {
    const { budgets, refund, call } = setup({ privateStore: false, partner: { ...PARTNER, maxTokens: 50 } });
    const c = call();
    budgets.succeeded(c);
    expect(refund.mock.calls.map((args) => args[0])).toEqual(['customer:a', PARTNER_KEY]);
    await budgets.permit(c, THROTTLED);
    expect(budgets.owed.size).toBe(0);
  });

  it('bounds the owed map by maxScopes, forgetting the oldest debt first', async () => {
    const { budgets, call } = setup({ maxScopes: 2 });
    await budgets.permit(call('customer:a'), UNAVAILABLE);
    await budgets.permit(call('customer:b'), UNAVAILABLE);
    expect([...budgets.owed.keys()]).toEqual(['customer:a', 'customer:b']);
    // a is taken from again: it is the newest debt now.
    await budgets.permit(call('customer:a'), UNAVAILABLE);
    await budgets.permit(call('customer:c'), UNAVAILABLE);
    expect([...budgets.owed]).toEqual([
      ['customer:a', 2],
      ['customer:c', 1],
    ]);
  });
});
