import { describe, expect, it, vi } from 'vitest';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';
import { EventHub } from '../../../src/observability/EventHub.js';
import type { ThrottleEvent } from '../../../src/observability/events.js';
import { createSanitizer } from '../../../src/observability/sanitizer.js';
import type { Call } from '../../../src/policies/call.js';
import type { Outcome } from '../../../src/policies/pipeline.js';
import { createStoreAccess } from '../../../src/policies/storeAccess.js';
import { ThrottleGate } from '../../../src/policies/throttleGate.js';
import { InMemoryScopeStateStore } from '../../../src/tenancy/InMemoryScopeStateStore.js';
import type { ScopeStateStore } from '../../../src/tenancy/ScopeStateStore.js';
import { useFakeClock } from '../../helpers/attachScripted.js';
import { OK } from '../../helpers/outcomes.js';
import { type CallSetup, makeCall, resolvedPolicy } from '../../helpers/roomCall.js';
import { capture } from '../../helpers/settle.js';

const START = Date.parse('2026-11-25T12:00:00Z');

useFakeClock('2026-11-25T12:00:00Z');

/**
 * A gate of scope `partner` over a shared store whose throttle deadline is `shared` (nothing by default),
 * recording every wait at the gate (its `onThrottle` events with source `gate`).
 */
function environment(shared: () => number | undefined | Promise<number | undefined> = () => undefined) {
  const waits: Array<{ requestId: string; waitMs: number }> = [];
  const hub = new EventHub(
    {
      onThrottle: (event) => {
        if (event.source === 'gate') waits.push({ requestId: event.requestId, waitMs: event.retryAfterMs });
      },
    },
    undefined,
  );
  const store = new InMemoryScopeStateStore();
  const sharedDeadline = vi
    .spyOn(store as ScopeStateStore, 'getThrottleDeadline')
    .mockImplementation(() => shared());
  const access = createStoreAccess(undefined, createSanitizer(), () => undefined, 250);
  const gate = new ThrottleGate('partner', { sharedStore: true, store, access, hub });
  return { gate, waits, env: { sharedDeadline } };
}

function call(setup: CallSetup = {}): Call {
  return makeCall({ options: { retry: { maxRetryAfterMs: 5_000 }, timeout: { totalMs: 60_000 } }, ...setup });
}

/** Tracks a pass: whether it settled, and how. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: PartnerCenterError } = { settled: false };
  const done = capture(promise).then((outcome) => {
    state.settled = true;
    if ('value' in outcome) state.value = outcome.value as T;
    if (outcome.error) state.error = outcome.error;
  });
  return { state, done };
}

describe('ThrottleGate', () => {
  it('is idle initially and lets a call through with no slot to release', async () => {
    const { gate, waits } = environment();
    expect(gate.idle).toBe(true);
    await expect(gate.pass(call())).resolves.toBeUndefined();
    expect(waits).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('note() makes a call wait until the deadline, and not a moment less', async () => {
    const { gate, waits } = environment();
    gate.note(START + 1_000);
    expect(gate.idle).toBe(false);
    const c = call();
    const pass = track(gate.pass(c));
    await vi.advanceTimersByTimeAsync(999);
    expect(pass.state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pass.done;
    expect(pass.state.error).toBeUndefined();
    // The deadline passed: the call is the first of the slow start and holds a slot.
    expect(typeof pass.state.value).toBe('function');
    expect(Date.now()).toBe(START + 1_000);
    expect(waits).toEqual([{ requestId: c.requestId, waitMs: 1_000 }]);
  });

  it('keeps the later of two noted deadlines', async () => {
    const { gate, waits } = environment();
    gate.note(START + 2_000);
    gate.note(START + 500);
    const pass = track(gate.pass(call()));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(pass.state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pass.done;
    expect(waits.map((w) => w.waitMs)).toEqual([2_000]);
  });

  it("waits for the shared store's deadline (sync answer)", async () => {
    const { gate, env, waits } = environment(() => START + 300);
    const pass = track(gate.pass(call()));
    await vi.advanceTimersByTimeAsync(299);
    expect(pass.state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pass.done;
    expect(pass.state.error).toBeUndefined();
    expect(waits.map((w) => w.waitMs)).toEqual([300]);
    // Asked once before the wait and once after it.
    expect(env.sharedDeadline).toHaveBeenCalledTimes(2);
  });

  it("waits for the shared store's deadline (async answer)", async () => {
    const { gate, waits } = environment(() => Promise.resolve(START + 400));
    const pass = track(gate.pass(call()));
    await vi.advanceTimersByTimeAsync(399);
    expect(pass.state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pass.done;
    expect(pass.state.error).toBeUndefined();
    expect(waits.map((w) => w.waitMs)).toEqual([400]);
  });

  it("rejects at once with 'throttled' when the wait passes the call's budget", async () => {
    const { gate, waits } = environment();
    gate.note(START + 2_000);
    const c = call({ config: { timeout: 1_000 } });
    const outcome = await capture(gate.pass(c));
    expect(outcome.error?.kind).toBe('throttled');
    expect(outcome.error?.retryable).toBe(false);
    expect(outcome.error?.retryAfterMs).toBe(2_000);
    expect(outcome.error?.requestId).toBe(c.requestId);
    expect(outcome.error?.reason).toBe(
      'scope partner is throttled for another 2000 ms, more than this call may wait (1000 ms left in its budget); no request was sent',
    );
    expect(Date.now()).toBe(START);
    expect(vi.getTimerCount()).toBe(0);
    expect(waits).toEqual([]);
  });

  it("rejects at once with 'throttled' when the wait passes maxRetryAfterMs", async () => {
    const { gate, waits } = environment();
    gate.note(START + 6_000);
    const outcome = await capture(gate.pass(call()));
    expect(outcome.error?.kind).toBe('throttled');
    expect(outcome.error?.retryAfterMs).toBe(6_000);
    expect(outcome.error?.reason).toContain('(maxRetryAfterMs 5000)');
    expect(vi.getTimerCount()).toBe(0);
    expect(waits).toEqual([]);
  });

  it('waits a deadline exactly at maxRetryAfterMs and exactly at the budget', async () => {
    const { gate } = environment();
    gate.note(START + 5_000);
    const pass = track(gate.pass(call({ config: { timeout: 5_000 } })));
    await vi.advanceTimersByTimeAsync(5_000);
    await pass.done;
    expect(pass.state.error).toBeUndefined();
    expect(typeof pass.state.value).toBe('function');
  });

  it('after the deadline, slow start admits 1, then 2 after a release, then 4', async () => {
    const { gate } = environment();
    gate.note(START + 100);
    await vi.advanceTimersByTimeAsync(100);

    const a = track(gate.pass(call()));
    const b = track(gate.pass(call()));
    const c = track(gate.pass(call()));
    const d = track(gate.pass(call()));
    await vi.advanceTimersByTimeAsync(0);
    expect([a, b, c, d].map((p) => p.state.settled)).toEqual([true, false, false, false]);

    a.state.value?.();
    await vi.advanceTimersByTimeAsync(0);
    // The cap doubled to 2: two waiters go.
    expect([b, c, d].map((p) => p.state.settled)).toEqual([true, true, false]);

    b.state.value?.();
    await vi.advanceTimersByTimeAsync(0);
    // The cap is 4, with c and d in flight: two more go without waiting.
    expect(d.state.settled).toBe(true);
    const e = track(gate.pass(call()));
    const f = track(gate.pass(call()));
    const g = track(gate.pass(call()));
    await vi.advanceTimersByTimeAsync(0);
    expect([e, f, g].map((p) => p.state.settled)).toEqual([true, true, false]);
    for (const p of [a, b, c, d, e, f]) expect(p.state.error).toBeUndefined();
    expect(gate.idle).toBe(false);
  });

  it('leaves slow start (idle again, no slot) once the cap passes 16', async () => {
    const { gate } = environment();
    gate.note(START + 100);
    await vi.advanceTimersByTimeAsync(100);
    // Caps 1 -> 2 -> 4 -> 8 -> 16 -> past 16: five releases.
    for (let i = 0; i < 5; i++) {
      const release = await gate.pass(call());
      expect(typeof release).toBe('function');
      release?.();
    }
    expect(gate.idle).toBe(true);
    await expect(gate.pass(call())).resolves.toBeUndefined();
  });

  it('goes back to one call at a time when a new deadline is noted during slow start', async () => {
    const { gate } = environment();
    gate.note(START + 100);
    await vi.advanceTimersByTimeAsync(100);
    const first = await gate.pass(call());
    // The probe was answered 429 again: a new deadline, noted before its slot is released.
    gate.note(START + 300);
    first?.();
    const next = track(gate.pass(call()));
    await vi.advanceTimersByTimeAsync(199);
    expect(next.state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next.done;
    expect(typeof next.state.value).toBe('function');
    const third = track(gate.pass(call()));
    await vi.advanceTimersByTimeAsync(0);
    // The cap is back to 1: the third call waits for the second's release.
    expect(third.state.settled).toBe(false);
    next.state.value?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(third.state.settled).toBe(true);
  });

  it('drops a grown slow-start cap back to one call when a slot brings a new deadline', async () => {
    const { gate } = environment();
    gate.note(START + 100);
    await vi.advanceTimersByTimeAsync(100);
    // Two successes: the cap is 4.
    for (let i = 0; i < 2; i++) (await gate.pass(call()))?.();
    const holder = await gate.pass(call());
    gate.note(START + 300);
    holder?.();
    const a = track(gate.pass(call()));
    const b = track(gate.pass(call()));
    await vi.advanceTimersByTimeAsync(200);
    expect([a.state.settled, b.state.settled]).toEqual([true, false]);
    a.state.value?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.state.settled).toBe(true);
    b.state.value?.();
  });

  it("rejects with 'cancelled' on an abort during the deadline wait, leaving no timer", async () => {
    const { gate } = environment();
    gate.note(START + 1_000);
    const controller = new AbortController();
    const pass = track(gate.pass(call({ config: { signal: controller.signal } })));
    await vi.advanceTimersByTimeAsync(400);
    expect(pass.state.settled).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await pass.done;
    expect(pass.state.error?.kind).toBe('cancelled');
    expect(pass.state.error?.retryable).toBe(false);
    expect(Date.now()).toBe(START + 400);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with 'cancelled' on an abort while waiting for a slow-start slot, leaving no timer", async () => {
    const { gate } = environment();
    gate.note(START + 100);
    await vi.advanceTimersByTimeAsync(100);
    const holder = await gate.pass(call());
    const controller = new AbortController();
    const waiting = track(gate.pass(call({ config: { signal: controller.signal } })));
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting.state.settled).toBe(false);
    controller.abort();
    await waiting.done;
    expect(waiting.state.error?.kind).toBe('cancelled');
    expect(vi.getTimerCount()).toBe(0);
    holder?.();
  });

  it("rejects with the budget's timeout when the call's budget runs out waiting for a slot", async () => {
    const { gate } = environment();
    gate.note(START + 100);
    await vi.advanceTimersByTimeAsync(100);
    const holder = await gate.pass(call());
    const c = call({ config: { timeout: 1_000 } });
    const waiting = track(gate.pass(c));
    await vi.advanceTimersByTimeAsync(999);
    expect(waiting.state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting.done;
    expect(waiting.state.error?.kind).toBe('timeout');
    expect(waiting.state.error?.reason).toBe("the call's total time budget of 1000 ms ran out");
    expect(c.abort?.cause).toBe('total-timeout');
    holder?.();
  });

  // Options refuse a totalMs above 2^31 - 1 ms; the gate's wait, given one anyway, caps its timer.
  it('keeps waiting for a slot when the remaining budget is above 2^31 - 1 ms', async () => {
    const { gate } = environment();
    gate.note(START + 100);
    await vi.advanceTimersByTimeAsync(100);
    const holder = await gate.pass(call());
    const base = resolvedPolicy({ retry: { maxRetryAfterMs: 5_000 }, timeout: { attemptMs: 1_000 } });
    const c = makeCall({ policy: { ...base, timeout: { attemptMs: 1_000, totalMs: 2 ** 31 + 1_000 } } });
    const waiting = track(gate.pass(c));
    await vi.advanceTimersByTimeAsync(10);
    expect(waiting.state.error).toBeUndefined();
    expect(waiting.state.settled).toBe(false);
    holder?.();
  });
});

describe('ThrottleGate.run (a policy of the list)', () => {
  const answered429 = (retryAfterMs: number | undefined, status = 429): Outcome => ({
    failure: new PartnerCenterError({
      kind: status === 429 ? 'throttled' : 'server',
      retryable: true,
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    }),
    sent: true,
  });

  function gateOf() {
    const throttles: ThrottleEvent[] = [];
    const store = new InMemoryScopeStateStore();
    const gate = new ThrottleGate('partner', {
      sharedStore: false,
      store,
      access: createStoreAccess(undefined, createSanitizer(), () => undefined, 250),
      hub: new EventHub({ onThrottle: (event) => void throttles.push(event) }, undefined),
    });
    return { gate, store, throttles };
  }

  it("notes the deadline a 429 brings for the scope's next calls, in the store too, reported once", async () => {
    const { gate, store, throttles } = gateOf();
    const c = call();
    const answer = answered429(2_000);
    await expect(gate.run(c, { retry: false }, async () => answer)).resolves.toBe(answer);
    expect(gate.idle).toBe(false);
    expect(store.getThrottleDeadline('partner')).toBe(START + 2_000);
    expect(throttles).toEqual([
      expect.objectContaining({ requestId: c.requestId, retryAfterMs: 2_000, source: 'retry-after' }),
    ]);
    const next = vi.fn(async () => OK);
    const after = track(gate.run(call(), { retry: false }, next));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(next).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await after.done;
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('notes a 503 with a hint, not a 503 without one nor another status with one', async () => {
    const hinted = gateOf();
    await hinted.gate.run(call(), { retry: false }, async () => answered429(1_000, 503));
    expect(hinted.gate.idle).toBe(false);
    for (const answer of [answered429(undefined, 503), answered429(1_000, 500), answered429(undefined)]) {
      const { gate, store } = gateOf();
      await gate.run(call(), { retry: false }, async () => answer);
      expect(gate.idle).toBe(true);
      expect(store.getThrottleDeadline('partner')).toBeUndefined();
    }
  });

  it('does not hold a taken-over outcome (the success path already sent it), and notes its deadline', async () => {
    const { gate } = gateOf();
    gate.note(START + 5_000);
    const takenOver = answered429(3_000);
    const next = vi.fn(async () => takenOver);
    await expect(gate.run(call(), { retry: false, takenOver }, next)).resolves.toBe(takenOver);
    expect(Date.now()).toBe(START);
    expect(next).toHaveBeenCalledTimes(1);
  });

  it("neither holds nor notes a resumed outcome (an earlier part's, already noted)", async () => {
    const { gate, store, throttles } = gateOf();
    const takenOver = answered429(3_000);
    await gate.run(call(), { retry: false, takenOver, resumed: true }, async () => takenOver);
    expect(gate.idle).toBe(true);
    expect(store.getThrottleDeadline('partner')).toBeUndefined();
    expect(throttles).toEqual([]);
  });

  it('returns a refusal of the gate as a thrown error the list turns into a failure (too long a wait)', async () => {
    const { gate } = gateOf();
    gate.note(START + 10_000);
    const next = vi.fn(async () => OK);
    await expect(gate.run(call(), { retry: false }, next)).rejects.toMatchObject({ kind: 'throttled' });
    expect(next).not.toHaveBeenCalled();
  });
});
