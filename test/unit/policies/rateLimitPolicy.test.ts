import { describe, expect, it, vi } from 'vitest';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { EventHub } from '../../../src/observability/EventHub.js';
import { createSanitizer } from '../../../src/observability/sanitizer.js';
import type { Call } from '../../../src/policies/call.js';
import type { CallLimiter } from '../../../src/policies/callLimiter.js';
import { type AttemptSpec, composeList, type Outcome } from '../../../src/policies/pipeline.js';
import { rateLimitPolicy } from '../../../src/policies/rateLimitPolicy.js';
import { createStoreAccess } from '../../../src/policies/storeAccess.js';
import { ThrottleGate } from '../../../src/policies/throttleGate.js';
import type { LimitPlan } from '../../../src/stores/rateLimitProtocol.js';
import { InMemoryScopeStateStore } from '../../../src/tenancy/InMemoryScopeStateStore.js';
import { useFakeClock } from '../../helpers/attachScripted.js';
import { OK } from '../../helpers/outcomes.js';
import { makeCall } from '../../helpers/roomCall.js';

const START = Date.parse('2026-11-25T12:00:00Z');
useFakeClock('2026-11-25T12:00:00Z');

const PLAN = { levels: [] } as unknown as LimitPlan;

/**
 * The policy over a fake limiter whose slot waits are `waits` ms in turn (0: a slot at once) and a real gate
 * of the scope (the instance's own store); the rest of the list answers `outcome`, noting when it was run.
 */
function setup(waits: number[] = [0], outcome: Outcome = OK) {
  const remaining = [...waits];
  const waitForSlot = vi.fn(async (_call: Call, _plan: LimitPlan) => {
    const ms = remaining.shift() ?? 0;
    if (ms === 0) return false;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return true;
  });
  const record = vi.fn();
  const planOf = vi.fn(() => PLAN);
  const limiter = { planOf, waitForSlot, record } as unknown as CallLimiter;
  const gate = new ThrottleGate('partner', {
    sharedStore: false,
    store: new InMemoryScopeStateStore(),
    access: createStoreAccess(undefined, createSanitizer(), () => undefined, 250),
    hub: new EventHub({}, undefined),
  });
  const pass = vi.spyOn(gate, 'waitOpen');
  const policy = rateLimitPolicy(limiter, gate);
  const sentAt: number[] = [];
  const next = vi.fn(async (_spec: AttemptSpec) => {
    sentAt.push(Date.now() - START);
    return outcome;
  });
  return { policy, gate, pass, waitForSlot, record, next, sentAt };
}

const failed = (failure: PartnerCenterError): Outcome => ({ failure, sent: true });

describe('rateLimitPolicy', () => {
  it('waits for a slot, then records the success with the time it was sent', async () => {
    const { policy, record, next, sentAt, waitForSlot, pass } = setup([200]);
    const call = makeCall();
    const outcome = policy.run(call, { retry: false }, next);
    await vi.advanceTimersByTimeAsync(199);
    expect(next).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe(OK);
    expect(sentAt).toEqual([200]);
    // The gate stayed open during the wait: one slot, taken once.
    expect(waitForSlot).toHaveBeenCalledTimes(1);
    expect(pass).not.toHaveBeenCalled();
    expect(record).toHaveBeenCalledTimes(1);
    expect(record).toHaveBeenCalledWith(call, PLAN, false, START + 200);
  });

  it("records a 429 as throttled, with its Retry-After, and a 503 as an answer that isn't", async () => {
    const throttled = new PartnerCenterError({
      kind: 'throttled',
      retryable: true,
      status: 429,
      retryAfterMs: 3_000,
    });
    const first = setup([0], failed(throttled));
    const call = makeCall();
    await first.policy.run(call, { retry: false }, first.next);
    expect(first.record).toHaveBeenCalledWith(call, PLAN, true, START, 3_000);

    const unavailable = new PartnerCenterError({ kind: 'server', retryable: true, status: 503 });
    const second = setup([0], failed(unavailable));
    await second.policy.run(call, { retry: false }, second.next);
    expect(second.record).toHaveBeenCalledWith(call, PLAN, false, START, undefined);
  });

  it('records nothing for a failure without a status (no answer to learn from)', async () => {
    const network = new PartnerCenterError({ kind: 'network', retryable: true, reason: 'ECONNRESET' });
    const { policy, record, next } = setup([0], failed(network));
    const outcome = await policy.run(makeCall(), { retry: false }, next);
    expect(outcome.failure).toBe(network);
    expect(record).not.toHaveBeenCalled();
  });

  it("records a taken-over outcome with the call's start, without waiting for a slot", async () => {
    const throttled = new PartnerCenterError({
      kind: 'throttled',
      retryable: true,
      status: 429,
      retryAfterMs: 1_000,
    });
    const takenOver = failed(throttled);
    const { policy, record, waitForSlot, next, pass } = setup([500], takenOver);
    const call = makeCall();
    await vi.advanceTimersByTimeAsync(40);
    const outcome = await policy.run(call, { retry: false, takenOver }, next);
    expect(outcome).toBe(takenOver);
    expect(Date.now()).toBe(START + 40);
    expect(waitForSlot).not.toHaveBeenCalled();
    expect(pass).not.toHaveBeenCalled();
    expect(record).toHaveBeenCalledWith(call, PLAN, true, call.startedAt, 1_000);
    expect(call.startedAt).toBe(START);
  });

  it("records nothing for a resumed outcome (an earlier part's, already recorded), and takes no slot", async () => {
    const unavailable = new PartnerCenterError({ kind: 'server', retryable: true, status: 503 });
    const takenOver = failed(unavailable);
    const { policy, record, waitForSlot, next } = setup([500], takenOver);
    const spec: AttemptSpec = { retry: false, takenOver, resumed: true };
    await expect(policy.run(makeCall(), spec, next)).resolves.toBe(takenOver);
    expect(next).toHaveBeenCalledWith(spec);
    expect(waitForSlot).not.toHaveBeenCalled();
    expect(record).not.toHaveBeenCalled();
  });

  it('goes back to the gate when it closed during the slot wait, and takes a new slot after the deadline', async () => {
    const { policy, gate, pass, waitForSlot, record, next, sentAt } = setup([300, 0]);
    const call = makeCall();
    const outcome = policy.run(call, { retry: false }, next);
    // A 429 of another call of the scope, 100 ms into the wait: the scope is throttled until START + 2100.
    await vi.advanceTimersByTimeAsync(100);
    gate.note(START + 2_100);
    await vi.advanceTimersByTimeAsync(200);
    // The slot came at 300, but the gate is closed: no request goes during the pause.
    expect(next).not.toHaveBeenCalled();
    expect(pass).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_799);
    expect(next).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe(OK);
    expect(waitForSlot).toHaveBeenCalledTimes(2);
    expect(sentAt).toEqual([2_100]);
    expect(record).toHaveBeenCalledWith(call, PLAN, false, START + 2_100);
  });

  it('does not ask the gate again when the slot came at once', async () => {
    const { policy, gate, pass, waitForSlot, next } = setup([0]);
    gate.note(START + 1_000);
    await policy.run(makeCall(), { retry: false }, next);
    expect(waitForSlot).toHaveBeenCalledTimes(1);
    expect(pass).not.toHaveBeenCalled();
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('passes the spec down unchanged', async () => {
    const { policy, next } = setup();
    const spec: AttemptSpec = { retry: true, replay: true };
    await policy.run(makeCall(), spec, next);
    expect(next).toHaveBeenCalledWith(spec);
  });
});

describe('rateLimitPolicy inside its gate (the list gate -> rate limit)', () => {
  // Known fault, to be fixed in src (then `it.fails` becomes `it`): back at the gate, the call asks for a
  // slow-start slot while it holds the only one (taken by the gate policy above), and waits for itself until
  // its budget runs out; nothing is sent.
  it('a call holding the slow-start slot goes after a deadline noted during its slot wait (not waiting for itself)', async () => {
    const { policy, gate, next, sentAt } = setup([300, 0]);
    gate.note(START + 100);
    await vi.advanceTimersByTimeAsync(100);
    const list = composeList([gate, policy], (_call, spec) => next(spec));
    const call = makeCall({ options: { timeout: { totalMs: 10_000 } } });
    // The scope comes out of its pause: this call is its slow start's first, holding the one slot.
    const outcome = list(call, { retry: false });
    await vi.advanceTimersByTimeAsync(100);
    // Another call's 429 (another process's): the scope pauses again until START + 1200.
    gate.note(START + 1_200);
    await vi.runAllTimersAsync();
    const ended = await outcome;
    expect(ended.failure?.reason, `ended at +${Date.now() - START} ms`).toBeUndefined();
    expect(sentAt).toEqual([1_200]);
  });
});
