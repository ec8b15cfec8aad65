import type { AxiosResponse } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartnerCenterError, type PartnerCenterErrorInit } from '../../../src/errors/PartnerCenterError.js';
import { EventHub } from '../../../src/observability/EventHub.js';
import type { BreakerEvent } from '../../../src/observability/events.js';
import { createSanitizer } from '../../../src/observability/sanitizer.js';
import type { ResilienceOptions } from '../../../src/options/ResilienceOptions.js';
import { ScopeBreaker } from '../../../src/policies/breaker.js';
import type { Call } from '../../../src/policies/call.js';
import type { AttemptSpec, Next, Outcome } from '../../../src/policies/pipeline.js';
import { createStoreAccess } from '../../../src/policies/storeAccess.js';
import { InMemoryScopeStateStore } from '../../../src/tenancy/InMemoryScopeStateStore.js';
import { makeCall, resolvedPolicy } from '../../helpers/roomCall.js';

const START = Date.parse('2026-11-25T12:00:00Z');
const HALF_OPEN_AFTER = 1_000;
const OPTIONS: ResilienceOptions = {
  circuitBreaker: { strategy: { type: 'consecutive', threshold: 2 }, halfOpenAfterMs: HALF_OPEN_AFTER },
};

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(sharedStore = false) {
  const events: Array<{ name: string; event: BreakerEvent }> = [];
  const record = (name: string) => (event: BreakerEvent) => {
    events.push({ name, event });
  };
  const hub = new EventHub(
    { onBreak: record('onBreak'), onHalfOpen: record('onHalfOpen'), onReset: record('onReset') },
    undefined,
  );
  const store = new InMemoryScopeStateStore();
  const setOpenUntil = vi.spyOn(store, 'setOpenUntil');
  const storeFailures = vi.fn();
  const access = createStoreAccess(undefined, createSanitizer(), storeFailures, 250);
  const breaker = new ScopeBreaker('partner', resolvedPolicy(OPTIONS).circuitBreaker, {
    sharedStore,
    store,
    access,
    hub,
    log: undefined,
  });
  return { breaker, events, store, setOpenUntil, storeFailures };
}

const call = (): Call => makeCall({ options: OPTIONS });

/** A first attempt, passed down by the policies above (no last failure). */
const FIRST: AttemptSpec = { retry: false };

/** The answer of an attempt that succeeded, tagged with `data` to tell attempts apart. */
function answered(data: string): Outcome {
  return {
    response: { status: 200, statusText: 'OK', headers: {}, data, config: {}, request: {} } as AxiosResponse,
  };
}

/** The rest of the list: an attempt answering with `data`. */
const answering =
  (data: string): Next =>
  async () =>
    answered(data);

/** The rest of the list: an attempt that was sent and failed with `failure`. */
const failing =
  (failure: PartnerCenterError): Next =>
  async () => ({ failure, sent: true });

/** What a run ended with: the answer's data, or the failure. */
function result(outcome: Outcome): { data?: unknown; error?: PartnerCenterError } {
  return outcome.failure === undefined ? { data: outcome.response.data } : { error: outcome.failure };
}

/** The failure of `c`'s attempt, as the attempt room builds it (the call's ids on it). */
function failureOf(c: Call, init: Partial<PartnerCenterErrorInit> = {}): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'server',
    retryable: true,
    status: 503,
    description: 'Service unavailable',
    requestId: c.requestId,
    correlationId: c.correlationId,
    scope: c.scope,
    method: c.method,
    url: c.url,
    ...init,
  });
}

describe('ScopeBreaker (consecutive, threshold 2)', () => {
  it('starts closed', () => {
    const { breaker } = setup();
    expect(breaker.state).toBe('closed');
    expect(breaker.closed).toBe(true);
    expect(breaker.refusing).toBe(false);
    expect(breaker.halfOpen).toBe(false);
  });

  it('opens on two recorded failures, reporting the failure that broke it and writing the store', async () => {
    const { breaker, events, store, setOpenUntil } = setup();
    const first = call();
    const second = call();
    await breaker.recordFailure(failureOf(first));
    expect(breaker.state).toBe('closed');
    expect(events).toEqual([]);
    await breaker.recordFailure(failureOf(second, { status: 500, description: 'boom' }));
    expect(breaker.state).toBe('open');
    expect(breaker.refusing).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]?.name).toBe('onBreak');
    expect(events[0]?.event).toEqual({
      requestId: second.requestId,
      correlationId: second.correlationId,
      scope: 'partner',
      method: 'GET',
      url: second.url,
      reason: 'server 500: boom',
    });
    expect(setOpenUntil).toHaveBeenCalledWith('partner', START + HALF_OPEN_AFTER);
    expect(store.getOpenUntil('partner')).toBe(START + HALF_OPEN_AFTER);
  });

  it('a success in between resets the count', async () => {
    const { breaker, events } = setup();
    await breaker.recordFailure(failureOf(call()));
    breaker.recordSuccess();
    await breaker.recordFailure(failureOf(call()));
    expect(breaker.state).toBe('closed');
    expect(events).toEqual([]);
    await breaker.recordFailure(failureOf(call()));
    expect(breaker.state).toBe('open');
  });

  it('does not count failures that say nothing about health (a 400, a server 408)', async () => {
    const { breaker } = setup();
    for (let i = 0; i < 3; i++) {
      await breaker.recordFailure(failureOf(call(), { kind: 'client', status: 400, retryable: false }));
      await breaker.recordFailure(failureOf(call(), { kind: 'timeout', status: 408 }));
    }
    expect(breaker.state).toBe('closed');
  });

  it('counts our own attempt timeouts and network faults', async () => {
    const { breaker } = setup();
    await breaker.recordFailure(failureOf(call(), { kind: 'timeout', status: undefined }));
    await breaker.recordFailure(failureOf(call(), { kind: 'network', status: undefined }));
    expect(breaker.state).toBe('open');
  });

  it("run() while open rejects with 'circuit-open' and sends nothing", async () => {
    const { breaker } = setup();
    await breaker.recordFailure(failureOf(call()));
    await breaker.recordFailure(failureOf(call()));
    const c = call();
    const attempt = vi.fn(answering('sent'));
    const outcome = await breaker.run(c, FIRST, attempt);
    const { error } = result(outcome);
    expect(attempt).not.toHaveBeenCalled();
    expect(outcome.failure !== undefined && outcome.sent).toBe(false);
    expect(error?.kind).toBe('circuit-open');
    expect(error?.retryable).toBe(false);
    expect(error?.status).toBeUndefined();
    expect(error?.requestId).toBe(c.requestId);
    expect(error?.reason).toBe('the circuit breaker of scope partner is open; no request was sent');
  });

  it("run() while open keeps the last failure's status, code and cause when attempts were sent", async () => {
    const { breaker } = setup();
    await breaker.recordFailure(failureOf(call()));
    await breaker.recordFailure(failureOf(call()));
    const c = call();
    c.attempts = 1;
    c.sent = 1;
    const last = failureOf(c, { status: 502, code: '3000', description: 'Bad gateway' });
    const { error } = result(await breaker.run(c, { retry: true, last }, answering('sent')));
    expect(error?.kind).toBe('circuit-open');
    expect(error?.retryable).toBe(false);
    expect(error?.status).toBe(502);
    expect(error?.code).toBe('3000');
    expect(error?.description).toBe('Bad gateway');
    expect((error as { cause?: unknown } | undefined)?.cause).toBe(last);
    expect(error?.reason).toBe(
      'the circuit breaker of scope partner is open; 1 attempt was sent, the last ended with server 502',
    );
  });

  it('after halfOpenAfterMs, run() is the probe: onHalfOpen then onReset carry its requestId', async () => {
    const { breaker, events, setOpenUntil, store } = setup();
    await breaker.recordFailure(failureOf(call()));
    await breaker.recordFailure(failureOf(call()));
    events.length = 0;
    setOpenUntil.mockClear();
    await vi.advanceTimersByTimeAsync(HALF_OPEN_AFTER);
    const probe = call();
    let halfOpenDuringProbe: boolean | undefined;
    const outcome = await breaker.run(probe, FIRST, async () => {
      // cockatiel marks the breaker half-open once the test call has started (after its first await).
      await Promise.resolve();
      halfOpenDuringProbe = breaker.halfOpen;
      return answered('ok');
    });
    expect(result(outcome)).toEqual({ data: 'ok' });
    expect(halfOpenDuringProbe).toBe(true);
    expect(breaker.state).toBe('closed');
    expect(events.map((e) => [e.name, e.event.requestId, e.event.reason])).toEqual([
      ['onHalfOpen', probe.requestId, 'testing with one call'],
      ['onReset', probe.requestId, 'the test call succeeded'],
    ]);
    expect(setOpenUntil).toHaveBeenCalledWith('partner', undefined);
    expect(store.getOpenUntil('partner')).toBeUndefined();
  });

  it("holds a second call during the probe until the probe's outcome: it goes on once the probe closed", async () => {
    const { breaker, events } = setup();
    await breaker.recordFailure(failureOf(call()));
    await breaker.recordFailure(failureOf(call()));
    events.length = 0;
    await vi.advanceTimersByTimeAsync(HALF_OPEN_AFTER);
    let answer: (value: Outcome) => void = () => undefined;
    const probeCall = call();
    const probe = breaker.run(
      probeCall,
      FIRST,
      () =>
        new Promise<Outcome>((resolve) => {
          answer = resolve;
        }),
    );
    await Promise.resolve();
    expect(breaker.halfOpen).toBe(true);
    const secondAttempt = vi.fn(answering('second'));
    const second = breaker.run(call(), FIRST, secondAttempt);
    await vi.advanceTimersByTimeAsync(0);
    expect(secondAttempt).not.toHaveBeenCalled();
    answer(answered('probe'));
    expect(result(await probe)).toEqual({ data: 'probe' });
    expect(result(await second)).toEqual({ data: 'second' });
    expect(secondAttempt).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('closed');
    // Only the probe moved the breaker.
    expect(events.map((e) => [e.name, e.event.requestId])).toEqual([
      ['onHalfOpen', probeCall.requestId],
      ['onReset', probeCall.requestId],
    ]);
  });

  it('refuses a call held during the probe when the probe fails', async () => {
    const { breaker } = setup();
    await breaker.recordFailure(failureOf(call()));
    await breaker.recordFailure(failureOf(call()));
    await vi.advanceTimersByTimeAsync(HALF_OPEN_AFTER);
    let fail: (failure: PartnerCenterError) => void = () => undefined;
    const probeCall = call();
    const probe = breaker.run(
      probeCall,
      FIRST,
      () =>
        new Promise<Outcome>((resolve) => {
          fail = (failure) => resolve({ failure, sent: true });
        }),
    );
    await Promise.resolve();
    const secondAttempt = vi.fn(answering('second'));
    const second = breaker.run(call(), FIRST, secondAttempt);
    fail(failureOf(probeCall, { status: 500 }));
    expect(result(await probe).error?.status).toBe(500);
    expect(result(await second).error?.kind).toBe('circuit-open');
    expect(secondAttempt).not.toHaveBeenCalled();
    expect(breaker.state).toBe('open');
  });

  it('a probe answered with a non-counting failure (404) closes the breaker', async () => {
    const { breaker, events } = setup();
    await breaker.recordFailure(failureOf(call()));
    await breaker.recordFailure(failureOf(call()));
    events.length = 0;
    await vi.advanceTimersByTimeAsync(HALF_OPEN_AFTER);
    const probe = call();
    const notFound = failureOf(probe, { kind: 'not-found', status: 404, retryable: false });
    const outcome = result(await breaker.run(probe, FIRST, failing(notFound)));
    expect(outcome.error).toBe(notFound);
    expect(breaker.state).toBe('closed');
    expect(events.map((e) => [e.name, e.event.requestId])).toEqual([
      ['onHalfOpen', probe.requestId],
      ['onReset', probe.requestId],
    ]);
  });

  it('a failed probe opens the breaker again, reported with the probe as the cause', async () => {
    const { breaker, events, setOpenUntil } = setup();
    await breaker.recordFailure(failureOf(call()));
    await breaker.recordFailure(failureOf(call()));
    events.length = 0;
    await vi.advanceTimersByTimeAsync(HALF_OPEN_AFTER);
    const probe = call();
    const failed = failureOf(probe, { status: 500, description: 'still down' });
    const outcome = result(await breaker.run(probe, FIRST, failing(failed)));
    expect(outcome.error).toBe(failed);
    expect(breaker.state).toBe('open');
    expect(events.map((e) => [e.name, e.event.requestId])).toEqual([
      ['onHalfOpen', probe.requestId],
      ['onBreak', probe.requestId],
    ]);
    expect(setOpenUntil).toHaveBeenLastCalledWith('partner', START + 2 * HALF_OPEN_AFTER);
  });

  it('passes a non-counting failure through run() unchanged, staying closed', async () => {
    const { breaker } = setup();
    const notFound = failureOf(call(), { kind: 'not-found', status: 404, retryable: false });
    for (let i = 0; i < 3; i++) {
      const outcome = result(await breaker.run(call(), FIRST, failing(notFound)));
      expect(outcome.error).toBe(notFound);
    }
    expect(breaker.state).toBe('closed');
  });

  it('isolate() refuses calls until disposed', async () => {
    const { breaker } = setup();
    const handle = breaker.isolate();
    expect(breaker.state).toBe('isolated');
    expect(breaker.refusing).toBe(true);
    const attempt = vi.fn(answering('sent'));
    const { error } = result(await breaker.run(call(), FIRST, attempt));
    expect(error?.kind).toBe('circuit-open');
    expect(attempt).not.toHaveBeenCalled();
    handle.dispose();
    expect(breaker.state).toBe('closed');
    expect(result(await breaker.run(call(), FIRST, attempt))).toEqual({ data: 'sent' });
  });
});

describe("ScopeBreaker.run and the shared store's open hint", () => {
  it("refuses while the store's open-until is in the future, saying for how long, sending nothing", async () => {
    const { breaker, store } = setup(true);
    store.setOpenUntil('partner', START + 750);
    const attempt = vi.fn(answering('sent'));
    const outcome = await breaker.run(call(), FIRST, attempt);
    const { error } = result(outcome);
    expect(PartnerCenterError.is(error)).toBe(true);
    expect(error?.kind).toBe('circuit-open');
    expect(error?.reason).toBe(
      'the circuit breaker of scope partner is open for another 750 ms; no request was sent',
    );
    expect(attempt).not.toHaveBeenCalled();
  });

  it("keeps the call's last failure on the hint's refusal when attempts were sent", async () => {
    const { breaker, store } = setup(true);
    store.setOpenUntil('partner', START + 750);
    const c = call();
    c.attempts = 1;
    c.sent = 1;
    const last = failureOf(c, { status: 502, code: '3000', description: 'Bad gateway' });
    const { error } = result(await breaker.run(c, { retry: true, last }, answering('sent')));
    expect(error?.kind).toBe('circuit-open');
    expect(error?.status).toBe(502);
    expect((error as { cause?: unknown } | undefined)?.cause).toBe(last);
    expect(error?.reason).toBe(
      'the circuit breaker of scope partner is open for another 750 ms; 1 attempt was sent, the last ended with server 502',
    );
  });

  it('lets the call through when the hint is absent or past', async () => {
    const { breaker, store } = setup(true);
    expect(result(await breaker.run(call(), FIRST, answering('absent')))).toEqual({ data: 'absent' });
    // A hint that ends now (the store may hand back one it has not dropped yet).
    vi.spyOn(store, 'getOpenUntil').mockReturnValue(START);
    expect(result(await breaker.run(call(), FIRST, answering('past')))).toEqual({ data: 'past' });
  });

  it("lets other calls past the store's hint while this process's probe is in flight", async () => {
    const { breaker, store } = setup(true);
    await breaker.recordFailure(failureOf(call()));
    await breaker.recordFailure(failureOf(call()));
    await vi.advanceTimersByTimeAsync(HALF_OPEN_AFTER);
    const openUntil = Date.now() + 500;
    let hint: number | undefined = openUntil;
    vi.spyOn(store, 'getOpenUntil').mockImplementation(() => hint);
    // Before the probe starts, the breaker is still open: the store's hint refuses.
    const early = vi.fn(answering('early'));
    expect(result(await breaker.run(call(), FIRST, early)).error?.kind).toBe('circuit-open');
    expect(early).not.toHaveBeenCalled();
    hint = undefined;
    let during: Promise<Outcome> | undefined;
    const probe = await breaker.run(call(), FIRST, async () => {
      await Promise.resolve();
      hint = openUntil;
      // Started while the probe is in flight: past the hint (cockatiel holds it until the probe's outcome).
      during = breaker.run(call(), FIRST, answering('during'));
      await Promise.resolve();
      return answered('probe');
    });
    expect(result(probe)).toEqual({ data: 'probe' });
    expect(result(await (during as Promise<Outcome>))).toEqual({ data: 'during' });
  });
});

describe('ScopeBreaker.run with an outcome the list takes over', () => {
  it("counts a taken-over failure (the success path's) without reading the hint or refusing", async () => {
    const { breaker, store } = setup(true);
    const getOpenUntil = vi.spyOn(store, 'getOpenUntil');
    for (let i = 0; i < 2; i++) {
      const c = call();
      const takenOver: Outcome = { failure: failureOf(c), sent: true };
      const next = vi.fn(async () => takenOver);
      await expect(breaker.run(c, { retry: false, takenOver }, next)).resolves.toBe(takenOver);
      expect(next).toHaveBeenCalledTimes(1);
    }
    expect(breaker.state).toBe('open');
    expect(getOpenUntil).not.toHaveBeenCalled();
  });

  it('neither counts nor refuses a resumed outcome (an earlier part of the call counted it)', async () => {
    const { breaker } = setup();
    await breaker.recordFailure(failureOf(call()));
    await breaker.recordFailure(failureOf(call()));
    expect(breaker.state).toBe('open');
    const c = call();
    const takenOver: Outcome = { failure: failureOf(c), sent: false };
    await expect(
      breaker.run(c, { retry: false, takenOver, resumed: true }, async () => takenOver),
    ).resolves.toBe(takenOver);
    const fresh = setup();
    for (let i = 0; i < 3; i++) {
      await fresh.breaker.run(c, { retry: false, takenOver, resumed: true }, async () => takenOver);
    }
    expect(fresh.breaker.state).toBe('closed');
  });
});
